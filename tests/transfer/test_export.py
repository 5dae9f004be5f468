"""Exports of petition lists (.csv and .xlsx) and the dossier PDF: same filters, same masking, same scope."""

import csv
import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.access.models import AccessRecord
from xinfang.petitions.services import petition_accept, petition_assign

pytestmark = pytest.mark.django_db

SECRET_NAME = "欧阳秘密"


@pytest.fixture
def world(register, users, county):
    open_one, _ = register(content="普通来信：拖欠工资问题")
    secret, _ = register(
        nature="report",
        confidential=True,
        content="检举某村干部侵占集体资金",
        petitioners=[{"name": SECRET_NAME, "id_number": "", "phone": "13912345678", "address": "第1镇", "work_unit": ""}],
    )
    blocked, _ = register(content="反映某领导作风问题", respondents=[{"name": users.leader.name, "user": users.leader}])
    return {"open": open_one, "secret": secret, "blocked": blocked}


def _csv(client, query=""):
    r = client.get(reverse("transfer:export_csv") + query)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    body = b"".join(r.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    # Phones and ID numbers carry a leading tab (the text marker: test_export_files.py).
    return [[v.removeprefix("\t") for v in row] for row in csv.reader(io.StringIO(body[1:]))]


def _xlsx(client, query=""):
    r = client.get(reverse("transfer:export_xlsx") + query)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    return [[("" if c is None else str(c)) for c in row] for row in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("reader", [_csv, _xlsx])
def test_export_masks_a_confidential_petitioner_for_a_role_without_the_right(client, users, world, reader):
    client.force_login(users.leader)
    rows = reader(client)
    header, body = rows[0], rows[1:]
    assert header[0] == "登记编号" and "信访人" in header
    by_reg = {r[0]: r for r in body}
    assert world["secret"].reg_no in by_reg
    assert world["blocked"].reg_no not in by_reg  # a respondent never sees the case, in exports either
    flat = "\n".join(",".join(r) for r in rows)
    assert SECRET_NAME not in flat and "13912345678" not in flat
    name_col, phone_col = header.index("信访人"), header.index("联系电话")
    assert by_reg[world["secret"].reg_no][name_col] == "欧***"
    assert by_reg[world["secret"].reg_no][phone_col] == "139****5678"
    assert by_reg[world["open"].reg_no][name_col] == "张三丰"  # not protected: shown


def test_export_shows_identity_to_the_registering_office_and_logs_it(client, users, world):
    client.force_login(users.office)
    rows = _csv(client)
    name_col = rows[0].index("信访人")
    assert {r[0]: r for r in rows[1:]}[world["secret"].reg_no][name_col] == SECRET_NAME
    assert AccessRecord.objects.filter(user=users.office, petition=world["secret"], purpose="导出列表").exists()


def test_export_respects_the_list_filters(client, users, world):
    petition_accept(actor=users.office, petition_or_reg_no=world["open"], version=world["open"].version)
    client.force_login(users.office)
    rows = _csv(client, "?status=accepted")
    assert [r[0] for r in rows[1:]] == [world["open"].reg_no]
    rows = _xlsx(client, "?q=" + "检举某村干部")
    assert [r[0] for r in rows[1:]] == [world["secret"].reg_no]
    rows = _csv(client, "?bucket=triage_today")
    assert world["open"].reg_no not in {r[0] for r in rows[1:]}


def test_export_rows_are_not_one_query_per_petition(client, users, register, django_assert_max_num_queries):
    for i in range(30):
        register(content=f"第{i}件：反映拖欠工资问题")
    client.force_login(users.office)
    with django_assert_max_num_queries(20):
        rows = _csv(client)
    assert len(rows) == 31


def test_a_formula_in_a_cell_is_written_as_text(client, users, register):
    register(content='=HYPERLINK("http://x")反映问题')
    client.force_login(users.office)
    rows = _csv(client)
    assert rows[1][rows[0].index("主要问题")].startswith("'=")


# ---------------------------------------------------------------- dossier


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the dossier back")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def test_dossier_pdf_has_contents_sections_in_order_and_lists_attachments(client, users, world, county):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 80
    p = world["secret"]
    from xinfang.petitions.attachments import store_attachment

    att = store_attachment(petition=p, item={"file": SimpleUploadedFile("来信扫描.png", png), "kind": "scan"}, actor=users.clerk)
    p = petition_accept(actor=users.office, petition_or_reg_no=p, version=p.version)
    petition_assign(actor=users.office, petition_or_reg_no=p, version=p.version, handling_unit=county.dept)
    client.force_login(users.office)
    r = client.get(reverse("transfer:dossier", args=[p.reg_no]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    sections = [
        "登记表与来信原件",
        "呈批表与领导批示",
        "交办单",
        "调查核实材料与办理进度",
        "处理意见书与答复",
        "回访与评价",
        "复查复核",
        "归档与附件清单",
    ]
    assert "目" in text and "录" in text
    body = text[text.index("一、登记表与来信原件", text.index("八、归档与附件清单")) :]  # after the table of contents
    positions = [body.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "来信扫描.png" in body and att.sha256[:20] in body.replace("\n", "").replace(" ", "")
    assert SECRET_NAME in text  # the registering office holds the right
    assignment = body[body.index("三、交办单") : body.index("四、调查核实材料与办理进度")]
    assert "受理" in assignment and "交办" in assignment and "测试县人社局" in assignment


def test_dossier_masks_identity_without_the_right_and_is_404_out_of_scope(client, users, world):
    client.force_login(users.leader)
    text = _pdf_text(client.get(reverse("transfer:dossier", args=[world["secret"].reg_no])).content)
    assert SECRET_NAME not in text and "欧***" in text
    assert client.get(reverse("transfer:dossier", args=[world["blocked"].reg_no])).status_code == 404
    client.force_login(users.other_handler)
    assert client.get(reverse("transfer:dossier", args=[world["open"].reg_no])).status_code == 404
    assert client.get(reverse("transfer:dossier", args=["XFJ-1999-999999"])).status_code == 404
