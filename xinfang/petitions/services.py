"""Writes on petitions: registration and every lifecycle action.

Each action is one function: permission (the role table in `workflow.py` + the access
policy's scope), state, inputs, version check, one conditional update under a row lock, one
event, one transaction. The same function serves pages, the API, the portal and tests.
"""

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime, timedelta

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from xinfang.access import policy
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.org.models import Role, Unit, UnitKind, User
from xinfang.petitions import timelimits, workflow
from xinfang.petitions.events import record_event
from xinfang.petitions.models import (
    Attachment,
    Category,
    Channel,
    Complexity,
    Nature,
    Outcome,
    Petition,
    Petitioner,
    RegistrationCounter,
    ReplyMethod,
    Respondent,
    Satisfaction,
    Status,
)
from xinfang.petitions.workflow import Action

MAX_REPRESENTATIVES = 5
COLLECTIVE_HEADCOUNT = 5
MAX_ATTACHMENT_BYTES = getattr(settings, "XINFANG_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
ALLOWED_MIME = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
    "application/pdf",
    "audio/mpeg",
    "audio/x-wav",
    "audio/wav",
    "audio/amr",
    "audio/ogg",
    "audio/mp4",
    "audio/x-m4a",
    "audio/m4a",
    "audio/aac",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/zip",  # .docx/.xlsx are zip containers to a sniffer
}
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def due_for(step: str, start: datetime, *, paused_seconds: int = 0) -> datetime:
    """The time-limit engineer's policy-table maths (calendar days or workdays per limit)."""
    return timelimits.due_for(step, start, paused_seconds=paused_seconds)


# ---------------------------------------------------------------------------
# Small validators
# ---------------------------------------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits, a check character, and a plausible birth date."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _phone_valid(value: str) -> bool:
    return bool(re.fullmatch(r"[\d\-+ ]{7,20}", value))


def _as_datetime(value, field: str, label: str, *, required: bool = True):
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            d = parse_date(value)
            parsed = datetime(d.year, d.month, d.day) if d else None
        if parsed is None:
            raise InvalidInput(f"{label}格式不正确", fields={field: [f"{label}格式不正确"]})
        value = parsed
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _as_date(value, field: str, label: str, *, required: bool = False):
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    d = parse_date(str(value))
    if d is None:
        raise InvalidInput(f"{label}格式不正确", fields={field: [f"{label}格式不正确"]})
    return d


def _text(value, field: str, label: str, *, required: bool = True, max_len: int = 20000) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(f"{label}过长（最多{max_len}字）", fields={field: [f"最多{max_len}字"]})
    return value


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"{label}无效", fields={field: [f"请选择有效的{label}"]})
    return value


# ---------------------------------------------------------------------------
# Query code
# ---------------------------------------------------------------------------


def _hash_query_code(code: str, salt: str) -> str:
    digest = hmac.new(settings.XINFANG_HASH_KEY.encode(), f"{salt}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()
    return f"qc1${salt}${digest}"


def new_query_code() -> tuple[str, str]:
    """(plain code shown once, stored hash)."""
    code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))
    return code, _hash_query_code(code, secrets.token_hex(8))


def check_query_code(petition: Petition, code: str) -> bool:
    """Constant-time check of a petitioner's query code against the stored hash."""
    try:
        _, salt, _digest = petition.query_code_hash.split("$", 2)
    except ValueError:
        return False
    return hmac.compare_digest(_hash_query_code(code or "", salt), petition.query_code_hash)


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------


def registering_office(actor, office=None) -> Unit:
    if office is not None:
        return office
    unit = getattr(actor, "unit", None) if actor is not None else None
    node = unit
    while node is not None:
        if node.kind in (UnitKind.PETITION_BUREAU, UnitKind.JOINT_OFFICE):
            return node
        node = node.parent
    fallback = Unit.objects.filter(kind=UnitKind.PETITION_BUREAU, active=True).order_by("pk").first()
    if fallback is None:
        raise InvalidInput("系统中没有信访局，无法登记")
    return fallback


