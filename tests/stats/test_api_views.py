"""The statistics API and pages: shapes, errors, roles and the drill-down's access scope."""

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.tokens import api_client
from xinfang.petitions.models import Respondent

from .fixtures import END, KPI_EXPECTED, NOW, START

Q = {"start": START, "end": END}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_kpi_endpoint_shape(kpi_world, make_user):
    r = api_client(make_user("leader")).get("/api/v1/stats/kpis/", Q)
    assert r.status_code == 200
    body = r.json()
    for code, (num, den) in KPI_EXPECTED.items():
        k = body["kpis"][code]
        assert (k["numerator"], k["denominator"]) == (num, den)
        assert k["value"] == round(num / den, 4)
    assert body["counts"]["total"] == 10 and body["counts"]["overdue"] == 2
    assert body["counts"]["by_channel"] == {"letter": 6, "visit": 2, "online": 1, "phone": 1}
    assert body["counts"]["by_category"] == {"labour": 8, "land": 2}
    assert body["period"] == {"start": START, "end": END, "region": None}


@pytest.mark.django_db
def test_kpi_endpoint_errors(make_user):
    r = api_client(make_user("office")).get("/api/v1/stats/kpis/", {"start": "bad"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid" and "start" in r.json()["error"]["fields"]
    r = api_client(make_user("office")).get("/api/v1/stats/kpis/", {"region": "nowhere"})
    assert r.status_code == 400 and "region" in r.json()["error"]["fields"]
    r = api_client(make_user("unit_handler")).get("/api/v1/stats/kpis/")
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert APIClient().get("/api/v1/stats/kpis/").status_code == 401


@pytest.mark.django_db
def test_other_endpoints(kpi_world, make_user):
    c = api_client(make_user("office"))
    assert c.get("/api/v1/stats/trends/", Q).json()["previous"]["start"] == "2025-11-13"
    b = c.get("/api/v1/stats/breakdowns/", {**Q, "dimension": "nature,township"}).json()["breakdowns"]
    assert set(b) == {"nature", "township"}
    assert c.get("/api/v1/stats/breakdowns/", {**Q, "dimension": "colour"}).status_code == 400
    assert c.get("/api/v1/stats/series/", {**Q, "grain": "month"}).json()["rows"][1]["total"] == 8
    assert c.get("/api/v1/stats/series/", {**Q, "grain": "hour"}).status_code == 400
    assert len(c.get("/api/v1/stats/league/", Q).json()["rows"]) == 3
    assert c.get("/api/v1/stats/hot-issues/", Q).json()["terms"][0]["term"]


@pytest.mark.django_db
def test_drill_down_api_and_viewer_refused(kpi_world, make_user):
    r = api_client(make_user("office")).get("/api/v1/stats/kpis/on_time_completion/petitions/", {**Q, "part": "miss"})
    assert r.status_code == 200
    assert {p["reg_no"] for p in r.json()["results"]} == {kpi_world["p3"].reg_no, kpi_world["p12"].reg_no}
    assert "petitioners" not in r.json()["results"][0]
    viewer = make_user("viewer")
    assert api_client(viewer).get("/api/v1/stats/kpis/", Q).json()["kpis"]["on_time_completion"]["numerator"] == 3  # aggregates: yes
    r = api_client(viewer).get("/api/v1/stats/kpis/on_time_completion/petitions/", Q)
    assert r.status_code == 403  # individual petitions: no
    assert api_client(make_user("office")).get("/api/v1/stats/kpis/nope/petitions/", Q).status_code == 400


@pytest.mark.django_db
def test_drill_down_respects_scope(kpi_world, make_user, county):
    """A leader in the second township's government sees only that township's petitions behind a figure."""
    leader2 = make_user("leader", unit=county.township_unit2)
    r = api_client(leader2).get("/api/v1/stats/kpis/total/petitions/", Q)
    assert [p["reg_no"] for p in r.json()["results"]] == [kpi_world["p12"].reg_no]
    # A county office user recorded as a respondent of p3 does not see it in any list.
    office = make_user("office")
    Respondent.objects.create(petition=kpi_world["p3"], name="x", user=office)
    regs = {p["reg_no"] for p in api_client(office).get("/api/v1/stats/kpis/total/petitions/", Q).json()["results"]}
    assert kpi_world["p3"].reg_no not in regs and len(regs) == 9


@pytest.mark.django_db
def test_unit_handler_drill_down_sees_only_its_own(kpi_world, make_user, county):
    """Unit handlers have no statistics pages; their scope in the selector is their own unit only."""
    from xinfang.access.policy import visible_petitions
    from xinfang.petitions.models import Petition
    from xinfang.stats import kpis

    handler = make_user("unit_handler", unit=county.dept2)
    qs = visible_petitions(handler, Petition.objects.filter(kpis.figure_filter("total", "den", NOW)))
    assert list(qs.values_list("reg_no", flat=True)) == [kpi_world["p4"].reg_no]


@pytest.mark.django_db
def test_pages(client, kpi_world, make_user):
    client.force_login(make_user("office"))
    r = client.get("/stats/", Q)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-kpi="on_time_completion"' in html and "60%" in html and 'id="stats-data"' in html
    assert "<script>" not in html and "style=" not in html
    r = client.get("/stats/kpi/on_time_completion/", {**Q, "part": "miss"})
    assert r.status_code == 200 and kpi_world["p3"].reg_no in r.content.decode()
    assert client.get("/stats/league/", Q).status_code == 200
    assert "征地补偿" in client.get("/stats/hot/", Q).content.decode()
    assert client.get("/stats/reports/").status_code == 200
    r = client.get("/stats/", {"start": "2026-02-30"})
    assert r.status_code == 200 and "开始日期格式" in r.content.decode()


@pytest.mark.django_db
def test_report_downloads(client, kpi_world, make_user):
    client.force_login(make_user("office"))
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        r = client.get("/stats/reports/", {"kind": "quarterly", "year": 2026, "number": 1, "format": fmt})
        assert r.status_code == 200 and r.content.startswith(magic), fmt
        assert "filename*=UTF-8''" in r["Content-Disposition"]
    r = client.get("/stats/reports/", {"kind": "quarterly", "year": 2026, "number": 7, "format": "docx"})
    assert r.status_code == 200 and "季度应为 1–4" in r.content.decode()


@pytest.mark.django_db
def test_viewer_gets_dashboard_without_drill_links(client, kpi_world, make_user):
    client.force_login(make_user("viewer"))
    html = client.get("/stats/", Q).content.decode()
    assert 'data-kpi="on_time_completion"' in html and "/stats/kpi/" not in html
    assert client.get("/stats/kpi/total/", Q).status_code == 403
    client.force_login(make_user("unit_handler"))
    assert client.get("/stats/", Q).status_code == 403


@pytest.mark.django_db
def test_home_panel(client, kpi_world, make_user):
    client.force_login(make_user("leader"))
    html = client.get("/").content.decode()
    assert "信访总量" in html and "/stats/?start=" in html
    client.force_login(make_user("unit_handler"))
    assert "当前超期件" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_drill_down_page_has_no_n_plus_one(client, kpi_world, make_user, make_petition, django_assert_max_num_queries):
    from .fixtures import at

    client.force_login(make_user("office"))
    client.get("/stats/kpi/total/", Q)  # warm the session and caches
    with django_assert_max_num_queries(13) as ctx:  # 13 since the respondent block is read once per request
        client.get("/stats/kpi/total/", Q)
    before = len(ctx.captured_queries)
    for day in range(1, 11):
        make_petition(at(2026, 1, day), status="registered")
    with django_assert_max_num_queries(before):
        r = client.get("/stats/kpi/total/", Q)
    assert r.context["page"].paginator.count == 20
