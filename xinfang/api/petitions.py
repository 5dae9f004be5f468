"""The core petition API of DESIGN.md: list/register, detail, actions, events, categories.

One class per operation; the rules live in `xinfang.petitions.services` / `selectors`.
"""

import json

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from xinfang.access import policy
from xinfang.api.schema import ERROR as ERROR_SCHEMA
from xinfang.core import inputs
from xinfang.core.errors import InvalidInput, NotFound
from xinfang.org.models import Region
from xinfang.petitions import action_inputs, selectors, services, workflow
from xinfang.petitions.action_inputs import Field, Kind
from xinfang.petitions.models import Category
from xinfang.petitions.registration import MAX_PETITIONERS, TOO_MANY_PETITIONERS
from xinfang.petitions.workflow import ACTIONS

ERROR = ERROR_SCHEMA  # one error component for the whole schema (xinfang/api/schema.py)


def _error_schema():
    return ERROR


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, required=False, default="")
    id_number = serializers.CharField(allow_blank=True, required=False, default="")
    phone = serializers.CharField(allow_blank=True, required=False, default="")
    address = serializers.CharField(allow_blank=True, required=False, default="")
    work_unit = serializers.CharField(allow_blank=True, required=False, default="")


class PersonOutput(PersonSerializer):
    masked = serializers.BooleanField()
    is_representative = serializers.BooleanField()


class RespondentSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True, required=False, default="")
    post = serializers.CharField(allow_blank=True, required=False, default="")


class PetitionListOutput(serializers.Serializer):
    reg_no = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()  # a method field: DRF inspects a callable source's signature per row
    version = serializers.IntegerField()
    channel = serializers.CharField()
    received_at = serializers.DateTimeField()
    registered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    first_time = serializers.BooleanField()
    repeat_of = serializers.CharField(source="repeat_of.reg_no", default=None, allow_null=True)
    collective = serializers.BooleanField()
    confidential = serializers.BooleanField()
    nature = serializers.CharField()
    category = serializers.CharField(source="category.code")
    region = serializers.CharField(source="region.code")
    content = serializers.CharField()
    handling_unit = serializers.CharField(source="handling_unit.code", default=None, allow_null=True)
    case_leader = serializers.CharField(source="case_leader.username", default=None, allow_null=True)

    def get_status_label(self, obj) -> str:
        return obj.get_status_display()

    def get_overdue(self, obj) -> bool:
        return bool(obj.due_at and obj.due_at < timezone.now())


class PausedOutput(serializers.Serializer):
    ground = serializers.CharField(help_text="hearing|appraisal")
    since = serializers.DateTimeField()


class ReviewOrganOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    external = serializers.BooleanField(help_text="系统外机关：请求由信访办转送，意见按收到的录入")


class PetitionDetailOutput(PetitionListOutput):
    requests = serializers.CharField()
    anonymous = serializers.BooleanField()
    cross_level = serializers.BooleanField()
    headcount = serializers.IntegerField()
    matter_ended = serializers.BooleanField()
    office = serializers.CharField(source="office.code")
    first_receiver = serializers.CharField(source="first_receiver.username", default=None, allow_null=True)
    postmark_date = serializers.DateField(allow_null=True)
    superior_doc_no = serializers.CharField()
    superior_due_at = serializers.DateTimeField(allow_null=True)
    reported_back_at = serializers.DateTimeField(allow_null=True)
    result_required = serializers.BooleanField()
    complexity = serializers.CharField()
    review_organ = serializers.SerializerMethodField()
    review_forwarded_at = serializers.DateTimeField(allow_null=True, help_text="复查/复核请求转送系统外机关的时间")
    track = serializers.CharField(help_text="办理程序：standard 普通程序 | simple 简易办理")
    decline_route = serializers.CharField(
        help_text="不予受理的依法分类处理途径（litigation|arbitration|administrative_reconsideration|discipline_inspection|other_organ|not_petition_matter），未不予受理为空"
    )
    decline_route_organ = serializers.CharField(help_text="不予受理告知书写明的有权处理机关")
    dispatch_due_at = serializers.DateTimeField(allow_null=True)
    accept_due_at = serializers.DateTimeField(allow_null=True)
    handle_due_at = serializers.DateTimeField(allow_null=True)
    internal_due_at = serializers.DateTimeField(allow_null=True)
    instruction_due_at = serializers.DateTimeField(allow_null=True)
    review_due_at = serializers.DateTimeField(allow_null=True)
    review_request_due_at = serializers.DateTimeField(allow_null=True, help_text="申请复查/复核截止：送达前为 null（期限未起算，可以申请）")
    delivered_at = serializers.DateTimeField(allow_null=True, help_text="最近一次答复的送达时间")
    delivery_method = serializers.CharField(help_text="direct|post|sms|online|announcement，未送达为空")
    triage_due_at = serializers.DateTimeField(allow_null=True, help_text="当日阅办期限")
    triaged_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.SerializerMethodField()
    paused_seconds = serializers.IntegerField()
    extended_days = serializers.IntegerField()
    committed_date = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    findings = serializers.CharField()
    reply_method = serializers.CharField()
    reply_text = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    first_replied_at = serializers.DateTimeField(allow_null=True)
    satisfaction = serializers.CharField()
    review_level = serializers.IntegerField()
    archived_at = serializers.DateTimeField(allow_null=True)
    archive_category = serializers.CharField()
    petitioners = serializers.SerializerMethodField()
    respondents = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    @extend_schema_field(ReviewOrganOutput(allow_null=True))
    def get_review_organ(self, obj) -> dict | None:
        from xinfang.petitions import review

        organ = review.current(obj) if obj.status in ("under_review", "under_rereview") or obj.review_level else None
        return organ.as_dict() if organ is not None else None

    @extend_schema_field(PausedOutput(allow_null=True))
    def get_paused(self, obj) -> dict | None:
        if obj.paused_at is None:
            return None
        return {"ground": obj.pause_ground, "since": serializers.DateTimeField().to_representation(obj.paused_at)}

    @extend_schema(responses=PersonOutput(many=True))
    def get_petitioners(self, obj) -> list[dict]:
        return PersonOutput(selectors.identities(actor=self.context["actor"], petition=obj), many=True).data

    def get_respondents(self, obj) -> list[dict]:
        return [{"name": r.name, "unit": r.unit_name, "post": r.post} for r in obj.respondents.all()]

    def get_actions(self, obj) -> list[str]:
        return selectors.available_actions(actor=self.context["actor"], petition=obj)


