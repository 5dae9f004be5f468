"""Monthly / quarterly / annual analysis reports (信访情况分析报告) as .docx and .pdf.

`report_data()` gathers every figure through the selectors (aggregates only); `render_docx()`
and `render_pdf()` lay the same data out. The office's own analysis goes where the report
says 【请填写……】.
"""

from __future__ import annotations

import io
from calendar import monthrange
from datetime import date

from django.utils import timezone

from xinfang.core.errors import InvalidInput
from xinfang.core.pdf import FONT, cjk_font, doc_options

from . import breakdowns, charts, selectors
from .kpis import COUNT_LABELS

KINDS = {"monthly": "月度", "quarterly": "季度", "annual": "年度"}
PLACEHOLDER = "【请填写：{}】"


def report_period(kind: str, year: int, number: int | None) -> tuple[date, date, str]:
    """(start, end, label) of a report period; bad input raises InvalidInput."""
    if kind not in KINDS:
        raise InvalidInput("报告类型应为月度、季度或年度", fields={"kind": ["无效的报告类型"]})
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份超出范围", fields={"year": ["年份应在 2000–2100 之间"]})
    if kind == "annual":
        return date(year, 1, 1), date(year, 12, 31), f"{year}年"
    if kind == "quarterly":
        if number not in (1, 2, 3, 4):
            raise InvalidInput("季度应为 1–4", fields={"number": ["季度应为 1–4"]})
        m = (number - 1) * 3 + 1
        return date(year, m, 1), date(year, m + 2, monthrange(year, m + 2)[1]), f"{year}年第{number}季度"
    if number not in range(1, 13):
        raise InvalidInput("月份应为 1–12", fields={"number": ["月份应为 1–12"]})
    return date(year, number, 1), date(year, number, monthrange(year, number)[1]), f"{year}年{number}月"


# What a report compares its period with: (key in the report's data, column heading). An annual report's previous
# period is last year itself, so its second column is the year before that (上年 and 去年同期 would be one column twice).
COMPARISONS = {
    "monthly": (("previous", "上月"), ("last_year", "去年同月")),
    "quarterly": (("previous", "上季度"), ("last_year", "去年同季度")),
    "annual": (("previous", "上年"), ("year_before", "前年")),
}


def comparison_periods(kind: str, start: date, end: date) -> dict[str, tuple[date, date]]:
    """{key: (start, end)} of the period and of each comparison in COMPARISONS[kind] (calendar months, quarters, years)."""
    shifted = breakdowns.shifted_periods(start, end)
    if kind == "annual":
        return {
            "current": (start, end),
            "previous": shifted["previous"],
            "year_before": (date(start.year - 2, 1, 1), date(start.year - 2, 12, 31)),
        }
    return shifted


