"""Reference data of the organization: regions, units (categories live in api/petitions)."""

from dataclasses import asdict

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.org import selectors, services
from xinfang.org.coverage import coverage_report
from xinfang.org.models import PostRole, Region, SupervisionGroup, Unit


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
        services.require_network_manager(request.user, "只有系统管理员和信访办可以查看网络覆盖情况")
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


class PostOutput(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    name = serializers.CharField()
    phone = serializers.CharField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    school = serializers.CharField(source="school.code", allow_null=True, default=None)
    supervision_group = serializers.CharField(source="supervision_group.code", allow_null=True, default=None)
    home_unit = serializers.CharField(source="home_unit.code", allow_null=True, default=None)
    trained_on = serializers.DateField(allow_null=True)
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    managed_by = serializers.CharField()


class PostListCreateApi(APIView):
    """GET /api/v1/org/posts/?role=&region=&school=&active=1 · POST a new post (the rules of services.py)."""

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=PostRole.choices)
        name = serializers.CharField(max_length=64)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True)
        villages = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), many=True, required=False)
        school = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)
        supervision_group = serializers.SlugRelatedField(
            slug_field="code", queryset=SupervisionGroup.objects.all(), required=False, allow_null=True
        )
        home_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)
        birth_date = serializers.DateField(required=False, allow_null=True)
        selected_on = serializers.DateField(required=False, allow_null=True)
        trained_on = serializers.DateField(required=False, allow_null=True)
        start_on = serializers.DateField(required=False, allow_null=True)
        end_on = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(responses=PostOutput(many=True))
    def get(self, request):
        services.require_network_manager(request.user)
        params = request.query_params
        posts = selectors.post_list(
            role=params.get("role"), region=params.get("region"), school=params.get("school"), active=params.get("active") != "0"
        )
        return Response(PostOutput(posts, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: PostOutput(many=True)})
    def post(self, request):
        services.require_network_manager(request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        posts = services.network_post_create(actor=request.user, **data)
        return Response(PostOutput(posts, many=True).data, status=201)


class PostEndApi(APIView):
    """POST /api/v1/org/posts/{id}/end/ {ended_on, reason}: leave the post (the row is kept)."""

    class InputSerializer(serializers.Serializer):
        ended_on = serializers.DateField(required=False, allow_null=True)
        reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=PostOutput)
    def post(self, request, pk):
        services.require_network_manager(request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.network_post_end(actor=request.user, post=selectors.post_by_id(pk), **serializer.validated_data)
        return Response(PostOutput(post).data)


urlpatterns = [
    path("org/posts/", PostListCreateApi.as_view(), name="api-org-posts"),
    path("org/posts/<int:pk>/end/", PostEndApi.as_view(), name="api-org-post-end"),
    path("org/coverage/", CoverageApi.as_view(), name="api-org-coverage"),
    path("regions/", RegionListApi.as_view(), name="api-regions"),
    path("units/", UnitListApi.as_view(), name="api-units"),
]
