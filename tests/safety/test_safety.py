from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from xinfang.core.errors import Conflict, InvalidInput, NoPermission, NotFound, StaleVersion
from xinfang.org.models import NetworkPolicy
from xinfang.safety import exports, selectors, services
from xinfang.safety.models import Recognition, SafetyReport

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def file(officer, when, importance="normal", content="教学楼三楼消防栓压力不足"):
    with time_machine.travel(when, tick=False):
        return services.safety_report_file(actor=officer, category="hazard", channel="written", content=content, importance=importance)


def test_month_is_the_calendar_month_in_shanghai(school_net):
    # 23:59 on 31 January in Shanghai is still January although it is 15:59 UTC.
    a = file(school_net.officer, datetime(2026, 1, 31, 23, 59, tzinfo=SH))
    # 00:01 on 1 February in Shanghai is February although UTC still says 31 January.
    b = file(school_net.officer, datetime(2026, 2, 1, 0, 1, tzinfo=SH))
    assert b.reported_at.astimezone(ZoneInfo("UTC")).date() == date(2026, 1, 31)
    assert (a.month, b.month) == (date(2026, 1, 1), date(2026, 2, 1))
    assert selectors.officer_month_count(school_net.post, date(2026, 1, 1)) == 1
    assert selectors.officer_month_count(school_net.post, date(2026, 2, 1)) == 1


def test_year_boundary(school_net):
    a = file(school_net.officer, datetime(2025, 12, 31, 23, 30, tzinfo=SH))
    b = file(school_net.officer, datetime(2026, 1, 1, 0, 0, tzinfo=SH))
    assert (a.month, b.month) == (date(2025, 12, 1), date(2026, 1, 1))


def test_monthly_sheet_counts_quota_and_missed(school_net, django_assert_num_queries):
    s = school_net
    for day in (3, 17):
        file(s.officer, datetime(2026, 3, day, 10, 0, tzinfo=SH))
    file(s.officer2, datetime(2026, 3, 31, 23, 59, tzinfo=SH), importance="major")
    file(s.officer2, datetime(2026, 4, 1, 0, 0, tzinfo=SH))  # April: does not count for March
    file(s.other_officer, datetime(2026, 3, 5, 9, 0, tzinfo=SH))  # another school
    NetworkPolicy.current()
    with django_assert_num_queries(2):  # the policy row and the sheet
        sheet = {r["name"]: r for r in selectors.monthly_sheet(school=s.school, month=date(2026, 3, 1))}
    assert set(sheet) == {"许老师", "周老师", "钱老师"}
    assert (sheet["许老师"]["total"], sheet["许老师"]["missed"], sheet["许老师"]["met"]) == (2, 0, True)
    assert (sheet["周老师"]["total"], sheet["周老师"]["missed"], sheet["周老师"]["major"]) == (1, 1, 1)
    assert (sheet["钱老师"]["total"], sheet["钱老师"]["missed"]) == (0, 2)


