"""Writes for supervision: orders, urging, answers, closure, accountability, inspections.

Every step on a petition locks the petition row, writes one timeline event with
`record_event` (a note: status and version of the petition are left as they are) and
defers notifications to after commit.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from xinfang.access.policy import get_visible_petition, supervised_township_paths
from xinfang.core import inputs
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, StaleVersion
from xinfang.org.models import Region, RegionLevel, Role, Unit, User
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import CLOSED_STATUSES, Petition
from xinfang.supervision import selectors
from xinfang.supervision.models import (
    AccountabilityRecord,
    InspectionRecord,
    Matter,
    OrderForm,
    OrderStatus,
    SupervisionOrder,
    Urging,
)
from xinfang.supervision.notifications import notify_many


def _locked_petition(actor, reg_no: str) -> Petition:
    return get_visible_petition(actor, reg_no, for_update=True)


def _can_supervise(actor, petition: Petition) -> bool:
    if selectors.is_supervising_staff(actor):
        return True
    if actor.has_role(Role.SUPERVISOR):
        return any(petition.region.path.startswith(p) for p in supervised_township_paths(actor))
    return False


def _order_url(order: SupervisionOrder) -> str:
    return f"/supervision/orders/{order.pk}/"


@transaction.atomic
def order_issue(*, actor, reg_no: str, form: str, requirements: str, answer_due_at: datetime, unit: Unit | None = None) -> SupervisionOrder:
    """督办: ask the handling unit (or the given unit) to answer by `answer_due_at`."""
    petition = _locked_petition(actor, reg_no)
    if not _can_supervise(actor, petition):
        raise NoPermission("无权对该信访件督办")
    errors = {}
    if form not in OrderForm.values:
        errors["form"] = ["请选择督办方式"]
    target = unit or petition.handling_unit
    if target is None:
        errors["unit"] = ["该件尚未交办承办单位，请指定被督办单位"]
    now = timezone.now()
    if answer_due_at is None:
        errors["answer_due_at"] = ["请填写答复期限"]
    elif answer_due_at <= now:
        errors["answer_due_at"] = ["答复期限应晚于当前时间"]
    if not (requirements or "").strip():
        errors["requirements"] = ["请填写督办要求"]
    if errors:
        raise InvalidInput("；".join(m[0] for m in errors.values()), fields=errors)
    if petition.status in CLOSED_STATUSES:
        raise InvalidTransition("该件已办结或转出，不能督办")
    order = SupervisionOrder.objects.create(
        petition=petition,
        unit=target,
        issued_by=actor,
        issued_at=now,
        form=form,
        requirements=requirements.strip(),
        answer_due_at=answer_due_at,
    )
    record_event(
        petition=petition,
        action=EventType.SUPERVISE,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={
            "order": order.pk,
            "form": form,
            "unit": target.code,
            "answer_due_at": answer_due_at.isoformat(),
            "requirements": order.requirements,
        },
    )
    notify_many(
        recipients=selectors.unit_head(target) + selectors.unit_staff(target),
        title=f"督办：{petition.reg_no}（{OrderForm(form).label}）",
        body=f"请于 {timezone.localtime(answer_due_at):%Y-%m-%d %H:%M} 前答复。要求：{order.requirements}",
        url=_order_url(order),
        kind="supervise",
        dedupe_key=f"order:{order.pk}:issued",
    )
    return order


def _lock_order(actor, pk: int, version: int | None) -> tuple[SupervisionOrder, Petition]:
    order = selectors.get_order(actor, pk)
    petition = Petition.objects.select_for_update().get(pk=order.petition_id)
    order = SupervisionOrder.objects.select_for_update().select_related("unit", "issued_by").get(pk=order.pk)
    if version is not None and int(version) != order.version:
        raise StaleVersion("该督办单已被他人修改，请刷新后重试")
    return order, petition


@transaction.atomic
def order_answer(*, actor, pk: int, answer: str, version: int | None = None) -> SupervisionOrder:
    """The unit answers the order (what it did, when it will finish)."""
    order, petition = _lock_order(actor, pk, version)
    if not (actor.unit_id == order.unit_id and actor.has_role(Role.UNIT_HANDLER, Role.OFFICE)):
        raise NoPermission("只有被督办单位可以答复")
    if order.status != OrderStatus.OPEN:
        raise InvalidTransition("该督办单已答复或已办结")
    answer = inputs.text(answer, "answer", "答复内容", max_len=5000)
    now = timezone.now()
    updated = SupervisionOrder.objects.filter(pk=order.pk, version=order.version, status=OrderStatus.OPEN).update(
        answer=answer, answered_by=actor, answered_at=now, status=OrderStatus.ANSWERED, version=order.version + 1
    )
    if not updated:
        raise StaleVersion("该督办单已被他人修改，请刷新后重试")
    order.refresh_from_db()
    record_event(
        petition=petition,
        action=EventType.SUPERVISION_ANSWER,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"order": order.pk, "unit": order.unit.code, "answer": answer, "late": now > order.answer_due_at},
    )
    notify_many(
        recipients=[order.issued_by],
        title=f"督办单已答复：{petition.reg_no}",
        body=f"{order.unit.name}：{answer[:100]}",
        url=_order_url(order),
        kind="supervision_answer",
        dedupe_key=f"order:{order.pk}:answered",
    )
    return order


@transaction.atomic
def order_close(*, actor, pk: int, note: str = "", version: int | None = None) -> SupervisionOrder:
    order, petition = _lock_order(actor, pk, version)
    if not _can_supervise(actor, petition):
        raise NoPermission("无权办结该督办单")
    if order.status != OrderStatus.ANSWERED:
        raise InvalidTransition("督办单须在单位答复后才能办结")
    now = timezone.now()
    note = (note or "").strip()
    SupervisionOrder.objects.filter(pk=order.pk, version=order.version).update(
        status=OrderStatus.CLOSED, closed_by=actor, closed_at=now, close_note=note, version=order.version + 1
    )
    order.refresh_from_db()
    record_event(
        petition=petition,
        action=EventType.SUPERVISION_CLOSE,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"order": order.pk, "note": note},
    )
    return order


@transaction.atomic
def petition_urge(*, actor, reg_no: str, note: str, order_id: int | None = None) -> Urging:
    """催办: a recorded push on the handling unit; notifies its head and handlers."""
    petition = _locked_petition(actor, reg_no)
    if not _can_supervise(actor, petition):
        raise NoPermission("无权催办该信访件")
    note = inputs.text(note, "note", "催办内容", max_len=2000)
    order = None
    if order_id:
        order = SupervisionOrder.objects.filter(pk=order_id, petition=petition).first()
        if order is None:
            raise InvalidInput("督办单不属于该信访件", fields={"order": ["督办单不属于该信访件"]})
    unit = order.unit if order else petition.handling_unit
    if unit is None:
        raise InvalidInput("该件尚未交办承办单位，无法催办", fields={"note": ["该件尚未交办承办单位"]})
    urging = Urging.objects.create(petition=petition, unit=unit, order=order, by=actor, at=timezone.now(), note=note)
    record_event(
        petition=petition,
        action=EventType.URGE,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"urging": urging.pk, "unit": unit.code, "note": note, "order": order.pk if order else None},
    )
    notify_many(
        recipients=selectors.unit_head(unit) + selectors.unit_staff(unit),
        title=f"催办：{petition.reg_no}",
        body=note,
        url=f"/petitions/{petition.reg_no}/",
        kind="urge",
        dedupe_key=f"urging:{urging.pk}",
    )
    return urging


@transaction.atomic
def accountability_record(
    *,
    actor,
    unit: Unit,
    person_name: str,
    matter: str,
    facts: str,
    decision: str,
    person: User | None = None,
    reg_no: str | None = None,
    decided_at: datetime | None = None,
) -> AccountabilityRecord:
    """问责: record who is held responsible for an overdue, lost or leaked matter and the decision."""
    if not selectors.is_supervising_staff(actor):
        raise NoPermission("只有信访办或领导可以登记责任追究")
    errors = {}
    if matter not in Matter.values:
        errors["matter"] = ["请选择事由"]
    if unit is None:
        errors["unit"] = ["请选择责任单位"]
    if person is not None and not person_name:
        person_name = person.display_name
    for field, label, value in (("person_name", "责任人", person_name), ("facts", "事实经过", facts), ("decision", "处理决定", decision)):
        if not (value or "").strip():
            errors[field] = [f"请填写{label}"]
    if errors:
        raise InvalidInput("；".join(m[0] for m in errors.values()), fields=errors)
    petition = _locked_petition(actor, reg_no) if reg_no else None
    record = AccountabilityRecord.objects.create(
        petition=petition,
        unit=unit,
        person=person,
        person_name=person_name.strip()[:64],
        matter=matter,
        facts=facts.strip(),
        decision=decision.strip(),
        decided_by=actor,
        decided_at=decided_at or timezone.now(),
    )
    if petition is not None:
        record_event(
            petition=petition,
            action=EventType.ACCOUNTABILITY,
            actor=actor,
            from_status=petition.status,
            to_status=petition.status,
            data={"record": record.pk, "unit": unit.code, "matter": matter, "decision": record.decision},
        )
    return record


@transaction.atomic
def inspection_record(*, actor, township: Region, date_: date, findings: str, follow_up: str = "") -> InspectionRecord:
    """督查记录 of a supervisor, in one of the townships their group covers."""
    if not actor.has_role(Role.SUPERVISOR):
        raise NoPermission("只有督查员可以登记督查记录")
    if township is None or township.level != RegionLevel.TOWNSHIP or township.path not in supervised_township_paths(actor):
        raise InvalidInput("只能登记本督查组包联乡镇的督查记录", fields={"township": ["请选择包联乡镇"]})
    if date_ is None or date_ > timezone.localdate():
        raise InvalidInput("督查日期不能晚于今天", fields={"date": ["督查日期不能晚于今天"]})
    findings = inputs.text(findings, "findings", "发现问题", max_len=5000)
    return InspectionRecord.objects.create(
        supervisor=actor, township=township, date=date_, findings=findings, follow_up=(follow_up or "").strip()
    )