class PetitionCursorPagination(BasePagination):
    """Keyset paging (`selectors.petition_page`): `next`/`previous` carry a cursor, so page 1 and page 20,000 cost the
    same. `count` is exact up to 1,000 (`selectors.COUNT_CAP`); past that it is 1000 and `count_capped` is true
    (pages show "1000+"). The list's order: newest first, or by due time for the overdue / due-soon / triage buckets."""

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.page_size
        raw = request.query_params.get(self.page_size_query_param)
        if raw:
            try:
                size = max(1, min(int(raw), self.max_page_size))
            except ValueError:
                raise InvalidInput("page_size 应为整数", fields={"page_size": ["应为1到200的整数"]}) from None
        paging = getattr(view, "list_paging", None) or selectors.list_paging({})
        self.page = selectors.petition_page(queryset, cursor=request.query_params.get(self.cursor_query_param), size=size, **paging)
        return self.page.rows

    def _link(self, cursor):
        if cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": page.count,
                "count_capped": page.capped,
                "next": self._link(page.next),
                "previous": self._link(page.previous),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_capped", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "符合条件的件数，最多数到 1000；超过时为 1000、count_capped 为 true（页面显示“1000+”）",
                },
                "count_capped": {"type": "boolean", "description": "件数超过上限、count 只是下限时为 true"},
                "next": {"type": "string", "nullable": True, "format": "uri", "description": "下一页（带 cursor 参数）"},
                "previous": {"type": "string", "nullable": True, "format": "uri", "description": "上一页（带 cursor 参数）"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "分页游标：取自上一次响应的 next 或 previous",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "每页件数（1–200，默认 50）",
                "schema": {"type": "integer"},
            },
        ]


LIST_FILTERS = ["status", "overdue", "channel", "category", "region", "handling_unit", "q", "registered_from", "registered_to", "bucket"]


