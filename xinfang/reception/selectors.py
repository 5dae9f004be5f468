"""Reads for reception days, duty, meetings and urgent reports, with the warnings the seed asks for."""

from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from xinfang.org.models import Unit, UnitKind
from xinfang.petitions.models import Holiday
from xinfang.reception.models import DutyShift, ReceptionDay, UrgentReport, WorkMeeting

DUTY_UNIT_KINDS = (UnitKind.PETITION_BUREAU, UnitKind.SCHOOL)
MEETING_UNIT_KINDS = (UnitKind.PETITION_BUREAU, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.SCHOOL)
MEETINGS_PER_YEAR = 2


def upcoming_reception_days(limit: int = 8, *, today: date | None = None) -> list[dict]:
    """Public: the next reception days (date, place, the leader's post title only — no name, no phone)."""
    today = today or timezone.localdate()
    days = ReceptionDay.objects.filter(date__gte=today).select_related("leader", "unit").order_by("date", "unit__code")[:limit]
    return [
        {"date": d.date, "place": d.place, "unit": d.unit.name, "leader_post": (d.leader.post or "县领导") if d.leader_id else "待定"}
        for d in days
    ]


def reception_days(*, start: date, end: date, unit_id: int | None = None):
    qs = ReceptionDay.objects.filter(date__gte=start, date__lte=end).select_related("leader", "unit")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("date", "unit__code")


def reception_day_warnings(*, start: date, end: date) -> list[ReceptionDay]:
    """不许空岗: reception days in the range without a leader."""
    return list(reception_days(start=start, end=end).filter(leader__isnull=True))


# ---- holidays and duty ------------------------------------------------------------------------


def holidays_between(start: date, end: date) -> list[date]:
    """Rest days in [start, end]: the Holiday table first (official holidays and 调休 workdays), then
    chinesecalendar where it knows the year, else weekends. One query for the table."""
    rows = {h.date: h.is_workday for h in Holiday.objects.filter(date__gte=start, date__lte=end)}
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - pinned in requirements
        chinese_calendar = None
    days, day = [], start
    while day <= end:
        if day in rows:
            rest = not rows[day]
        else:
            try:
                rest = chinese_calendar.is_holiday(day) if chinese_calendar else day.weekday() >= 5
            except NotImplementedError:
                rest = day.weekday() >= 5
        if rest:
            days.append(day)
        day += timedelta(days=1)
    return days


def duty_rule_of(unit, rules: dict | None = None) -> tuple[bool, bool]:
    """(daily_leader, holiday_duty) for a unit: its own DutyRule, else by kind (the seed: a school keeps a 带班 leader every
    day and holiday duty; the petition bureau keeps holiday duty)."""
    from xinfang.reception.models import DutyRule

    rule = rules.get(unit.pk) if rules is not None else DutyRule.objects.filter(unit=unit).first()
    if rule is not None:
        return rule.daily_leader, rule.holiday_duty
    return unit.kind == UnitKind.SCHOOL, unit.kind in DUTY_UNIT_KINDS


def duty_units():
    """Units with a duty to keep: the petition bureau and schools by default, and any unit with its own rule."""
    return Unit.objects.filter(active=True).filter(Q(kind__in=DUTY_UNIT_KINDS) | Q(duty_rule__isnull=False)).order_by("kind", "code")


def duty_roster(*, start: date, end: date, unit_id: int | None = None):
    qs = DutyShift.objects.filter(date__gte=start, date__lte=end).select_related("unit", "officer", "leader_on_call")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("date", "unit__code")


def duty_gaps(*, start: date, end: date, units=None) -> list[dict]:
    """The gaps of each unit's duty rule in the range, so they show ahead of time: on a rest day a unit with holiday duty
    needs a duty officer with a 24-hour phone and a leader on call (节假日值班); on every day a unit with the daily rule
    needs a leader on call (每天一名副校级教干带班). Returns {date, unit, missing, shift, rule} per gap."""
    from xinfang.reception.models import DutyRule

    units = list(units if units is not None else duty_units())
    rules = {r.unit_id: r for r in DutyRule.objects.filter(unit__in=units)}
    rest = set(holidays_between(start, end))
    shifts = {(s.unit_id, s.date): s for s in DutyShift.objects.filter(date__gte=start, date__lte=end, unit__in=units)}
    gaps = []
    day = start
    while day <= end:
        for unit in units:
            daily, holiday = duty_rule_of(unit, rules)
            shift = shifts.get((unit.pk, day))
            missing, rule = [], ""
            if holiday and day in rest:
                rule = "holiday"
                if shift is None or shift.officer_id is None:
                    missing.append("值班人员")
                elif not shift.phone:
                    missing.append("24小时值班电话")
                if shift is None or shift.leader_on_call_id is None:
                    missing.append("带班领导")
            elif daily and (shift is None or shift.leader_on_call_id is None):
                rule, missing = "daily", ["带班领导"]
            if missing:
                gaps.append({"date": day, "unit": unit, "missing": missing, "shift": shift, "rule": rule})
        day += timedelta(days=1)
    return gaps


