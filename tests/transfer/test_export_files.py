"""The exported files as LibreOffice reads them: real date cells, phones and ID numbers kept as text (also from the
CSV), and the .xlsx printing on A4 landscape with every column on each page, the header row repeated, page numbers.

LibreOffice (Debian: libreoffice-calc-nogui) converts in a separate process; CI installs it (.ci/run)."""

import io
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.core.downloads import content_disposition
from xinfang.transfer import exporters

pytestmark = pytest.mark.django_db

PHONE = "13905512345"


def _soffice():
    exe = shutil.which("soffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (libreoffice-calc-nogui) is needed in CI")
        pytest.skip("LibreOffice is not installed")
    return exe


def _convert(tmp_path: Path, name: str, data: bytes, to: str, infilter: str | None = None) -> Path:
    src = tmp_path / name
    src.write_bytes(data)
    cmd = [_soffice(), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", to, "--outdir", str(tmp_path / "out"), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = tmp_path / "out" / (src.stem + "." + to.split(":")[0])
    assert out.exists(), f"LibreOffice wrote no {out.name}"
    return out


@pytest.fixture
def listed(register, users):
    for i in range(40):
        register(
            content=f"第{i}件：反映某建筑公司拖欠农民工工资三个月未发放，多次讨要无果，请求督促发放。",
            petitioners=[{"name": f"李{i}", "id_number": "", "phone": PHONE, "address": "第1镇1村", "work_unit": ""}],
        )
    return users.office


def _download(client, name):
    r = client.get(reverse(f"transfer:export_{name}"))
    assert r.status_code == 200
    return r, b"".join(r.streaming_content)


def test_download_names_are_chinese_with_rfc5987(client, listed):
    client.force_login(listed)
    for fmt in ("csv", "xlsx"):
        r, _body = _download(client, fmt)
        value = r["Content-Disposition"]
        assert value.startswith("attachment; ") and "filename*=UTF-8''%E4%BF%A1%E8%AE%BF%E4%BB%B6-" in value  # 信访件-
        assert re.search(r'filename="petitions-\d{8}-\d{4}\.' + fmt + '"', value)
        value.encode("latin-1")  # an HTTP header: no raw UTF-8
    assert content_disposition("案卷.pdf", inline=True) == "inline; filename=\"download.pdf\"; filename*=UTF-8''%E6%A1%88%E5%8D%B7.pdf"


def test_xlsx_has_date_cells_text_phones_and_print_setup(client, listed):
    client.force_login(listed)
    _r, body = _download(client, "xlsx")
    wb = load_workbook(io.BytesIO(body))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    received = ws.cell(row=2, column=header.index("收到时间") + 1)
    phone = ws.cell(row=2, column=header.index("联系电话") + 1)
    assert isinstance(received.value, datetime) and received.is_date and received.number_format == exporters.DATE_FORMAT
    assert phone.value == PHONE and phone.data_type == "s" and phone.number_format == "@"
    dates = [c for row in ws.iter_rows(min_row=2) for c in row if header[c.column - 1] in ("收到时间", "登记时间")]
    assert dates and all(c.is_date for c in dates)  # not one date as text
    ps = ws.page_setup
    assert ps.orientation == "landscape" and str(ps.paperSize) == str(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0
    assert ws.print_title_rows == "$1:$1"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_csv_keeps_phones_as_text_and_dates_as_dates_in_libreoffice(client, listed, tmp_path):
    client.force_login(listed)
    _r, body = _download(client, "csv")
    xlsx = _convert(tmp_path, "list.csv", body, "xlsx", infilter="CSV:44,34,76,1")
    ws = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in ws[1]]
    phone = ws.cell(row=2, column=header.index("联系电话") + 1)
    received = ws.cell(row=2, column=header.index("收到时间") + 1)
    assert phone.data_type == "s" and phone.value.strip() == PHONE
    assert isinstance(received.value, datetime)
    # The control: the same digits without the marker become a number in LibreOffice (why the marker is there).
    plain = _convert(tmp_path, "plain.csv", f"电话\r\n{PHONE}\r\n".encode(), "xlsx", infilter="CSV:44,34,76,1")
    assert load_workbook(plain).worksheets[0]["A2"].data_type == "n"


def test_xlsx_prints_on_a4_landscape_one_column_set_per_page(client, listed, tmp_path):
    if shutil.which("pdfinfo") is None:
        pytest.fail("pdfinfo (poppler-utils) is needed to read the pages back")
    client.force_login(listed)
    _r, body = _download(client, "xlsx")
    pdf = _convert(tmp_path, "list.xlsx", body, "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    if os.environ.get("XINFANG_KEEP_EXPORT_PDF"):  # for looking at the pages
        shutil.copy(pdf, os.environ["XINFANG_KEEP_EXPORT_PDF"])
    assert pages >= 2  # 40 wrapped rows do not fit one page: the header must repeat
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        flat = text.replace(" ", "")
        assert "登记编号" in flat and "满意度" in flat, f"page {n} lacks the first or the last column"  # every column set
        assert f"第{n}页，共{pages}页" in flat
    if os.environ.get("XINFANG_KEEP_EXPORT_PDF"):  # for looking at the pages
        shutil.copy(pdf, os.environ["XINFANG_KEEP_EXPORT_PDF"])
