from django.urls import path

from xinfang.safety import views

app_name = "safety"
urlpatterns = [
    path("", views.index, name="index"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="report_action"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("schools/<int:pk>/<str:action>/", views.school_action, name="school_action"),
]