def next_registration_number(office: Unit, year: int) -> tuple[int, str]:
    """Take the next gap-free number under the counter's row lock (call inside a transaction)."""
    if not RegistrationCounter.objects.filter(office=office, year=year).exists():
        try:
            with transaction.atomic():
                RegistrationCounter.objects.create(office=office, year=year, last=0)
        except IntegrityError:
            pass  # another registration created it first
    counter = RegistrationCounter.objects.select_for_update().get(office=office, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{office.code.upper()}-{year}-{counter.last:06d}"


def _clean_person(raw: dict, index: int, prefix: str, *, need_name: bool) -> dict:
    raw = raw or {}
    out = {k: ((raw.get(k) or "") if not isinstance(raw.get(k), str) else raw.get(k).strip()) for k in ("name", "id_number", "phone")}
    out["address"] = (raw.get("address") or "").strip()
    out["work_unit"] = (raw.get("work_unit") or "").strip()
    errors = {}
    if need_name and not out["name"]:
        errors[f"{prefix}[{index}].name"] = ["请填写姓名"]
    if out["id_number"]:
        out["id_number"] = out["id_number"].upper()
        if not id_number_valid(out["id_number"]):
            errors[f"{prefix}[{index}].id_number"] = ["身份证号码不正确（应为18位，末位校验码需正确）"]
    if out["phone"] and not _phone_valid(out["phone"]):
        errors[f"{prefix}[{index}].phone"] = ["电话号码格式不正确"]
    if len(out["name"]) > 64:
        errors[f"{prefix}[{index}].name"] = ["姓名过长"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return out


def _chain_ended(petition: Petition | None) -> bool:
    seen = set()
    while petition is not None and petition.pk not in seen:
        seen.add(petition.pk)
        if petition.review_level >= 2 or petition.matter_ended:
            return True
        petition = petition.repeat_of
    return False


def _read_attachment(item) -> tuple:
    """(name, data, mime, kind) of an upload after the checks: not empty, size limit, type sniffed from the bytes."""
    kind = Attachment.Kind.OTHER
    if isinstance(item, dict):
        kind = item.get("kind") or kind
        item = item["file"]
    name = getattr(item, "name", "") or "附件"
    if hasattr(item, "seek"):
        item.seek(0)
    data = item.read()
    if not data:
        raise InvalidInput(f"附件“{name}”是空文件", fields={"attachments": ["空文件"]})
    if len(data) > MAX_ATTACHMENT_BYTES:
        mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        raise InvalidInput(f"附件“{name}”超过{mb}MB", fields={"attachments": [f"单个附件不超过{mb}MB"]})
    guessed = filetype.guess(data)
    mime = guessed.mime if guessed else ""
    if mime not in ALLOWED_MIME:
        raise InvalidInput(
            f"附件“{name}”的类型不支持（支持图片、PDF、录音、Word）", fields={"attachments": ["类型不支持（按文件内容识别）"]}
        )
    if kind not in Attachment.Kind.values:
        kind = Attachment.Kind.OTHER
    return name, data, mime, kind


def _store_attachment(*, petition: Petition, item, actor, checked: tuple | None = None) -> Attachment:
    name, data, mime, kind = checked or _read_attachment(item)
    sha = hashlib.sha256(data).hexdigest()
    att = Attachment(
        petition=petition,
        kind=kind,
        original_name=name[:255],
        content_type=mime,
        size=len(data),
        sha256=sha,
        uploaded_by=actor,
    )
    att.file.save(sha, ContentFile(data), save=False)
    att.save()
    return att


def may_attach(actor, petition: Petition) -> bool:
    """Who may add attachments to a petition in their scope: the office and clerks, and the handling unit's
    handlers while the petition is assigned to their unit. Archived petitions are closed to new material."""
    if actor is None or petition.status == Status.ARCHIVED:
        return False
    if actor.has_role(Role.CLERK, Role.OFFICE):
        return True
    return actor.has_role(Role.UNIT_HANDLER) and petition.handling_unit_id is not None and petition.handling_unit_id == actor.unit_id


@transaction.atomic
def petition_attach(*, actor, petition_or_reg_no, files: list, kind: str = "") -> list[Attachment]:
    """Add attachments after registration: every file is checked (type sniffed from the bytes, size limit,
    SHA-256, not already attached) before any is stored; one "attach" event. Attachments are never deleted."""
    petition = _lock(actor, petition_or_reg_no)  # out of scope: NotFound
    if not may_attach(actor, petition):
        if petition.status == Status.ARCHIVED:
            raise InvalidTransition("已归档的信访件不能再添加附件")
        raise NoPermission("您无权为该信访件添加附件")
    files = [f for f in files or () if f]
    if not files:
        raise InvalidInput("请选择要上传的附件", fields={"attachments": ["请选择文件"]})
    if kind and kind not in Attachment.Kind.values:
        raise InvalidInput("附件类型无效", fields={"kind": ["附件类型无效"]})
    checked = []
    seen = set(petition.attachments.values_list("sha256", flat=True))
    for item in files:
        name, data, mime, _kind = _read_attachment(item)
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            raise InvalidInput(f"附件“{name}”已上传过", fields={"attachments": [f"“{name}”已上传过"]})
        seen.add(sha)
        checked.append((name, data, mime, kind or Attachment.Kind.OTHER))
    stored = [_store_attachment(petition=petition, item=None, actor=actor, checked=c) for c in checked]
    record_event(
        petition=petition,
        action="attach",
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={
            "names": "、".join(a.original_name for a in stored),
            "attachments": [{"id": a.pk, "name": a.original_name, "sha256": a.sha256, "size": a.size, "kind": a.kind} for a in stored],
        },
    )
    return stored


def _registration_checks(*, actor, imported: bool):
    if actor is None:
        return
    if imported:
        if not actor.has_role(Role.ADMIN, Role.OFFICE, Role.CLERK):
            raise NoPermission("无权导入信访件")
        return
    if not actor.has_role(Role.CLERK, Role.OFFICE):
        raise NoPermission("只有登记员或信访办可以登记信访件")


@transaction.atomic
def petition_register(
    *,
    actor,
    channel: str,
    received_at,
    petitioners: list[dict],
    nature: str,
    category,
    content: str,
    region,
    requests: str = "",
    anonymous: bool = False,
    confidential: bool | None = None,
    respondents: list[dict] = (),
    headcount: int = 1,
    representatives: list[dict] = (),
    cross_level: bool = False,
    repeat_of=None,
    public_consent: bool = False,
    postmark_date=None,
    superior_doc_no: str = "",
    superior_due_at=None,
    reception_leader=None,
    external_channel: str = "",
    external_id: str = "",
    office=None,
    actor_label: str = "",
    attachments: list = (),
    imported: bool = False,
    legacy_reg_no: str = "",
) -> tuple[Petition, str]:
    """Register a petition. Returns (petition, query_code); the code is shown once and stored hashed.

    actor may be None for the portal/Open311 (then actor_label says who, and `office` is the
    county petition bureau). Nothing refuses registration for who the petitioner is: repeats
    and ended matters are registered and flagged.
    """
    _registration_checks(actor=actor, imported=imported)
    channel = _choice(channel, Channel, "channel", "渠道")
    nature = _choice(nature, Nature, "nature", "性质")
    received_at = _as_datetime(received_at, "received_at", "收到时间")
    now = timezone.now()
    if received_at > now + timedelta(minutes=10):
        raise InvalidInput("收到时间不能晚于现在", fields={"received_at": ["收到时间不能晚于现在"]})
    if not isinstance(category, Category):
        raise InvalidInput("请选择问题类别", fields={"category": ["请选择问题类别"]})
    if region is None or not hasattr(region, "path"):
        raise InvalidInput("请选择问题发生地", fields={"region": ["请选择问题发生地"]})
    content = _text(content, "content", "主要问题")
    requests = _text(requests, "requests", "诉求", required=False)
    try:
        headcount = int(headcount or 1)
    except (TypeError, ValueError):
        raise InvalidInput("人数必须是数字", fields={"headcount": ["人数必须是数字"]}) from None
    if headcount < 1 or headcount > 100000:
        raise InvalidInput("人数应在1以上", fields={"headcount": ["人数应在1以上"]})

    people = [_clean_person(p, i, "petitioners", need_name=not anonymous) for i, p in enumerate(petitioners or [])]
    people = [p for p in people if any(p.values())]
    if not anonymous and not people:
        raise InvalidInput("署名信访请至少填写一名信访人", fields={"petitioners": ["请填写信访人姓名"]})
    reps = [_clean_person(p, i, "representatives", need_name=True) for i, p in enumerate(representatives or []) if any((p or {}).values())]
    if len(reps) > MAX_REPRESENTATIVES:
        msg = f"集体访推选的代表不得超过{MAX_REPRESENTATIVES}人（现有{len(reps)}人）"
        raise InvalidInput(msg, fields={"representatives": [msg]})
    collective = headcount >= COLLECTIVE_HEADCOUNT

    postmark = _as_date(postmark_date, "postmark_date", "邮戳日期")
    superior_due = None
    if channel == Channel.FROM_SUPERIOR:
        superior_doc_no = _text(superior_doc_no, "superior_doc_no", "上级交办文号", max_len=64)
        superior_due = _as_datetime(superior_due_at, "superior_due_at", "上级要求报结时间")
    else:
        superior_doc_no = (superior_doc_no or "").strip()
        superior_due = _as_datetime(superior_due_at, "superior_due_at", "上级要求报结时间", required=False)

    if reception_leader in (None, ""):
        reception_leader = None
    else:  # 领导接访日: the leader who received the visit (the reception-day page links here)
        if channel != Channel.VISIT:
            raise InvalidInput("接访领导只适用于来访登记", fields={"reception_leader": ["接访领导只适用于来访登记"]})
        reception_leader = _user_input(reception_leader, "reception_leader", "接访领导")
        if not reception_leader.has_role(Role.LEADER):
            raise InvalidInput("接访领导须为领导角色", fields={"reception_leader": ["接访领导须为领导角色"]})

    if confidential is None:
        confidential = nature == Nature.REPORT
    if repeat_of is not None and not isinstance(repeat_of, Petition):
        raise InvalidInput("关联的原信访件无效", fields={"repeat_of": ["关联的原信访件无效"]})

    cleaned_respondents = []
    for i, r in enumerate(respondents or ()):
        r = r or {}
        name = (r.get("name") or "").strip()
        if not name:
            if any((r.get(k) or "") for k in ("unit", "post")):
                raise InvalidInput("请填写被反映人姓名", fields={f"respondents[{i}].name": ["请填写被反映人姓名"]})
            continue
        cleaned_respondents.append(
            {
                "name": name[:64],
                "unit": (r.get("unit") or "").strip()[:100],
                "post": (r.get("post") or "").strip()[:64],
                "user": r.get("user"),
            }
        )

    office = registering_office(actor, office)
    local_now = timezone.localtime(now)
    seq, reg_no = next_registration_number(office, local_now.year)
    code, code_hash = new_query_code()
    dispatch_due = due_for("dispatch", received_at)
    accept_due = due_for("accept", received_at)
    petition = Petition(
        reg_no=reg_no,
        office=office,
        year=local_now.year,
        seq=seq,
        query_code_hash=code_hash,
        status=Status.REGISTERED,
        channel=channel,
        external_channel=(external_channel or "")[:64],
        external_id=(external_id or "")[:100],
        received_at=received_at,
        first_receiver=actor,
        nature=nature,
        category=category,
        content=content,
        requests=requests,
        region=region,
        anonymous=bool(anonymous),
        confidential=bool(confidential),
        public_consent=bool(public_consent),
        headcount=headcount,
        collective=collective,
        cross_level=bool(cross_level),
        first_time=repeat_of is None,
        repeat_of=repeat_of,
        matter_ended=_chain_ended(repeat_of),
        postmark_date=postmark,
        superior_doc_no=superior_doc_no,
        superior_due_at=superior_due,
        reception_leader=reception_leader,
        dispatch_due_at=dispatch_due,
        accept_due_at=accept_due,
        imported=imported,
        legacy_reg_no=(legacy_reg_no or "")[:64],
    )
    petition.due_at = current_due(petition)
    try:
        with transaction.atomic():
            petition.save()
    except IntegrityError:
        raise InvalidInput("该外部编号已登记过", fields={"external_id": ["该外部编号已登记过"]}) from None
    position = 0
    for person in people:
        _add_person(petition, person, position, representative=False)
        position += 1
    for person in reps:
        _add_person(petition, person, position, representative=True)
        position += 1
    for r in cleaned_respondents:
        unit = Unit.objects.filter(name=r["unit"]).first() if r["unit"] else None
        user = r["user"] if isinstance(r["user"], User) else None
        if user is not None and unit is None:
            unit = user.unit
        Respondent.objects.create(petition=petition, name=r["name"], unit_name=r["unit"], post=r["post"], unit=unit, user=user)
    stored = [_store_attachment(petition=petition, item=a, actor=actor) for a in attachments or ()]
    record_event(
        petition=petition,
        action=workflow.REGISTER,
        actor=actor,
        actor_label=actor_label,
        to_status=Status.REGISTERED,
        data={
            "channel": channel,
            "reg_no": reg_no,
            "collective": collective,
            "repeat_of": repeat_of.reg_no if repeat_of else "",
            "reception_leader": reception_leader.username if reception_leader else "",
            "reception_leader_name": reception_leader.display_name if reception_leader else "",
            "matter_ended": petition.matter_ended,
            "attachments": [a.sha256 for a in stored],
            "dispatch_due_at": dispatch_due.isoformat(),
            "accept_due_at": accept_due.isoformat(),
        },
        public=True,
        at=now,
        imported=imported,
    )
    return petition, code


def _add_person(petition, person: dict, position: int, *, representative: bool):
    Petitioner.objects.create(
        petition=petition,
        name=person["name"],
        id_number=person["id_number"],
        phone=person["phone"],
        address=person["address"],
        work_unit=person["work_unit"],
        id_hash=keyed_hash(person["id_number"]),
        phone_hash=keyed_hash(person["phone"]),
        name_hash=keyed_hash(person["name"]),
        is_representative=representative,
        position=position,
    )


@transaction.atomic
def petition_link_repeat(*, actor, petition_or_reg_no, repeat_of, version: int) -> Petition:
    """Link a registered petition to an earlier one (重复信访) after registration."""
    petition = _lock(actor, petition_or_reg_no)
    if not actor.has_role(Role.CLERK, Role.OFFICE):
        raise NoPermission("无权关联重复件")
    _check_version(petition, version)
    if repeat_of.pk == petition.pk:
        raise InvalidInput("不能关联自身", fields={"repeat_of": ["不能关联自身"]})
    petition.repeat_of = repeat_of
    petition.first_time = False
    petition.matter_ended = _chain_ended(repeat_of)
    petition.version += 1
    petition.save(update_fields=["repeat_of", "first_time", "matter_ended", "version"])
    record_event(
        petition=petition,
        action="link_repeat",
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"repeat_of": repeat_of.reg_no, "matter_ended": petition.matter_ended},
    )
    return petition


# ---------------------------------------------------------------------------
# Due times
# ---------------------------------------------------------------------------


def current_due(p: Petition):
    """The due time of the step the petition is in now (None when nothing is due or paused)."""
    if p.paused_at is not None:
        return None
    s = p.status
    due = None
    if s == Status.REGISTERED:
        due = _min(p.dispatch_due_at, p.accept_due_at)
    elif s == Status.ACCEPTED:
        due = p.handle_due_at if p.dispatched_at else _min(p.dispatch_due_at, p.handle_due_at)
    elif s == Status.AWAITING_INSTRUCTION:
        due = p.instruction_due_at
    elif s in (Status.ASSIGNED, Status.IN_PROGRESS):
        due = _min(p.handle_due_at, p.internal_due_at)
    elif s in (Status.RESULT_REPORTED, Status.AWAITING_REPLY):
        due = p.handle_due_at
    elif s in (Status.UNDER_REVIEW, Status.UNDER_REREVIEW):
        due = p.review_due_at
    if p.channel == Channel.FROM_SUPERIOR and p.reported_back_at is None and p.superior_due_at and s not in workflow_closed():
        due = _min(due, p.superior_due_at)
    return due


def workflow_closed():
    return (Status.DECLINED, Status.FORWARDED, Status.ARCHIVED)


def _min(*values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


# ---------------------------------------------------------------------------
# The action machinery
# ---------------------------------------------------------------------------


def _lock(actor, petition_or_reg_no) -> Petition:
    reg_no = petition_or_reg_no.reg_no if isinstance(petition_or_reg_no, Petition) else str(petition_or_reg_no)
    if actor is None:
        petition = Petition.objects.select_for_update().filter(reg_no=reg_no).first()
        if petition is None:
            raise NotFound("未找到该信访件")
        return petition
    return policy.get_visible_petition(actor, reg_no, for_update=True)


def _check_version(petition: Petition, version) -> None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InvalidInput("缺少版本号 version", fields={"version": ["缺少版本号"]}) from None
    if version != petition.version:
        raise StaleVersion(f"该信访件已被他人修改（当前版本 {petition.version}，您提交的是 {version}），请刷新后重试")


def _begin(actor, petition_or_reg_no, action: str, version, *, actor_label: str = "") -> Petition:
    """Lock the row, then check permission (role table), state and version in that order."""
    t = workflow.transition(action)
    if t is None:
        raise NotFound(f"未知的操作：{action}")
    petition = _lock(actor, petition_or_reg_no)
    if actor is None:
        if not t.petitioner_may:
            raise NoPermission("此操作须由工作人员办理")
    elif not workflow.role_may(action, actor.role_codes):
        raise NoPermission(f"您的角色无权进行“{workflow.label(action)}”操作")
    if petition.status not in t.from_states:
        raise InvalidTransition(f"信访件当前状态为“{petition.get_status_display()}”，不能进行“{workflow.label(action)}”操作")
    _check_version(petition, version)
    return petition


def _finish(
    petition: Petition, *, actor, action: str, fields: list[str], data: dict, public: bool = False, to_status=None, actor_label=""
) -> Petition:
    from_status = petition.status
    petition.status = to_status or workflow.next_state(action, from_status)
    petition.due_at = current_due(petition)
    old_version = petition.version
    petition.version = old_version + 1
    update = {f: getattr(petition, f) for f in set(fields) | {"status", "due_at", "version"}}
    # Conditional update: a second writer that slipped past the lock would match 0 rows.
    fk_update = {}
    for name, value in update.items():
        field = Petition._meta.get_field(name)
        fk_update[field.attname if field.is_relation else name] = value.pk if field.is_relation and value is not None else value
    changed = Petition.objects.filter(pk=petition.pk, version=old_version).update(**fk_update)
    if changed != 1:
        raise StaleVersion("该信访件已被他人修改，请刷新后重试")
    record_event(
        petition=petition,
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        to_status=petition.status,
        data=_jsonable(data),
        public=public,
    )
    return petition


def _jsonable(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        if isinstance(v, datetime):
            out[k] = v.isoformat()
        elif isinstance(v, date):
            out[k] = v.isoformat()
        elif hasattr(v, "pk"):
            out[k] = str(v)
        else:
            out[k] = v
    return out


def _user_input(value, field: str, label: str) -> User:
    if isinstance(value, User):
        return value
    if value in (None, ""):
        raise InvalidInput(f"请选择{label}", fields={field: [f"请选择{label}"]})
    user = User.objects.filter(username=str(value), is_active=True).select_related("unit").first()
    if user is None and str(value).isdigit():
        user = User.objects.filter(pk=int(value), is_active=True).select_related("unit").first()
    if user is None:
        raise InvalidInput(f"{label}不存在", fields={field: [f"{label}不存在"]})
    return user


def _unit_input(value, field: str, label: str) -> Unit:
    if isinstance(value, Unit):
        return value
    if value in (None, ""):
        raise InvalidInput(f"请选择{label}", fields={field: [f"请选择{label}"]})
    unit = Unit.objects.filter(code=str(value), active=True).first()
    if unit is None:
        raise InvalidInput(f"{label}不存在", fields={field: [f"{label}不存在"]})
    return unit


def _not_respondent(petition: Petition, user: User, field: str, role_label: str) -> None:
    if policy.is_respondent(user, petition):
        msg = f"该人员是本件的被反映人，不能担任{role_label}"
        raise InvalidInput(msg, fields={field: [msg]})


# ---------------------------------------------------------------------------
# The actions
# ---------------------------------------------------------------------------


@transaction.atomic
def petition_accept(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ACCEPT, version)
    now = timezone.now()
    p.accepted_at = now
    p.handle_due_at = due_for("handle", now, paused_seconds=0)
    return _finish(
        p,
        actor=actor,
        action=Action.ACCEPT,
        fields=["accepted_at", "handle_due_at"],
        data={"note": _text(note, "note", "说明", required=False), "handle_due_at": p.handle_due_at},
        public=True,
    )


@transaction.atomic
def petition_decline(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.DECLINE, version)
    reason = _text(reason, "reason", "不予受理理由")
    p.dispatched_at = timezone.now()
    return _finish(p, actor=actor, action=Action.DECLINE, fields=["dispatched_at"], data={"reason": reason}, public=True)


@transaction.atomic
def petition_forward(*, actor, petition_or_reg_no, version: int, authority: str = "", reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FORWARD, version)
    authority = _text(authority, "authority", "转送机关", max_len=100)
    reason = _text(reason, "reason", "转送理由", required=False)
    p.dispatched_at = timezone.now()
    return _finish(
        p, actor=actor, action=Action.FORWARD, fields=["dispatched_at"], data={"authority": authority, "reason": reason}, public=True
    )


@transaction.atomic
def petition_submit_for_instruction(*, actor, petition_or_reg_no, version: int, note: str = "", leader=None) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SUBMIT_FOR_INSTRUCTION, version)
    data = {"note": _text(note, "note", "呈批意见", required=False)}
    if leader not in (None, ""):
        leader = _user_input(leader, "leader", "呈批领导")
        if not leader.has_role(Role.LEADER):
            raise InvalidInput("所选人员不是领导", fields={"leader": ["所选人员不是领导"]})
        _not_respondent(p, leader, "leader", "批示领导")
        data["leader"] = leader.username
    p.instruction_due_at = due_for("instruction", timezone.now())
    data["instruction_due_at"] = p.instruction_due_at
    return _finish(p, actor=actor, action=Action.SUBMIT_FOR_INSTRUCTION, fields=["instruction_due_at"], data=data)


@transaction.atomic
def petition_instruct(*, actor, petition_or_reg_no, version: int, instruction: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.INSTRUCT, version)
    instruction = _text(instruction, "instruction", "批示意见")
    p.instruction_due_at = None
    return _finish(p, actor=actor, action=Action.INSTRUCT, fields=["instruction_due_at"], data={"instruction": instruction})


@transaction.atomic
def petition_set_case_leader(*, actor, petition_or_reg_no, version: int, leader=None, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SET_CASE_LEADER, version)
    leader = _user_input(leader, "leader", "包案领导")
    if not leader.has_role(Role.LEADER):
        raise InvalidInput("包案领导须为领导角色", fields={"leader": ["包案领导须为领导角色"]})
    _not_respondent(p, leader, "leader", "包案领导")
    previous = p.case_leader.username if p.case_leader_id else ""
    p.case_leader = leader
    return _finish(
        p,
        actor=actor,
        action=Action.SET_CASE_LEADER,
        fields=["case_leader"],
        data={"leader": leader.username, "leader_name": leader.display_name, "previous": previous, "reason": reason or ""},
    )


@transaction.atomic
def petition_assign(
    *,
    actor,
    petition_or_reg_no,
    version: int,
    handling_unit=None,
    result_required: bool = True,
    complexity: str = Complexity.GENERAL,
    due_at=None,
    own_unit_reason: str = "",
    note: str = "",
) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ASSIGN, version)
    unit = _unit_input(handling_unit, "handling_unit", "承办单位")
    complexity = _choice(complexity or Complexity.GENERAL, Complexity, "complexity", "复杂程度")
    own_unit_reason = (own_unit_reason or "").strip()
    if unit.pk in policy.respondent_unit_ids(p) and not own_unit_reason:
        msg = "承办单位是被反映人所在单位，须填写交其办理的理由"
        raise InvalidInput(msg, fields={"own_unit_reason": [msg]})
    now = timezone.now()
    if p.handle_due_at is None:
        p.handle_due_at = due_for("handle", p.accepted_at or now)
    internal = due_for(f"internal_{complexity}", now)
    requested = _as_datetime(due_at, "due_at", "办理期限", required=False)
    if requested is not None:
        if requested > p.handle_due_at:
            local = timezone.localtime(p.handle_due_at).strftime("%Y-%m-%d")
            msg = f"办理期限不能超过法定期限（{local}）"
            raise InvalidInput(msg, fields={"due_at": [msg]})
        if requested < now:
            raise InvalidInput("办理期限不能早于现在", fields={"due_at": ["办理期限不能早于现在"]})
        internal = min(internal, requested)
    p.handling_unit = unit
    p.result_required = bool(result_required)
    p.complexity = complexity
    p.assigned_at = now
    if p.dispatched_at is None:
        p.dispatched_at = now
    p.internal_due_at = min(internal, p.handle_due_at)
    return _finish(
        p,
        actor=actor,
        action=Action.ASSIGN,
        fields=["handling_unit", "result_required", "complexity", "assigned_at", "dispatched_at", "internal_due_at", "handle_due_at"],
        data={
            "handling_unit": unit.code,
            "handling_unit_name": unit.name,
            "result_required": bool(result_required),
            "complexity": complexity,
            "internal_due_at": p.internal_due_at,
            "own_unit_reason": own_unit_reason,
            "note": note or "",
        },
    )


@transaction.atomic
def petition_acknowledge(*, actor, petition_or_reg_no, version: int, committed_date=None, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ACKNOWLEDGE, version)
    committed = _as_date(committed_date, "committed_date", "承诺办结日期", required=True)
    today = timezone.localdate()
    if committed < today:
        raise InvalidInput("承诺办结日期不能早于今天", fields={"committed_date": ["承诺办结日期不能早于今天"]})
    if p.handle_due_at and committed > timezone.localtime(p.handle_due_at).date():
        msg = f"承诺办结日期不能晚于办理期限（{timezone.localtime(p.handle_due_at):%Y-%m-%d}）"
        raise InvalidInput(msg, fields={"committed_date": [msg]})
    p.committed_date = committed
    return _finish(
        p, actor=actor, action=Action.ACKNOWLEDGE, fields=["committed_date"], data={"committed_date": committed, "note": note or ""}
    )


@transaction.atomic
def petition_progress(*, actor, petition_or_reg_no, version: int, note: str = "", explain_to_superior: bool = False) -> Petition:
    """A progress note (办理进度). For a superior's petition, `explain_to_superior` records the 说明情况 sent upward."""
    p = _begin(actor, petition_or_reg_no, Action.PROGRESS, version)
    note = _text(note, "note", "进度说明")
    explain = bool(explain_to_superior)
    if explain and p.channel != Channel.FROM_SUPERIOR:
        raise InvalidInput("只有上级交办件需要向上级说明情况", fields={"explain_to_superior": ["只有上级交办件可用"]})
    return _finish(
        p, actor=actor, action=Action.PROGRESS, fields=[], data={"note": note, "explain_to_superior": explain, "doc_no": p.superior_doc_no}
    )


@transaction.atomic
def petition_extend(*, actor, petition_or_reg_no, version: int, days=None, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.EXTEND, version)
    if p.extended_days:
        raise InvalidTransition("该信访件已延期过一次，不能再次延期")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput("请填写延期天数", fields={"days": ["请填写延期天数"]}) from None
    max_days = timelimits.limit_for("extend_max").amount
    if days < 1 or days > max_days:
        raise InvalidInput(f"延期天数应为1至{max_days}天", fields={"days": [f"延期天数应为1至{max_days}天"]})
    reason = _text(reason, "reason", "延期理由")
    start = p.accepted_at or p.registered_at
    old = p.handle_due_at or due_for("handle", start, paused_seconds=p.paused_seconds)
    # Only the extension is added to the due time in force: paused time before acceptance (already in
    # paused_seconds) must not be credited to the handling period a second time.
    p.handle_due_at = old + (timelimits.due_for("handle", start, extra_days=days) - timelimits.due_for("handle", start))
    if p.internal_due_at is not None:
        p.internal_due_at = p.internal_due_at + (p.handle_due_at - old)
    p.extended_days = days
    return _finish(
        p,
        actor=actor,
        action=Action.EXTEND,
        fields=["handle_due_at", "internal_due_at", "extended_days"],
        data={"days": days, "reason": reason, "approved_by": actor.username, "old_due_at": old, "new_due_at": p.handle_due_at},
        public=True,
    )


@transaction.atomic
def petition_return(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    """Misrouted: back to the office to re-route. The legal handling clock keeps running from acceptance;
    the office's re-routing step gets its own dispatch due time; both recorded in the event."""
    p = _begin(actor, petition_or_reg_no, Action.RETURN, version)
    reason = _text(reason, "reason", "退回理由")
    now = timezone.now()
    old = {"handling_unit": p.handling_unit.code if p.handling_unit_id else "", "dispatch_due_at": p.dispatch_due_at}
    p.dispatch_due_at = _min(due_for("dispatch", now), p.handle_due_at)
    p.dispatched_at = None
    p.handling_unit = None
    p.internal_due_at = None
    p.committed_date = None
    p.complexity = ""
    return _finish(
        p,
        actor=actor,
        action=Action.RETURN,
        fields=["dispatch_due_at", "dispatched_at", "handling_unit", "internal_due_at", "committed_date", "complexity"],
        data={
            "reason": reason,
            "from_unit": old["handling_unit"],
            "old_dispatch_due_at": old["dispatch_due_at"],
            "new_dispatch_due_at": p.dispatch_due_at,
            "handle_due_at": p.handle_due_at,
        },
    )


@transaction.atomic
def petition_report_result(
    *, actor, petition_or_reg_no, version: int, outcome: str = "", findings: str = "", reply_draft: str = ""
) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REPORT_RESULT, version)
    if p.status == Status.ACCEPTED and not actor.has_role(Role.OFFICE):
        raise NoPermission("尚未交办的信访件只能由信访办直接办结")
    if p.status == Status.IN_PROGRESS and not actor.has_role(Role.UNIT_HANDLER):
        raise NoPermission("办理中的信访件由承办单位报结")
    p.outcome = _choice(outcome, Outcome, "outcome", "处理结果")
    p.findings = _text(findings, "findings", "调查核实情况")
    p.reply_draft = _text(reply_draft, "reply_draft", "答复意见草稿", required=False)
    return _finish(
        p,
        actor=actor,
        action=Action.REPORT_RESULT,
        fields=["outcome", "findings", "reply_draft"],
        data={"outcome": p.outcome, "findings": p.findings},
    )


@transaction.atomic
def petition_approve_result(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.APPROVE_RESULT, version)
    return _finish(p, actor=actor, action=Action.APPROVE_RESULT, fields=[], data={"note": note or ""})


@transaction.atomic
def petition_reject_result(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REJECT_RESULT, version)
    reason = _text(reason, "reason", "退回理由")
    to = Status.IN_PROGRESS if p.handling_unit_id else Status.ACCEPTED
    return _finish(p, actor=actor, action=Action.REJECT_RESULT, fields=[], data={"reason": reason}, to_status=to)


@transaction.atomic
def petition_reply(*, actor, petition_or_reg_no, version: int, method: str = "", text: str = "", replied_on=None) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REPLY, version)
    method = _choice(method, ReplyMethod, "method", "答复方式")
    text = _text(text, "text", "答复内容（处理意见书）")
    now = timezone.now()
    stage = {Status.AWAITING_REPLY: "reply", Status.UNDER_REVIEW: "review", Status.UNDER_REREVIEW: "rereview"}[p.status]
    p.reply_method = method
    p.reply_text = text
    p.replied_at = now
    if p.first_replied_at is None:  # 按期办结 counts the first reply; review replies never overwrite it
        p.first_replied_at = now
    p.review_due_at = None
    if stage == "reply":
        p.review_window_ends_at = due_for("review_request", now)
    elif stage == "review":
        p.review_level = 1
        p.review_window_ends_at = due_for("rereview_request", now)
    else:
        p.review_level = 2
        p.review_window_ends_at = now  # 三级终结: no further review
        p.matter_ended = True
    return _finish(
        p,
        actor=actor,
        action=Action.REPLY,
        fields=[
            "reply_method",
            "reply_text",
            "replied_at",
            "first_replied_at",
            "review_due_at",
            "review_window_ends_at",
            "review_level",
            "matter_ended",
        ],
        data={"method": method, "text": text, "stage": stage, "review_window_ends_at": p.review_window_ends_at},
        public=True,
    )


