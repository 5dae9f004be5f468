"""Writes for reception days, duty, meetings, urgent reports, mobilisation and collective visits."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.access.policy import OFFICE_ROLES, visible_petitions
from xinfang.core import inputs
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.core.permissions import holds_role, require_role
from xinfang.org.models import Region, Role, Unit, User
from xinfang.petitions.models import Petition
from xinfang.reception.models import (
    Arrival,
    CollectiveVisitResponse,
    DutyLogEntry,
    DutyShift,
    EmergencyGroup,
    Mobilisation,
    NoticeMethod,
    ReceptionDay,
    ResponsePlan,
    ShiftKind,
    UrgentNote,
    UrgentNotice,
    UrgentReport,
    WorkMeeting,
)
from xinfang.supervision.notifications import notify_many

WEDNESDAY = 2
CLOCK_SKEW = timedelta(minutes=2)  # a phone's clock a little ahead of the server's is not "the future"
MAX_DISCOVERY_AGE = timedelta(days=30)
MAX_RANGE_DAYS = 400


def is_manager(actor) -> bool:
    """The office, a leader or the administrator keeps the reception and duty arrangements."""
    return holds_role(actor, *OFFICE_ROLES, Role.LEADER)


def _require_manager(actor):
    require_role(actor, *OFFICE_ROLES, Role.LEADER, message="只有信访办、领导或管理员可以维护接待值班安排")


def _required(errors: dict, field: str, label: str, value) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not value:
        errors[field] = [f"请填写{label}"]
    return value


def _raise(errors: dict):
    if errors:
        raise InvalidInput("；".join(v[0] for v in errors.values()), fields=errors)


def _check_range(start: date, end: date):
    if start is None or end is None:
        raise InvalidInput("请填写起止日期", fields={"start": ["请填写起止日期"]})
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", fields={"end": ["结束日期不能早于开始日期"]})
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput("日期范围不能超过400天", fields={"end": ["日期范围不能超过400天"]})


# ---- reception days ---------------------------------------------------------------------------


@transaction.atomic
def reception_days_generate(*, actor, unit: Unit, start: date, end: date, place: str, leader: User | None = None) -> list[ReceptionDay]:
    """Create the Wednesdays in [start, end] that do not exist yet (existing days are left as they are).

    A Wednesday that is an official holiday moves to the next workday, from the same holiday table as every time limit
    (timelimits.work_calendar()); the day's note says where it came from, and two Wednesdays of one long holiday meet on
    one day. In a year whose holidays are not entered yet a Wednesday stays, flagged in its note for the office to check.
    """
    from xinfang.petitions import timelimits

    _require_manager(actor)
    _check_range(start, end)
    errors: dict = {}
    place = _required(errors, "place", "接待地点", place)
    if unit is None:
        errors["unit"] = ["请选择单位"]
    _raise(errors)
    calendar = timelimits.work_calendar()
    day = start + timedelta(days=(WEDNESDAY - start.weekday()) % 7)
    made = []
    while day <= end:
        target, note = day, ""
        if not calendar.is_known(day.year):
            note = f"{day.year}年节假日尚未录入，如遇节假日请调整接待日"
        elif not calendar.is_workday(day):
            target = calendar.next_workday(day)
            note = f"原定{day.month}月{day.day}日（节假日）顺延"
        obj, created = ReceptionDay.objects.get_or_create(unit=unit, date=target, defaults={"place": place, "leader": leader, "note": note})
        if created:
            made.append(obj)
        elif note and target != day and note not in obj.note:
            # A second Wednesday of the same holiday moved to the same workday: one reception day, both dates noted.
            obj.note = f"{obj.note}；{note}"[:200] if obj.note else note
            obj.save(update_fields=["note"])
        day += timedelta(days=7)
    return made


@transaction.atomic
def reception_day_update(*, actor, pk: int, leader: User | None, place: str, note: str = "") -> ReceptionDay:
    _require_manager(actor)
    day = ReceptionDay.objects.select_for_update().filter(pk=pk).first()
    if day is None:
        raise NotFound("未找到该接待日")
    errors: dict = {}
    place = _required(errors, "place", "接待地点", place)
    if leader is not None and not leader.has_role(Role.LEADER):
        errors["leader"] = ["接访领导须为领导账号"]
    _raise(errors)
    day.leader, day.place, day.note = leader, place, (note or "").strip()
    day.save(update_fields=["leader", "place", "note"])
    return day


# ---- duty -------------------------------------------------------------------------------------


@transaction.atomic
def duty_shift_save(
    *,
    actor,
    unit: Unit,
    date_: date,
    kind: str,
    officer: User | None,
    phone: str,
    leader_on_call: User | None,
    leader_phone: str = "",
) -> DutyShift:
    """Set one unit's duty for one day (the shift row is updated in place; its log is kept)."""
    _require_manager(actor)
    errors: dict = {}
    if unit is None:
        errors["unit"] = ["请选择单位"]
    if date_ is None:
        errors["date"] = ["请填写日期"]
    if kind not in ShiftKind.values:
        errors["kind"] = ["请选择类型"]
    phone = (phone or "").strip()
    if officer is not None and not phone:
        errors["phone"] = ["请填写24小时值班电话"]
    _raise(errors)
    shift, _ = DutyShift.objects.select_for_update().get_or_create(unit=unit, date=date_, defaults={"kind": kind})
    shift.kind, shift.officer, shift.phone = kind, officer, phone
    shift.leader_on_call, shift.leader_phone = leader_on_call, (leader_phone or "").strip()
    shift.save(update_fields=["kind", "officer", "phone", "leader_on_call", "leader_phone"])
    return shift


