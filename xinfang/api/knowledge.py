"""Knowledge base and routing suggestions for staff: /api/v1/knowledge/articles/, /api/v1/routing/suggest/."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.api.schema import results_of
from xinfang.core.errors import InvalidInput
from xinfang.knowledge import selectors
from xinfang.org.models import Region, Role

ROUTING_ROLES = (Role.ADMIN, Role.CLERK, Role.OFFICE)


class ArticleListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        kind = serializers.CharField()
        summary = serializers.CharField()
        body = serializers.CharField()
        public = serializers.BooleanField()
        unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
        category = serializers.CharField(source="category.code", allow_null=True, default=None)

    @extend_schema(responses=results_of(OutputSerializer, "ArticleList"))
    def get(self, request):
        if not selectors.is_staff_reader(request.user):
            raise PermissionDenied
        qs = selectors.article_list(actor=request.user, q=request.query_params.get("q", ""), kind=request.query_params.get("kind", ""))
        return Response({"results": self.OutputSerializer(qs[:200], many=True).data})


class RoutingSuggestApi(APIView):
    """GET ?content=&region=<code>: the top 3 {category, unit, confidence, reason, article_url}."""

    class InputSerializer(serializers.Serializer):
        content = serializers.CharField(max_length=20000)
        region = serializers.CharField(required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        category = serializers.SerializerMethodField()
        unit = serializers.SerializerMethodField()
        confidence = serializers.FloatField()
        reason = serializers.CharField()
        method = serializers.CharField()
        article_url = serializers.CharField()

        def get_category(self, obj) -> dict | None:
            c = obj["category"]
            return {"code": c.code, "name": c.name} if c else None

        def get_unit(self, obj) -> dict:
            return {"code": obj["unit"].code, "name": obj["unit"].name}

    @extend_schema(parameters=[InputSerializer], responses=results_of(OutputSerializer, "RoutingSuggestions"))
    def get(self, request):
        user = request.user
        if not (user.is_superuser or user.has_role(*ROUTING_ROLES)):
            raise PermissionDenied
        data = self.InputSerializer(data=request.query_params)
        if not data.is_valid():
            raise InvalidInput("请提供信访内容 content", fields={"content": ["必填"]})
        region = None
        if data.validated_data.get("region"):
            region = Region.objects.filter(code=data.validated_data["region"]).first()
            if region is None:
                raise InvalidInput("未知的区域代码", fields={"region": ["未知的区域代码"]})
        suggestions = selectors.suggest_routing(data.validated_data["content"], region=region)
        return Response({"results": self.OutputSerializer(suggestions, many=True).data})


urlpatterns = [
    path("knowledge/articles/", ArticleListApi.as_view(), name="api-knowledge-articles"),
    path("routing/suggest/", RoutingSuggestApi.as_view(), name="api-routing-suggest"),
]
