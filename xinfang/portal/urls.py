from django.urls import path

from xinfang.portal import views

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
    path("published/", views.published, name="published"),
    path("info/", views.info, name="info"),
    path("info/<int:pk>/", views.guide, name="guide"),
    path("office/", views.office, name="office"),
]
