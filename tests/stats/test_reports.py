"""The report (.docx/.pdf) and the statistical tables (.xlsx) open and hold the right figures."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook

from tests import pdfs
from xinfang.core.errors import InvalidInput
from xinfang.stats import reports, tables

from .fixtures import NOW


@pytest.fixture
def january(kpi_world, make_user):
    with time_machine.travel(NOW, tick=False):
        return reports.report_data(actor=make_user("office"), kind="monthly", year=2026, number=1)


@pytest.mark.django_db
def test_docx_opens_and_holds_the_figures(january):
    doc = Document(io.BytesIO(reports.render_docx(january)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "测试县信访情况月度分析报告" in text
    assert "2026年1月" in text
    assert "共登记信访事项9件" in text  # p3..p9, p11, p12 (p1 p2 registered in December)
    assert "【请填写：本期信访形势分析（由信访办撰写）】" in text
    kpi_table = doc.tables[0]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in kpi_table.rows}
    # January: replied p3 p7 p12, on time p7 only
    assert rows["按期办结率"][1:3] == ["33.33%", "1/3"]
    assert rows["信访总量"][1] == "9"
    assert len(doc.inline_shapes) == 3  # the three charts


@pytest.mark.django_db
def test_pdf_is_a_pdf_with_pages(january):
    data = reports.render_pdf(january)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) >= 3  # several pages: tables and three charts
    pdfs.assert_fonts_embedded(data)  # issue 14: the Chinese font travels with the file (pdffonts: emb yes)
    assert pdfs.is_a4(data)


@pytest.mark.django_db
def test_pdf_is_the_same_file_for_the_same_figures(january):
    """Issue 14: no creation time or random file ID (reportlab invariant): the same report is the same bytes a day later."""
    first = reports.render_pdf(january)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert reports.render_pdf(january) == first


@pytest.mark.django_db
def test_xlsx_opens_and_holds_the_figures(january):
    wb = load_workbook(io.BytesIO(tables.render_xlsx(january)))
    assert wb.sheetnames == ["主要指标", "按渠道", "按问题类别", "按性质", "按乡镇", "承办单位", "趋势"]
    kpi = {row[0]: row for row in wb["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert kpi["按期办结率"][1:4] == (round(1 / 3, 4), 1, 3)
    assert kpi["信访总量"][1] == 9
    channel = {row[0]: row[1] for row in wb["按渠道"].iter_rows(min_row=3, values_only=True)}
    assert channel["来访"] == 2 and channel["合计"] == 9
    town = {row[0]: row[1] for row in wb["按乡镇"].iter_rows(min_row=3, values_only=True)}
    assert town == {"第1镇": 8, "第2镇": 1, "合计": 9}
    units = {row[0]: row for row in wb["承办单位"].iter_rows(min_row=3, values_only=True)}
    assert units["测试县人社局"][1:4] == (2, 2, 1)  # p3, p7 assigned; both replied; p7 on time
    assert units["测试县人社局"][6] == 1  # the return of p4 by a user of the first unit
    assert units["测试县自然资源局"][5] == 1  # p4 overdue


def test_report_period_validation():
    assert reports.report_period("quarterly", 2026, 4)[1].isoformat() == "2026-12-31"
    assert reports.report_period("monthly", 2024, 2)[1].isoformat() == "2024-02-29"
    with pytest.raises(InvalidInput):
        reports.report_period("monthly", 2026, 13)
    with pytest.raises(InvalidInput):
        reports.report_period("weekly", 2026, 1)


@pytest.mark.django_db
def test_kpi_report_command(kpi_world, make_user, tmp_path):
    import json

    from django.core.management import call_command

    make_user("office", username="cmd-office")
    out = io.StringIO()
    call_command("kpi_report", "--user", "cmd-office", "--start", "2025-12-15", "--end", "2026-01-15", "--json", stdout=out)
    assert json.loads(out.getvalue())["kpis"]["on_time_completion"]["denominator"] == 5
    target = tmp_path / "t.xlsx"
    with time_machine.travel(NOW, tick=False):
        call_command(
            "kpi_report",
            "--user",
            "cmd-office",
            "--kind",
            "monthly",
            "--year",
            "2026",
            "--number",
            "1",
            "--xlsx",
            str(target),
            stdout=io.StringIO(),
        )
    assert load_workbook(target)["主要指标"]["B3"].value is not None


@pytest.mark.django_db
def test_annual_report_compares_with_last_year_and_the_year_before(kpi_world, make_user):
    """Issue 18: the annual report's 上期 and 去年同期 were one period (the year before) printed twice."""
    with time_machine.travel(NOW, tick=False):
        data = reports.report_data(actor=make_user("office"), kind="annual", year=2026, number=None)
    compared = {c["heading"]: (c["start"], c["end"], c["counts"]["total"]) for c in data["comparisons"]}
    assert compared == {"上年": ("2025-01-01", "2025-12-31", 3), "前年": ("2024-01-01", "2024-12-31", 0)}  # p1 p2 p10 in December
    doc = Document(io.BytesIO(reports.render_docx(data)))
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header == ["指标", "本期", "分子/分母", "上年", "前年"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in doc.tables[0].rows}
    assert rows["信访总量"][3:] == ["3", "0"]
    assert "上年3件，前年0件" in "\n".join(p.text for p in doc.paragraphs)
    wb = load_workbook(io.BytesIO(tables.render_xlsx(data)))
    assert [c.value for c in wb["主要指标"][2]] == ["指标", "本期", "分子", "分母", "上年", "前年"]


@pytest.mark.django_db
def test_monthly_and_quarterly_reports_compare_with_the_calendar_period_before(kpi_world, make_user):
    """上月 of March is February (not 29 January–28 February); 上季度 of Q1 is Q4 of the year before."""
    office = make_user("office")
    with time_machine.travel(NOW, tick=False):
        march = reports.report_data(actor=office, kind="monthly", year=2026, number=3)
        q1 = reports.report_data(actor=office, kind="quarterly", year=2026, number=1)
    assert [(c["heading"], c["start"], c["end"]) for c in march["comparisons"]] == [
        ("上月", "2026-02-01", "2026-02-28"),
        ("去年同月", "2025-03-01", "2025-03-31"),
    ]
    assert [(c["heading"], c["start"], c["end"]) for c in q1["comparisons"]] == [
        ("上季度", "2025-10-01", "2025-12-31"),
        ("去年同季度", "2025-01-01", "2025-03-31"),
    ]
    assert q1["comparisons"][0]["counts"]["total"] == 3