@transaction.atomic
def petition_follow_up(*, actor, petition_or_reg_no, version: int, method: str = "", note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FOLLOW_UP, version)
    note = _text(note, "note", "回访情况")
    return _finish(p, actor=actor, action=Action.FOLLOW_UP, fields=[], data={"method": method or "", "note": note})


@transaction.atomic
def petition_evaluate(*, actor, petition_or_reg_no, version: int, satisfaction: str = "", comment: str = "", actor_label="") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.EVALUATE, version)
    p.satisfaction = _choice(satisfaction, Satisfaction, "satisfaction", "满意度")
    p.evaluated_at = timezone.now()
    return _finish(
        p,
        actor=actor,
        action=Action.EVALUATE,
        fields=["satisfaction", "evaluated_at"],
        data={"satisfaction": p.satisfaction, "comment": comment or ""},
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


def _review_request(actor, petition_or_reg_no, version, reason, action, level_needed, step, actor_label):
    p = _begin(actor, petition_or_reg_no, action, version)
    if p.review_level >= 2 or p.matter_ended and p.review_level >= 2:
        raise InvalidTransition("该事项已经复核，信访程序终结，不再受理复查复核请求")
    if p.review_level != level_needed:
        msg = "请先申请复查" if action == Action.REQUEST_REREVIEW else "该事项已复查，如不服请申请复核"
        raise InvalidTransition(msg)
    now = timezone.now()
    if p.review_window_ends_at is None or now > p.review_window_ends_at:
        raise InvalidTransition("已超过申请期限（收到意见之日起30日内）")
    reason = _text(reason, "reason", "申请理由")
    p.review_due_at = due_for(step, now)
    return _finish(
        p,
        actor=actor,
        action=action,
        fields=["review_due_at"],
        data={"reason": reason, "review_due_at": p.review_due_at},
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


@transaction.atomic
def petition_request_review(*, actor, petition_or_reg_no, version: int, reason: str = "", actor_label="") -> Petition:
    return _review_request(actor, petition_or_reg_no, version, reason, Action.REQUEST_REVIEW, 0, "review_answer", actor_label)


@transaction.atomic
def petition_request_rereview(*, actor, petition_or_reg_no, version: int, reason: str = "", actor_label="") -> Petition:
    return _review_request(actor, petition_or_reg_no, version, reason, Action.REQUEST_REREVIEW, 1, "rereview_answer", actor_label)


@transaction.atomic
def petition_report_back(*, actor, petition_or_reg_no, version: int, text: str = "") -> Petition:
    """上报: report the result back to the superior that assigned the petition."""
    p = _begin(actor, petition_or_reg_no, Action.REPORT_BACK, version)
    if p.channel != Channel.FROM_SUPERIOR:
        raise InvalidTransition("只有上级交办件需要向上级报结")
    if p.reported_back_at is not None:
        raise InvalidTransition("已向上级报结")
    text = _text(text, "text", "报结内容")
    p.reported_back_at = timezone.now()
    on_time = p.superior_due_at is None or p.reported_back_at <= p.superior_due_at
    return _finish(
        p,
        actor=actor,
        action=Action.REPORT_BACK,
        fields=["reported_back_at"],
        data={"text": text, "doc_no": p.superior_doc_no, "on_time": on_time},
    )


ARCHIVE_CATEGORIES = {"general": "一般信访", "case": "信访案件", "review": "复查复核"}


@transaction.atomic
def petition_archive(*, actor, petition_or_reg_no, version: int, archive_category: str = "", note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ARCHIVE, version)
    now = timezone.now()
    satisfied = p.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
    window_passed = p.review_window_ends_at is not None and now > p.review_window_ends_at
    if not (satisfied or window_passed or p.review_level >= 2):
        ends = timezone.localtime(p.review_window_ends_at).strftime("%Y-%m-%d") if p.review_window_ends_at else "—"
        raise InvalidTransition(f"申请复查/复核期限（至{ends}）未过且信访人未表示满意，暂不能归档")
    if p.channel == Channel.FROM_SUPERIOR and p.result_required and p.reported_back_at is None:
        raise InvalidTransition("上级交办件须先向上级报结，才能归档")
    category = archive_category or ("review" if p.review_level else ("case" if p.nature == Nature.REPORT else "general"))
    if category not in ARCHIVE_CATEGORIES:
        raise InvalidInput("归档类别无效", fields={"archive_category": ["归档类别无效"]})
    p.archive_category = category
    p.archived_at = now
    dossier = list(p.events.values_list("action", flat=True))
    return _finish(
        p,
        actor=actor,
        action=Action.ARCHIVE,
        fields=["archive_category", "archived_at"],
        data={
            "archive_category": category,
            "basis": "satisfied" if satisfied else ("ended" if p.review_level >= 2 else "window_passed"),
            "steps": len(dossier) + 1,
            "attachments": p.attachments.count(),
            "note": note or "",
        },
        public=True,
    )


@transaction.atomic
def petition_pause(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.PAUSE, version)
    if p.paused_at is not None:
        raise InvalidTransition("计时已暂停")
    reason = _text(reason, "reason", "暂停理由（如听证）")
    p.paused_at = timezone.now()
    return _finish(p, actor=actor, action=Action.PAUSE, fields=["paused_at"], data={"reason": reason})


_SHIFTED = ["dispatch_due_at", "accept_due_at", "handle_due_at", "internal_due_at", "instruction_due_at", "review_due_at"]


@transaction.atomic
def petition_resume(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.RESUME, version)
    if p.paused_at is None:
        raise InvalidTransition("计时未暂停")
    now = timezone.now()
    delta = now - p.paused_at
    seconds = int(delta.total_seconds())
    p.paused_seconds += seconds
    for name in _SHIFTED:
        value = getattr(p, name)
        if value is not None:
            setattr(p, name, value + delta)
    p.paused_at = None
    return _finish(
        p,
        actor=actor,
        action=Action.RESUME,
        fields=["paused_at", "paused_seconds", *_SHIFTED],
        data={"paused_seconds": seconds, "total_paused_seconds": p.paused_seconds, "note": note or ""},
    )


ACTION_SERVICES = {
    Action.ACCEPT: petition_accept,
    Action.DECLINE: petition_decline,
    Action.FORWARD: petition_forward,
    Action.SUBMIT_FOR_INSTRUCTION: petition_submit_for_instruction,
    Action.INSTRUCT: petition_instruct,
    Action.SET_CASE_LEADER: petition_set_case_leader,
    Action.ASSIGN: petition_assign,
    Action.ACKNOWLEDGE: petition_acknowledge,
    Action.PROGRESS: petition_progress,
    Action.EXTEND: petition_extend,
    Action.RETURN: petition_return,
    Action.REPORT_RESULT: petition_report_result,
    Action.APPROVE_RESULT: petition_approve_result,
    Action.REJECT_RESULT: petition_reject_result,
    Action.REPLY: petition_reply,
    Action.FOLLOW_UP: petition_follow_up,
    Action.EVALUATE: petition_evaluate,
    Action.REQUEST_REVIEW: petition_request_review,
    Action.REQUEST_REREVIEW: petition_request_rereview,
    Action.REPORT_BACK: petition_report_back,
    Action.ARCHIVE: petition_archive,
    Action.PAUSE: petition_pause,
    Action.RESUME: petition_resume,
}
ACTION_INPUTS = {
    Action.ACCEPT: ["note"],
    Action.DECLINE: ["reason"],
    Action.FORWARD: ["authority", "reason"],
    Action.SUBMIT_FOR_INSTRUCTION: ["note", "leader"],
    Action.INSTRUCT: ["instruction"],
    Action.SET_CASE_LEADER: ["leader", "reason"],
    Action.ASSIGN: ["handling_unit", "result_required", "complexity", "due_at", "own_unit_reason", "note"],
    Action.ACKNOWLEDGE: ["committed_date", "note"],
    Action.PROGRESS: ["note", "explain_to_superior"],
    Action.EXTEND: ["days", "reason"],
    Action.RETURN: ["reason"],
    Action.REPORT_RESULT: ["outcome", "findings", "reply_draft"],
    Action.APPROVE_RESULT: ["note"],
    Action.REJECT_RESULT: ["reason"],
    Action.REPLY: ["method", "text"],
    Action.FOLLOW_UP: ["method", "note"],
    Action.EVALUATE: ["satisfaction", "comment"],
    Action.REQUEST_REVIEW: ["reason"],
    Action.REQUEST_REREVIEW: ["reason"],
    Action.REPORT_BACK: ["text"],
    Action.ARCHIVE: ["archive_category", "note"],
    Action.PAUSE: ["reason"],
    Action.RESUME: ["note"],
}


def petition_act(*, actor, petition_or_reg_no, action: str, version: int, **inputs) -> Petition:
    """Dispatch to the per-action service; unknown inputs are ignored, unknown actions refused."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise NotFound(f"未知的操作：{action}")
    allowed = set(ACTION_INPUTS[action]) | {"actor_label"}
    kwargs = {k: v for k, v in inputs.items() if k in allowed}
    if "actor_label" in kwargs and action not in (Action.EVALUATE, Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW):
        kwargs.pop("actor_label")
    return service(actor=actor, petition_or_reg_no=petition_or_reg_no, version=version, **kwargs)
