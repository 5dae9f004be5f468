from django.urls import path

from xinfang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/order.docx", views.order_document, name="order_docx"),
    path("orders/<int:pk>/order.pdf", views.order_document, {"fmt": "pdf"}, name="order_pdf"),
    path("urge/", views.urge, name="urge"),
    path("accountability/", views.accountability, name="accountability"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("petition/<str:reg_no>/panel/", views.petition_panel, name="petition_panel"),
]
