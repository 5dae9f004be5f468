from django.urls import path

from xinfang.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/<int:job_id>/", views.job, name="job"),
    path("import/<int:job_id>/mapping/", views.mapping, name="mapping"),
    path("import/<int:job_id>/values/", views.values, name="values"),
    path("import/<int:job_id>/progress/", views.job_progress, name="progress"),
    path("import/<int:job_id>/run/", views.job_run, name="run"),
    path("export/petitions.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export/petitions.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("dossier/<str:reg_no>.pdf", views.dossier_pdf, name="dossier"),
    path("historical/<str:reg_no>/take-up/", views.take_up, name="take_up"),
]