@transaction.atomic
def duty_log_add(*, actor, shift_id: int, kind: str, text: str) -> DutyLogEntry:
    shift = DutyShift.objects.filter(pk=shift_id).first()
    if shift is None:
        raise NotFound("未找到该值班班次")
    if not (is_manager(actor) or shift.officer_id == actor.pk or shift.leader_on_call_id == actor.pk):
        raise NoPermission("只有当班人员或信访办可以记录值班日志")
    errors: dict = {}
    if kind not in DutyLogEntry.Kind.values:
        errors["kind"] = ["请选择类型"]
    text = _required(errors, "text", "内容", text)
    _raise(errors)
    return DutyLogEntry.objects.create(shift=shift, at=timezone.now(), kind=kind, text=text, by=actor)


# ---- meetings ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    actor,
    unit: Unit,
    date_: date,
    chair: str,
    attendees: str,
    issues: str,
    decisions: str,
    follow_up_owners: str = "",
    reg_nos: list[str] | None = None,
) -> WorkMeeting:
    if not (is_manager(actor) or (actor.unit_id == getattr(unit, "pk", None) and actor.has_role(Role.UNIT_HANDLER))):
        raise NoPermission("无权为该单位登记信访工作会议")
    errors: dict = {}
    if unit is None:
        errors["unit"] = ["请选择单位"]
    if date_ is None:
        errors["date"] = ["请填写会议日期"]
    elif date_ > timezone.localdate():
        errors["date"] = ["会议日期不能晚于今天"]
    chair = _required(errors, "chair", "主持人", chair)
    attendees = _required(errors, "attendees", "参会人员", attendees)
    issues = _required(errors, "issues", "研究的问题", issues)
    decisions = _required(errors, "decisions", "议定事项", decisions)
    reg_nos = [r.strip() for r in (reg_nos or []) if r and r.strip()]
    petitions = list(visible_petitions(actor, Petition.objects.filter(reg_no__in=reg_nos)))
    missing = sorted(set(reg_nos) - {p.reg_no for p in petitions})
    if missing:
        errors["petitions"] = [f"未找到信访件：{'、'.join(missing)}"]
    _raise(errors)
    meeting = WorkMeeting.objects.create(
        unit=unit,
        date=date_,
        chair=chair,
        attendees=attendees,
        issues=issues,
        decisions=decisions,
        follow_up_owners=(follow_up_owners or "").strip(),
        recorded_by=actor,
    )
    meeting.petitions.set(petitions)
    return meeting


# ---- urgent reports ---------------------------------------------------------------------------


def _report_url(report: UrgentReport) -> str:
    return f"/reception/urgent/{report.pk}/"


