"""/api/v1/safety/: safety reports and the monthly sheet. No rules here: selectors and services."""

from datetime import date

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.core.errors import InvalidInput
from xinfang.safety import selectors, services
from xinfang.safety.models import Importance, SafetyCategory, SafetyChannel


class SafetyReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    school = serializers.CharField(source="school.code")
    officer = serializers.CharField(source="post.name")
    category = serializers.CharField()
    channel = serializers.CharField()
    content = serializers.CharField()
    importance = serializers.CharField()
    reported_at = serializers.DateTimeField()
    month = serializers.DateField()
    value_rating = serializers.CharField()
    attended_at = serializers.DateTimeField(allow_null=True)


class SafetyReportListCreateApi(APIView):
    pagination_class = PageNumberPagination  # the schema declares the paged shape from it

    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=SafetyCategory.choices)
        channel = serializers.ChoiceField(choices=SafetyChannel.choices)
        content = serializers.CharField(max_length=2000)
        importance = serializers.ChoiceField(choices=Importance.choices, default=Importance.NORMAL)
        post_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(responses=SafetyReportOut(many=True))
    def get(self, request):
        qs = selectors.report_list(actor=request.user, major_open=request.query_params.get("major_open") in ("1", "true"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(SafetyReportOut(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: SafetyReportOut})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        report = services.safety_report_file(actor=request.user, **s.validated_data)
        return Response(SafetyReportOut(report).data, status=status.HTTP_201_CREATED)


class MonthlySheetApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        school = selectors.get_school(actor=request.user, pk=pk)
        raw = request.query_params.get("month", "")
        try:
            month = date(*(int(x) for x in raw.split("-")), 1) if raw else selectors.month_of_now()
        except (TypeError, ValueError):
            raise InvalidInput("月份格式应为 YYYY-MM", fields={"month": ["格式应为 YYYY-MM"]}) from None
        rows = selectors.monthly_sheet(school=school, month=month)
        return Response(
            {
                "school": school.code,
                "month": f"{month:%Y-%m}",
                "rows": [{k: v for k, v in r.items() if k != "post"} | {"post_id": r["post"].pk} for r in rows],
            }
        )


urlpatterns = [
    path("safety/reports/", SafetyReportListCreateApi.as_view(), name="api-safety-reports"),
    path("safety/schools/<int:pk>/sheet/", MonthlySheetApi.as_view(), name="api-safety-sheet"),
]
