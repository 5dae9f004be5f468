from django.urls import path

from xinfang.audit import views

app_name = "audit"
urlpatterns = [
    path("checkpoints/", views.checkpoint_list, name="checkpoints"),
    path("checkpoints/<int:number>.<str:fmt>", views.checkpoint_file, name="checkpoint_file"),
]
