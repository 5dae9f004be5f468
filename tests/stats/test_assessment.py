"""Assessment: configurable scheme, period score sheet with every point, export, versioning."""

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from xinfang.core.errors import InvalidInput, NoPermission, StaleVersion
from xinfang.org.models import NetworkPost, PostRole
from xinfang.stats import services
from xinfang.stats.exports import sheet_xlsx
from xinfang.stats.models import AssessmentRule, Metric
from xinfang.stats.selectors import assessment_sheet

from .fixtures import NOW

RULES = [
    {"metric": Metric.UNIT_ON_TIME, "points": "2", "cap": "3"},
    {"metric": Metric.UNIT_REPLIED_LATE, "points": "-2"},
    {"metric": Metric.UNIT_OVERDUE_OPEN, "points": "-3"},
    {"metric": Metric.UNIT_RETURNED, "points": "-1"},
    {"metric": Metric.UNIT_SATISFIED, "points": "0.5"},
]


@pytest.mark.django_db
def test_unit_sheet_keeps_every_point(kpi_world, make_user, county):
    office = make_user("office")
    scheme = services.scheme_save(actor=office, code="u", name="单位考核", target="unit", rules=RULES)
    sheet = services.sheet_generate(actor=office, scheme=scheme, start=date(2025, 12, 15), end=date(2026, 1, 15), now=NOW)
    data = assessment_sheet(actor=office, pk=sheet.pk)
    by = {s["key"]: s for s in data["subjects"]}
    hr = {line["metric"]: line for line in by["unit:dept-hr"]["lines"]}
    # dept-hr: on time p1 p2 p7 = 3 × 2 = 6, capped at 3; late p3 = -2; returned p4 once = -1; satisfied p1 p2 = +1
    assert (hr["unit_on_time"]["count"], hr["unit_on_time"]["points"], hr["unit_on_time"]["capped"]) == (3, Decimal("3.00"), True)
    assert hr["unit_replied_late"]["points"] == Decimal("-2.00")
    assert hr["unit_returned"]["count"] == 1 and hr["unit_satisfied"]["points"] == Decimal("1.00")
    assert by["unit:dept-hr"]["total"] == Decimal("101.00")
    assert by["unit:dept-land"]["total"] == Decimal("97.00")  # p4 overdue: -3
    assert by["unit:twp-2"]["total"] == Decimal("98.00")  # p12 late: -2
    assert [s["key"] for s in data["subjects"]] == ["unit:dept-hr", "unit:twp-2", "unit:dept-land"]
    wb = load_workbook(io.BytesIO(sheet_xlsx(data)))
    summary = [row for row in wb["汇总"].iter_rows(min_row=3, values_only=True)]
    assert summary[0] == (1, "测试县人社局", 101.0)
    detail = [row for row in wb["得分明细"].iter_rows(min_row=2, values_only=True)]
    assert ("测试县人社局", "按期答复件", 3, 2.0, 3.0, "是") in detail


@pytest.mark.django_db
def test_scheme_edit_is_versioned_and_old_sheet_unchanged(kpi_world, make_user):
    office = make_user("office")
    scheme = services.scheme_save(actor=office, code="u", name="单位考核", target="unit", rules=RULES)
    sheet = services.sheet_generate(actor=office, scheme=scheme, start=date(2025, 12, 15), end=date(2026, 1, 15), now=NOW)
    before = assessment_sheet(actor=office, pk=sheet.pk)["subjects"][0]["total"]
    scheme = services.scheme_save(actor=office, code="u", name="单位考核", target="unit", rules=RULES[:1], version=1)
    assert scheme.version == 2 and scheme.current_rules().count() == 1
    assert AssessmentRule.objects.filter(scheme=scheme).count() == 6  # the old rules are kept
    assert assessment_sheet(actor=office, pk=sheet.pk)["subjects"][0]["total"] == before
    with pytest.raises(StaleVersion):
        services.scheme_save(actor=office, code="u", name="x", target="unit", rules=RULES, version=1)


