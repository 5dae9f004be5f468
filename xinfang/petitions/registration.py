"""Registration (登记): the checks and defaults, the query code (stored hashed), the people and respondents, the first
event, repeats. The number is `numbering.py`'s; the attachments that come with it are checked and stored by
`attachments.py`."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.access import services as access_services
from xinfang.audit.chain import state_as_written
from xinfang.core import inputs
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role, Unit, UnitKind, User
from xinfang.petitions import numbering, timelimits
from xinfang.petitions.attachments import read_attachment, store_attachment
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import first_event_rows, record_event
from xinfang.petitions.inputs import clean_person
from xinfang.petitions.models import (
    Category,
    Channel,
    Nature,
    Petition,
    Petitioner,
    PetitionEvent,
    Respondent,
    Status,
)
from xinfang.petitions.steps import (
    _check_version,
    _lock,
    current_due,
)

MAX_REPRESENTATIVES = 5
# 联名信 may carry many signatures; past this many, the office registers the signatories' representatives
# and keeps the list as an attachment. Bounds the work one registration may cause (numbering waits on it).
MAX_PETITIONERS = 200
TOO_MANY_PETITIONERS = f"一件信访最多登记{MAX_PETITIONERS}名信访人；人数更多时请登记代表，名单作为附件上传"


COLLECTIVE_HEADCOUNT = 5


QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


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


def registering_office(actor, office=None) -> Unit:
    if office is not None:
        return office
    if actor is not None and actor.unit_id and not User._meta.get_field("unit").is_cached(actor):
        # The unit with its region in one query: the access policy reads the region's path next (the response's masking).
        actor.unit = Unit.objects.select_related("region").get(pk=actor.unit_id)
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


def _chain_ended(petition: Petition | None) -> bool:
    seen = set()
    while petition is not None and petition.pk not in seen:
        seen.add(petition.pk)
        if petition.review_level >= 2 or petition.matter_ended:
            return True
        petition = petition.repeat_of
    return False


def _registration_checks(*, actor, imported: bool):
    if actor is None:
        return
    if imported:
        if not actor.has_role(Role.ADMIN, Role.OFFICE, Role.CLERK):
            raise NoPermission("无权导入信访件")
        return
    if not actor.has_role(Role.CLERK, Role.OFFICE):
        raise NoPermission("只有登记员或信访办可以登记信访件")


@dataclass
class Registration:
    """A checked registration not yet written (`prepare_registration`): the petition without its number, its
    petitioners and respondents, the attachments read, and the register event's data."""

    petition: Petition
    code: str
    people_rows: list
    respondent_rows: list
    checked: list
    event_data: dict
    actor: User | None
    actor_label: str
    imported: bool
    now: datetime
    registered_at: datetime | None = None
    extra_events: list = field(default_factory=list)  # history written after the register event (imports)
    first_receipt: Any = None  # the 首问 log of the staff member who brought the visitor in (reception.FirstReceipt)

    def register_data(self, *, attachments: list) -> dict:
        return {**self.event_data, "reg_no": self.petition.reg_no, "attachments": attachments}