# ---- meetings ---------------------------------------------------------------------------------


def meetings(*, year: int, unit_id: int | None = None):
    qs = WorkMeeting.objects.filter(date__year=year).select_related("unit").prefetch_related("petitions")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("-date", "-pk")


def meeting_warnings(*, year: int, today: date | None = None) -> list[dict]:
    """From the fourth quarter on, units with fewer than two petition work meetings in the year."""
    today = today or timezone.localdate()
    if today < date(year, 10, 1):
        return []
    units = (
        Unit.objects.filter(active=True, kind__in=MEETING_UNIT_KINDS)
        .annotate(n=Count("work_meetings", filter=Q(work_meetings__date__year=year)))
        .filter(n__lt=MEETINGS_PER_YEAR)
        .order_by("code")
    )
    return [{"unit": u, "count": u.n} for u in units]


# ---- urgent reports ---------------------------------------------------------------------------


def urgent_reports_for(actor):
    from xinfang.reception.services import is_manager

    qs = UrgentReport.objects.select_related("raised_by", "unit", "region", "acknowledged_by")
    if is_manager(actor):
        return qs.order_by("-raised_at")
    return (
        qs.filter(Q(raised_by=actor) | Q(unit_id=actor.unit_id) | Q(reported_to_users=actor) | Q(reported_to_units=actor.unit_id))
        .distinct()
        .order_by("-raised_at")
    )


def get_urgent_report(actor, pk: int) -> UrgentReport:
    from xinfang.core.errors import NotFound

    report = urgent_reports_for(actor).filter(pk=pk).first()
    if report is None:
        raise NotFound("未找到该紧急报告")
    return report


def organs_to_tell(unit) -> list[dict]:
    """The organs an urgent report of `unit` must reach within 15 minutes: {unit, name} each. The unit's own rule
    (局信访办 and 教办 for a school, as the office sets it) or, without one, its superior unit and the county petition bureau."""
    from xinfang.reception.models import ReportingRule

    rule = ReportingRule.objects.filter(unit=unit).prefetch_related("organs").first() if unit is not None else None
    if rule is not None and (rule.organs.exists() or rule.external_names()):
        return [{"unit": u, "name": u.name} for u in rule.organs.order_by("code")] + [
            {"unit": None, "name": name} for name in rule.external_names()
        ]
    organs = []
    if unit is not None and unit.parent_id and unit.parent.kind != UnitKind.COUNTY_LEADERSHIP:
        organs.append(unit.parent)
    bureau = Unit.objects.filter(active=True, kind=UnitKind.PETITION_BUREAU).order_by("code").first()
    if bureau is not None and bureau not in organs and bureau != unit:
        organs.append(bureau)
    return [{"unit": u, "name": u.name} for u in organs]


def organ_status(report, *, now=None) -> list[dict]:
    """Each organ the report must reach, with its first notice (or None), and whether that was within 15 minutes of
    discovery; then any other organ told. {name, unit, notice, on_time (True/False/None while time is left), required}."""
    now = now or timezone.now()
    notices = list(report.notices.select_related("organ", "recorded_by"))
    rows, used = [], set()
    for organ in organs_to_tell(report.unit):
        match = next(
            (
                n
                for n in notices
                if n.pk not in used and ((organ["unit"] and n.organ_id == organ["unit"].pk) or n.organ_name == organ["name"])
            ),
            None,
        )
        if match is not None:
            used.add(match.pk)
            on_time = not match.late
        else:
            on_time = False if now > report.deadline else None
        rows.append({"name": organ["name"], "unit": organ["unit"], "notice": match, "on_time": on_time, "required": True})
    for n in notices:
        if n.pk not in used:
            rows.append({"name": n.organ_name, "unit": n.organ, "notice": n, "on_time": not n.late, "required": False})
    return rows


def leader_arrived_first(response) -> bool | None:
    """Whether the unit's leader was the first on site (None before anyone arrived)."""
    arrivals = list(response.arrivals.all())
    if not arrivals:
        return None
    first = min(arrivals, key=lambda a: (a.arrived_at, a.pk))
    return first.is_unit_leader


def group_gaps(gaps: list[dict]) -> list[dict]:
    """The gaps per unit: {unit, dates, missing} in unit order, for compact warnings."""
    by_unit: dict = {}
    for g in gaps:
        row = by_unit.setdefault(g["unit"].pk, {"unit": g["unit"], "dates": [], "missing": []})
        row["dates"].append(g["date"])
        for m in g["missing"]:
            if m not in row["missing"]:
                row["missing"].append(m)
    return sorted(by_unit.values(), key=lambda r: (r["unit"].kind != "petition_bureau", r["unit"].code))
