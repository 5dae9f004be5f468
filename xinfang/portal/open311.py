"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2/.

Services are our petition categories. A POST arrives as a registered petition (channel 网上信访,
external_channel = the client's channel code). Each external channel has its own API key
(Open311Client). Responses in JSON or XML as the standard writes them; errors as
`[{"code": 400, "description": "..."}]` / `<errors><error>...`.

Deviations, for privacy (a petition is not a pothole): reading requests (GET requests,
requests/{id}, tokens/{token}) needs the client's api_key and shows only that client's
requests; `description` is the petition content the client itself sent; no petitioner
identity is ever returned. `service_request_id` is our registration number.
"""

from datetime import timedelta
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from xinfang.access.throttles import rate_limited
from xinfang.core.errors import DomainError
from xinfang.petitions.models import CLOSED_STATUSES, Category, Nature, Petition, Status
from xinfang.portal import selectors, services
from xinfang.portal.models import IdempotencyRecord

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"
RESOLVED = {Status.REPLIED, Status.EVALUATED} | set(CLOSED_STATUSES)
MAX_LIST = 1000
NATURE_VALUES = [{"key": k, "name": v} for k, v in Nature.choices]


# --- rendering --------------------------------------------------------------------------


def _xml_value(parent, key, value):
    el = ET.SubElement(parent, key)
    if value is None:
        return el
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, list):
        item_tag = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}.get(key, "item")
        for item in value:
            if isinstance(item, dict):
                _xml_dict(ET.SubElement(el, item_tag), item)
            else:
                _xml_value(el, item_tag, item)
    elif isinstance(value, dict):
        _xml_dict(el, value)
    else:
        el.text = str(value)
    return el


def _xml_dict(el, data: dict):
    for key, value in data.items():
        _xml_value(el, key, value)


def render(data, fmt: str, *, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    """JSON as is; XML with the element names of the spec (<services><service>, <service_requests><request>)."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    if isinstance(data, list):
        for row in data:
            _xml_dict(ET.SubElement(top, item), row)
    else:
        _xml_dict(top, data)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", item="error", status=status)


def _iso(dt):
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


# --- mapping ----------------------------------------------------------------------------


def service_of(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name}类信访事项",
        "metadata": True,
        "type": "realtime",
        "keywords": category.keywords or "",
        "group": category.parent.name if category.parent_id else "信访",
    }


def definition_of(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "nature",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "信访性质，默认为求决",
                "order": 1,
                "description": "信访性质（检举控告的身份一律保密）",
                "values": NATURE_VALUES,
            },
            {
                "variable": True,
                "code": "requests",
                "datatype": "text",
                "required": False,
                "datatype_description": "信访人的诉求",
                "order": 2,
                "description": "诉求",
            },
            {
                "variable": True,
                "code": "public_consent",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "可否公开（去除身份信息后公开事项摘要与处理结果）",
                "order": 3,
                "description": "可否公开",
                "values": [{"key": "no", "name": "不同意公开"}, {"key": "yes", "name": "同意公开"}],
            },
            {
                "variable": True,
                "code": "external_id",
                "datatype": "string",
                "required": False,
                "datatype_description": "接入渠道自己的编号：同一编号重复提交返回同一信访件",
                "order": 4,
                "description": "外部编号",
            },
        ],
    }


def request_of(petition: Petition) -> dict:
    view_status = selectors.PLAIN_STATUS.get(petition.status, petition.get_status_display())
    closed = petition.status in RESOLVED
    notes = view_status
    if petition.status in (Status.REPLIED, Status.EVALUATED):
        notes += "；书面答复已送达信访人"
    expected = petition.handle_due_at or petition.accept_due_at or petition.due_at
    sent = getattr(petition, "open311", None)  # what the POST said (Open311Request), returned as sent
    updated = petition.archived_at or petition.replied_at or petition.dispatched_at or petition.accepted_at or petition.registered_at
    return {
        "service_request_id": petition.reg_no,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": petition.category.name,
        "service_code": petition.category.code,
        "description": petition.content[:4000],
        "agency_responsible": petition.handling_unit.name if petition.handling_unit_id else petition.office.name,
        "service_notice": f"{petition.office.name}受理告知期限 {timezone.localtime(petition.accept_due_at):%Y-%m-%d}"
        if petition.accept_due_at
        else None,
        "requested_datetime": _iso(petition.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(expected),
        "address": (sent.address_string if sent and sent.address_string else petition.region.full_name),
        "address_id": (sent.address_id if sent and sent.address_id else petition.region.code),
        "zipcode": None,
        "lat": float(sent.lat) if sent and sent.lat is not None else None,
        "long": float(sent.long) if sent and sent.long is not None else None,
        "media_url": (sent.media_url or None) if sent else None,
    }


# --- views ------------------------------------------------------------------------------

DESCRIPTION_MAX = 4000  # GeoReport v2: description is free text of at most 4,000 characters


def open311_view(*methods: str):
    """Every Open311 view: other methods answer 405 in the standard's error format (JSON or XML, with Allow), and a
    jurisdiction_id, when this endpoint is configured with one (XINFANG_OPEN311_JURISDICTION), must be ours
    (GeoReport v2: 404 on reads, 400 on POST, "jurisdiction_id provided was not found")."""
    from functools import wraps

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            fmt = kwargs.get("fmt", "json")
            if request.method not in methods:
                response = error(fmt, 405, f"不支持 {request.method} 方法（本资源支持：{'、'.join(methods)}）")
                response["Allow"] = ", ".join(methods)
                return response
            ours = getattr(settings, "XINFANG_OPEN311_JURISDICTION", "")
            given = (request.POST.get("jurisdiction_id") if request.method == "POST" else None) or request.GET.get("jurisdiction_id", "")
            if ours and given and given != ours:
                return error(fmt, 400 if request.method == "POST" else 404, f"jurisdiction_id {given[:64]} 不存在（本接口为 {ours}）")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _client(request):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    return services.open311_client_for_key(key)


@open311_view("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", args=["json"])).rsplit("/services.json", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": services.office_contact(),
        "key_service": "API 密钥由县信访局为每个接入渠道（如12345热线、微信小程序）单独发放",
        "endpoints": [
            {"specification": SPEC, "url": base, "changeset": CHANGESET, "type": "production", "formats": ["application/json", "text/xml"]}
        ],
    }
    return render(data, fmt, root="discovery")


