"""Reference data of the organization: regions, units (categories live in api/petitions)."""

from dataclasses import asdict

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.core.errors import NoPermission
from xinfang.org import selectors, services
from xinfang.org.coverage import coverage_report


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


class CoverageApi(APIView):
    """GET /api/v1/org/coverage/: the gaps of the network (admin and office)."""

    class RowOutput(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        where = serializers.CharField()
        detail = serializers.CharField()
        fix_url = serializers.CharField()
        fix_label = serializers.CharField()

    class SectionOutput(serializers.Serializer):
        key = serializers.CharField()
        title = serializers.CharField()
        count = serializers.IntegerField()
        rows = serializers.ListField(child=serializers.DictField())

    class OutputSerializer(serializers.Serializer):
        generated_at = serializers.DateTimeField()
        total = serializers.IntegerField()
        counts = serializers.DictField(child=serializers.IntegerField())
        sections = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        if not services.can_manage_network(request.user):
            raise NoPermission("只有系统管理员和信访办可以查看网络覆盖情况")
        sections = coverage_report()
        data = {
            "generated_at": timezone.localtime(),
            "total": sum(s.count for s in sections),
            "counts": {s.key: s.count for s in sections},
            "sections": [
                {"key": s.key, "title": s.title, "count": s.count, "rows": [self.RowOutput(asdict(r)).data for r in s.rows]}
                for s in sections
            ],
        }
        return Response(self.OutputSerializer(data).data)


urlpatterns = [
    path("org/coverage/", CoverageApi.as_view(), name="api-org-coverage"),
    path("regions/", RegionListApi.as_view(), name="api-regions"),
    path("units/", UnitListApi.as_view(), name="api-units"),
]
