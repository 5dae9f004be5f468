"""Export of an assessment score sheet (.xlsx): a summary sheet and every point's line."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

HEAD = PatternFill("solid", fgColor="F0F2F5")


def sheet_xlsx(data: dict) -> bytes:
    sheet, subjects = data["sheet"], data["subjects"]
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"{sheet.scheme.name}（{sheet.start:%Y-%m-%d}至{sheet.end:%Y-%m-%d}，基础分 {sheet.base_points}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["名次", "考核对象", "总分"])
    for s in subjects:
        ws.append([s["rank"], s["name"], float(s["total"])])
    detail = wb.create_sheet("得分明细")
    detail.append(["考核对象", "计分事项", "次数", "每次分值", "得分", "是否封顶"])
    for s in subjects:
        for line in s["lines"]:
            detail.append(
                [s["name"], line["label"], line["count"], float(line["points_each"]), float(line["points"]), "是" if line["capped"] else ""]
            )
    for w in (ws, detail):
        row = 2 if w is ws else 1
        for cell in w[row]:
            cell.font, cell.fill = Font(bold=True), HEAD
        w.column_dimensions["A"].width = 10 if w is ws else 28
        w.column_dimensions["B"].width = 30
    if sheet.notes:
        notes = wb.create_sheet("数据说明")
        for n in sheet.notes:
            notes.append([n])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