def prepare_registration(
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
    respondents: Sequence[dict] = (),
    headcount: int = 1,
    representatives: Sequence[dict] = (),
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
    attachments: Sequence = (),
    imported: bool = False,
    legacy_reg_no: str = "",
    registered_at=None,
    first_receipt=None,
    refuse_messages: bool = False,
) -> "Registration":
    """Every check and default of registration, and the unsaved petition with its rows: the one path of the window,
    the portal, Open311, the API and the legacy import (`petition_register`, `petition_register_batch`). Nothing is
    written. `registered_at` (imports only) is the register's own registration date: a historical record is dated,
    numbered and counted in its own year."""
    _registration_checks(actor=actor, imported=imported)
    channel = inputs.choice(channel, Channel, "channel", "渠道")
    nature = inputs.choice(nature, Nature, "nature", "性质")
    received_at = inputs.moment(received_at, "received_at", "收到时间")
    now = timezone.now()
    if received_at > now + timedelta(minutes=10):
        raise InvalidInput("收到时间不能晚于现在", fields={"received_at": ["收到时间不能晚于现在"]})
    if not isinstance(category, Category):
        raise InvalidInput("请选择问题类别", fields={"category": ["请选择问题类别"]})
    if region is None or not hasattr(region, "path"):
        raise InvalidInput("请选择问题发生地", fields={"region": ["请选择问题发生地"]})
    content = inputs.text(content, "content", "主要问题")
    requests = inputs.text(requests, "requests", "诉求", required=False)
    try:
        headcount = int(headcount or 1)
    except (TypeError, ValueError):
        raise InvalidInput("人数必须是数字", fields={"headcount": ["人数必须是数字"]}) from None
    if headcount < 1 or headcount > 100000:
        raise InvalidInput("人数应在1以上", fields={"headcount": ["人数应在1以上"]})

    if len(petitioners or ()) > MAX_PETITIONERS:
        raise InvalidInput(TOO_MANY_PETITIONERS, fields={"petitioners": [TOO_MANY_PETITIONERS]})
    people = [clean_person(p, i, "petitioners", need_name=not anonymous) for i, p in enumerate(petitioners or [])]
    people = [p for p in people if any(p.values())]
    if not anonymous and not people:
        raise InvalidInput("署名信访请至少填写一名信访人", fields={"petitioners": ["请填写信访人姓名"]})
    reps = [clean_person(p, i, "representatives", need_name=True) for i, p in enumerate(representatives or []) if any((p or {}).values())]
    if len(reps) > MAX_REPRESENTATIVES:
        msg = f"集体访推选的代表不得超过{MAX_REPRESENTATIVES}人（现有{len(reps)}人）"
        raise InvalidInput(msg, fields={"representatives": [msg]})
    collective = headcount >= COLLECTIVE_HEADCOUNT

    postmark = inputs.day(postmark_date, "postmark_date", "邮戳日期")
    superior_due = None
    if channel == Channel.FROM_SUPERIOR:
        superior_doc_no = inputs.text(superior_doc_no, "superior_doc_no", "上级交办文号", max_len=64)
        superior_due = inputs.moment(superior_due_at, "superior_due_at", "上级要求报结时间")
    else:
        superior_doc_no = (superior_doc_no or "").strip()
        superior_due = inputs.moment(superior_due_at, "superior_due_at", "上级要求报结时间", required=False)

    if reception_leader in (None, ""):
        reception_leader = None
    else:  # 领导接访日: the leader who received the visit (the reception-day page links here)
        if channel != Channel.VISIT:
            raise InvalidInput("接访领导只适用于来访登记", fields={"reception_leader": ["接访领导只适用于来访登记"]})
        reception_leader = inputs.user(reception_leader, "reception_leader", "接访领导")
        if not reception_leader.has_role(Role.LEADER):
            raise InvalidInput("接访领导须为领导角色", fields={"reception_leader": ["接访领导须为领导角色"]})

    receipt = None
    if first_receipt not in (None, ""):  # 首问责任: the staff member who brought the visitor in is the first receiver
        from xinfang.reception.first_receipts import receipt_for_registration, receipt_label

        receipt = receipt_for_registration(value=first_receipt, channel=channel)

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
    dated = registered_at is not None
    if dated and not imported:
        raise InvalidInput("只有历史台账导入可以指定登记时间", fields={"registered_at": ["只有导入可以指定"]})
    registered_at = inputs.moment(registered_at, "registered_at", "登记时间", required=False) or now
    if registered_at > now + timedelta(minutes=10):
        raise InvalidInput("登记时间不能晚于现在", fields={"registered_at": ["登记时间不能晚于现在"]})
    local_now = timezone.localtime(registered_at)
    code, code_hash = new_query_code()
    dispatch_due = timelimits.due_for("dispatch", received_at)
    accept_due = timelimits.due_for("accept", received_at)
    triage_due = None if imported else timelimits.due_for("triage", received_at)  # 当日阅办 (a legacy record was read long ago)
    petition = Petition(
        office=office,
        year=local_now.year,
        query_code_hash=code_hash,
        status=Status.REGISTERED,
        channel=channel,
        external_channel=(external_channel or "")[:64],
        external_id=(external_id or "")[:100],
        received_at=received_at,
        first_receiver=receipt.receiver if receipt is not None else actor,
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
        triage_due_at=triage_due,
        imported=imported,
        legacy_reg_no=(legacy_reg_no or "")[:64],
    )
    petition.due_at = current_due(petition)
    people_rows = [_person_row(person, i, representative=i >= len(people)) for i, person in enumerate([*people, *reps])]
    respondent_rows = []
    for r in cleaned_respondents:
        unit = Unit.objects.filter(name=r["unit"]).first() if r["unit"] else None
        user = r["user"] if isinstance(r["user"], User) else None
        if user is not None and unit is None:
            unit = user.unit
        respondent_rows.append(Respondent(name=r["name"], unit_name=r["unit"], post=r["post"], unit=unit, user=user))
    checked = [read_attachment(a) for a in attachments or ()]
    data = {
        "channel": channel,
        "collective": collective,
        "repeat_of": repeat_of.reg_no if repeat_of else "",
        "reception_leader": reception_leader.username if reception_leader else "",
        "reception_leader_name": reception_leader.display_name if reception_leader else "",
        "matter_ended": petition.matter_ended,
        "dispatch_due_at": dispatch_due.isoformat(),
        "accept_due_at": accept_due.isoformat(),
    }
    if receipt is not None:
        data["first_receipt"] = receipt.pk
        data["first_receiver_name"] = receipt_label(receipt)
    return Registration(
        petition=petition,
        code=code,
        people_rows=people_rows,
        respondent_rows=respondent_rows,
        checked=checked,
        event_data=data,
        actor=actor,
        actor_label=actor_label,
        imported=imported,
        now=now,
        registered_at=registered_at if dated else None,
        first_receipt=receipt,
    )


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
    respondents: Sequence[dict] = (),
    headcount: int = 1,
    representatives: Sequence[dict] = (),
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
    attachments: Sequence = (),
    imported: bool = False,
    legacy_reg_no: str = "",
    first_receipt=None,
    refuse_messages: bool = False,
) -> tuple[Petition, str]:
    """Register a petition. Returns (petition, query_code); the code is shown once and stored hashed. The checks
    and defaults are `prepare_registration`'s.

    actor may be None for the portal/Open311 (then actor_label says who, and `office` is the
    county petition bureau). Nothing refuses registration for who the petitioner is: repeats
    and ended matters are registered and flagged.
    """
    reg = prepare_registration(**locals())
    petition, people_rows, respondent_rows, checked = reg.petition, reg.people_rows, reg.respondent_rows, reg.checked
    # The number is taken as late as it can be. On PostgreSQL the petition's id (and its first event's and chain
    # head's) come from their sequences, so its petitioners, respondents and attachments are written first; then the
    # petition row with the next number and its first event, seal and head in one statement, and last the counter's
    # `UPDATE … RETURNING` (`numbering.write_numbered`). SQLite serialises writers anyway: there the petition row
    # comes first and the register event after the attachments.
    reserved = numbering.reserve_ids(petition.office_id, petition.year)
    if reserved is None:
        numbering.insert_numbered(petition)
    else:
        petition.pk = reserved.petition
    rows: list[Petitioner | Respondent] = [*people_rows, *respondent_rows]
    for row in rows:
        row.petition = petition
    Petitioner.objects.bulk_create(people_rows)
    Respondent.objects.bulk_create(respondent_rows)
    # A respondent whose name and unit match a user is treated as that user until the office clears it (DESIGN.md).
    access_services.presume_respondent_matches(respondent_rows)
    stored = [store_attachment(petition=petition, item=None, actor=actor, checked=c) for c in checked]

    def register_event() -> dict:  # for the number the petition holds now: the event's data names it
        return {
            "action": EventType.REGISTER,
            "actor": actor,
            "actor_label": actor_label,
            "to_status": Status.REGISTERED,
            "data": reg.register_data(attachments=[a.sha256 for a in stored]),
            "public": True,
            "at": reg.now,
            "imported": imported,
        }

    if reserved is None:
        record_event(petition=petition, first_state=state_as_written(petition, people_rows, respondent_rows), **register_event())
    else:
        ids = (reserved.event, reserved.head)
        numbering.write_numbered(
            petition,
            lambda: first_event_rows(
                petition=petition, state=state_as_written(petition, people_rows, respondent_rows), ids=ids, **register_event()
            ),
            last=reserved.last,
        )
    if refuse_messages and not petition.anonymous:
        # 不接收短信: in the same transaction as the register event, so not even the registration message goes out
        from xinfang.messaging.services import set_refusal

        set_refusal(petition=petition, refused=True, via="registration")
    if reg.first_receipt is not None:
        from xinfang.reception.first_receipts import first_receipt_link

        first_receipt_link(receipt=reg.first_receipt, petition=petition, actor=actor)
    if petition.collective and petition.channel == Channel.VISIT and not imported:
        from xinfang.reception.collective import collective_plan_open  # 集体访: the unit's 预案 checklist opens now

        reps = sum(1 for row in people_rows if row.is_representative)
        collective_plan_open(petition=petition, actor=actor, representatives=reps, new=True)
    # The response is built from what was just written (no read-back, nothing decrypted): the related rows are
    # handed over as if prefetched, in the order a read gives them.
    petition._prefetched_objects_cache = {  # type: ignore[attr-defined]  # Django's own prefetch cache
        name: _prefetched(getattr(petition, name), rows)
        for name, rows in (("petitioners", people_rows), ("respondents", respondent_rows), ("attachments", stored))
    }
    if reg.registered_at is not None:  # auto_now_add wrote now
        Petition.objects.filter(pk=petition.pk).update(registered_at=reg.registered_at)
        petition.registered_at = reg.registered_at
    return petition, reg.code


