from django.urls import path

from xinfang.petitions import views, views_register, views_worklist

app_name = "petitions"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("register/", views.register, name="register"),
    path("batch/", views.batch, name="batch"),
    path("filters/", views_worklist.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", views_worklist.filter_delete, name="filter_delete"),
    path("repeat-candidates/", views.repeat_candidates, name="repeat_candidates"),
    path("<str:reg_no>/", views.detail, name="detail"),
    path("<str:reg_no>/petitioner/", views_register.earlier_petitioner, name="earlier_petitioner"),
    path("<str:reg_no>/receipt/", views.receipt, name="receipt"),
    path("<str:reg_no>/receipt/done/", views.receipt_done, name="receipt_done"),
    path("<str:reg_no>/receipt/reissue/", views.receipt_reissue, name="receipt_reissue"),
    path("<str:reg_no>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<str:reg_no>/act/<str:action>/", views.act, name="act"),
    path("<str:reg_no>/accept-assign/", views.accept_assign, name="accept_assign"),
    path("<str:reg_no>/docs/<slug:kind>.docx", views.document, name="document"),
    path("<str:reg_no>/docs/<slug:kind>.pdf", views.document, {"fmt": "pdf"}, name="document_pdf"),
    path("<str:reg_no>/attachments/", views.attach, name="attach"),
    path("<str:reg_no>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
