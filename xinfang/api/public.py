"""The petitioner's API: GET /api/v1/public/petitions/{reg_no}/?query_code=

No account: the registration number and query code open one petition. Unknown numbers and
wrong codes get the same 404; repeated wrong codes lock the number (423, with the office's
phone). The body is `portal.selectors.public_view`: no staff names, no internal notes, no
respondents, no identities.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.access.throttles import PublicRateThrottle
from xinfang.portal import selectors, services


class PublicPetitionApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]

    class OutputSerializer(serializers.Serializer):
        class StepSerializer(serializers.Serializer):
            seq = serializers.IntegerField()
            at = serializers.DateTimeField()
            label = serializers.CharField()
            details = serializers.SerializerMethodField()
            document = serializers.CharField()

            def get_details(self, obj) -> list[dict]:
                return [{"label": k, "value": v} for k, v in obj.details]

        class ReviewSerializer(serializers.Serializer):
            kind = serializers.CharField()
            label = serializers.CharField()
            ends_at = serializers.DateTimeField(allow_null=True)
            open = serializers.BooleanField()
            explanation = serializers.CharField()

        reg_no = serializers.CharField()
        version = serializers.IntegerField()
        status = serializers.CharField()
        status_label = serializers.CharField()
        closed = serializers.BooleanField()
        received_at = serializers.DateTimeField()
        nature = serializers.CharField()
        category = serializers.CharField()
        content = serializers.CharField()
        requests = serializers.CharField()
        due_label = serializers.CharField()
        due_at = serializers.DateTimeField(allow_null=True)
        overdue = serializers.BooleanField()
        steps = StepSerializer(many=True)
        can_evaluate = serializers.BooleanField()
        satisfaction = serializers.CharField()
        review = ReviewSerializer()
        reply_text = serializers.CharField()

    @extend_schema(parameters=[OpenApiParameter("query_code", str, required=True)], responses=OutputSerializer)
    def get(self, request, reg_no: str):
        petition = services.portal_lookup(reg_no=reg_no, query_code=request.query_params.get("query_code", ""))
        return Response(self.OutputSerializer(selectors.public_view(petition)).data)


urlpatterns = [path("public/petitions/<str:reg_no>/", PublicPetitionApi.as_view(), name="api-public-petition")]