class PetitionListCreateApi(APIView):
    """List the petitions the caller may see (filters, paginated), or register one."""

    pagination_class = PetitionCursorPagination  # the schema declares the paged shape from it

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PetitionRegisterInput"

        channel = serializers.CharField()
        received_at = serializers.DateTimeField()
        # Bounded before each entry is validated (a 20,000-entry list is refused at once); the service
        # states the rule for lists within the bound (registration.MAX_PETITIONERS, MAX_REPRESENTATIVES).
        petitioners = PersonSerializer(
            many=True, required=False, default=list, max_length=MAX_PETITIONERS, error_messages={"max_length": TOO_MANY_PETITIONERS}
        )
        anonymous = serializers.BooleanField(required=False, default=False)
        confidential = serializers.BooleanField(required=False, allow_null=True, default=None)
        nature = serializers.CharField()
        category = serializers.CharField()
        content = serializers.CharField()
        requests = serializers.CharField(required=False, allow_blank=True, default="")
        region = serializers.CharField()
        respondents = RespondentSerializer(many=True, required=False, default=list)
        headcount = serializers.IntegerField(required=False, default=1, min_value=1)
        representatives = PersonSerializer(many=True, required=False, default=list, max_length=MAX_PETITIONERS)
        cross_level = serializers.BooleanField(required=False, default=False)
        public_consent = serializers.BooleanField(required=False, default=False)
        refuse_messages = serializers.BooleanField(required=False, default=False, help_text="信访人不接收短信告知（仍可在网上查看）")
        repeat_of = serializers.CharField(required=False, allow_blank=True, default="")
        postmark_date = serializers.DateField(required=False, allow_null=True, default=None)
        superior_doc_no = serializers.CharField(required=False, allow_blank=True, default="")
        superior_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        first_receipt = serializers.IntegerField(
            required=False, allow_null=True, default=None, help_text="首问登记编号（其他工作人员引领来访时；首问责任人即为该工作人员）"
        )

    class CreatedOutput(PetitionDetailOutput):
        class Meta:
            ref_name = "PetitionRegistered"

        query_code = serializers.SerializerMethodField()

        def get_query_code(self, obj) -> str:
            return self.context["query_code"]

        @extend_schema(responses=PersonOutput(many=True))
        def get_petitioners(self, obj) -> list[dict]:
            return PersonOutput(policy.identities_as_entered(self.context["actor"], obj), many=True).data

    @extend_schema(
        parameters=[OpenApiParameter(f, OpenApiTypes.STR, required=False) for f in LIST_FILTERS],
        responses={200: PetitionListOutput(many=True)},
    )
    def get(self, request):
        filters = {f: request.query_params.get(f) for f in LIST_FILTERS}
        qs = selectors.petition_list(actor=request.user, filters=filters)
        self.list_paging = selectors.list_paging(filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PetitionListOutput(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CreatedOutput, 400: _error_schema(), 403: _error_schema()})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        d["category"] = inputs.by_code(Category, d["category"], "category", "问题类别")  # active only
        d["region"] = inputs.by_code(Region, d["region"], "region", "问题发生地")
        repeat = d.pop("repeat_of")
        d["repeat_of"] = None
        if repeat:
            d["repeat_of"] = policy.get_visible_petition(request.user, repeat)
        petition, code = services.petition_register(actor=request.user, **d)
        # From what the service holds (its rows as written): no read-back, nothing decrypted.
        out = self.CreatedOutput(petition, context={"actor": request.user, "query_code": code})
        return Response(out.data, status=status.HTTP_201_CREATED)


class PetitionDetailApi(APIView):
    """One petition, masked as the caller's rights require."""

    @extend_schema(responses={200: PetitionDetailOutput, 404: _error_schema()})
    def get(self, request, reg_no: str):
        petition = selectors.petition_detail(actor=request.user, reg_no=reg_no)
        return Response(PetitionDetailOutput(petition, context={"actor": request.user}).data)


def _action_field(f: Field) -> serializers.Field:
    """The API's field for one declared input. Never `required` here: the service checks the inputs after permission,
    state and version (a 403/404/409 comes before a 400), with the declaration's Chinese message; the schema says
    which are required in the description."""
    hint = f.hint if isinstance(f.hint, str) else ""  # a hint read from the policy table is the page's (not at import)
    help_text = "；".join(x for x in (f"{f.label}（{hint}）" if hint else f.label, f.help, "必填" if f.required else "") if x)
    common = {"required": False, "help_text": help_text}
    if f.kind in (Kind.LINE, Kind.TEXT, Kind.LEADER, Kind.UNIT, Kind.ORGAN):
        return serializers.CharField(allow_blank=True, **common)
    if f.kind == Kind.CHOICE:
        if f.open_choice or f.choices_from_database:  # any short text kept, or codes of a policy table
            return serializers.CharField(allow_blank=True, **common)
        return serializers.ChoiceField(choices=f.choice_pairs(), allow_blank=not f.required, **common)
    if f.kind == Kind.DATE:
        return serializers.DateField(allow_null=True, **common)
    if f.kind == Kind.MOMENT:
        return serializers.DateTimeField(allow_null=True, **common)
    if f.kind == Kind.INTEGER:
        return serializers.IntegerField(**common)
    if f.kind == Kind.ATTACHMENT:
        return serializers.IntegerField(allow_null=True, **common)
    return serializers.BooleanField(**common)


