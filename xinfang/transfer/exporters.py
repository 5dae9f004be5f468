"""Export any petition list the user can see to .csv (streamed) and .xlsx (openpyxl write_only).

The rows come from `petitions.selectors.petition_list` with the same filters as the worklist
page and the API, so scope and the respondent block are the access policy's; identity goes
through `policy.identities_for_list` (masked for a confidential petition unless the user holds
the right; every unmasked batch is logged in the access log, purpose “导出列表”).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from xinfang.access import policy
from xinfang.petitions import selectors
from xinfang.petitions.models import Petitioner

FILTER_KEYS = (
    "bucket",
    "status",
    "overdue",
    "channel",
    "category",
    "region",
    "handling_unit",
    "nature",
    "q",
    "registered_from",
    "registered_to",
)
BATCH = 500


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # characters, as Excel counts them (a CJK character is about 2)
    kind: str = "text"  # text | long (wrapped) | when (a real date-time cell) | number | id (digits kept as text)


# One list for both formats: title, printed width and what the cell holds.
COLUMNS = [
    Column("登记编号", 17),
    Column("原登记编号", 13),
    Column("收到时间", 15.5, "when"),
    Column("登记时间", 15.5, "when"),
    Column("渠道", 7),
    Column("性质", 8),
    Column("问题类别", 10, "long"),
    Column("问题发生地", 11, "long"),
    Column("信访人", 9, "long"),
    Column("身份证号", 19, "id"),
    Column("联系电话", 13, "id"),
    Column("人数", 5, "number"),
    Column("保密", 5),
    Column("主要问题", 34, "long"),
    Column("诉求", 18, "long"),
    Column("状态", 8),
    Column("承办单位", 13, "long"),
    Column("当前期限", 15.5, "when"),
    Column("超期", 5),
    Column("答复时间", 15.5, "when"),
    Column("满意度", 8),
]
HEADERS = [c.title for c in COLUMNS]
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def filters_from(query) -> dict:
    """The list filters from a query string (the same names as the worklist page and the API)."""
    return {k: query.get(k) for k in FILTER_KEYS if query.get(k)}


def _local(dt):
    """An aware time as the site's wall-clock time without a zone (what a spreadsheet cell holds), or None."""
    return timezone.localtime(dt).replace(tzinfo=None, microsecond=0) if dt else None


def export_rows(*, actor, filters: dict, path: str = "") -> Iterator[list]:
    """Yield the header, then one list of cell values per visible petition, in the list's order (batches of 500).
    Times are naive local datetimes (None when absent): each writer gives them the form its format needs."""
    qs = selectors.petition_list(actor=actor, filters=filters).prefetch_related(
        Prefetch("petitioners", queryset=Petitioner.objects.order_by("position", "pk"))
    )
    now = timezone.now()
    yield list(HEADERS)
    batch = []
    for p in qs.iterator(chunk_size=BATCH):
        batch.append(p)
        if len(batch) >= BATCH:
            yield from _batch_rows(actor, batch, now, path)
            batch = []
    if batch:
        yield from _batch_rows(actor, batch, now, path)


def _batch_rows(actor, petitions, now, path) -> Iterator[list]:
    # Adapter: these rows came through policy.visible_petitions, so the policy's per-petition
    # can_see() (one EXISTS query each) is seeded for the batch and both caches are dropped
    # after it (a million-row export must not keep a million cache entries).
    seen = actor.__dict__.setdefault("_xf_can_see", {})
    for p in petitions:
        seen[p.pk] = True
    try:
        people = policy.identities_for_list(actor, petitions, purpose="导出列表", path=path)
    finally:
        fields_cache = actor.__dict__.get("_xf_identity_fields", {})
        for p in petitions:
            seen.pop(p.pk, None)
            fields_cache.pop((p.pk, p.confidential, p.nature), None)
    for p in petitions:
        ids = people.get(p.pk, [])
        overdue = bool(p.due_at and p.due_at < now)
        yield [
            p.reg_no,
            p.legacy_reg_no,
            _local(p.received_at),
            _local(p.registered_at),
            p.get_channel_display(),
            p.get_nature_display(),
            p.category.name,
            p.region.name,
            "、".join(i["name"] for i in ids if i["name"]) or ("匿名" if p.anonymous else ""),
            "、".join(i.get("id_number", "") for i in ids if i.get("id_number")),
            "、".join(i["phone"] for i in ids if i["phone"]),
            p.headcount,
            "是" if p.confidential else "否",
            p.content,
            p.requests,
            p.get_status_display(),
            p.handling_unit.name if p.handling_unit_id else "",
            _local(p.due_at),
            "是" if overdue else "否",
            _local(p.replied_at),
            p.get_satisfaction_display() if p.satisfaction else "",
        ]


