"""Time-limit settings pages. Included by the project at /petitions/settings/time-limits/ (namespace "timelimits")."""

from django.urls import path

from . import views_timelimits as views

app_name = "timelimits"
urlpatterns = [
    path("", views.index, name="index"),
    path("limits/<slug:step>/", views.limit_update, name="limit_update"),
    path("holidays/", views.holiday_set, name="holiday_set"),
    path("holidays/import/", views.holiday_import, name="holiday_import"),
    path("holidays/load/", views.holidays_load, name="holidays_load"),
    path("pause/<slug:code>/", views.pause_update, name="pause_update"),
]
