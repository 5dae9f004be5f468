"""The monthly record and assessment sheet as .xlsx (openpyxl)."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xinfang.org.models import Unit

HEADERS = ["安全信息员", "报送条数", "每月要求", "缺报条数", "是否达标", "价值高", "有价值", "重大信息", "备注"]


def monthly_sheet_xlsx(*, school: Unit, month: date, rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    ws.append([f"{school.name} 安全信息记录与考核表（{month:%Y年%m月}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r in rows:
        ws.append(
            [
                r["name"],
                r["total"],
                r["quota"],
                r["missed"],
                "达标" if r["met"] else "未达标",
                r["high"],
                r["medium"],
                r["major"],
                "已离岗" if r["ended"] else "",
            ]
        )
    ws.append(
        [
            "合计",
            sum(r["total"] for r in rows),
            "",
            sum(r["missed"] for r in rows),
            "",
            sum(r["high"] for r in rows),
            sum(r["medium"] for r in rows),
            sum(r["major"] for r in rows),
            "",
        ]
    )
    for col, width in zip("ABCDEFGHI", [16, 10, 10, 10, 10, 10, 10, 10, 12], strict=True):
        ws.column_dimensions[col].width = width
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