def _safe(value):
    """Spreadsheet formula injection: text starting with = + - @ (or a tab/CR that hides one) gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_value(value, column: Column):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # read as a date by Excel and LibreOffice
    if column.kind == "id" and value:
        # Phones and ID numbers stay text: a leading tab makes Excel and LibreOffice keep the digits as typed (no
        # 1.39E+10, no lost leading 0, no 18-digit rounding) and is not an apostrophe or a formula. Our own import
        # strips it. For editing, the .xlsx is the format to use (real text cells).
        return "\t" + str(value)
    return _safe(value)


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterator[list]) -> Iterator[str]:
    """CSV text in chunks, UTF-8 with a BOM so that Excel shows the Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    buf = []
    first = True
    for row in rows:
        if first:
            buf.append(writer.writerow(row))
            first = False
        else:
            buf.append(writer.writerow([_csv_value(v, c) for v, c in zip(row, COLUMNS, strict=True)]))
        if len(buf) >= 200:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def _print_setup(ws) -> None:
    """A4 landscape, every column on one page width (as many pages down as it takes), the header row on every page,
    page numbers in the footer, gridlines printed."""
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages as the rows need
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.oddHeader.right.text = "&D 导出"
    ws.oddHeader.right.size = 9


LINE_POINTS = 13.5
MAX_LINES = 10  # a printed list is an overview: the full text is on the petition page and in the dossier


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def row_height(row: list) -> float:
    """Points for a data row: the most lines any wrapped column needs at its width, at most MAX_LINES."""
    lines = 1
    for value, column in zip(row, COLUMNS, strict=True):
        if column.kind == "long" and isinstance(value, str) and value:
            per_line = max(1.0, column.width - 1)
            needed = sum(max(1, -(-_display_width(part) // int(per_line))) for part in value.splitlines() or [""])
            lines = max(lines, needed)
    return LINE_POINTS * min(lines, MAX_LINES)


def xlsx_file(rows: Iterator[list], *, title: str = "信访件"):
    """A temporary file holding the .xlsx (write_only: constant memory), rewound for reading. Dates are date cells
    with a number format, phones and ID numbers text cells, long text wrapped; set up to print on A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    _print_setup(ws)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    thin = Side(style="thin", color="999999")
    head_style = {
        "font": Font(bold=True),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "fill": PatternFill("solid", fgColor="E8EEF5"),
        "border": Border(bottom=thin),
    }

    def cell(value, column: Column):
        c = WriteOnlyCell(ws, value=_safe(value))
        if column.kind == "when":
            c.number_format = DATE_FORMAT
            c.alignment = top
        elif column.kind == "long":
            c.alignment = wrap
        elif column.kind == "id":
            c.number_format = "@"  # typed over, it stays text
            c.alignment = top
        else:
            c.alignment = top
        return c

    first = True
    index = 0
    for row in rows:
        index += 1
        if first:
            header = []
            for value in row:
                c = WriteOnlyCell(ws, value=value)
                for attr, style in head_style.items():
                    setattr(c, attr, style)
                header.append(c)
            ws.append(header)
            first = False
            continue
        # Neither Excel nor LibreOffice grows a row for wrapped text when it opens a file, so the height is written:
        # set for this row only and dropped after it (a long export does not keep one object per row).
        ws.row_dimensions[index].height = row_height(row)
        ws.append([cell("" if v is None and c.kind != "when" else v, c) for v, c in zip(row, COLUMNS, strict=True)])
        del ws.row_dimensions[index]
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out
