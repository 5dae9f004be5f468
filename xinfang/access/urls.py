from django.urls import path

from xinfang.access import views

app_name = "access"
urlpatterns = [
    path("log/", views.access_log, name="log"),
    path("grants/<str:reg_no>/", views.grants, name="grants"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
