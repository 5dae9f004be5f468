"""The statistics dashboard in Chromium, on a laptop and on a phone: tiles, charts, drill-down."""

import pytest

from tests.e2e.conftest import login
from tests.stats.fixtures import END, START, categories, kpi_world, make_petition  # noqa: F401  (fixtures)


@pytest.mark.django_db(transaction=True)
def test_dashboard_laptop_and_phone(page, phone_page, screenshot, kpi_world, make_user):  # noqa: F811
    make_user("office", username="office-e2e")
    query = f"/stats/?start={START}&end={END}"
    for pg, name in ((page, "laptop"), (phone_page, "phone")):
        login(pg, "office-e2e")
        pg.goto(query)
        pg.wait_for_selector(".chart[data-chart=series] canvas")
        tile = pg.locator("[data-kpi=on_time_completion]")
        assert "60%" in tile.inner_text() and "3" in tile.inner_text()
        assert pg.locator(".chart[data-chart=category] canvas").count() == 1
        screenshot(pg, name)
    page.click("[data-kpi=on_time_completion] a[title='已答复件']")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.drill tbody tr").count() == 5
    screenshot(page, "drill")


@pytest.mark.django_db(transaction=True)
def test_report_download_and_league_on_phone(page, phone_page, screenshot, kpi_world, make_user, tmp_path):  # noqa: F811
    import io

    from docx import Document

    make_user("office", username="office-rep")
    login(page, "office-rep")
    page.goto("/stats/reports/")
    page.select_option("select[name=kind]", "quarterly")
    page.select_option("select[name=year]", "2026")
    page.select_option("select[name=quarter]", "1")
    with page.expect_download() as info:
        page.click("button[value=docx]")
    path = tmp_path / "r.docx"
    info.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    assert "信访情况季度分析报告" in doc.paragraphs[0].text
    screenshot(page, "reports")
    login(phone_page, "office-rep")
    phone_page.goto(f"/stats/league/?start={START}&end={END}")
    assert phone_page.locator("table.league tbody tr").count() == 3
    screenshot(phone_page, "league-phone")
