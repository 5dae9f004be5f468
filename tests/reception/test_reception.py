"""Reception days, duty gaps, meetings warning, urgent reports (15-minute clock, late flag, reminders), mobilisation."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Holiday
from xinfang.reception import selectors, services
from xinfang.reception.models import EmergencyGroup, EmergencyMember, EmergencyResource, ReceptionDay, ShiftKind
from xinfang.supervision.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_generate_wednesdays_and_warn_on_empty_post(county, people):
    made = services.reception_days_generate(
        actor=people.office,
        unit=county.office,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        place="县信访局接待大厅",
        leader=people.leader,
    )
    assert [d.date for d in made] == [date(2026, 3, 4), date(2026, 3, 11), date(2026, 3, 18), date(2026, 3, 25)]
    assert all(d.date.weekday() == 2 for d in made)
    again = services.reception_days_generate(
        actor=people.office, unit=county.office, start=date(2026, 3, 1), end=date(2026, 3, 31), place="x"
    )
    assert again == []  # idempotent
    assert selectors.reception_day_warnings(start=date(2026, 3, 1), end=date(2026, 3, 31)) == []
    services.reception_day_update(actor=people.office, pk=made[1].pk, leader=None, place="县信访局接待大厅")
    assert [d.date for d in selectors.reception_day_warnings(start=date(2026, 3, 1), end=date(2026, 3, 31))] == [date(2026, 3, 11)]
    with pytest.raises(InvalidInput):
        services.reception_day_update(actor=people.office, pk=made[1].pk, leader=people.handler, place="x")
    with pytest.raises(NoPermission):
        services.reception_days_generate(actor=people.handler, unit=county.office, start=date(2026, 3, 1), end=date(2026, 3, 31), place="x")
    with pytest.raises(InvalidInput):
        services.reception_days_generate(actor=people.office, unit=county.office, start=date(2026, 3, 31), end=date(2026, 3, 1), place="x")


def test_reception_days_skip_public_holidays(county, people):
    """接待日 come from the same holiday table as every time limit: a Wednesday that is a holiday moves to the next workday."""
    made = services.reception_days_generate(
        actor=people.office, unit=county.office, start=date(2025, 9, 24), end=date(2025, 10, 15), place="县信访局接待大厅"
    )
    # 1 and 8 Oct 2025 fall in National Day (1-8 Oct off): both move to Thursday 9 Oct, one reception day noting both.
    assert [d.date for d in made] == [date(2025, 9, 24), date(2025, 10, 9), date(2025, 10, 15)]
    moved = ReceptionDay.objects.get(unit=county.office, date=date(2025, 10, 9))
    assert "原定10月1日（节假日）顺延" in moved.note and "原定10月8日（节假日）顺延" in moved.note
    assert not ReceptionDay.objects.filter(date__in=[date(2025, 10, 1), date(2025, 10, 8)]).exists()
    # 18 Feb 2026 is in the Spring Festival (15-23 Feb off): Tuesday 24 Feb, then the ordinary Wednesday 25 Feb.
    made = services.reception_days_generate(
        actor=people.office, unit=county.office, start=date(2026, 2, 11), end=date(2026, 2, 25), place="县信访局接待大厅"
    )
    assert [(d.date, d.note) for d in made] == [
        (date(2026, 2, 11), ""),
        (date(2026, 2, 24), "原定2月18日（节假日）顺延"),
        (date(2026, 2, 25), ""),
    ]
    # A year whose holidays are not entered: the Wednesday stays, flagged for the office to choose.
    made = services.reception_days_generate(
        actor=people.office, unit=county.office, start=date(2027, 1, 4), end=date(2027, 1, 8), place="x"
    )
    assert [(d.date, d.note) for d in made] == [(date(2027, 1, 6), "2027年节假日尚未录入，如遇节假日请调整接待日")]
    # Once the office enters the day off, the same generator moves it (the table, not chinesecalendar, decides).
    Holiday.objects.create(date=date(2027, 1, 13), is_workday=False, name="测试假日")
    made = services.reception_days_generate(
        actor=people.office, unit=county.office, start=date(2027, 1, 11), end=date(2027, 1, 15), place="x"
    )
    assert [(d.date, d.note) for d in made] == [(date(2027, 1, 14), "原定1月13日（节假日）顺延")]


def test_public_upcoming_days_show_post_title_only(county, people):
    people.leader.post = "副县长"
    people.leader.phone = "13911112222"
    people.leader.save()
    ReceptionDay.objects.create(unit=county.office, date=date(2026, 3, 4), place="接待大厅", leader=people.leader)
    ReceptionDay.objects.create(unit=county.office, date=date(2026, 3, 11), place="接待大厅")
    ReceptionDay.objects.create(unit=county.office, date=date(2026, 2, 25), place="过去")
    days = selectors.upcoming_reception_days(5, today=date(2026, 3, 1))
    assert [d["date"] for d in days] == [date(2026, 3, 4), date(2026, 3, 11)]
    assert days[0]["leader_post"] == "副县长" and days[1]["leader_post"] == "待定"
    flat = repr(days)
    assert "13911112222" not in flat and people.leader.name not in flat


def test_holiday_duty_gaps(county, people):
    # Holiday rows decide first: 2026-10-01..03 are holidays, 2026-10-10 (a Saturday) a make-up workday.
    for d in (1, 2, 3):
        Holiday.objects.create(date=date(2026, 10, d), name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), is_workday=True, name="调休")
    days = selectors.holidays_between(date(2026, 10, 1), date(2026, 10, 11))
    assert date(2026, 10, 1) in days and date(2026, 10, 11) in days and date(2026, 10, 10) not in days and date(2026, 10, 9) not in days
    units = [county.office, county.school]
    for unit in units:
        for d in (1, 2, 3):
            services.duty_shift_save(
                actor=people.office,
                unit=unit,
                date_=date(2026, 10, d),
                kind=ShiftKind.HOLIDAY,
                officer=people.office,
                phone="0571-12345678",
                leader_on_call=people.leader,
            )
    # the school's 2nd has no leader on call
    services.duty_shift_save(
        actor=people.office,
        unit=county.school,
        date_=date(2026, 10, 2),
        kind=ShiftKind.HOLIDAY,
        officer=people.office,
        phone="0571-12345678",
        leader_on_call=None,
    )
    gaps = selectors.duty_gaps(start=date(2026, 10, 1), end=date(2026, 10, 3), units=units)
    assert [(g["date"], g["unit"], g["missing"]) for g in gaps] == [(date(2026, 10, 2), county.school, ["带班领导"])]
    gaps = selectors.duty_gaps(start=date(2026, 10, 1), end=date(2026, 10, 4), units=[county.office])
    assert [(g["date"], g["missing"]) for g in gaps] == [(date(2026, 10, 4), ["值班人员", "带班领导"])]
    with pytest.raises(InvalidInput) as exc:
        services.duty_shift_save(
            actor=people.office,
            unit=county.office,
            date_=date(2026, 10, 5),
            kind="holiday",
            officer=people.office,
            phone="",
            leader_on_call=None,
        )
    assert "phone" in exc.value.fields


def test_duty_log(county, people):
    shift = services.duty_shift_save(
        actor=people.office,
        unit=county.office,
        date_=date(2026, 10, 1),
        kind="holiday",
        officer=people.handler,
        phone="110",
        leader_on_call=people.leader,
    )
    entry = services.duty_log_add(actor=people.handler, shift_id=shift.pk, kind="call", text="群众来电咨询")
    assert entry.by == people.handler
    with pytest.raises(NoPermission):
        services.duty_log_add(actor=people.outsider, shift_id=shift.pk, kind="call", text="x")
    with pytest.raises(InvalidInput):
        services.duty_log_add(actor=people.handler, shift_id=shift.pk, kind="call", text="  ")


def test_meetings_warning_from_the_fourth_quarter(county, people):
    with time_machine.travel(datetime(2026, 9, 20, 10, tzinfo=SH), tick=False):
        services.meeting_record(
            actor=people.office,
            unit=county.dept,
            date_=date(2026, 3, 1),
            chair="局长",
            attendees="班子成员",
            issues="欠薪",
            decisions="专班推进",
        )
        services.meeting_record(
            actor=people.office,
            unit=county.dept,
            date_=date(2026, 9, 1),
            chair="局长",
            attendees="班子成员",
            issues="社保",
            decisions="限期答复",
        )
        services.meeting_record(
            actor=people.office, unit=county.office, date_=date(2026, 6, 1), chair="局长", attendees="全体", issues="积案", decisions="包案"
        )
        assert selectors.meeting_warnings(year=2026) == []  # not yet the fourth quarter
    with time_machine.travel(datetime(2026, 10, 1, 8, tzinfo=SH), tick=False):
        warned = {w["unit"].code: w["count"] for w in selectors.meeting_warnings(year=2026)}
    assert warned == {"xfj": 1, "dept-land": 0, "twp-1": 0, "twp-2": 0, "school-1": 0}
    with pytest.raises(InvalidInput) as exc:
        services.meeting_record(
            actor=people.office, unit=county.dept, date_=date(2026, 3, 1), chair="", attendees="", issues="", decisions="", reg_nos=["NOPE"]
        )
    assert set(exc.value.fields) == {"chair", "attendees", "issues", "decisions", "petitions"}


def test_urgent_report_clock_reminders_and_late_flag(county, people, make_user):
    raiser = make_user(Role.UNIT_HANDLER, unit=county.dept, phone="13900000009")
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        r = services.urgent_report_create(
            discovered_at=timezone.now(),
            actor=raiser,
            what="30余名群众聚集县政府门口",
            region=county.villages[0],
            headcount=30,
            measures="已派人劝导",
        )
        assert r.deadline == t0 + timedelta(minutes=15)
        assert services.urgent_report_sweep() == 0
    with time_machine.travel(t0 + timedelta(minutes=5, seconds=1), tick=False):
        assert services.urgent_report_sweep() == 1
        assert services.urgent_report_sweep() == 0
    assert list(Notification.objects.filter(kind="urgent_reminder_5").values_list("recipient", flat=True)) == [raiser.pk]
    with time_machine.travel(t0 + timedelta(minutes=10, seconds=1), tick=False):
        assert services.urgent_report_sweep() == 1
        assert services.urgent_report_sweep() == 0
    escalated = set(Notification.objects.filter(kind="urgent_reminder_10").values_list("recipient", flat=True))
    assert {raiser.pk, people.head.pk, people.office.pk, people.leader.pk} <= escalated
    with time_machine.travel(t0 + timedelta(minutes=15), tick=False):
        r.refresh_from_db()
        assert not r.overdue_at(t0 + timedelta(minutes=15))
        sent = services.urgent_report_send(actor=raiser, pk=r.pk, to_users=[people.leader], to_units=[county.office], note="已电话报告")
    assert sent.reported_at - sent.raised_at == timedelta(minutes=15) and not sent.late  # exactly 15 minutes is in time
    assert Notification.objects.filter(kind="urgent_report", recipient=people.leader).exists()
    assert Notification.objects.filter(kind="urgent_report", recipient=people.office).exists()  # via the unit
    with pytest.raises(InvalidTransition):
        services.urgent_report_send(actor=raiser, pk=r.pk, to_users=[people.leader], to_units=[])
    with pytest.raises(NoPermission):
        services.urgent_report_acknowledge(actor=people.outsider, pk=r.pk)
    acked = services.urgent_report_acknowledge(actor=people.leader, pk=r.pk)
    assert acked.acknowledged_by == people.leader

    with time_machine.travel(t0, tick=False):
        late = services.urgent_report_create(
            discovered_at=timezone.now(), actor=raiser, what="校门口聚集", region=county.villages[0], headcount=8, measures=""
        )
    with time_machine.travel(t0 + timedelta(minutes=15, seconds=1), tick=False):
        assert late.overdue_at(t0 + timedelta(minutes=15, seconds=1))
        late = services.urgent_report_send(actor=raiser, pk=late.pk, to_users=[people.leader], to_units=[])
    assert late.late


def test_urgent_report_input_and_anyone_may_raise(county, people, make_user):
    viewer = make_user(Role.VIEWER)
    assert services.urgent_report_create(
        discovered_at=timezone.now(), actor=viewer, what="事件", region=county.region, headcount=0, measures=""
    )
    with pytest.raises(InvalidInput) as exc:
        services.urgent_report_create(discovered_at=timezone.now(), actor=viewer, what="", region=None, headcount="many", measures="")
    assert set(exc.value.fields) == {"what", "region", "headcount"}


def test_mobilise_emergency_group(county, people):
    group = EmergencyGroup.objects.create(unit=county.office, name="县信访局应急处置工作组")
    m = EmergencyMember.objects.create(group=group, user=people.handler, name="张组员", duty="现场劝导")
    car = EmergencyResource.objects.create(group=group, kind="vehicle", name="应急车辆", quantity="1辆")
    r = services.urgent_report_create(
        discovered_at=timezone.now(), actor=people.office, what="集体访", region=county.villages[0], headcount=20, measures=""
    )
    mob = services.urgent_report_mobilise(
        actor=people.office, pk=r.pk, group=group, member_ids=[m.pk], resource_ids=[car.pk], note="立即出发"
    )
    assert list(mob.members.all()) == [m] and list(mob.resources.all()) == [car]
    assert Notification.objects.filter(kind="mobilisation", recipient=people.handler).exists()
    with pytest.raises(InvalidInput):
        services.urgent_report_mobilise(actor=people.office, pk=r.pk, group=group, member_ids=[], resource_ids=[])


def test_collective_visit_leader_first(county, people):
    resp = services.collective_response_record(actor=people.office, unit=county.dept, representatives="甲、乙、丙", outcome="")
    assert selectors.leader_arrived_first(resp) is None
    t = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    services.arrival_record(actor=people.office, response_id=resp.pk, name="工作人员", is_unit_leader=False, arrived_at=t)
    services.arrival_record(actor=people.office, response_id=resp.pk, name="局长", is_unit_leader=True, arrived_at=t + timedelta(minutes=5))
    assert selectors.leader_arrived_first(resp) is False
    with pytest.raises(InvalidInput):
        services.collective_response_record(actor=people.office, unit=county.dept, representatives="1,2,3,4,5,6")
