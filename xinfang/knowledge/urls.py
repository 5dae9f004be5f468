from django.urls import path

from xinfang.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.detail, name="detail"),
    path("routing/", views.routing_settings, name="routing"),
]
