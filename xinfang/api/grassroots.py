"""/api/v1/grassroots/: disputes, information reports, figures. No rules here: selectors and services."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.grassroots import selectors, services
from xinfang.grassroots.models import DisputeKind, DisputeLevel, DisputeParty, ReportKind, RiskLevel, Urgency
from xinfang.org.models import Region


class PartyOut(serializers.Serializer):
    side = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()
    masked = serializers.BooleanField()


class DisputeOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    kind = serializers.CharField()
    region = serializers.CharField(source="region.code")
    village = serializers.CharField(source="village.name")
    township = serializers.CharField(source="township.name")
    description = serializers.CharField()
    risk = serializers.CharField()
    mediator = serializers.CharField()
    level = serializers.CharField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    found_at = serializers.DateTimeField()
    resolved_level = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    escalations = serializers.IntegerField()
    petition = serializers.CharField(source="petition.reg_no", allow_null=True, default=None)
    parties = serializers.SerializerMethodField()

    @extend_schema_field(PartyOut(many=True))
    def get_parties(self, obj):
        check = self.context["identity"]
        allowed = check(obj)
        return [PartyOut(selectors.party_identity(None, obj, p, allowed=allowed)).data for p in obj.parties.all()]


def _dispute_data(request, disputes, many=False):
    ctx = {"identity": selectors.identity_checker(request.user)}
    return DisputeOut(disputes, many=many, context=ctx).data


class DisputeListCreateApi(APIView):
    pagination_class = PageNumberPagination  # the schema declares the paged shape from it

    class InputSerializer(serializers.Serializer):
        class Party(serializers.Serializer):
            side = serializers.ChoiceField(choices=DisputeParty.Side.choices, default="applicant")
            name = serializers.CharField(max_length=64)
            phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
            id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
            address = serializers.CharField(max_length=200, required=False, allow_blank=True)

        kind = serializers.ChoiceField(choices=DisputeKind.choices)
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
        description = serializers.CharField(max_length=4000)
        risk = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.LOW)
        mediator = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        level = serializers.ChoiceField(choices=DisputeLevel.choices, default=DisputeLevel.VILLAGE)
        parties = Party(many=True)

    @extend_schema(responses=DisputeOut(many=True))
    def get(self, request):
        qs = selectors.dispute_list(
            actor=request.user,
            status=request.query_params.get("status", ""),
            level=request.query_params.get("level", ""),
            township=request.query_params.get("township", ""),
            overdue=request.query_params.get("overdue") in ("1", "true"),
        ).prefetch_related("parties")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(_dispute_data(request, page, many=True))

    @extend_schema(request=InputSerializer, responses={201: DisputeOut})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        dispute = services.dispute_record(actor=request.user, **s.validated_data)
        return Response(_dispute_data(request, dispute), status=status.HTTP_201_CREATED)


class DisputeDetailApi(APIView):
    @extend_schema(responses=DisputeOut)
    def get(self, request, pk):
        return Response(_dispute_data(request, selectors.get_dispute(actor=request.user, pk=pk)))


class DisputeEscalateApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=DisputeOut)
    def post(self, request, pk):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.dispute_escalate(actor=request.user, dispute_id=pk, version=s.validated_data["version"], reason=s.validated_data["reason"])
        return Response(_dispute_data(request, selectors.get_dispute(actor=request.user, pk=pk)))


class DisputeSessionApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        held_on = serializers.DateField()
        place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        mediator = serializers.CharField(max_length=64)
        participants = serializers.CharField(max_length=300)
        summary = serializers.CharField(max_length=4000)
        agreement_reached = serializers.BooleanField(default=False)
        agreement_terms = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=DisputeOut)
    def post(self, request, pk):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        services.dispute_add_session(actor=request.user, dispute_id=pk, version=d.pop("version"), **d)
        return Response(_dispute_data(request, selectors.get_dispute(actor=request.user, pk=pk)), status=status.HTTP_201_CREATED)


class ReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    region = serializers.CharField(source="region.code")
    township = serializers.CharField(source="township.name")
    kind = serializers.CharField()
    text = serializers.CharField()
    urgency = serializers.CharField()
    headcount = serializers.IntegerField()
    status = serializers.CharField()
    has_photo = serializers.SerializerMethodField()
    urgent_ref = serializers.CharField()
    reporter = serializers.CharField(source="reporter.display_name")
    created_at = serializers.DateTimeField()

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


class ReportListCreateApi(APIView):
    pagination_class = PageNumberPagination  # the schema declares the paged shape from it
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.select_related("parent__parent"))
        text = serializers.CharField(max_length=2000)
        kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.CONCERN)
        urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
        headcount = serializers.IntegerField(min_value=0, default=0)
        photo = serializers.FileField(required=False)

    @extend_schema(responses=ReportOut(many=True))
    def get(self, request):
        qs = selectors.report_list(
            actor=request.user, status=request.query_params.get("status", ""), urgency=request.query_params.get("urgency", "")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ReportOut(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ReportOut})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        report = services.report_file(actor=request.user, **s.validated_data)
        return Response(ReportOut(report).data, status=status.HTTP_201_CREATED)


class ReportAcknowledgeApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=ReportOut)
    def post(self, request, pk):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(ReportOut(services.report_acknowledge(actor=request.user, report_id=pk, version=s.validated_data["version"])).data)


class FiguresApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        by = "village" if request.query_params.get("by") == "village" else "township"
        return Response({"by": by, "results": selectors.dispute_figures(actor=request.user, by=by)})


urlpatterns = [
    path("grassroots/disputes/", DisputeListCreateApi.as_view(), name="api-disputes"),
    path("grassroots/disputes/<int:pk>/", DisputeDetailApi.as_view(), name="api-dispute"),
    path("grassroots/disputes/<int:pk>/escalate/", DisputeEscalateApi.as_view(), name="api-dispute-escalate"),
    path("grassroots/disputes/<int:pk>/sessions/", DisputeSessionApi.as_view(), name="api-dispute-sessions"),
    path("grassroots/reports/", ReportListCreateApi.as_view(), name="api-info-reports"),
    path("grassroots/reports/<int:pk>/acknowledge/", ReportAcknowledgeApi.as_view(), name="api-info-report-ack"),
    path("grassroots/figures/", FiguresApi.as_view(), name="api-grassroots-figures"),
]