def test_quota_is_configurable(school_net):
    policy = NetworkPolicy.current()
    policy.safety_monthly_quota = 3
    policy.save()
    file(school_net.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    row = next(r for r in selectors.monthly_sheet(school=school_net.school, month=date(2026, 3, 1)) if r["name"] == "许老师")
    assert (row["quota"], row["missed"]) == (3, 2)


def test_sheet_xlsx_reads_back(school_net):
    s = school_net
    r = file(s.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    services.safety_report_rate(actor=s.head, report_id=r.pk, version=r.version, rating="high")
    rows = selectors.monthly_sheet(school=s.school, month=date(2026, 3, 1))
    wb = load_workbook(BytesIO(exports.monthly_sheet_xlsx(school=s.school, month=date(2026, 3, 1), rows=rows)))
    ws = wb.active
    assert "测试一中" in ws["A1"].value and "2026年03月" in ws["A1"].value
    data = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert data["许老师"][1:6] == (1, 2, 1, "未达标", 1)
    assert data["钱老师"][1:5] == (0, 2, 2, "未达标")
    assert data["合计"][1] == 1


def test_only_active_officers_file(school_net):
    with pytest.raises(NoPermission):
        services.safety_report_file(actor=school_net.head, category="hazard", channel="oral", content="x")
    with pytest.raises(InvalidInput) as exc:
        services.safety_report_file(actor=school_net.officer, category="gossip", channel="oral", content="x")
    assert "category" in exc.value.fields
    assert SafetyReport.objects.count() == 0


def test_major_item_flagged_and_attended(school_net):
    s = school_net
    r = file(s.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH), importance="major", content="校门口道路护栏被撞断")
    assert list(selectors.report_list(actor=s.head, school=s.school, major_open=True)) == [r]
    with pytest.raises(NotFound):  # another school's officer cannot act on it
        services.safety_report_attend(actor=s.other_officer, report_id=r.pk, version=r.version, note="x")
    r = services.safety_report_attend(actor=s.head, report_id=r.pk, version=r.version, note="已联系交警设置临时护栏")
    assert not selectors.report_list(actor=s.head, school=s.school, major_open=True).exists()
    with pytest.raises(StaleVersion):
        services.safety_report_rate(actor=s.office, report_id=r.pk, version=1, rating="high")


def test_major_item_notifies_head_and_office(school_net, django_capture_on_commit_callbacks):
    notifications = pytest.importorskip("xinfang.supervision.models")
    with django_capture_on_commit_callbacks(execute=True):
        r = file(school_net.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH), importance="major")
    got = set(notifications.Notification.objects.filter(kind="safety_major").values_list("recipient__username", flat=True))
    assert got == {school_net.head.username, school_net.office.username}
    assert r.is_major


def test_advanced_individuals_at_most_two_per_school_and_year(school_net):
    s = school_net
    for officer in (s.officer, s.officer2, s.officer3):
        file(officer, datetime(2026, 5, 3, 10, 0, tzinfo=SH))
    record = selectors.year_record(school=s.school, year=2026)
    assert {r["name"] for r in record} == {"许老师", "周老师", "钱老师"}
    services.recognition_award(actor=s.head, school=s.school, post_id=s.post.pk, kind="advanced", year=2026, reason="全年按时报送")
    with pytest.raises(Conflict):
        services.recognition_award(actor=s.head, school=s.school, post_id=s.post.pk, kind="advanced", year=2026, reason="again")
    services.recognition_award(actor=s.head, school=s.school, post_id=s.post2.pk, kind="advanced", year=2026, reason="信息价值高")
    with pytest.raises(Conflict):
        services.recognition_award(actor=s.head, school=s.school, post_id=s.post3.pk, kind="advanced", year=2026, reason="third")
    with pytest.raises(InvalidInput):  # no reports in 2025
        services.recognition_award(actor=s.head, school=s.school, post_id=s.post3.pk, kind="advanced", year=2025, reason="x")
    with pytest.raises(NoPermission):
        services.recognition_award(actor=s.officer, school=s.school, post_id=s.post3.pk, kind="advanced", year=2025, reason="x")
    assert Recognition.objects.filter(kind="advanced", year=2026).count() == 2


def test_year_record_ranks_by_months_meeting_quota(school_net):
    s = school_net
    for month in (1, 2, 3):
        for day in (5, 6):
            file(s.officer2, datetime(2026, month, day, 10, 0, tzinfo=SH))
    for day in range(1, 6):
        file(s.officer, datetime(2026, 1, day, 10, 0, tzinfo=SH))
    record = selectors.year_record(school=s.school, year=2026)
    assert [(r["name"], r["total"], r["months_met"]) for r in record[:2]] == [("周老师", 6, 3), ("许老师", 5, 1)]