@transaction.atomic
def petition_register_batch(*, registrations: list[Registration]) -> list[Petition]:
    """Write many prepared registrations at once (the legacy import): the same rows petition_register writes, in
    bulk. The numbers are taken last, after the petitioners and respondents (PostgreSQL: the ids come from the
    sequence first; SQLite serialises writers, so there the petitions come first), one `UPDATE … RETURNING` per office
    and year for the whole batch, so they are consecutive and a rollback leaves no gap. Then the petitions (their
    final state: the caller has applied any history), the register events followed by each registration's
    `extra_events`, all chained and sealed by the audit app (`seal_new_petitions`). Attachments are not taken here."""
    from django.db.models import Case, Value, When

    from xinfang.audit.chain import seal_new_petitions

    if not registrations:
        return []
    if any(r.checked for r in registrations):
        raise InvalidInput("批量登记不接收附件", fields={"attachments": ["批量登记不接收附件"]})
    petitions = [r.petition for r in registrations]
    ids = numbering.reserve_petition_ids(len(petitions))
    if ids is None:
        numbering.number_all(petitions)
        Petition.objects.bulk_create(petitions)
    else:
        for p, pk in zip(petitions, ids, strict=True):
            p.pk = pk
    people = [row for r in registrations for row in r.people_rows]
    respondents = [row for r in registrations for row in r.respondent_rows]
    for r in registrations:
        for row in [*r.people_rows, *r.respondent_rows]:
            row.petition = r.petition
    Petitioner.objects.bulk_create(people, batch_size=500)
    Respondent.objects.bulk_create(respondents, batch_size=500)
    access_services.presume_respondent_matches(respondents)
    if ids is not None:
        numbering.number_and_write_all(petitions)
    dated = [(r.petition.pk, r.registered_at) for r in registrations if r.registered_at is not None]
    for i in range(0, len(dated), 500):  # auto_now_add wrote now: the register's own dates, one statement per 500
        chunk = dated[i : i + 500]
        Petition.objects.filter(pk__in=[pk for pk, _ in chunk]).update(
            registered_at=Case(*[When(pk=pk, then=Value(at)) for pk, at in chunk])
        )
    for r in registrations:
        if r.registered_at is not None:
            r.petition.registered_at = r.registered_at

    chains = []
    for r in registrations:
        label = r.actor_label or (getattr(r.actor, "display_name", "") if r.actor is not None else "")
        register = {
            "action": EventType.REGISTER,
            "from_status": "",
            "to_status": Status.REGISTERED,
            "data": r.register_data(attachments=[]),
            "public": True,
            "at": r.now,
        }
        events = [
            PetitionEvent(
                action=e["action"],
                actor=r.actor,
                actor_label=label,
                at=e["at"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                data=e["data"],
                public=e["public"],
                imported=r.imported,
            )
            for e in [register, *r.extra_events]
        ]
        chains.append((r.petition, events))
    seal_new_petitions(chains)
    return petitions


def _prefetched(manager, rows):
    """A related manager's queryset holding `rows`, as `prefetch_related` leaves it (`.all()` answers without a query)."""
    qs = manager.all()
    qs._result_cache, qs._prefetch_done = list(rows), True
    return qs


def _person_row(person: dict, position: int, *, representative: bool) -> Petitioner:
    return Petitioner(
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
        action=EventType.LINK_REPEAT,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"repeat_of": repeat_of.reg_no, "matter_ended": petition.matter_ended},
    )
    return petition