@open311_view("GET")
def service_list(request, fmt):
    rows = [service_of(c) for c in Category.objects.filter(active=True).select_related("parent").order_by("code")]
    return render(rows, fmt, root="services", item="service")


@open311_view("GET")
def service_definition(request, code, fmt):
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        return error(fmt, 404, f"service_code {code} 不存在")
    return render(definition_of(category), fmt, root="service_definition")


def _petitions_for(client):
    return Petition.objects.filter(external_channel=client.channel_code).select_related(
        "category", "office", "handling_unit", "region__parent", "open311"
    )


@csrf_exempt
@open311_view("GET", "POST")
@rate_limited("public")
def requests_view(request, fmt):
    client = _client(request)
    if client is None:
        return error(fmt, 403, "api_key 无效或已停用")
    if request.method == "POST":
        return _post_request(request, fmt, client)
    qs = _petitions_for(client)
    ids = [i for i in request.GET.get("service_request_id", "").split(",") if i]
    if ids:
        qs = qs.filter(reg_no__in=ids[:MAX_LIST])
    else:
        codes = [c for c in request.GET.get("service_code", "").split(",") if c]
        if codes:
            qs = qs.filter(category__code__in=codes)
        status = request.GET.get("status", "")
        if status == "open":
            qs = qs.exclude(status__in=RESOLVED)
        elif status == "closed":
            qs = qs.filter(status__in=RESOLVED)
        for param, lookup in (("start_date", "received_at__gte"), ("end_date", "received_at__lte")):
            if request.GET.get(param):
                value = parse_datetime(request.GET[param].replace(" ", "+"))
                if value is None:
                    return error(fmt, 400, f"{param} 不是 ISO 8601 时间")
                qs = qs.filter(**{lookup: value})
        if not request.GET.get("start_date") and not request.GET.get("end_date"):
            qs = qs.filter(received_at__gte=timezone.now() - timedelta(days=90))  # the spec's default window
    rows = [request_of(p) for p in qs.order_by("-received_at")[:MAX_LIST]]
    return render(rows, fmt, root="service_requests", item="request")


POST_FIELDS = (
    "service_code",
    "description",
    "first_name",
    "last_name",
    "phone",
    "address_string",
    "address_id",
    "lat",
    "long",
    "media_url",
    "account_id",
    "device_id",
)


def _post_request(request, fmt, client):
    p = request.POST
    data = {k: p.get(k, "") for k in POST_FIELDS}
    data["nature"] = p.get("attribute[nature]", "")
    data["requests"] = p.get("attribute[requests]", "")
    data["public_consent"] = p.get("attribute[public_consent]", "")
    data["external_id"] = p.get("attribute[external_id]", "") or p.get("external_id", "")
    if not data["service_code"].strip():
        return error(fmt, 400, "service_code 必填")
    if not data["description"].strip():
        return error(fmt, 400, "description 必填：请写明反映的问题")
    if len(data["description"]) > DESCRIPTION_MAX:
        return error(fmt, 400, f"description 最多 {DESCRIPTION_MAX} 字")
    try:
        row, created = services.open311_submit(
            client=client,
            data=data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            attachments=request.FILES.getlist("media"),
        )
    except DomainError as exc:
        return error(fmt, exc.status if exc.status != 409 else 400, exc.message)
    return render([row], fmt, root="service_requests", item="request", status=201 if created else 200)


@open311_view("GET")
@rate_limited("public")
def request_detail(request, service_request_id, fmt):
    client = _client(request)
    if client is None:
        return error(fmt, 403, "api_key 无效或已停用")
    petition = _petitions_for(client).filter(reg_no=service_request_id).first()
    if petition is None:
        return error(fmt, 404, f"service_request_id {service_request_id} 不存在")
    return render([request_of(petition)], fmt, root="service_requests", item="request")


@open311_view("GET")
@rate_limited("public")
def token_detail(request, token, fmt):
    client = _client(request)
    if client is None:
        return error(fmt, 403, "api_key 无效或已停用")
    record = IdempotencyRecord.objects.filter(Q(client=client) & Q(token=token)).select_related("petition").first()
    if record is None:
        return error(fmt, 404, f"token {token} 不存在")
    return render([{"service_request_id": record.petition.reg_no, "token": token}], fmt, root="service_requests", item="request")
