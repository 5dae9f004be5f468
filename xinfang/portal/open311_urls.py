"""/open311/v2/ — GeoReport v2, each resource in .json and .xml."""

from django.urls import path, register_converter

from xinfang.portal import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("v2/discovery.<fmt:fmt>", open311.discovery, name="discovery"),
    path("v2/services.<fmt:fmt>", open311.service_list, name="services"),
    path("v2/services/<str:code>.<fmt:fmt>", open311.service_definition, name="service"),
    path("v2/requests.<fmt:fmt>", open311.requests_view, name="requests"),
    path("v2/requests/<str:service_request_id>.<fmt:fmt>", open311.request_detail, name="request"),
    path("v2/tokens/<str:token>.<fmt:fmt>", open311.token_detail, name="token"),
]
