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
HEADERS = [
    "登记编号",
    "原登记编号",
    "收到时间",
    "登记时间",
    "渠道",
    "性质",
    "问题类别",
    "问题发生地",
    "信访人",
    "联系电话",
    "人数",
    "保密",
    "主要问题",
    "诉求",
    "状态",
    "承办单位",
    "当前期限",
    "超期",
    "答复时间",
    "满意度",
]


def filters_from(query) -> dict:
    """The list filters from a query string (the same names as the worklist page and the API)."""
    return {k: query.get(k) for k in FILTER_KEYS if query.get(k)}


def _fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def export_rows(*, actor, filters: dict, path: str = "") -> Iterator[list]:
    """Yield the header, then one list of cell values per visible petition, in the list's order (batches of 500)."""
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
            _fmt(p.received_at),
            _fmt(p.registered_at),
            p.get_channel_display(),
            p.get_nature_display(),
            p.category.name,
            p.region.name,
            "、".join(i["name"] for i in ids if i["name"]) or ("匿名" if p.anonymous else ""),
            "、".join(i["phone"] for i in ids if i["phone"]),
            p.headcount,
            "是" if p.confidential else "否",
            p.content,
            p.requests,
            p.get_status_display(),
            p.handling_unit.name if p.handling_unit_id else "",
            _fmt(p.due_at),
            "是" if overdue else "否",
            _fmt(p.replied_at),
            p.get_satisfaction_display() if p.satisfaction else "",
        ]


def _safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is written with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterator[list]) -> Iterator[str]:
    """CSV text in chunks, UTF-8 with a BOM so that Excel shows the Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    buf = []
    for row in rows:
        buf.append(writer.writerow([_safe(v) for v in row]))
        if len(buf) >= 200:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def xlsx_file(rows: Iterator[list]):
    """A temporary file holding the .xlsx (write_only: constant memory), rewound for reading."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("信访件")
    widths = [20, 16, 17, 17, 8, 10, 12, 12, 14, 16, 6, 6, 50, 30, 10, 18, 17, 6, 17, 8]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"
    first = True
    for row in rows:
        if first:
            header = []
            for value in row:
                cell = WriteOnlyCell(ws, value=value)
                cell.font = Font(bold=True)
                header.append(cell)
            ws.append(header)
            first = False
            continue
        ws.append([_safe(v) for v in row])
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out