@pytest.mark.django_db
def test_scheme_validation_and_permission(make_user):
    office = make_user("office")
    with pytest.raises(InvalidInput) as e:
        services.scheme_save(
            actor=office,
            code="n",
            name="网络",
            target="network",
            post_role="info_officer",
            rules=[{"metric": "unit_on_time", "points": "1"}],
        )
    assert "rules.0.metric" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.scheme_save(actor=office, code="n", name="网络", target="unit", rules=[{"metric": "unit_on_time", "points": "abc"}])
    assert "rules.0.points" in e.value.fields
    from xinfang.stats.models import AssessmentScheme

    assert not AssessmentScheme.objects.filter(code="n").exists()
    with pytest.raises(NoPermission):
        services.scheme_save(actor=make_user("leader"), code="n", name="x", target="unit", rules=RULES)


@pytest.mark.django_db
def test_safety_officer_quota_and_failures(county, make_user):
    from xinfang.safety.models import ReportingFailure, SafetyReport

    office = make_user("office")
    officer = make_user("safety_officer")
    post = NetworkPost.objects.create(
        role=PostRole.SAFETY_OFFICER, user=officer, name="安全员甲", school=county.school, start_on=date(2025, 1, 1)
    )
    with time_machine.travel(NOW, tick=False):
        for month, n in ((date(2026, 1, 1), 2), (date(2026, 2, 1), 1)):
            for _ in range(n):
                SafetyReport.objects.create(
                    post=post,
                    school=county.school,
                    reporter=officer,
                    category="other",
                    channel="phone",
                    content="x",
                    reported_at=NOW.replace(month=month.month, day=5),
                    month=month,
                )
        ReportingFailure.objects.create(
            school=county.school,
            post=post,
            hazard="x",
            known_on=date(2026, 2, 1),
            decision="criticism",
            decided_by=office,
            decided_on=date(2026, 2, 3),
        )
    scheme = services.scheme_save(
        actor=office,
        code="s",
        name="安全信息员考核",
        target="network",
        post_role="safety_officer",
        rules=[
            {"metric": Metric.POST_SAFETY_REPORTS, "points": "1"},
            {"metric": Metric.POST_SAFETY_QUOTA_MISSED, "points": "-5"},
            {"metric": Metric.POST_REPORTING_FAILURES, "points": "-10"},
        ],
    )
    sheet = services.sheet_generate(actor=office, scheme=scheme, start=date(2026, 1, 1), end=date(2026, 3, 31), now=NOW)
    s = assessment_sheet(actor=office, pk=sheet.pk)["subjects"][0]
    lines = {line["metric"]: line["count"] for line in s["lines"]}
    # 3 reports; February (1 < 2) and March (0) missed; one failure
    assert lines == {"post_safety_reports": 3, "post_safety_quota_missed": 2, "post_reporting_failures": 1}
    assert s["total"] == Decimal("100") + 3 - 10 - 10


@pytest.mark.django_db
def test_assessment_pages(client, kpi_world, make_user):
    office = make_user("office")
    services.ensure_default_schemes(actor=office)
    client.force_login(office)
    r = client.get("/stats/assessment/")
    assert r.status_code == 200 and "承办单位信访工作考核" in r.content.decode()
    from xinfang.stats.models import AssessmentScheme

    scheme = AssessmentScheme.objects.get(code="unit-default")
    r = client.post("/stats/assessment/", {"scheme": scheme.pk, "start": "2025-12-15", "end": "2026-01-15"})
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert page.status_code == 200 and "测试县人社局" in page.content.decode()
    assert client.get(r["Location"] + "?format=xlsx").content.startswith(b"PK")
    r = client.post("/stats/assessment/", {"scheme": scheme.pk, "start": "2026-02-01", "end": "2026-01-01"})
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode()
    client.force_login(make_user("viewer"))
    assert client.post("/stats/assessment/", {"scheme": scheme.pk, "start": "2025-12-15", "end": "2026-01-15"}).status_code == 200
