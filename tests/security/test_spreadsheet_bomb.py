"""Spreadsheet imports refuse a zip bomb before openpyxl parses it: under a second, under 100 MB
(xinfang/core/uploads.py check_spreadsheet, used by the legacy import and the network import)."""

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from xinfang.core.errors import InvalidInput
from xinfang.core.uploads import SPREADSHEET_MAX_UNCOMPRESSED, check_spreadsheet

ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"


def _valid_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["登记编号", "主要问题"])
    wb.active.append(["旧-1", "反映欠薪"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A real .xlsx whose first sheet unpacks to ~400 MB of repeated rows (≈ 400 KB compressed)."""
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with zf.open(item.filename, "w", force_zip64=True) as part:
                    part.write(
                        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    chunk = ROW * 256
                    for _ in range(400 * 1024 * 1024 // len(chunk)):
                        part.write(chunk)
                    part.write(b"</sheetData></worksheet>")
            else:
                zf.writestr(item, source.read(item.filename))
    return out.getvalue()


def test_the_bomb_is_small_packed_and_huge_unpacked(bomb):
    assert len(bomb) < 1024 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) > SPREADSHEET_MAX_UNCOMPRESSED


def test_the_shared_check_refuses_it_fast_and_small(bomb):
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(InvalidInput) as caught:
        check_spreadsheet(bomb)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "解压后过大" in caught.value.message
    assert elapsed < 1.0 and peak < 100 * 1024 * 1024, (elapsed, peak)


def test_the_legacy_import_refuses_it(bomb):
    from xinfang.transfer import importers

    started = time.monotonic()
    with pytest.raises(InvalidInput, match="解压后过大"):
        importers.read_table(bomb, ".xlsx")
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db
def test_the_network_import_refuses_it(bomb, make_user):
    from xinfang.org.importing import import_network
    from xinfang.org.models import Role

    started = time.monotonic()
    with pytest.raises(InvalidInput, match="解压后过大"):
        import_network(io.BytesIO(bomb), actor=make_user(Role.ADMIN), commit=False)
    assert time.monotonic() - started < 1.0


def test_a_sheet_declaring_too_many_rows_is_refused_before_parsing():
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:B900000"/>')
                assert b"A1:B900000" in data
            zf.writestr(item, data)
    with pytest.raises(InvalidInput, match="行数过多"):
        check_spreadsheet(out.getvalue())


def test_ordinary_workbooks_and_non_zips():
    check_spreadsheet(_valid_xlsx())  # passes
    with pytest.raises(InvalidInput, match="无法读取"):
        check_spreadsheet(b"not a zip at all")


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
