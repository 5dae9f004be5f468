"""/api/v1/supervision/ and /api/v1/inbox/: one class per operation; the rules are in the supervision app."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.api.schema import results_of
from xinfang.core.errors import InvalidInput
from xinfang.org.models import Unit
from xinfang.supervision import notifications, selectors, services
from xinfang.supervision.models import Matter, OrderForm


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    petition = serializers.CharField(source="petition.reg_no")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    form = serializers.CharField()
    requirements = serializers.CharField()
    issued_by = serializers.CharField(source="issued_by.display_name")
    issued_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


def _unit(code):
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput("未找到该单位", fields={"unit": ["未找到该单位"]})
    return unit


class OrderListApi(APIView):
    """GET: the orders the caller works (?status=open|answered|closed). POST: issue an order."""

    class InputSerializer(serializers.Serializer):
        reg_no = serializers.CharField(max_length=40)
        form = serializers.ChoiceField(choices=OrderForm.choices)
        requirements = serializers.CharField(max_length=5000)
        answer_due_at = serializers.DateTimeField()
        unit = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(operation_id="supervision_orders_list", responses=results_of(OrderOutput, "SupervisionOrderList"))
    def get(self, request):
        qs = selectors.orders_for(request.user, status=request.query_params.get("status") or None)[:500]
        return Response({"results": OrderOutput(qs, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: OrderOutput})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        order = services.order_issue(
            actor=request.user,
            reg_no=d["reg_no"],
            form=d["form"],
            requirements=d["requirements"],
            answer_due_at=d["answer_due_at"],
            unit=_unit(d.get("unit")),
        )
        return Response(OrderOutput(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderOutput)
    def get(self, request, pk: int):
        return Response(OrderOutput(selectors.get_order(request.user, pk)).data)


class OrderAnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        answer = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses=OrderOutput)
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(OrderOutput(services.order_answer(actor=request.user, pk=pk, **s.validated_data)).data)


class OrderCloseApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=OrderOutput)
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(OrderOutput(services.order_close(actor=request.user, pk=pk, **s.validated_data)).data)


class UrgeApi(APIView):
    class InputSerializer(serializers.Serializer):
        reg_no = serializers.CharField(max_length=40)
        note = serializers.CharField(max_length=2000)
        order = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        petition = serializers.CharField(source="petition.reg_no")
        unit = serializers.CharField(source="unit.code")
        note = serializers.CharField()
        at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        urging = services.petition_urge(actor=request.user, reg_no=d["reg_no"], note=d["note"], order_id=d.get("order"))
        return Response(self.OutputSerializer(urging).data, status=status.HTTP_201_CREATED)


class AccountabilityApi(APIView):
    """GET: records (?unit=<code>, ?person=). POST: record one."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField()
        person_name = serializers.CharField(max_length=64)
        matter = serializers.ChoiceField(choices=Matter.choices)
        facts = serializers.CharField()
        decision = serializers.CharField()
        reg_no = serializers.CharField(required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        unit = serializers.CharField(source="unit.code")
        person_name = serializers.CharField()
        matter = serializers.CharField()
        facts = serializers.CharField()
        decision = serializers.CharField()
        decided_at = serializers.DateTimeField()
        petition = serializers.CharField(source="petition.reg_no", allow_null=True, default=None)

    @extend_schema(responses=results_of(OutputSerializer, "AccountabilityList"))
    def get(self, request):
        unit = _unit(request.query_params.get("unit"))
        qs = selectors.accountability_list(
            request.user, unit_id=unit.pk if unit else None, person=request.query_params.get("person") or None
        )
        return Response({"results": self.OutputSerializer(qs[:500], many=True).data})

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        unit = _unit(d["unit"])
        record = services.accountability_record(
            actor=request.user,
            unit=unit,
            person_name=d["person_name"],
            matter=d["matter"],
            facts=d["facts"],
            decision=d["decision"],
            reg_no=d.get("reg_no") or None,
        )
        return Response(self.OutputSerializer(record).data, status=status.HTTP_201_CREATED)


class InboxApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        title = serializers.CharField()
        body = serializers.CharField()
        url = serializers.CharField()
        kind = serializers.CharField()
        created_at = serializers.DateTimeField()
        read_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        summary="收件箱（最近 200 条）",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, required=False, description="只看未读")],
        responses=inline_serializer(
            "Inbox", {"unread": serializers.IntegerField(help_text="未读条数"), "results": OutputSerializer(many=True)}
        ),
    )
    def get(self, request):
        qs = notifications.inbox_for(request.user)
        if request.query_params.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return Response({"unread": notifications.unread_count(request.user), "results": self.OutputSerializer(qs[:200], many=True).data})


class InboxReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        marked = notifications.mark_read(user=request.user, ids=s.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notifications.unread_count(request.user)})


urlpatterns = [
    path("supervision/orders/", OrderListApi.as_view(), name="api-supervision-orders"),
    path("supervision/orders/<int:pk>/", OrderDetailApi.as_view(), name="api-supervision-order"),
    path("supervision/orders/<int:pk>/answer/", OrderAnswerApi.as_view(), name="api-supervision-order-answer"),
    path("supervision/orders/<int:pk>/close/", OrderCloseApi.as_view(), name="api-supervision-order-close"),
    path("supervision/urgings/", UrgeApi.as_view(), name="api-supervision-urge"),
    path("supervision/accountability/", AccountabilityApi.as_view(), name="api-supervision-accountability"),
    path("inbox/", InboxApi.as_view(), name="api-inbox"),
    path("inbox/read/", InboxReadApi.as_view(), name="api-inbox-read"),
]
