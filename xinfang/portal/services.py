"""Writes for the petitioner's portal, Open311 intake and publication.

The petitioner has no account: they act with a registration number and query code. Every
lifecycle change goes through the lifecycle services in `xinfang.petitions.services` with
actor=None and an actor_label, so the same rules (state table, windows, version check) apply
as at the office window. Nothing here refuses a petition for who the petitioner is.
"""

import logging
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import Conflict, DomainError, ErrorCode, InvalidInput, NoPermission, NotFound
from xinfang.org.models import ABOVE_THE_COUNTY, Region, Role, Unit, UnitKind
from xinfang.petitions import registration
from xinfang.petitions import services as petition_services
from xinfang.petitions.event_types import EventType
from xinfang.petitions.models import Category, Channel, Nature, Petition, Status
from xinfang.portal import limits
from xinfang.portal.limits import hit
from xinfang.portal.models import (
    IdempotencyRecord,
    LookupLockoutLog,
    Open311Client,
    Open311Request,
    PublishedSummary,
    QueryLockout,
    hash_api_key,
)

logger = logging.getLogger(__name__)
PORTAL_LABEL = "信访人（网上信访）"
SUBMISSIONS_PER_ADDRESS_PER_HOUR = 30
NOT_FOUND_MESSAGE = "登记编号或查询码不正确，请核对后重试（查询码不区分大小写）"


class Locked(DomainError):
    code = ErrorCode.LOCKED


def county_office() -> Unit:
    office = Unit.objects.filter(kind=UnitKind.PETITION_BUREAU, active=True).order_by("pk").first()
    if office is None:
        raise InvalidInput("系统中没有信访局，暂时无法网上登记，请来信、来电或来访")
    return office


def office_contact() -> str:
    office = Unit.objects.filter(kind=UnitKind.PETITION_BUREAU, active=True).order_by("pk").first()
    if office is None:
        return "县信访局"
    return f"{office.name}" + (f"（电话 {office.duty_phone}）" if office.duty_phone else "")


# --- online submission ----------------------------------------------------------------