def _action_serializer(action: str) -> type[serializers.Serializer]:
    camel = "".join(part.capitalize() for part in action.split("_"))
    attrs: dict = {f.name: _action_field(f) for f in action_inputs.fields(action)}
    attrs["version"] = serializers.IntegerField(help_text="信访件当前版本号（详情中的 version）；已被他人修改时返回 409")
    attrs["__doc__"] = f"{workflow.label(action)}（{action}）的请求体"
    attrs["__module__"] = __name__
    return type(f"PetitionAction{camel}Input", (serializers.Serializer,), attrs)


# One request body per action, from the inputs `action_inputs.py` declares (the page's form comes from the same table).
ACTION_SERIALIZERS: dict[str, type[serializers.Serializer]] = {a: _action_serializer(a) for a in ACTIONS}


class PetitionActionApi(APIView):
    """Perform a lifecycle action. Body: {version, ...the action's inputs}. 409 on a stale version or a state that refuses it."""

    @extend_schema(
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACTIONS)],
        request=PolymorphicProxySerializer(
            component_name="PetitionActionInput", serializers=list(ACTION_SERIALIZERS.values()), resource_type_field_name=None
        ),
        responses={200: PetitionDetailOutput, 400: _error_schema(), 403: _error_schema(), 404: _error_schema(), 409: _error_schema()},
    )
    def post(self, request, reg_no: str, action: str):
        serializer_class = ACTION_SERIALIZERS.get(action)
        if serializer_class is None:
            raise NotFound(f"未知的操作：{action}")
        s = serializer_class(data=request.data)
        s.is_valid(raise_exception=True)
        inputs = dict(s.validated_data)
        version = inputs.pop("version")
        services.petition_act(actor=request.user, petition_or_reg_no=reg_no, action=action, version=version, **inputs)
        petition = selectors.petition_detail(actor=request.user, reg_no=reg_no)
        return Response(PetitionDetailOutput(petition, context={"actor": request.user}).data)


ACTION_PATH = "/api/v1/petitions/{reg_no}/actions/{action}/"


def split_action_operations(result, generator, request, public):
    """drf-spectacular postprocessing hook: the one action endpoint is published as one operation per action
    (`/api/v1/petitions/{reg_no}/actions/accept/` …), each with its own request body, so the schema documents what every
    action takes. The server routes them all to PetitionActionApi."""
    operation = result.get("paths", {}).pop(ACTION_PATH, {}).get("post")
    if operation is None:
        return result
    for action in ACTIONS:
        op = json.loads(json.dumps(operation))
        op["operationId"] = f"petitions_actions_{action}_create"
        op["summary"] = f"{workflow.label(action)}（{action}）"
        op["description"] = f"办理动作“{workflow.label(action)}”：请求体含 version；无权时 403，版本过期或当前状态、时限不允许时 409"
        op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "action"]
        name = ACTION_SERIALIZERS[action].__name__.removesuffix("Serializer")
        for media in op.get("requestBody", {}).get("content", {}).values():
            media["schema"] = {"$ref": f"#/components/schemas/{name}"}
        result["paths"][ACTION_PATH.replace("{action}", action)] = {"post": op}
    result.get("components", {}).get("schemas", {}).pop("PetitionActionInput", None)
    return result


class PetitionEventsApi(APIView):
    """The petition's history, oldest first."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PetitionEvent"

        seq = serializers.IntegerField()
        action = serializers.CharField()
        actor = serializers.SerializerMethodField()
        at = serializers.DateTimeField()
        from_status = serializers.CharField()
        to_status = serializers.CharField()
        data = serializers.DictField()

        def get_actor(self, obj) -> str:
            return obj.actor.username if obj.actor_id else obj.actor_label

    @extend_schema(responses={200: OutputSerializer(many=True), 404: _error_schema()})
    def get(self, request, reg_no: str):
        _petition, events = selectors.petition_events(actor=request.user, reg_no=reg_no)
        return Response(self.OutputSerializer(events, many=True).data)


class CategoryListApi(APIView):
    """Problem categories (问题类别)."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Category"

        code = serializers.CharField()
        name = serializers.CharField()
        parent = serializers.CharField(source="parent.code", default=None, allow_null=True)
        default_unit = serializers.CharField(source="default_unit.code", default=None, allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        qs = Category.objects.filter(active=True).select_related("parent", "default_unit").order_by("code")
        return Response(self.OutputSerializer(qs, many=True).data)


urlpatterns = [
    path("petitions/", PetitionListCreateApi.as_view(), name="api-petitions"),
    path("petitions/<str:reg_no>/", PetitionDetailApi.as_view(), name="api-petition"),
    path("petitions/<str:reg_no>/actions/<str:action>/", PetitionActionApi.as_view(), name="api-petition-action"),
    path("petitions/<str:reg_no>/events/", PetitionEventsApi.as_view(), name="api-petition-events"),
    path("categories/", CategoryListApi.as_view(), name="api-categories"),
]
