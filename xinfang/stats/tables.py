"""信访统计报表 (.xlsx, openpyxl): one sheet per figure family, numbers as numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .kpis import COUNT_LABELS

HEAD_FILL = PatternFill("solid", fgColor="F0F2F5")
BOLD = Font(bold=True)


def _sheet(wb, title: str, caption: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append([caption])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.fill, cell.alignment = BOLD, HEAD_FILL, Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    for i, _ in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(i)].width = 18 if i > 1 else 26
    ws.freeze_panes = "A3"


def render_xlsx(data: dict) -> bytes:
    """`data` is `reports.report_data()`; ratios are written as numbers with a percent format."""
    wb = Workbook()
    wb.remove(wb.active)
    caption = f"{data['title'].replace('分析报告', '统计报表')}（{data['start']:%Y-%m-%d}至{data['end']:%Y-%m-%d}）"
    cur, compared = data["current"], data["comparisons"]
    kpi_rows = []
    for code, k in cur["kpis"].items():
        kpi_rows.append([k["label"], k["value"], k["numerator"], k["denominator"], *(c["kpis"][code]["value"] for c in compared)])
    for code in ("total", "first_time", "repeat", "collective", "cross_level", "overdue"):
        kpi_rows.append([COUNT_LABELS[code], cur["counts"][code], None, None, *(c["counts"][code] for c in compared)])
    _sheet(wb, "主要指标", caption, ["指标", "本期", "分子", "分母", *(c["heading"] for c in compared)], kpi_rows)
    ws = wb["主要指标"]
    for r in range(3, 3 + len(cur["kpis"])):
        for col in ("B", "E", "F"):
            ws[f"{col}{r}"].number_format = "0.00%"
    labels = {
        "channel": ("渠道", "按渠道"),
        "category": ("问题类别", "按问题类别"),
        "nature": ("性质", "按性质"),
        "township": ("乡镇", "按乡镇"),
    }
    for dim, (head, sheet) in labels.items():
        rows = [[r["label"], r["count"], r["share"]] for r in data["breakdowns"][dim]]
        total = sum(r["count"] for r in data["breakdowns"][dim])
        rows.append(["合计", total, 1 if total else None])
        _sheet(wb, sheet, caption, [head, "件数", "占比"], rows)
        for r in range(3, 3 + len(rows)):
            wb[sheet][f"C{r}"].number_format = "0.00%"
    league = [
        [
            r["unit_name"],
            r["assigned"],
            r["replied"],
            r["on_time"],
            r["on_time_rate"],
            r["overdue"],
            r["returned"],
            r["evaluated"],
            r["satisfaction_rate"],
        ]
        for r in data["league"]
    ]
    _sheet(wb, "承办单位", caption, ["承办单位", "交办", "已答复", "按期答复", "按期办结率", "超期", "退回", "已评价", "满意率"], league)
    for r in range(3, 3 + len(league)):
        wb["承办单位"][f"E{r}"].number_format = wb["承办单位"][f"I{r}"].number_format = "0.00%"
    series = [[r["label"], r["total"], r["replied"], r["on_time"], r["repeat"]] for r in data["series"]["rows"]]
    _sheet(wb, "趋势", caption, ["时间", "登记", "已答复", "按期答复", "重复信访"], series)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