def test_reward_needs_the_officers_report(school_net):
    s = school_net
    r = file(s.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    other = file(s.officer2, datetime(2026, 3, 3, 11, 0, tzinfo=SH))
    with pytest.raises(InvalidInput):
        services.recognition_award(
            actor=s.head, school=s.school, post_id=s.post.pk, kind="major_reward", year=2026, reason="x", report_id=other.pk
        )
    rec = services.recognition_award(
        actor=s.head,
        school=s.school,
        post_id=s.post.pk,
        kind="major_reward",
        year=2026,
        reason="及时报告护栏损坏，避免事故",
        report_id=r.pk,
    )
    assert rec.report == r


def test_failure_to_report_with_revocation_ends_the_post(school_net):
    s = school_net
    with pytest.raises(NoPermission):
        services.reporting_failure_record(
            actor=s.officer2, school=s.school, post_id=s.post.pk, hazard="x", known_on=date(2026, 3, 1), decision="revoke"
        )
    f = services.reporting_failure_record(
        actor=s.head,
        school=s.school,
        post_id=s.post3.pk,
        hazard="实验室漏电未报告",
        known_on=date(2026, 3, 1),
        decision="revoke",
        decision_text="校务会决定",
    )
    s.post3.refresh_from_db()
    assert f.decision == "revoke" and s.post3.ended_on is not None
    with pytest.raises(NoPermission):  # no longer an officer
        services.safety_report_file(actor=s.officer3, category="hazard", channel="oral", content="x")
    f2 = services.reporting_failure_record(
        actor=s.head, school=s.school, post_id=s.post2.pk, hazard="x", known_on=date(2026, 3, 1), decision="discipline"
    )
    s.post2.refresh_from_db()
    assert f2.decision == "discipline" and s.post2.ended_on is None


def test_pages(school_net, client):
    s = school_net
    file(s.officer, datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    client.force_login(s.officer)
    body = client.get("/safety/").content.decode()
    assert "报送安全信息" in body and "/ 2" in body
    assert client.get("/safety/reports/new/").status_code == 200
    resp = client.post(
        "/safety/reports/new/", {"category": "measures", "channel": "sms", "importance": "normal", "content": "召开消防安全会议"}
    )
    assert resp.status_code == 302
    assert "本月安全信息" in client.get("/").content.decode()
    assert client.get(f"/safety/schools/{s.school2.pk}/").status_code == 404
    client.force_login(s.head)
    assert client.get(f"/safety/schools/{s.school.pk}/?month=2026-03").status_code == 200
    resp = client.get(f"/safety/schools/{s.school.pk}/sheet.xlsx?month=2026-03")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    client.force_login(s.other_officer)
    assert client.get(f"/safety/schools/{s.school.pk}/sheet.xlsx").status_code == 404


def test_api_file_and_sheet(school_net, client):
    s = school_net
    client.force_login(s.officer)
    resp = client.post(
        "/api/v1/safety/reports/", {"category": "incident", "channel": "phone", "content": "食堂燃气报警"}, content_type="application/json"
    )
    assert resp.status_code == 201 and resp.json()["officer"] == "许老师"
    bad = client.post("/api/v1/safety/reports/", {"category": "x", "channel": "phone", "content": ""}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"category", "content"}
    month = resp.json()["month"][:7]
    client.force_login(s.head)
    sheet = client.get(f"/api/v1/safety/schools/{s.school.pk}/sheet/?month={month}").json()
    assert {r["name"]: r["total"] for r in sheet["rows"]} == {"许老师": 1, "周老师": 0, "钱老师": 0}
    client.force_login(s.other_officer)
    assert client.get(f"/api/v1/safety/schools/{s.school.pk}/sheet/").json()["error"]["code"] == "not_found"


def test_school_page_queries_do_not_grow_with_reports(school_net, client, django_assert_max_num_queries):
    s = school_net
    for day in range(1, 16):
        file(
            [s.officer, s.officer2, s.officer3][day % 3],
            datetime(2026, 3, day, 10, 0, tzinfo=SH),
            importance="major" if day % 5 == 0 else "normal",
        )
    client.force_login(s.office)
    with django_assert_max_num_queries(25):
        assert client.get(f"/safety/schools/{s.school.pk}/?month=2026-03").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/safety/").status_code == 200


def test_schools_overview_counts_officers_under_quota(school_net, django_assert_num_queries):
    s = school_net
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=False):
        for officer in (s.officer, s.officer, s.officer2):
            services.safety_report_file(actor=officer, category="hazard", channel="oral", content="x")
        NetworkPolicy.current()
        s.office.role_codes  # noqa: B018 (roles loaded once per request)
        with django_assert_num_queries(2):  # the policy row and the overview
            rows = {u.code: u for u in selectors.schools_overview(actor=s.office, month=date(2026, 3, 1))}
    one, two = rows[s.school.code], rows[s.school2.code]
    assert (one.officers, one.month_reports, one.under_quota) == (3, 3, 2)
    assert (two.officers, two.month_reports, two.under_quota) == (1, 0, 1)
