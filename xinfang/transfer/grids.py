"""Reading a register file's cells as they stand (.csv in UTF-8 or GBK, the first sheet of an .xlsx with row-spanning
merged cells filled down), each cell NFKC-normalised. `importers` finds the header and maps the rows."""

from __future__ import annotations

import csv
import io

from xinfang.core import inputs
from xinfang.core.errors import InvalidInput
from xinfang.core.uploads import check_spreadsheet


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("无法识别CSV文件的编码（请另存为UTF-8或GBK编码）", fields={"file": ["编码无法识别"]})


def clean_cell(value):
    """A cell as read: text stripped and NFKC-normalised (full-width digits and letters as ASCII, the leading tab our
    own CSV export puts before phone numbers dropped), whole floats as integers, dates as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return inputs.halfwidth(value.replace("\u3000", " ").strip())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value


def raw_rows(data: bytes, extension: str):
    """Yield lists of cell values, every row of the first sheet, the title rows too."""
    if extension == ".csv":
        yield from csv.reader(io.StringIO(_decode(data), newline=""))
        return
    if extension == ".xlsx":
        from openpyxl import load_workbook

        check_spreadsheet(data)  # unpacked size and row count, before openpyxl parses anything
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same message
            raise InvalidInput("无法读取该Excel文件（请确认是 .xlsx 格式）", fields={"file": ["文件无法读取"]}) from None
        try:
            ws = wb.worksheets[0]
            fill = _merged_fill(data) if len(data) <= MERGED_FILL_MAX_BYTES else {}
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):  # merged: its value, then empty cells
                row = list(row)
                for (_r, fc), value in fill.get(r, {}).items() if fill else ():
                    while len(row) < fc:
                        row.append(None)
                    row[fc - 1] = value
                yield row
        finally:
            wb.close()
        return
    raise InvalidInput("只支持 .xlsx 和 .csv 文件", fields={"file": ["只支持 .xlsx 和 .csv 文件"]})


MERGED_FILL_MAX_BYTES = 5 * 1024 * 1024  # merged ranges need the full (not read-only) parse: registers of normal size


def _merged_fill(data: bytes) -> dict[int, dict[tuple[int, int], object]]:
    """{row: {(row, column): value}} for cells inside a merged range that spans rows (a unit or a date merged down
    over the petitions it applies to): each gets the range's value. Ranges within one row (a title across the
    columns) are left alone, so a title stays one cell."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - the read-only pass reports an unreadable file
        return {}
    try:
        ws = wb.worksheets[0]
        out: dict[int, dict[tuple[int, int], object]] = {}
        for rng in ws.merged_cells.ranges:
            if rng.min_row == rng.max_row:
                continue
            value = ws.cell(row=rng.min_row, column=rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    out.setdefault(r, {})[(r, c)] = value
        return out
    finally:
        wb.close()


def read_grid(data: bytes, extension: str, limit: int | None = None) -> list[list]:
    """The first `limit` rows (all without a limit) as cleaned cells, for the header choice."""
    out = []
    for n, raw in enumerate(raw_rows(data, extension), start=1):
        if limit is not None and n > limit:
            break
        out.append([clean_cell(c) for c in raw])
    return out
