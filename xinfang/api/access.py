"""Access API: the access log for auditors, identity grants of a petition (list, grant, revoke)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.access import policy, selectors, services
from xinfang.core.errors import InvalidInput
from xinfang.org.models import Unit, User


class AccessLogView(APIView):
    """GET /api/v1/access/log/?user=&petition=&date_from=&date_to= — auditors (admin role); the office, its own petitions'."""

    pagination_class = PageNumberPagination  # the schema declares the paged shape from it

    class FilterSerializer(serializers.Serializer):
        user = serializers.CharField(required=False, allow_blank=True, max_length=150)
        petition = serializers.CharField(required=False, allow_blank=True, max_length=40)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        at = serializers.DateTimeField()
        user = serializers.CharField(source="user.username", default=None)
        user_name = serializers.CharField(source="user.display_name", default=None)
        unit = serializers.CharField(source="user.unit.code", default=None)
        petition = serializers.CharField(source="petition.reg_no")
        fields = serializers.ListField(child=serializers.CharField())
        purpose = serializers.CharField()
        path = serializers.CharField()
        via_grant = serializers.IntegerField(source="via_grant_id", allow_null=True)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = selectors.access_records(actor=request.user, **f.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class GrantOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    petition = serializers.CharField(source="petition.reg_no")
    grantee_user = serializers.CharField(source="grantee_user.username", default=None)
    grantee_unit = serializers.CharField(source="grantee_unit.code", default=None)
    fields = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    granted_by = serializers.CharField(source="granted_by.username")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(source="revocation.revoked_at", default=None)


class PetitionGrantsView(APIView):
    """GET the grants of a petition; POST a new grant {grantee_user | grantee_unit, fields, reason, expires_at}."""

    class InputSerializer(serializers.Serializer):
        grantee_user = serializers.CharField(required=False, allow_blank=True, help_text="用户名")
        grantee_unit = serializers.CharField(required=False, allow_blank=True, help_text="单位代码")
        fields = serializers.ListField(child=serializers.CharField(), required=False)
        reason = serializers.CharField(allow_blank=True)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(responses=GrantOutputSerializer(many=True))
    def get(self, request, reg_no: str):
        petition = policy.get_visible_petition(request.user, reg_no)
        grants = selectors.grants_for_petition(actor=request.user, petition=petition)
        return Response(GrantOutputSerializer(grants, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: GrantOutputSerializer})
    def post(self, request, reg_no: str):
        petition = policy.get_visible_petition(request.user, reg_no)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        user = unit = None
        if d.get("grantee_user"):
            user = User.objects.filter(username=d["grantee_user"], is_active=True).first()
            if user is None:
                raise InvalidInput("授权人员不存在", fields={"grantee_user": ["用户不存在"]})
        if d.get("grantee_unit"):
            unit = Unit.objects.filter(code=d["grantee_unit"], active=True).first()
            if unit is None:
                raise InvalidInput("授权单位不存在", fields={"grantee_unit": ["单位不存在"]})
        grant = services.identity_grant_create(
            actor=request.user,
            petition=petition,
            reason=d.get("reason", ""),
            fields=d.get("fields") or None,
            grantee_user=user,
            grantee_unit=unit,
            expires_at=d.get("expires_at"),
        )
        return Response(GrantOutputSerializer(grant).data, status=201)


class GrantRevokeView(APIView):
    """POST /api/v1/access/grants/{id}/revoke/ {reason}: a revocation record; the grant stays."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: GrantOutputSerializer})
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        revocation = services.identity_grant_revoke(actor=request.user, grant=pk, reason=s.validated_data["reason"])
        return Response(GrantOutputSerializer(revocation.grant).data)


urlpatterns = [
    path("access/log/", AccessLogView.as_view(), name="api-access-log"),
    path("access/petitions/<str:reg_no>/grants/", PetitionGrantsView.as_view(), name="api-access-grants"),
    path("access/grants/<int:pk>/revoke/", GrantRevokeView.as_view(), name="api-access-grant-revoke"),
]
