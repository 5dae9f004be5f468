from django.urls import path

from xinfang.reception import views, views_collective, views_emergency, views_first

app_name = "reception"
urlpatterns = [
    path("", views.index, name="index"),
    path("days/", views.days, name="days"),
    path("days/<int:pk>/", views.day_edit, name="day_edit"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/", views.duty_log, name="duty_log"),
    path("duty/rules/", views_first.duty_rule, name="duty_rule"),
    path("away/", views_first.away, name="away"),
    path("meetings/", views.meetings, name="meetings"),
    path("urgent/", views.urgent_list, name="urgent_list"),
    path("urgent/new/", views.urgent_new, name="urgent_new"),
    path("urgent/<int:pk>/", views.urgent_detail, name="urgent"),
    path("first/", views_first.log, name="first"),
    path("figures/", views_first.figures, name="figures"),
    path("cross-level/", views_first.cross_level_list, name="cross_level_list"),
    path("cross-level/<str:reg_no>/", views_first.cross_level, name="cross_level"),
    path("collective/", views_collective.open_list, name="collective_list"),
    path("collective/<int:pk>/", views_collective.detail, name="collective"),
    path("plans/", views_collective.plans, name="plans"),
    path("plans/<int:pk>/", views_collective.plan_edit, name="plan_edit"),
    path("emergency/", views_emergency.groups, name="emergency"),
    path("emergency/<int:pk>/", views_emergency.group, name="emergency_group"),
]