def pct(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def report_data(*, actor, kind: str, year: int, number: int | None, region: str = "") -> dict:
    start, end, label = report_period(kind, year, number)
    f = selectors.parse_filter(actor, {"start": start.isoformat(), "end": end.isoformat(), "region": region})
    now = timezone.now()
    trends = selectors.kpi_trends(actor=actor, f=f, now=now, periods=comparison_periods(kind, start, end))
    grain = {"monthly": "day", "quarterly": "month", "annual": "month"}[kind]
    b = selectors.stats_breakdowns(actor=actor, f=f, dimensions=["channel", "category", "nature", "township", "handling_unit"])
    league = selectors.stats_league(actor=actor, f=f, now=now)
    hot = selectors.stats_hot_issues(actor=actor, f=f)
    place = f.region.name if f.region else (actor.unit.region.name if actor.unit_id else "全辖区")
    return {
        "kind": kind,
        "title": f"{place}信访情况{KINDS[kind]}分析报告",
        "period_label": label,
        "start": start,
        "end": end,
        "place": place,
        "unit": actor.unit.name if actor.unit_id else "",
        "generated_at": timezone.localtime(now),
        "current": trends["current"],
        "comparisons": [{"key": key, "heading": heading, **trends[key]} for key, heading in COMPARISONS[kind]],
        "series": selectors.stats_series(actor=actor, f=f, grain=grain),
        "breakdowns": b,
        "league": league["rows"],
        "overdue_units": [r for r in league["rows"] if r["overdue"]],
        "supervision_note": league["supervision_note"],
        "hot": hot,
    }


def summary_text(data: dict) -> str:
    c = data["current"]["counts"]
    k = data["current"]["kpis"]
    top = data["breakdowns"]["category"][:3]
    tops = "、".join(f"{r['label']}{r['count']}件" for r in top) or "无"
    compared = "，".join(f"{cmp['heading']}{cmp['counts']['total']}件" for cmp in data["comparisons"])
    return (
        f"{data['period_label']}，{data['place']}共登记信访事项{c['total']}件，{compared}；"
        f"其中集体访{c['collective']}件，越级访{c['cross_level']}件，重复信访{c['repeat']}件。"
        f"初信初访办结率{pct(k['first_time_resolution']['value'])}，按期办结率{pct(k['on_time_completion']['value'])}，"
        f"及时受理率{pct(k['timely_acceptance']['value'])}，满意率{pct(k['satisfaction_rate']['value'])}。"
        f"反映较多的问题：{tops}。截至统计时，尚有超期未办结件{c['overdue']}件。"
    )


def kpi_rows(data: dict) -> list[list[str]]:
    compared = data["comparisons"]
    rows = [["指标", "本期", "分子/分母", *(cmp["heading"] for cmp in compared)]]
    for code, k in data["current"]["kpis"].items():
        rows.append(
            [k["label"], pct(k["value"]), f"{k['numerator']}/{k['denominator']}", *(pct(cmp["kpis"][code]["value"]) for cmp in compared)]
        )
    for code in ("total", "collective", "cross_level", "repeat", "overdue"):
        rows.append([COUNT_LABELS[code], str(data["current"]["counts"][code]), "", *(str(cmp["counts"][code]) for cmp in compared)])
    return rows


def breakdown_rows(rows: list[dict], head: str, limit: int = 15) -> list[list[str]]:
    return [[head, "件数", "占比"]] + [[r["label"], str(r["count"]), pct(r["share"])] for r in rows[:limit]]


def league_rows(rows: list[dict]) -> list[list[str]]:
    out = [["承办单位", "交办", "已答复", "按期办结率", "超期", "退回", "满意率"]]
    for r in rows:
        out.append(
            [
                r["unit_name"],
                str(r["assigned"]),
                str(r["replied"]),
                pct(r["on_time_rate"]),
                str(r["overdue"]),
                str(r["returned"]),
                pct(r["satisfaction_rate"]),
            ]
        )
    return out


def chart_images(data: dict) -> list[tuple[str, bytes]]:
    s = data["series"]["rows"]
    cat = data["breakdowns"]["category"][:10]
    town = data["breakdowns"]["township"][:15]
    return [
        (
            "信访量趋势",
            charts.line_chart(
                "信访量趋势", [r["label"] for r in s], {"登记": [r["total"] for r in s], "按期答复": [r["on_time"] for r in s]}
            ),
        ),
        ("问题类别分布", charts.bar_chart("问题类别分布", [r["label"] for r in cat], [r["count"] for r in cat])),
        ("乡镇分布", charts.bar_chart("乡镇分布", [r["label"] for r in town], [r["count"] for r in town])),
    ]


def sections(data: dict) -> list[tuple[str, list]]:
    """The report's sections, each a list of blocks: ("p", text) | ("table", rows) | ("image", title, png)."""
    images = dict(chart_images(data))
    hot = data["hot"]
    terms = "、".join(f"{t['term']}({t['count']})" for t in hot["terms"][:15]) or "本期无"
    rising = "、".join(f"{r['term']}(+{r['growth']})" for r in hot["rising"]) or "无明显上升话题"
    clusters = [["地点", "问题类别", "件数"]] + [[c["place_name"], c["category_name"], str(c["count"])] for c in hot["clusters"]]
    overdue = league_rows(data["overdue_units"])
    return [
        ("一、总体情况", [("p", summary_text(data))]),
        ("二、主要指标", [("table", kpi_rows(data)), ("p", "说明：指标按登记日期统计，目标值为100%（重复信访率越低越好）。")]),
        ("三、信访量走势", [("image", "信访量趋势", images["信访量趋势"])]),
        (
            "四、反映的主要问题",
            [
                ("table", breakdown_rows(data["breakdowns"]["category"], "问题类别")),
                ("image", "问题类别分布", images["问题类别分布"]),
                ("table", breakdown_rows(data["breakdowns"]["nature"], "性质")),
            ],
        ),
        ("五、信访渠道", [("table", breakdown_rows(data["breakdowns"]["channel"], "渠道"))]),
        ("六、区域分布", [("table", breakdown_rows(data["breakdowns"]["township"], "乡镇")), ("image", "乡镇分布", images["乡镇分布"])]),
        (
            "七、热点问题",
            [
                ("p", f"高频词：{terms}。"),
                ("p", f"上升话题：{rising}。"),
                ("table", clusters) if len(clusters) > 1 else ("p", "本期无明显聚集地点。"),
            ],
        ),
        (
            "八、承办单位办理情况",
            [("table", league_rows(data["league"]))]
            + ([("p", "存在超期件的单位："), ("table", overdue)] if len(overdue) > 1 else [("p", "本期无超期未办结件的单位。")]),
        ),
        (
            "九、形势分析与工作建议",
            [
                ("p", PLACEHOLDER.format("本期信访形势分析（由信访办撰写）")),
                ("p", PLACEHOLDER.format("突出问题及原因")),
                ("p", PLACEHOLDER.format("下一步工作建议")),
            ],
        ),
    ]


# ---- .docx ----------------------------------------------------------------------------


def _cn_font(run, name="宋体", size=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)


def render_docx(data: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cn_font(title.add_run(data["title"]), "黑体", 20)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cn_font(sub.add_run(f"（{data['period_label']}  {data['start']:%Y-%m-%d}至{data['end']:%Y-%m-%d}）"), "宋体", 12)
    for heading, blocks in sections(data):
        h = doc.add_paragraph()
        _cn_font(h.add_run(heading), "黑体", 15)
        for block in blocks:
            if block[0] == "p":
                _cn_font(doc.add_paragraph().add_run(block[1]), "仿宋", 12)
            elif block[0] == "table":
                rows = block[1]
                table = doc.add_table(rows=len(rows), cols=len(rows[0]))
                table.style = "Table Grid"
                for i, row in enumerate(rows):
                    for j, value in enumerate(row):
                        cell = table.cell(i, j)
                        cell.text = ""
                        run = cell.paragraphs[0].add_run(value)
                        _cn_font(run, "宋体", 10.5)
                        run.bold = i == 0
                doc.add_paragraph()
            elif block[0] == "image":
                doc.add_picture(io.BytesIO(block[2]), width=Cm(15))
                cap = doc.add_paragraph()
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _cn_font(cap.add_run(f"图：{block[1]}"), "宋体", 10)
    end = doc.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cn_font(end.add_run(f"{data['unit']}\n{data['generated_at']:%Y年%m月%d日}生成"), "宋体", 12)
    doc.core_properties.title = data["title"]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---- .pdf -----------------------------------------------------------------------------


def render_pdf(data: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    cjk_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, keepWithNext=1)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=data["title"],
        author=data["unit"],
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        **doc_options(),
    )
    story = [
        Paragraph(data["title"], title),
        Paragraph(
            f"（{data['period_label']}  {data['start']:%Y-%m-%d}至{data['end']:%Y-%m-%d}）", ParagraphStyle("sub", parent=body, alignment=1)
        ),
        Spacer(1, 8),
    ]
    for heading, blocks in sections(data):
        story.append(Paragraph(heading, head))
        for block in blocks:
            if block[0] == "p":
                story.append(Paragraph(block[1], body))
            elif block[0] == "table":
                rows = [[Paragraph(v, cell) for v in row] for row in block[1]]
                t = Table(rows, repeatRows=1)
                t.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f2f5")),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ]
                    )
                )
                story += [t, Spacer(1, 6)]
            elif block[0] == "image":
                img = Image(io.BytesIO(block[2]))
                ratio = img.imageHeight / img.imageWidth
                img.drawWidth, img.drawHeight = 16 * cm, 16 * cm * ratio
                story += [img, Paragraph(f"图：{block[1]}", ParagraphStyle("cap", parent=body, alignment=1, fontSize=9))]
    story += [
        Spacer(1, 12),
        Paragraph(f"{data['unit']}　{data['generated_at']:%Y年%-m月%-d日}生成", ParagraphStyle("end", parent=body, alignment=2)),
    ]

    def page_number(canv, doc):
        canv.saveState()
        canv.setFont(FONT, 9)
        canv.drawCentredString(A4[0] / 2, 1.2 * cm, f"— {doc.page} —")
        canv.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()
