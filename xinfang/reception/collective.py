"""集体访 (the seed's 控制和化解集体访、越级访工作制度): "先控制再化解", a 预案; the visitors' unit's leader on site 第一时间;
the office reports to the superior leader and 知会公安; representatives no more than 5.

Registering a visit of 5 or more people opens a checklist from the registering unit's 预案 (`collective_plan_open`,
called by registration); the office home lists the open ones; the figures count collective visits and how fast the
leader arrived."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import InvalidTransition, NoPermission, NotFound
from xinfang.org.models import Unit
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Channel, Petition, Petitioner
from xinfang.reception.models import Arrival, CollectiveStep, CollectiveVisitResponse, ResponsePlan
from xinfang.reception.services import CLOCK_SKEW, _require_manager, is_manager

MAX_REPRESENTATIVES = 5
FIXED_ITEMS = (
    ("leader", "单位领导第一时间到达现场"),
    ("superior", "报告上级主管领导"),
    ("police", "知会公安等部门派人维持秩序"),
    ("representatives", "推选代表（不超过5人）"),
)


def plan_for(unit: Unit | None, petition: Petition | None = None) -> ResponsePlan | None:
    """The unit's 预案 for this visit: the active plan whose type names the petition's category, else its first one."""
    if unit is None:
        return None
    plans = list(ResponsePlan.objects.filter(unit_id=unit.pk, active=True).order_by("visit_type", "pk"))
    if petition is not None and plans:
        for plan in plans:
            if petition.category.name in plan.visit_type or plan.visit_type in petition.category.name:
                return plan
    return plans[0] if plans else None


def collective_plan_open(
    *, petition: Petition, actor, representatives: int | None = None, new: bool = False
) -> CollectiveVisitResponse | None:
    """Open the checklist of a collective visit (headcount ≥ 5, a visit) as it is registered; once per petition. Runs in
    the registration's transaction, which says the petition is `new` and how many representatives it wrote (two reads
    fewer: the plan and the insert are all it costs)."""
    if not (petition.collective and petition.channel == Channel.VISIT) or actor is None:
        return None
    if not new:
        existing = CollectiveVisitResponse.objects.filter(petition=petition).first()
        if existing is not None:
            return existing
    plan = plan_for(petition.office, petition)
    if representatives is None:
        representatives = Petitioner.objects.filter(petition=petition, is_representative=True).count()
    reps = representatives
    return CollectiveVisitResponse.objects.create(
        petition=petition,
        unit=petition.office,
        plan=plan,
        representatives_count=reps or None,
        opened_at=petition.received_at,
        checklist=plan.checklist if plan else "",
        created_by=actor,
    )


def _response(actor, pk: int, *, lock: bool = True) -> CollectiveVisitResponse:
    qs = CollectiveVisitResponse.objects.select_related("unit", "petition", "plan")
    response = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=pk).first()
    if response is None:
        raise NotFound("未找到该集体访处置")
    if not (is_manager(actor) or actor.unit_id == response.unit_id):
        raise NoPermission("无权处置该集体访")
    return response


def _when(value, field: str, label: str, since: datetime | None) -> datetime:
    now = timezone.now()
    at = inputs.moment(value, field, label, required=False) or now
    if at > now + CLOCK_SKEW:
        raise inputs.bad(field, f"{label}不能晚于现在")
    if since is not None and at < since:
        raise inputs.bad(field, f"{label}不能早于来访时间")
    return min(at, now)


def _open(response):
    if response.closed_at is not None:
        raise InvalidTransition("该集体访已处置完毕")


@transaction.atomic
def collective_leader_arrived(*, actor, pk: int, name: str, at=None, is_unit_leader: bool = True) -> Arrival:
    """上访者单位领导必须在第一时间到达现场: who arrived and when (the unit's leader, or others)."""
    response = _response(actor, pk)
    _open(response)
    name = inputs.text(name, "name", "到场人员", max_len=64)
    arrived = _when(at, "at", "到场时间", response.opened_at)
    return Arrival.objects.create(response=response, name=name, is_unit_leader=bool(is_unit_leader), arrived_at=arrived)


@transaction.atomic
def collective_step_record(*, actor, pk: int, kind: str, person: str, at=None, label: str = "", note: str = "") -> CollectiveStep:
    """信访办及时报告上级主管领导, 知会公安: a record each (who, when); or a step of the 预案 done."""
    response = _response(actor, pk)
    _open(response)
    kind = inputs.choice(kind, CollectiveStep.Kind, "kind", "事项类型")
    if kind == CollectiveStep.Kind.PLAN_STEP:
        label = inputs.text(label, "label", "预案步骤", max_len=200)
        if label not in response.checklist_items():
            raise inputs.bad("label", "该步骤不在本次处置的预案清单中")
    who = {"superior_told": "报告的上级领导", "police_informed": "知会的公安部门及接报人", "plan_step": "落实人"}[kind]
    return CollectiveStep.objects.create(
        response=response,
        kind=kind,
        label=label,
        person=inputs.text(person, "person", who, max_len=100),
        at=_when(at, "at", "时间", response.opened_at),
        note=inputs.text(note, "note", "说明", required=False, max_len=1000),
        by=actor,
    )


@transaction.atomic
def collective_representatives_set(*, actor, pk: int, count) -> CollectiveVisitResponse:
    """引导群众推选代表: how many were chosen, no more than 5 (their names and contacts go on the petition, where the
    identity rules apply)."""
    response = _response(actor, pk)
    _open(response)
    try:
        n = int(inputs.identifier(count))
    except ValueError:
        raise inputs.bad("representatives_count", "请填写推选代表人数") from None
    if n > MAX_REPRESENTATIVES:
        raise inputs.bad("representatives_count", f"集体访代表不超过{MAX_REPRESENTATIVES}人", "代表不超过5人")
    if n < 1:
        raise inputs.bad("representatives_count", "推选代表至少1人")
    response.representatives_count = n
    response.save(update_fields=["representatives_count"])
    return response


@transaction.atomic
def collective_plan_close(*, actor, pk: int, outcome: str) -> CollectiveVisitResponse:
    """处置完毕, with the outcome; one timeline entry on the petition."""
    response = _response(actor, pk)
    _open(response)
    outcome = inputs.text(outcome, "outcome", "处置结果", max_len=2000)
    now = timezone.now()
    response.outcome, response.closed_at, response.closed_by = outcome, now, actor
    response.save(update_fields=["outcome", "closed_at", "closed_by"])
    if response.petition_id:
        petition = Petition.objects.select_for_update().get(pk=response.petition_id)
        minutes = leader_minutes(response)
        record_event(
            petition=petition,
            action=EventType.COLLECTIVE_PLAN,
            actor=actor,
            from_status=petition.status,
            to_status=petition.status,
            data={"outcome": outcome, "note": f"单位领导到场用时{minutes}分钟" if minutes is not None else "单位领导未到场"},
        )
    return response


@transaction.atomic
def plan_save(
    *, actor, unit: Unit | None, visit_type: str, title: str, steps: str, checklist: str = "", active: bool = True, pk: int | None = None
) -> ResponsePlan:
    """集体访处置预案 (the seed: 制定相应的工作预案): its type, steps and the checklist a collective visit opens."""
    _require_manager(actor)
    if unit is None:
        raise inputs.bad("unit", "请选择单位")
    values = {
        "unit": unit,
        "visit_type": inputs.text(visit_type, "visit_type", "类型", max_len=64),
        "title": inputs.text(title, "title", "预案名称", max_len=100),
        "steps": inputs.text(steps, "steps", "处置步骤", max_len=4000),
        "checklist": "\n".join(
            x.strip() for x in inputs.text(checklist, "checklist", "处置清单", required=False).splitlines() if x.strip()
        ),
        "active": bool(active),
    }
    if pk is None:
        return ResponsePlan.objects.create(**values)
    plan = ResponsePlan.objects.select_for_update().filter(pk=pk).first()
    if plan is None:
        raise NotFound("未找到该预案")
    for k, v in values.items():
        setattr(plan, k, v)
    plan.save(update_fields=list(values))
    return plan


# ---- reads ------------------------------------------------------------------------------------


def leader_minutes(response) -> int | None:
    """Minutes from the visit's start to the first arrival of the unit's leader (None while none arrived)."""
    arrivals = [a.arrived_at for a in response.arrivals.all() if a.is_unit_leader]
    if not arrivals or response.opened_at is None:
        return None
    return max(0, int((min(arrivals) - response.opened_at).total_seconds() // 60))


def checklist(response) -> list[dict]:
    """The seed's four items, then the plan's own steps: {key, label, done, detail}."""
    steps = list(response.steps.all())
    leader = next((a for a in sorted(response.arrivals.all(), key=lambda a: (a.arrived_at, a.pk)) if a.is_unit_leader), None)

    def first(kind, label=""):
        return next((s for s in steps if s.kind == kind and (not label or s.label == label)), None)

    superior, police = first(CollectiveStep.Kind.SUPERIOR_TOLD), first(CollectiveStep.Kind.POLICE_INFORMED)
    reps = response.representatives_count or 0
    minutes = leader_minutes(response)
    rows = [
        {
            "key": "leader",
            "label": FIXED_ITEMS[0][1],
            "done": leader is not None,
            "record": leader,
            "detail": f"{leader.name} {timezone.localtime(leader.arrived_at):%H:%M} 到场（用时{minutes}分钟）" if leader else "",
        },
        {
            "key": "superior",
            "label": FIXED_ITEMS[1][1],
            "done": superior is not None,
            "record": superior,
            "detail": f"{superior.person} {timezone.localtime(superior.at):%H:%M}" if superior else "",
        },
        {
            "key": "police",
            "label": FIXED_ITEMS[2][1],
            "done": police is not None,
            "record": police,
            "detail": f"{police.person} {timezone.localtime(police.at):%H:%M}" if police else "",
        },
        {
            "key": "representatives",
            "label": FIXED_ITEMS[3][1],
            "done": bool(reps),
            "record": None,
            "detail": f"已推选{reps}人" if reps else "",
        },
    ]
    for item in response.checklist_items():
        step = first(CollectiveStep.Kind.PLAN_STEP, item)
        rows.append(
            {
                "key": "plan_step",
                "label": item,
                "done": step is not None,
                "record": step,
                "detail": f"{step.person} {timezone.localtime(step.at):%H:%M}" if step else "",
            }
        )
    return rows


def open_plans(actor):
    qs = CollectiveVisitResponse.objects.filter(opened_at__isnull=False, closed_at__isnull=True).select_related("petition", "unit", "plan")
    if not is_manager(actor):
        qs = qs.filter(unit_id=actor.unit_id)
    return qs.prefetch_related("arrivals", "steps").order_by("-opened_at")


def figures(*, start: date, end: date) -> dict:
    """集体访 in [start, end] (by the visit's time): how many, how many with the leader on site and the minutes it took
    (average and slowest), and how many checklists are still open."""
    visits = Petition.objects.filter(collective=True, channel=Channel.VISIT, received_at__date__gte=start, received_at__date__lte=end)
    responses = list(CollectiveVisitResponse.objects.filter(petition__in=visits, opened_at__isnull=False).prefetch_related("arrivals"))
    minutes = [m for m in (leader_minutes(r) for r in responses) if m is not None]
    return {
        "collective_visits": visits.count(),
        "headcount": sum(visits.values_list("headcount", flat=True)),
        "plans": len(responses),
        "open": sum(1 for r in responses if r.closed_at is None),
        "leader_arrived": len(minutes),
        "leader_minutes_avg": round(sum(minutes) / len(minutes)) if minutes else None,
        "leader_minutes_max": max(minutes) if minutes else None,
    }
