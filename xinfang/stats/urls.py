from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpi/<str:code>/", views.drill_down, name="drill"),
    path("league/", views.league, name="league"),
    path("hot/", views.hot, name="hot"),
    path("reports/", views.report_page, name="reports"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/<int:pk>/", views.assessment_sheet, name="sheet"),
]
