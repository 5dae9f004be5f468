"""The seed: "坚持每天一名副校级教干带班的信访接待制度" and "节假日期间学校校长及值班人员的手机保持24小时开机。校长外出办事当日
不能返校的向教办报告". Duty coverage follows each unit's rule, gaps show ahead of time; a principal away overnight reports."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Holiday
from xinfang.reception import duty, selectors, services
from xinfang.reception.models import ReportingRule

pytestmark = pytest.mark.django_db
MON, FRI, SAT, SUN = date(2026, 6, 22), date(2026, 6, 26), date(2026, 6, 27), date(2026, 6, 28)


def _lead(people, unit, day, *, officer=None, phone=""):
    return services.duty_shift_save(
        actor=people.office, unit=unit, date_=day, kind="normal", officer=officer, phone=phone, leader_on_call=people.leader
    )


def test_a_school_needs_a_leader_on_duty_every_day(county, people):
    """坚持每天一名副校级教干带班: every workday of the week is checked for the school, not only rest days."""
    for d in range(4):  # Monday to Thursday arranged, Friday forgotten
        _lead(people, county.school, MON + timedelta(days=d))
    gaps = selectors.duty_gaps(start=MON, end=FRI, units=[county.school])
    assert [(g["date"], g["missing"], g["rule"]) for g in gaps] == [(FRI, ["带班领导"], "daily")]


def test_on_rest_days_holiday_duty_needs_an_officer_with_a_24_hour_phone_and_a_leader(county, people):
    """节假日期间……值班人员的手机保持24小时开机: on a rest day the school needs the officer and phone too."""
    _lead(people, county.school, SAT)  # a leader only
    _lead(people, county.school, SUN, officer=people.office, phone="0571-12345678")
    gaps = selectors.duty_gaps(start=SAT, end=SUN, units=[county.school])
    assert [(g["date"], g["missing"], g["rule"]) for g in gaps] == [(SAT, ["值班人员"], "holiday")]
    # the petition bureau keeps holiday duty only: a workday without a shift is no gap
    assert selectors.duty_gaps(start=MON, end=MON, units=[county.office]) == []


def test_each_unit_follows_its_own_rule(county, people):
    duty.duty_rule_save(actor=people.office, unit=county.township_unit, daily_leader=True, holiday_duty=False)
    assert county.township_unit in list(selectors.duty_units())
    gaps = selectors.duty_gaps(start=FRI, end=SAT, units=[county.township_unit])
    assert [(g["date"], g["rule"]) for g in gaps] == [(FRI, "daily"), (SAT, "daily")]
    duty.duty_rule_save(actor=people.office, unit=county.school, daily_leader=False, holiday_duty=True)
    assert selectors.duty_gaps(start=MON, end=FRI, units=[county.school]) == []
    with pytest.raises(NoPermission):
        duty.duty_rule_save(actor=people.handler, unit=county.school, daily_leader=True, holiday_duty=True)


def test_gaps_are_flagged_ahead_on_the_duty_page_and_home(client, county, people):
    Holiday.objects.create(date=timezone.localdate() + timedelta(days=3), name="测试假日")
    client.force_login(people.office)
    body = client.get("/reception/duty/").content.decode()
    assert "测试一中" in body and "缺带班领导" in body
    assert "值班缺口（按各单位规则，30天内）" in client.get("/").content.decode()
    r = client.post("/reception/duty/rules/", {"unit": county.school.pk, "holiday_duty": "on"}, follow=True)
    assert "已保存测试一中的值班规则" in r.content.decode()


def test_a_principal_away_overnight_reports_to_the_education_office(client, county, make_user):
    """校长外出办事当日不能返校的向教办报告."""
    ReportingRule.objects.create(unit=county.school, external_organs="第1镇教办")
    principal = make_user(Role.LEADER, unit=county.school, name="田校长")
    today = timezone.localdate()
    report = duty.away_report(
        actor=principal, leaves_on=today, returns_on=today + timedelta(days=2), purpose="赴市教育局参加培训", acting="杨副校长 13900001111"
    )
    assert (report.reported_to, report.unit, report.principal) == ("第1镇教办", county.school, principal)
    with pytest.raises(InvalidInput) as exc:
        duty.away_report(actor=principal, leaves_on=today, returns_on=today, purpose="县城办事", acting="杨副校长")
    assert exc.value.fields == {"returns_on": ["当日能返校的无需报告；返校日期应晚于外出日期"]}
    client.force_login(principal)
    assert "第1镇教办" in client.get("/reception/away/").content.decode()
    assert "校长外出当日不能返校" in client.get("/").content.decode()
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/reception/away/").status_code == 403
