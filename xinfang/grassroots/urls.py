from django.urls import path

from xinfang.grassroots import views

app_name = "grassroots"
urlpatterns = [
    path("", views.index, name="index"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/photo/", views.report_photo, name="report_photo"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/<str:action>/", views.dispute_action, name="dispute_action"),
    path("disputes/<int:pk>/agreement/<int:session_id>.docx", views.agreement, name="agreement"),
    path("screening/", views.screening, name="screening"),
    path("publicity/", views.publicity, name="publicity"),
    path("figures/", views.figures, name="figures"),
]
