from django.urls import path

from xinfang.org import views

app_name = "org"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("units/", views.unit_list, name="units"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("supervision/", views.supervision, name="supervision"),
    path("posts/new/", views.post_new, name="post-new"),
    path("posts/<int:pk>/end/", views.post_end, name="post-end"),
    path("posts/<int:pk>/training/", views.post_training, name="post-training"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
]