@transaction.atomic
def portal_submit(
    *,
    nature: str,
    category_code: str,
    region_code: str,
    content: str,
    requests: str = "",
    anonymous: bool = False,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    confidential: bool = False,
    public_consent: bool = False,
    attachments=(),
    client_address: str = "",
    refuse_messages: bool = False,
) -> tuple[Petition, str]:
    """Register an online petition (channel 网上信访). Returns (petition, query code shown once).

    检举控告 is always confidential on the portal; anyone else may ask for confidentiality.
    """
    if client_address and not hit(f"submit:{client_address}", SUBMISSIONS_PER_ADDRESS_PER_HOUR, 3600):
        raise DomainError(
            f"此网络地址提交过于频繁，请一小时后再试；也可以来信、来电或到{office_contact()}来访，信访渠道始终畅通",
            code=ErrorCode.THROTTLED,
        )
    category = Category.objects.filter(code=category_code, active=True).first()
    region = Region.objects.filter(code=region_code).first()
    errors = {}
    if category is None:
        errors["category"] = ["请选择问题类别"]
    if region is None:
        errors["region"] = ["请选择问题发生地"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    people = [] if anonymous else [{"name": name, "id_number": id_number, "phone": phone, "address": address}]
    petition, code = petition_services.petition_register(
        actor=None,
        channel=Channel.ONLINE,
        received_at=timezone.now(),
        petitioners=people,
        nature=nature,
        category=category,
        content=content,
        requests=requests,
        region=region,
        anonymous=bool(anonymous),
        confidential=True if nature == Nature.REPORT or confidential else None,
        public_consent=bool(public_consent),
        office=county_office(),
        actor_label=PORTAL_LABEL,
        attachments=list(attachments),
        refuse_messages=bool(refuse_messages),
    )
    return petition, code


# --- lookup with the query code --------------------------------------------------------


def normalise_reg_no(reg_no: str) -> str:
    return "".join((reg_no or "").split()).upper()[:40]


def portal_lookup(*, reg_no: str, query_code: str, client_address: str = "") -> Petition:
    """The petition for a registration number and its query code.

    Unknown numbers and wrong codes get the same NotFound (no enumeration). Wrong codes count against
    the number (whether it exists or not) and against the client: past a few, each next try waits
    2, 4, 8 … seconds (at most limits.NUMBER_MAX_DELAY for a number), so nobody can lock a
    petitioner out; the ways back at once are an SMS code to the phone on file
    (`portal_recovery_send` / `portal_recovery_verify`) and a new code from the office
    (`query_code_reissue`).
    """
    reg_no = normalise_reg_no(reg_no)
    code = "".join((query_code or "").split()).upper()
    if not reg_no or not code:
        raise InvalidInput("请填写登记编号和查询码", fields={"reg_no": ["必填"], "query_code": ["必填"]})
    now = timezone.now()
    if client_address and (wait := limits.client_wait(client_address, now.timestamp())):
        raise Locked(f"查询过于频繁，请 {wait} 秒后再试。{RECOVERY_HINT}")
    lock = QueryLockout.objects.filter(reg_no=reg_no).first()
    if lock is not None and lock.locked_until and lock.locked_until > now:
        wait = max(1, int((lock.locked_until - now).total_seconds() + 0.999))
        raise Locked(f"该登记编号的查询码输错次数较多，请 {wait} 秒后再试。{RECOVERY_HINT}")
    petition = Petition.objects.filter(reg_no=reg_no).select_related("category", "office").first()
    if petition is None or not registration.check_query_code(petition, code):
        _count_failure(reg_no, now, client_address)
        raise NotFound(NOT_FOUND_MESSAGE)
    if lock is not None and (lock.failures or lock.locked_until):
        QueryLockout.objects.filter(pk=lock.pk).update(failures=0, locked_until=None)
    return petition


RECOVERY_HINT = "忘记查询码或无法查询时，可用登记时留的手机号接收验证码，或联系信访局重新发放查询码；您的信访事项照常办理。"


def _client_ref(client_address: str) -> str:
    from xinfang.core.crypto import keyed_hash

    return keyed_hash(f"portal-client|{client_address}")[:12] if client_address else ""


def _log(kind, *, reg_no="", failures=0, delay=0, client_address="", actor=None) -> None:
    LookupLockoutLog.objects.create(
        at=timezone.now(),
        kind=kind,
        reg_no=reg_no,
        failures=failures,
        delay_seconds=delay,
        client_ref=_client_ref(client_address),
        actor=actor,
    )


def _logged_now(failures: int, free: int) -> bool:
    """Log when the delays start and at every 25th wrong code after that (not every attempt)."""
    return failures == free or (failures > free and (failures - free) % 25 == 0)


def _count_failure(reg_no: str, now, client_address: str = "") -> None:
    """Record a wrong code in its own transaction, so the count survives the NotFound that follows."""
    with transaction.atomic():
        lock, _ = QueryLockout.objects.select_for_update().get_or_create(reg_no=reg_no, defaults={"window_started_at": now})
        if lock.window_started_at < now - timedelta(seconds=limits.RESET_AFTER):
            lock.failures, lock.window_started_at = 0, now
        lock.failures += 1
        delay = limits.backoff_seconds(lock.failures, free=limits.NUMBER_FREE_TRIES, cap=limits.NUMBER_MAX_DELAY)
        lock.locked_until = now + timedelta(seconds=delay) if delay else None
        lock.save(update_fields=["failures", "window_started_at", "locked_until"])
        if _logged_now(lock.failures, limits.NUMBER_FREE_TRIES):
            _log(LookupLockoutLog.Kind.NUMBER_DELAY, reg_no=reg_no, failures=lock.failures, delay=delay, client_address=client_address)
    if client_address:
        failures = limits.client_failed(client_address, now.timestamp())
        if _logged_now(failures, limits.CLIENT_FREE_TRIES):
            delay = limits.backoff_seconds(failures, free=limits.CLIENT_FREE_TRIES, cap=limits.CLIENT_MAX_DELAY)
            _log(LookupLockoutLog.Kind.CLIENT_DELAY, failures=failures, delay=delay, client_address=client_address)


@transaction.atomic
def lockout_clear(*, actor, reg_no: str) -> QueryLockout:
    """The office clears a number's delay after checking who calls."""
    if actor is None or not actor.has_role(Role.OFFICE, Role.CLERK, Role.ADMIN):
        raise NoPermission("只有信访局工作人员可以解除查询锁定")
    lock = QueryLockout.objects.select_for_update().filter(reg_no=normalise_reg_no(reg_no)).first()
    if lock is None:
        raise NotFound("该登记编号没有查询锁定")
    lock.failures, lock.locked_until, lock.cleared_at, lock.cleared_by = 0, None, timezone.now(), actor
    lock.save(update_fields=["failures", "locked_until", "cleared_at", "cleared_by"])
    return lock


# --- the ways back: a new query code ------------------------------------------------------

SMS_CODE_SECONDS = 10 * 60
SMS_PER_NUMBER_PER_HOUR = 3
SMS_PER_CLIENT_PER_HOUR = 10
SMS_CODE_TRIES = 5
SMS_SENT_MESSAGE = "如果该登记编号登记了手机号码，验证码已发送到该手机，10分钟内有效。"
# The text carries no name, no registration number and nothing of the petition: a phone's lock screen shows it.
SMS_TEXT = "【信访】您的查询验证码：{code}，10分钟内有效。如非本人操作，请忽略本短信。"


def _sms_key(reg_no: str) -> str:
    return f"xf-portal:recovery:{reg_no}"


def _phone_on_file(petition: Petition) -> str:
    for person in petition.petitioners.order_by("position", "pk"):
        if person.phone:
            return person.phone
    return ""


def portal_recovery_send(*, reg_no: str, client_address: str = "") -> str:
    """Send a one-time code to the phone on file. The answer is the same for every number
    (with or without a phone, existing or not), so it reveals nothing."""
    from django.core.cache import cache

    from xinfang.supervision.notifications import Message, get_sender

    reg_no = normalise_reg_no(reg_no)
    if not reg_no:
        raise InvalidInput("请填写登记编号", fields={"reg_no": ["必填"]})
    if client_address and not hit(f"recovery-client:{client_address}", SMS_PER_CLIENT_PER_HOUR, 3600):
        raise DomainError("发送验证码过于频繁，请一小时后再试，或联系信访局重新发放查询码", code=ErrorCode.THROTTLED)
    if not hit(f"recovery-number:{reg_no}", SMS_PER_NUMBER_PER_HOUR, 3600):
        return SMS_SENT_MESSAGE  # the same words: a capped number and a sent one look alike
    petition = Petition.objects.filter(reg_no=reg_no).first()
    phone = _phone_on_file(petition) if petition is not None else ""
    if phone:
        code = "".join(secrets.choice("0123456789") for _ in range(6))
        cache.set(_sms_key(reg_no), {"hash": _code_hash(reg_no, code), "tries": 0}, SMS_CODE_SECONDS)
        message = Message("sms", phone, 0, "查询验证码", SMS_TEXT.format(code=code), "", "portal_recovery", f"recovery:{reg_no}")
        try:
            get_sender("sms").send(message)
        except Exception:  # noqa: BLE001 - a provider outage: the office remains the way back
            logger.exception("发送查询验证码失败")
        _log(LookupLockoutLog.Kind.SMS_SENT, reg_no=reg_no, client_address=client_address)
    return SMS_SENT_MESSAGE


def _code_hash(reg_no: str, code: str) -> str:
    from xinfang.core.crypto import keyed_hash

    return keyed_hash(f"portal-recovery|{reg_no}|{code}")


def portal_recovery_verify(*, reg_no: str, sms_code: str, client_address: str = "") -> tuple[Petition, str]:
    """The SMS code opens the petition and issues a new query code (shown once). Wrong SMS codes
    count: after SMS_CODE_TRIES the code is spent and a new one must be sent."""
    from django.core.cache import cache

    reg_no = normalise_reg_no(reg_no)
    sms_code = "".join((sms_code or "").split())
    wrong = InvalidInput("验证码不正确或已过期，请重新获取", fields={"sms_code": ["验证码不正确或已过期"]})
    state = cache.get(_sms_key(reg_no))
    if not reg_no or not sms_code or not state or state.get("tries", 0) >= SMS_CODE_TRIES:
        raise wrong
    if not secrets.compare_digest(state["hash"], _code_hash(reg_no, sms_code)):
        state["tries"] = state.get("tries", 0) + 1
        cache.set(_sms_key(reg_no), state, SMS_CODE_SECONDS)
        raise wrong
    cache.delete(_sms_key(reg_no))
    petition, code = query_code_reissue(actor=None, reg_no=reg_no, via="sms", client_address=client_address)
    return petition, code


@transaction.atomic
def query_code_reissue(*, actor, reg_no: str, via: str = "office", client_address: str = "") -> tuple[Petition, str]:
    """A new query code for a petition (the old one stops working), as an event on its history;
    clears the number's delay. The office does it for a petitioner who calls or visits (after
    checking who they are); the SMS recovery does it for the phone on file."""
    from xinfang.access import policy
    from xinfang.petitions.events import record_event
    from xinfang.petitions.registration import new_query_code

    if via == "office":
        if actor is None or not actor.has_role(Role.OFFICE, Role.CLERK, Role.ADMIN):
            raise NoPermission("只有信访局工作人员可以重新发放查询码")
        petition = policy.get_visible_petition(actor, normalise_reg_no(reg_no), for_update=True)
    else:
        petition = Petition.objects.select_for_update().filter(reg_no=normalise_reg_no(reg_no)).first()
        if petition is None:
            raise NotFound(NOT_FOUND_MESSAGE)
    code, code_hash = new_query_code()
    Petition.objects.filter(pk=petition.pk).update(query_code_hash=code_hash)
    petition.query_code_hash = code_hash
    record_event(
        petition=petition,
        action=EventType.QUERY_CODE_REISSUE,
        actor=actor,
        actor_label="" if actor else "信访人（短信验证）",
        from_status=petition.status,
        to_status=petition.status,
        data={"via": via},
        public=True,
    )
    QueryLockout.objects.filter(reg_no=petition.reg_no).update(failures=0, locked_until=None)
    kind = LookupLockoutLog.Kind.REISSUED if via == "office" else LookupLockoutLog.Kind.SMS_RECOVERED
    _log(kind, reg_no=petition.reg_no, client_address=client_address, actor=actor)
    return petition, code


# --- the petitioner's actions ------------------------------------------------------------


def portal_evaluate(*, petition: Petition, version, satisfaction: str, comment: str = "") -> Petition:
    return petition_services.petition_evaluate(
        actor=None,
        petition_or_reg_no=petition.reg_no,
        version=version,
        satisfaction=satisfaction,
        comment=(comment or "").strip()[:1000],
        actor_label=PORTAL_LABEL,
    )


def portal_request_review(*, petition: Petition, version, reason: str) -> Petition:
    """复查 after the first reply, 复核 after the review opinion: the level decides which one."""
    fn = petition_services.petition_request_rereview if petition.review_level == 1 else petition_services.petition_request_review
    return fn(actor=None, petition_or_reg_no=petition.reg_no, version=version, reason=reason, actor_label=PORTAL_LABEL)


# --- publication (公开) -----------------------------------------------------------------

PUBLISHABLE = (Status.REPLIED, Status.EVALUATED, Status.ARCHIVED)


@transaction.atomic
def summary_publish(*, actor, petition: Petition, title: str, summary: str, result: str) -> PublishedSummary:
    """Publish an anonymised summary. Only with the petitioner's consent, only after the reply,
    and never with a petitioner's or respondent's name, phone or ID number in it."""
    from xinfang.access import policy

    if actor is None or not actor.has_role(Role.OFFICE, Role.ADMIN):
        raise NoPermission("只有信访办可以公开事项摘要")
    petition = policy.get_visible_petition(actor, petition.reg_no, for_update=True)
    if not petition.public_consent:
        raise InvalidInput("信访人未同意公开，不能公开该事项")
    if petition.status not in PUBLISHABLE:
        raise InvalidInput("答复信访人之后才能公开处理结果")
    fields = {"title": (title or "").strip(), "summary": (summary or "").strip(), "result": (result or "").strip()}
    missing = {k: ["必填"] for k, v in fields.items() if not v}
    if missing:
        raise InvalidInput("请填写标题、摘要和处理结果", fields=missing)
    if len(fields["title"]) > 100:
        raise InvalidInput("标题不超过100字", fields={"title": ["标题不超过100字"]})
    text = "\n".join(fields.values())
    identities = []
    for p in petition.petitioners.all():
        identities += [p.name, p.phone, p.id_number, p.address]
    identities += [r.name for r in petition.respondents.all()]
    leaked = sorted({i for i in identities if i and len(i) >= 2 and i in text})
    if leaked:
        raise InvalidInput("摘要中含有信访人或被反映人的身份信息，请去除后再公开", fields={"summary": ["含有身份信息"]})
    if PublishedSummary.objects.filter(petition=petition, withdrawn_at__isnull=True).exists():
        raise Conflict("该事项已公开；如需修改，请先撤回")
    return PublishedSummary.objects.create(petition=petition, published_at=timezone.now(), published_by=actor, **fields)


@transaction.atomic
def summary_withdraw(*, actor, summary: PublishedSummary, reason: str) -> PublishedSummary:
    if actor is None or not actor.has_role(Role.OFFICE, Role.ADMIN):
        raise NoPermission("只有信访办可以撤回公开")
    if not (reason or "").strip():
        raise InvalidInput("请填写撤回原因", fields={"reason": ["必填"]})
    updated = PublishedSummary.objects.filter(pk=summary.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor, withdraw_reason=reason.strip()[:200]
    )
    if not updated:
        raise Conflict("该公开已撤回")
    summary.refresh_from_db()
    return summary


# --- Open311 ----------------------------------------------------------------------------


def open311_client_create(*, name: str, channel_code: str, api_key: str | None = None) -> tuple[Open311Client, str]:
    client = Open311Client(name=name, channel_code=channel_code)
    raw = client.set_api_key(api_key)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise Conflict("该渠道代码或密钥已存在") from None
    return client, raw


def open311_client_for_key(api_key: str) -> Open311Client | None:
    if not api_key:
        return None
    return Open311Client.objects.filter(api_key_hash=hash_api_key(api_key), active=True).first()


def _token() -> str:
    return secrets.token_hex(16)


def _region_from_address(address: str):
    """The most specific region whose name appears in the address; else the county."""
    address = address or ""
    best = None
    for region in Region.objects.exclude(level__in=ABOVE_THE_COUNTY).only("pk", "name", "path", "level").order_by("path"):
        if region.name and region.name in address and (best is None or len(region.path) > len(best.path)):
            best = region
    return best or _county_region()


# GeoReport v2, POST Service Request: a location is required, given as lat & long (WGS84 decimal degrees), or
# address_string, or address_id; each is checked here and kept as sent (Open311Request).
REPLAY_HOURS = 24
LOCATION_REQUIRED = "请提供位置：lat 与 long（WGS84 十进制度），或 address_string，或 address_id"


def _coordinate(raw, name: str, low: int, high: int):
    from decimal import Decimal, InvalidOperation

    text = inputs.identifier(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{name} 应为数字（十进制度），收到“{text[:20]}”", fields={name: ["应为数字"]}) from None
    if not value.is_finite() or not (low <= value <= high):
        raise InvalidInput(f"{name} 应在 {low} 至 {high} 之间", fields={name: [f"应在 {low} 至 {high} 之间"]})
    return value.quantize(Decimal("0.000001"))


def open311_location(data: dict) -> dict:
    """The location and source fields of a POST, checked: {lat, long, address_string, address_id, region, media_url,
    account_id, device_id}. Refused (InvalidInput) without a location, with a bad number or an unknown address_id."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    lat_raw, long_raw = inputs.identifier(data.get("lat")), inputs.identifier(data.get("long"))
    lat = long = None
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            missing = "long" if lat_raw else "lat"
            raise InvalidInput(f"lat 与 long 须同时提供（缺少 {missing}）", fields={missing: ["须与另一坐标同时提供"]})
        lat, long = _coordinate(lat_raw, "lat", -90, 90), _coordinate(long_raw, "long", -180, 180)
    address_string = inputs.text(data.get("address_string"), "address_string", "address_string", required=False, max_len=500)
    address_id = inputs.identifier(data.get("address_id"))[:64]
    region = None
    if address_id:
        region = Region.objects.filter(code=address_id).first()
        if region is None:
            raise InvalidInput(f"address_id {address_id} 不存在（应为本县的行政区划代码）", fields={"address_id": ["不存在"]})
    if lat is None and not address_string and not address_id:
        raise InvalidInput(LOCATION_REQUIRED, fields={"location": [LOCATION_REQUIRED]})
    media_url = inputs.identifier(data.get("media_url"))
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise InvalidInput("media_url 应为 http(s) 链接", fields={"media_url": ["应为 http(s) 链接"]}) from None
        if len(media_url) > 1000:
            raise InvalidInput("media_url 过长（最多1000字符）", fields={"media_url": ["过长"]})
    return {
        "lat": lat,
        "long": long,
        "address_string": address_string,
        "address_id": address_id,
        "region": region or (_region_from_address(address_string) if address_string else None) or _county_region(),
        "media_url": media_url,
        "account_id": inputs.identifier(data.get("account_id"))[:100],
        "device_id": inputs.identifier(data.get("device_id"))[:100],
    }


def _county_region():
    # The county's root: a city held in the deployment is a root of its own (issue 13), never where a petition lands.
    return Region.objects.filter(parent__isnull=True).exclude(level__in=ABOVE_THE_COUNTY).order_by("pk").first()


def _notice(petition: Petition, code: str) -> str:
    notice = f"已登记，登记编号 {petition.reg_no}"
    if code:
        notice += f"，查询码 {code}（请转告信访人凭登记编号和查询码查询办理情况）"
    else:
        notice += "（查询码已在首次应答中给出；信访人可在网上信访页面凭登记手机找回）"
    if petition.accept_due_at:
        notice += f"；受理告知期限 {timezone.localtime(petition.accept_due_at):%Y-%m-%d}"
    return notice


def _replay(record: IdempotencyRecord, now) -> dict:
    """The first response while its 24 hours last; afterwards the same petition without the code."""
    import json

    if record.response and record.replay_until and now < record.replay_until:
        return json.loads(record.response)
    petition = record.petition
    account = getattr(getattr(petition, "open311", None), "account_id", "") or None
    return {"service_request_id": petition.reg_no, "token": record.token, "service_notice": _notice(petition, ""), "account_id": account}


@transaction.atomic
def open311_submit(*, client: Open311Client, data: dict, idempotency_key: str = "", attachments=()) -> tuple[dict, bool]:
    """A GeoReport v2 POST as a registered petition. Returns (the response row, created).

    The row is {service_request_id, token, service_notice (with the query code), account_id}. A retry with the same
    Idempotency-Key, or the same client's external id, within 24 h gets the identical row back (the code included:
    a client whose first response was lost learns it), kept encrypted meanwhile; later the same petition without
    the code. Posts of one client are serialised by a row lock on the client, so concurrent retries register once.
    """
    import json

    Open311Client.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    external_id = inputs.identifier(data.get("external_id"))[:100]
    key = inputs.identifier(idempotency_key)[:200] or (f"external:{external_id}" if external_id else "")
    if key:
        record = IdempotencyRecord.objects.filter(client=client, key=key).select_related("petition__open311").first()
        if record is not None:
            return _replay(record, now), False
    if external_id:
        existing = Petition.objects.filter(external_channel=client.channel_code, external_id=external_id).first()
        if existing is not None:  # the same client id under another key: the first answer for it
            first = IdempotencyRecord.objects.filter(client=client, petition=existing).order_by("pk").first()
            record, _ = IdempotencyRecord.objects.get_or_create(client=client, key=key, defaults={"petition": existing, "token": _token()})
            return _replay(first or record, now), False
    category = Category.objects.filter(code=inputs.identifier(data.get("service_code")), active=True).first()
    if category is None:
        raise InvalidInput("service_code 无效", fields={"service_code": ["未知的服务代码"]})
    place = open311_location(data)
    name = " ".join(x for x in [data.get("last_name", ""), data.get("first_name", "")] if x).replace(" ", "")
    anonymous = not name
    nature = data.get("nature") or Nature.REQUEST
    people = [] if anonymous else [{"name": name, "phone": data.get("phone", ""), "address": place["address_string"]}]
    petition, code = petition_services.petition_register(
        actor=None,
        channel=Channel.ONLINE,
        received_at=now,
        petitioners=people,
        nature=nature,
        category=category,
        content=data.get("description") or "",
        requests=data.get("requests") or "",
        region=place["region"],
        anonymous=anonymous,
        confidential=None,
        public_consent=str(data.get("public_consent", "")).lower() in ("1", "true", "yes", "是"),
        external_channel=client.channel_code,
        external_id=external_id,
        office=county_office(),
        actor_label=f"Open311:{client.channel_code}"[:64],
        attachments=list(attachments),
    )
    Open311Request.objects.create(
        petition=petition, client=client, **{k: v if v is not None else None for k, v in place.items() if k != "region"}
    )
    token = _token()
    row = {
        "service_request_id": petition.reg_no,
        "token": token,
        "service_notice": _notice(petition, code),
        "account_id": place["account_id"] or None,
    }
    IdempotencyRecord.objects.create(
        client=client,
        key=key or f"token:{token}",
        petition=petition,
        token=token,
        response=json.dumps(row, ensure_ascii=False),
        replay_until=now + timedelta(hours=REPLAY_HOURS),
    )
    return row, True


def open311_drop_replays(*, now=None) -> int:
    """Empty the kept first responses whose 24 hours have passed (the record stays: the key still finds its petition)."""
    now = now or timezone.now()
    return IdempotencyRecord.objects.filter(replay_until__lte=now).exclude(response="").update(response="")
