"""Reference data of the organization: regions, units (categories live in api/petitions)."""

from django.urls import path
from rest_framework import generics, serializers

from xinfang.org import selectors


class RegionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)


class UnitOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    region = serializers.CharField(source="region.code")


class RegionListApi(generics.ListAPIView):
    """Regions, filterable by ?level= and ?parent=<code>."""

    serializer_class = RegionOutput
    pagination_class = None

    def get_queryset(self):
        return selectors.region_list(level=self.request.query_params.get("level"), parent=self.request.query_params.get("parent"))


class UnitListApi(generics.ListAPIView):
    """Units, filterable by ?kind=."""

    serializer_class = UnitOutput
    pagination_class = None

    def get_queryset(self):
        return selectors.unit_list(kind=self.request.query_params.get("kind"))


urlpatterns = [
    path("regions/", RegionListApi.as_view(), name="api-regions"),
    path("units/", UnitListApi.as_view(), name="api-units"),
]