def default_report_recipients() -> list:
    """Those an urgent report goes to by default: the petition office's office staff and the leaders of the county leadership."""
    return list(
        User.objects.filter(is_active=True)
        .filter(groups__name__in=[Role.OFFICE, Role.LEADER], unit__kind__in=["petition_bureau", "joint_office", "county_leadership"])
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def urgent_report_create(
    *, actor, what: str, region: Region, headcount: int, measures: str, discovered_at, source: str = ""
) -> UrgentReport:
    """Anyone signed in may raise an urgent report. The 15 minutes run from `discovered_at` (when the matter was found,
    required, not in the future): a report typed 20 minutes after discovery is already late."""
    if actor is None or not actor.is_authenticated:
        raise NoPermission("请先登录")
    errors: dict = {}
    what = _required(errors, "what", "事由", what)
    if region is None:
        errors["region"] = ["请选择地点"]
    try:
        headcount = int(headcount)
        if headcount < 0 or headcount > 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["headcount"] = ["人数应为0到100000之间的整数"]
    now = timezone.now()
    try:
        discovered_at = inputs.moment(discovered_at, "discovered_at", "发现时间")
    except InvalidInput as exc:
        errors.update(exc.fields)
    else:
        if discovered_at > now + CLOCK_SKEW:
            errors["discovered_at"] = ["发现时间不能晚于现在"]
        elif now - discovered_at > MAX_DISCOVERY_AGE:
            errors["discovered_at"] = ["发现时间不能早于30天前，请核对"]
    _raise(errors)
    report = UrgentReport.objects.create(
        raised_by=actor,
        unit=actor.unit,
        discovered_at=min(discovered_at, now),
        raised_at=now,
        what=what,
        region=region,
        headcount=headcount,
        measures=(measures or "").strip(),
        source=(source or "").strip()[:100],
    )
    if report.measures:
        UrgentNote.objects.create(report=report, kind=UrgentNote.Kind.MEASURE, text=report.measures, at=now, by=actor)
    return report


def _lock_report(pk: int, version: int | None = None) -> UrgentReport:
    report = UrgentReport.objects.select_for_update().filter(pk=pk).first()
    if report is None:
        raise NotFound("未找到该紧急报告")
    if version is not None and int(version) != report.version:
        raise StaleVersion("该紧急报告已被他人修改，请刷新后重试")
    return report


def can_view_report(actor, report: UrgentReport) -> bool:
    if is_manager(actor) or report.raised_by_id == actor.pk:
        return True
    if report.unit_id and report.unit_id == actor.unit_id:
        return True
    return report.reported_to_users.filter(pk=actor.pk).exists() or (
        actor.unit_id is not None and report.reported_to_units.filter(pk=actor.unit_id).exists()
    )


@transaction.atomic
def urgent_report_send(*, actor, pk: int, to_users: list, to_units: list, note: str = "", version: int | None = None) -> UrgentReport:
    """Record that the report went upward: when and to whom. Late if more than 15 minutes after it was raised."""
    report = _lock_report(pk, version)
    if not can_view_report(actor, report):
        raise NotFound("未找到该紧急报告")
    if report.reported_to_users.exists() or report.reported_to_units.exists():
        raise InvalidTransition("该紧急报告已上报")
    to_users = [u for u in to_users if u is not None]
    to_units = [u for u in to_units if u is not None]
    if not to_users and not to_units:
        raise InvalidInput("请选择报告对象", fields={"to_users": ["请至少选择一个报告对象"]})
    now = timezone.now()
    if report.reported_at is None or now < report.reported_at:
        report.reported_at, report.reported_by = now, actor
    report.report_note = (note or "").strip()
    report.version += 1
    report.save(update_fields=["reported_at", "reported_by", "report_note", "version"])
    report.reported_to_users.set(to_users)
    report.reported_to_units.set(to_units)
    # Each organ reached through the system is a record of who was told and when, like a phone call would be.
    UrgentNotice.objects.bulk_create(
        [
            UrgentNotice(report=report, organ=u, organ_name=u.name, told_at=now, method=NoticeMethod.SYSTEM, recorded_by=actor)
            for u in to_units
        ]
        + [
            UrgentNotice(
                report=report,
                organ=u.unit,
                organ_name=u.unit.name if u.unit_id else u.display_name,
                told_at=now,
                method=NoticeMethod.SYSTEM,
                contact=u.display_name,
                recorded_by=actor,
            )
            for u in to_users
            if not (u.unit_id and u.unit_id in {x.pk for x in to_units})
        ]
    )
    recipients = list(to_users) + list(
        User.objects.filter(unit__in=to_units, is_active=True, groups__name__in=[Role.LEADER, Role.OFFICE]).distinct()
    )
    notify_many(
        recipients=recipients,
        title=f"紧急报告：{report.region.name}，{report.headcount}人",
        body=f"{report.what[:120]}（请签收）",
        url=_report_url(report),
        kind="urgent_report",
        dedupe_key=f"urgent:{report.pk}:sent",
    )
    return report


def _moment_since_discovery(report: UrgentReport, value, field: str, label: str) -> datetime:
    """A time of something done about the report: between its discovery and now (now when not given)."""
    now = timezone.now()
    at = inputs.moment(value, field, label, required=False) or now
    if at > now + CLOCK_SKEW:
        raise inputs.bad(field, f"{label}不能晚于现在")
    if at < report.discovered_at:
        raise inputs.bad(field, f"{label}不能早于发现时间")
    return min(at, now)


@transaction.atomic
def urgent_report_tell(
    *, actor, pk: int, organ: Unit | None = None, organ_name: str = "", told_at=None, method: str = NoticeMethod.PHONE, contact: str = ""
) -> UrgentNotice:
    """Record that one organ (局信访办, 教办, or whatever the unit's rule names) was told, when and how. The first organ
    told is when the report went upward (`reported_at`); each organ's own time is kept and shown against the 15 minutes."""
    report = _lock_report(pk)
    if not can_view_report(actor, report):
        raise NotFound("未找到该紧急报告")
    name = organ.name if organ is not None else inputs.text(organ_name, "organ_name", "报告对象", max_len=100)
    method = inputs.choice(method, NoticeMethod, "method", "报告方式")
    told_at = _moment_since_discovery(report, told_at, "told_at", "报告时间")
    notice = UrgentNotice.objects.create(
        report=report,
        organ=organ,
        organ_name=name,
        told_at=told_at,
        method=method,
        contact=inputs.text(contact, "contact", "接报人", required=False, max_len=64),
        recorded_by=actor,
    )
    if report.reported_at is None or told_at < report.reported_at:
        report.reported_at, report.reported_by = told_at, actor
    report.version += 1
    report.save(update_fields=["reported_at", "reported_by", "version"])
    return notice


@transaction.atomic
def urgent_report_note(*, actor, pk: int, kind: str, text: str, at=None) -> UrgentNote:
    """A 临时紧急防控措施, 劝解疏导 or 安抚 note on the report (who, what, when); notes are added, never edited."""
    report = _lock_report(pk)
    if not can_view_report(actor, report):
        raise NotFound("未找到该紧急报告")
    kind = inputs.choice(kind, UrgentNote.Kind, "kind", "记录类型")
    text = inputs.text(text, "text", "内容", max_len=2000)
    at = _moment_since_discovery(report, at, "at", "时间")
    return UrgentNote.objects.create(report=report, kind=kind, text=text, at=at, by=actor)


@transaction.atomic
def urgent_report_acknowledge(*, actor, pk: int) -> UrgentReport:
    report = _lock_report(pk)
    if report.reported_at is None:
        raise InvalidTransition("该紧急报告尚未上报")
    receivers = report.reported_to_users.filter(pk=actor.pk).exists() or (
        actor.unit_id is not None
        and actor.has_role(Role.LEADER, Role.OFFICE)
        and report.reported_to_units.filter(pk=actor.unit_id).exists()
    )
    if not receivers:
        raise NoPermission("只有报告对象可以签收")
    if report.acknowledged_at is not None:
        raise InvalidTransition("该紧急报告已签收")
    report.acknowledged_by, report.acknowledged_at = actor, timezone.now()
    report.version += 1
    report.save(update_fields=["acknowledged_by", "acknowledged_at", "version"])
    notify_many(
        recipients=[report.raised_by],
        title="紧急报告已签收",
        body=f"{actor.display_name} 已签收",
        url=_report_url(report),
        kind="urgent_ack",
        dedupe_key=f"urgent:{report.pk}:ack",
    )
    return report


@transaction.atomic
def urgent_report_mobilise(
    *, actor, pk: int, group: EmergencyGroup, member_ids: list[int], resource_ids: list[int], note: str = ""
) -> Mobilisation:
    """Mobilise members and resources of an emergency group for the report (recorded)."""
    report = _lock_report(pk)
    if not (is_manager(actor) or (report.unit_id and report.unit_id == actor.unit_id)):
        raise NoPermission("无权调度应急处置工作组")
    if group is None:
        raise InvalidInput("请选择应急处置工作组", fields={"group": ["请选择应急处置工作组"]})
    members = list(group.members.filter(pk__in=member_ids or [], active=True))
    resources = list(group.resources.filter(pk__in=resource_ids or [], active=True))
    if not members and not resources:
        raise InvalidInput("请至少选择一名成员或一项资源", fields={"members": ["请至少选择一名成员或一项资源"]})
    mob = Mobilisation.objects.create(report=report, group=group, note=(note or "").strip(), by=actor, at=timezone.now())
    mob.members.set(members)
    mob.resources.set(resources)
    notify_many(
        recipients=[m.user for m in members if m.user_id],
        title=f"应急调度：{report.region.name}",
        body=report.what[:120],
        url=_report_url(report),
        kind="mobilisation",
        dedupe_key=f"mobilisation:{mob.pk}",
    )
    return mob


def _escalation_recipients(report: UrgentReport, level: int) -> list:
    from xinfang.supervision.selectors import unit_head

    people = [report.raised_by]
    if level >= 2:
        if report.unit_id:
            people += unit_head(report.unit)
        people += default_report_recipients()
    return people


def urgent_report_sweep(*, now: datetime | None = None) -> int:
    """Reminders at 5 and 10 minutes from discovery for reports not yet sent upward; each claimed once by conditional update."""
    now = now or timezone.now()
    sent = 0
    for level, minutes in ((2, 10), (1, 5)):
        pending = UrgentReport.objects.filter(
            reported_at__isnull=True, reminder_level__lt=level, discovered_at__lte=now - timedelta(minutes=minutes)
        )
        for report in pending.select_related("raised_by", "unit", "region"):
            with transaction.atomic():
                claimed = UrgentReport.objects.filter(pk=report.pk, reported_at__isnull=True, reminder_level__lt=level).update(
                    reminder_level=level
                )
                if not claimed:
                    continue
                left = max(0, int((report.deadline - now).total_seconds() // 60))
                notify_many(
                    recipients=_escalation_recipients(report, level),
                    title=f"紧急报告已过{minutes}分钟仍未上报（剩余约{left}分钟）",
                    body=f"{report.region.name}：{report.what[:100]}",
                    url=_report_url(report),
                    kind=f"urgent_reminder_{minutes}",
                    dedupe_key=f"urgent:{report.pk}:remind{minutes}",
                )
                sent += 1
    return sent


# ---- collective visits ------------------------------------------------------------------------


@transaction.atomic
def collective_response_record(
    *, actor, unit: Unit, plan: ResponsePlan | None = None, report: UrgentReport | None = None, representatives: str = "", outcome: str = ""
) -> CollectiveVisitResponse:
    if not (is_manager(actor) or actor.unit_id == getattr(unit, "pk", None)):
        raise NoPermission("无权登记该单位的集体访处置")
    if unit is None:
        raise InvalidInput("请选择责任单位", fields={"unit": ["请选择责任单位"]})
    reps = [r for r in (representatives or "").replace("，", ",").replace("、", ",").split(",") if r.strip()]
    if len(reps) > 5:
        raise InvalidInput("集体访代表不超过5人", fields={"representatives": ["代表不超过5人"]})
    return CollectiveVisitResponse.objects.create(
        unit=unit,
        plan=plan,
        report=report,
        representatives="、".join(r.strip() for r in reps),
        outcome=(outcome or "").strip(),
        created_by=actor,
    )


@transaction.atomic
def arrival_record(*, actor, response_id: int, name: str, is_unit_leader: bool, arrived_at: datetime | None = None, user=None) -> Arrival:
    response = CollectiveVisitResponse.objects.select_for_update().filter(pk=response_id).first()
    if response is None:
        raise NotFound("未找到该处置记录")
    if not (is_manager(actor) or actor.unit_id == response.unit_id):
        raise NoPermission("无权登记到场人员")
    if not (name or "").strip():
        raise InvalidInput("请填写姓名", fields={"name": ["请填写姓名"]})
    return Arrival.objects.create(
        response=response, name=name.strip(), user=user, is_unit_leader=bool(is_unit_leader), arrived_at=arrived_at or timezone.now()
    )
