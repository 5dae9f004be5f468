"""Statistics API: KPIs, breakdowns, trend series, league table, hot issues, drill-down lists.

Every figure is `{value, numerator, denominator}` (value a ratio 0..1, null when the
denominator is 0). Rules live in `xinfang.stats.selectors`; this module only validates and
serializes.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.core.errors import InvalidInput
from xinfang.stats import breakdowns, selectors

PERIOD = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="开始日期（登记日期，默认本年1月1日）"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="结束日期（含，默认今天）"),
    OpenApiParameter("region", OpenApiTypes.STR, description="区域代码（乡镇或村），须在本人辖区内"),
]


class FigureOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="比率 0–1；分母为 0 时为 null")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    numerator_label = serializers.CharField()
    denominator_label = serializers.CharField()
    target = serializers.FloatField()
    light = serializers.ChoiceField(choices=["green", "amber", "red", "none"])
    answer = serializers.CharField(
        help_text="计入哪一次答复：first 首次答复（处理意见书）、first_evaluation 对首次答复的评价；空为不涉及答复"
    )
    answer_label = serializers.CharField(help_text="计入哪一次答复的中文说明")


class KpiOutput(serializers.Serializer):
    period = serializers.DictField()
    kpis = serializers.DictField(child=FigureOutput())
    counts = serializers.DictField()


class KpiListApi(APIView):
    """GET /api/v1/stats/kpis/?start=&end=&region= — each KPI {value, numerator, denominator}, counts and breakdowns."""

    @extend_schema(parameters=PERIOD, responses=KpiOutput)
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        data = selectors.kpi_summary(actor=request.user, f=f)
        b = selectors.stats_breakdowns(actor=request.user, f=f, dimensions=["channel", "category", "township"])
        data["counts"]["by_channel"] = {r["key"]: r["count"] for r in b["channel"]}
        data["counts"]["by_category"] = {r["key"]: r["count"] for r in b["category"]}
        data["counts"]["by_region"] = {r["key"]: r["count"] for r in b["township"]}
        return Response(data)


class TrendApi(APIView):
    """GET /api/v1/stats/trends/ — the KPIs of the period, the previous period and the same dates last year."""

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        return Response(selectors.kpi_trends(actor=request.user, f=f))


class BreakdownApi(APIView):
    """GET /api/v1/stats/breakdowns/?dimension=channel,category,... (default: all)."""

    @extend_schema(
        parameters=PERIOD
        + [
            OpenApiParameter(
                "dimension",
                OpenApiTypes.STR,
                description="逗号分隔：channel,category,nature,township,village,handling_unit,collective,cross_level,repeat",
            )
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        raw = request.query_params.get("dimension", "")
        dims = [d for d in raw.split(",") if d] or list(breakdowns.DIMENSIONS)
        unknown = [d for d in dims if d not in breakdowns.DIMENSIONS]
        if unknown:
            raise InvalidInput("未知的分类维度：" + "、".join(unknown), fields={"dimension": [f"可选：{', '.join(breakdowns.DIMENSIONS)}"]})
        return Response({"period": f.params(), "breakdowns": selectors.stats_breakdowns(actor=request.user, f=f, dimensions=dims)})


class SeriesApi(APIView):
    """GET /api/v1/stats/series/?grain=day|week|month|quarter|year."""

    @extend_schema(
        parameters=PERIOD + [OpenApiParameter("grain", OpenApiTypes.STR, enum=["day", "week", "month", "quarter", "year"])],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        return Response(selectors.stats_series(actor=request.user, f=f, grain=request.query_params.get("grain") or None))


class LeagueApi(APIView):
    """GET /api/v1/stats/league/ — the unit league table."""

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        return Response({"period": f.params(), **selectors.stats_league(actor=request.user, f=f)})


class HotIssuesApi(APIView):
    """GET /api/v1/stats/hot-issues/ — terms, rising terms, categories and place clusters."""

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        f = selectors.parse_filter(request.user, request.query_params)
        return Response({"period": f.params(), **selectors.stats_hot_issues(actor=request.user, f=f)})


class DrillDownApi(APIView):
    """GET /api/v1/stats/kpis/<code>/petitions/?part=den|num|miss — the petitions behind a figure (no identity)."""

    pagination_class = PageNumberPagination  # the schema declares the paged shape from it

    class OutputSerializer(serializers.Serializer):
        reg_no = serializers.CharField()
        status = serializers.CharField()
        channel = serializers.CharField()
        category = serializers.CharField(source="category.name")
        region = serializers.CharField(source="region.name")
        handling_unit = serializers.CharField(source="handling_unit.name", default=None)
        registered_at = serializers.DateTimeField()
        replied_at = serializers.DateTimeField()
        due_at = serializers.DateTimeField()

    @extend_schema(
        parameters=PERIOD + [OpenApiParameter("part", OpenApiTypes.STR, enum=["den", "num", "miss"])],
        responses=OutputSerializer(many=True),
    )
    def get(self, request, code):
        f = selectors.parse_filter(request.user, request.query_params)
        qs = selectors.drill_down(actor=request.user, f=f, code=code, part=request.query_params.get("part", "den"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


urlpatterns = [
    path("stats/kpis/", KpiListApi.as_view(), name="api-stats-kpis"),
    path("stats/kpis/<str:code>/petitions/", DrillDownApi.as_view(), name="api-stats-drill"),
    path("stats/trends/", TrendApi.as_view(), name="api-stats-trends"),
    path("stats/breakdowns/", BreakdownApi.as_view(), name="api-stats-breakdowns"),
    path("stats/series/", SeriesApi.as_view(), name="api-stats-series"),
    path("stats/league/", LeagueApi.as_view(), name="api-stats-league"),
    path("stats/hot-issues/", HotIssuesApi.as_view(), name="api-stats-hot"),
]
