from django.urls import path

from xinfang.portal import views, views_mine

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("track/", views.track, name="track"),
    path("track/leave/", views.leave, name="leave"),
    path("recover/", views.recover, name="recover"),
    path("track/<str:reg_no>/", views.detail, name="detail"),
    path("track/<str:reg_no>/doc/<int:seq>.pdf", views.document, name="document"),
    path("track/<str:reg_no>/evaluate/", views.evaluate, name="evaluate"),
    path("track/<str:reg_no>/review/", views.review, name="review"),
    path("track/<str:reg_no>/material/", views_mine.material, name="material"),
    path("track/<str:reg_no>/messages/", views_mine.message_settings, name="message_settings"),
    path("mine/", views_mine.mine_start, name="mine"),
    path("mine/cases/", views_mine.mine_list, name="mine_list"),
    path("mine/leave/", views_mine.mine_leave, name="mine_leave"),
    path("sms/report/", views_mine.sms_report, name="sms_report"),
    path("published/", views.published, name="published"),
    path("info/", views.info, name="info"),
    path("info/<int:pk>/", views.guide, name="guide"),
    path("office/", views.office, name="office"),
]
