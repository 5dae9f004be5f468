"""The seed's 紧急报告制度: "对本单位内出现的重大紧急信访事项，在15分钟以内向局信访办和教办报告，并采取临时紧急防控措施，
做好劝解疏导工作和安抚工作". The clock runs from discovery; each organ told is a record with its time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput
from xinfang.org.models import Role, Unit, UnitKind
from xinfang.reception import selectors, services
from xinfang.reception.models import ReportingRule, UrgentNote

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 16, 9, 0, tzinfo=SH)


@pytest.fixture
def school_rule(county):
    """A school's rule as the seed writes it: the bureau's 信访办 (the school's superior) and the township's 教办."""
    rule = ReportingRule.objects.create(unit=county.school, external_organs="第1镇教办")
    rule.organs.add(county.dept)
    return rule


def _raise(actor, county, discovered_at, **kw):
    return services.urgent_report_create(
        actor=actor, what="二十余名家长聚集校门口", region=county.townships[0], headcount=20, measures="", discovered_at=discovered_at, **kw
    )


def test_a_report_typed_20_minutes_after_discovery_is_late(county, make_user):
    """15 minutes run from when the matter was found, not from when someone typed it in."""
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        report = _raise(teacher, county, T0)
        assert report.deadline == T0 + timedelta(minutes=15)
        assert report.typed_late and report.overdue_at(T0 + timedelta(minutes=20))
        services.urgent_report_tell(actor=teacher, pk=report.pk, organ=county.dept, method="phone", contact="局信访办值班员")
    report.refresh_from_db()
    assert report.reported_at == T0 + timedelta(minutes=20) and report.late


def test_a_report_typed_at_once_and_told_within_15_minutes_is_on_time(county, make_user, school_rule):
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        report = _raise(teacher, county, T0)
        assert not report.typed_late and not report.overdue_at(T0 + timedelta(minutes=2))
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        services.urgent_report_tell(actor=teacher, pk=report.pk, organ=county.dept, method="phone")
        services.urgent_report_tell(actor=teacher, pk=report.pk, organ_name="第1镇教办", method="phone", contact="教办主任")
    report.refresh_from_db()
    assert not report.late
    rows = selectors.organ_status(report, now=T0 + timedelta(minutes=30))
    assert [(r["name"], r["on_time"], r["required"]) for r in rows] == [("测试县人社局", True, True), ("第1镇教办", True, True)]


def test_the_report_goes_to_the_bureau_and_the_education_office_each_a_record_with_when(county, make_user, school_rule):
    """在15分钟以内向局信访办和教办报告: one organ told in time, the other late, the page shows each."""
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        report = _raise(teacher, county, T0)
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        # phoned the bureau at 9:10 (typed in now), the 教办 only now
        services.urgent_report_tell(actor=teacher, pk=report.pk, organ=county.dept, told_at=T0 + timedelta(minutes=10), method="phone")
        services.urgent_report_tell(actor=teacher, pk=report.pk, organ_name="第1镇教办", method="phone")
        rows = selectors.organ_status(report)
    assert [(r["name"], r["notice"].told_at, r["on_time"]) for r in rows] == [
        ("测试县人社局", T0 + timedelta(minutes=10), True),
        ("第1镇教办", T0 + timedelta(minutes=25), False),
    ]
    report.refresh_from_db()
    assert report.reported_at == T0 + timedelta(minutes=10) and not report.late  # it went upward in time
    assert report.notices.count() == 2


def test_without_a_rule_the_superior_unit_and_the_petition_bureau_are_told(county, make_user):
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    report = _raise(teacher, county, T0)
    assert [o["name"] for o in selectors.organs_to_tell(report.unit)] == ["测试县人社局", "测试县信访局"]
    # an organ not yet told after 15 minutes is flagged
    rows = selectors.organ_status(report, now=T0 + timedelta(minutes=16))
    assert [r["on_time"] for r in rows] == [False, False]


def test_discovered_at_is_required_and_not_in_the_future(county, make_user):
    user = make_user(Role.VIEWER)
    with pytest.raises(InvalidInput) as exc:
        _raise(user, county, None)
    assert exc.value.fields == {"discovered_at": ["请填写发现时间"]}
    with pytest.raises(InvalidInput) as exc:
        _raise(user, county, T0 + timedelta(days=1))
    assert exc.value.fields == {"discovered_at": ["发现时间不能晚于现在"]}
    with pytest.raises(InvalidInput) as exc:
        _raise(user, county, "昨天")
    assert "discovered_at" in exc.value.fields


def test_the_api_answers_a_missing_discovery_time_with_a_structured_error(county, make_user):
    user = make_user(Role.UNIT_HANDLER)
    r = api_client(user).post("/api/v1/reception/urgent-reports/", {"what": "聚集", "region": county.townships[0].code, "headcount": 3})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid" and r.json()["error"]["fields"] == {"discovered_at": ["请填写发现时间"]}
    future = (T0 + timedelta(hours=3)).isoformat()
    r = api_client(user).post(
        "/api/v1/reception/urgent-reports/", {"what": "聚集", "region": county.townships[0].code, "headcount": 3, "discovered_at": future}
    )
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"discovered_at": ["发现时间不能晚于现在"]}
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        r = api_client(user).post(
            "/api/v1/reception/urgent-reports/",
            {"what": "聚集", "region": county.townships[0].code, "headcount": 3, "discovered_at": T0.isoformat()},
        )
        assert r.status_code == 201 and r.json()["typed_late"] is True
        rid = r.json()["id"]
        r = api_client(user).post(
            f"/api/v1/reception/urgent-reports/{rid}/notices/", {"organ": "xfj", "method": "phone", "contact": "值班员"}
        )
        assert r.status_code == 201 and r.json()["late"] is True and r.json()["organ"] == "xfj"
        r = api_client(user).post(f"/api/v1/reception/urgent-reports/{rid}/notes/", {"kind": "counsel", "text": "劝解疏导，引导推选代表"})
        assert r.status_code == 201
        r = api_client(user).post(
            f"/api/v1/reception/urgent-reports/{rid}/notes/", {"kind": "counsel", "text": "x", "at": T0.replace(hour=8).isoformat()}
        )
        assert r.status_code == 400 and r.json()["error"]["fields"] == {"at": ["时间不能早于发现时间"]}
    body = api_client(user).get(f"/api/v1/reception/urgent-reports/{rid}/").json()
    assert body["late"] is True and [n["organ_name"] for n in body["notices"]] == ["测试县信访局"]
    assert [n["kind"] for n in body["notes"]] == ["counsel"]


def test_temporary_measures_and_counselling_are_recorded(county, make_user):
    """并采取临时紧急防控措施，做好劝解疏导工作和安抚工作: each note its own record, with who and when."""
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        report = services.urgent_report_create(
            actor=teacher, what="家长聚集", region=county.townships[0], headcount=12, measures="门卫关闭校门，保持通道", discovered_at=T0
        )
        services.urgent_report_note(actor=teacher, pk=report.pk, kind="counsel", text="校长向家长解释，劝解疏导")
        services.urgent_report_note(actor=teacher, pk=report.pk, kind="comfort", text="安排家长代表到会议室休息")
    assert [(n.kind, n.text) for n in report.notes.all()] == [
        (UrgentNote.Kind.MEASURE, "门卫关闭校门，保持通道"),
        (UrgentNote.Kind.COUNSEL, "校长向家长解释，劝解疏导"),
        (UrgentNote.Kind.COMFORT, "安排家长代表到会议室休息"),
    ]
    with pytest.raises(InvalidInput):
        services.urgent_report_note(actor=teacher, pk=report.pk, kind="other", text="x")


def test_the_report_page_shows_the_organs_and_the_late_flag(client, county, make_user, school_rule):
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school)
    client.force_login(teacher)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        r = client.post(
            "/reception/urgent/new/",
            {"discovered_at": "2026-06-16T09:00", "what": "家长聚集", "region": county.townships[0].pk, "headcount": 12, "measures": ""},
            follow=True,
        )
        body = r.content.decode()
        assert "距发现已超过15分钟，记为超时" in body and "录入时已超过15分钟" in body
        assert "第1镇教办" in body and "测试县人社局" in body and "超时未报" in body
        report = teacher.urgent_reports.get()
        r = client.post(
            f"/reception/urgent/{report.pk}/", {"op": "tell", "organ_name": "第1镇教办", "method": "phone", "told_at": ""}, follow=True
        )
        assert "已记录报告对象" in r.content.decode()
    assert report.notices.get().organ_name == "第1镇教办"
    r = client.post("/reception/urgent/new/", {"what": "x", "region": county.townships[0].pk, "headcount": 1})
    assert "请填写发现时间" in r.content.decode()
    assert Unit.objects.filter(kind=UnitKind.SCHOOL).exists()
