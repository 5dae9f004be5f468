"""The checkpoints page: the office and the administrator list checkpoints and download them as PDF (one page to
sign and file), text and JSON (every head); other roles are refused in Chinese; the home panel links it."""

import io
import json
import re
import subprocess

import pytest
from django.core.management import call_command

from tests import pdfs
from xinfang.audit import checkpoints
from xinfang.audit.models import Chain, ChainHead

pytestmark = pytest.mark.django_db


def test_office_lists_and_downloads_every_format(world, client, tmp_path):
    cp = checkpoints.create(created_by="cron")
    client.force_login(world.users["office"])
    page = client.get("/audit/checkpoints/").content.decode()
    assert "第 1 号" in page and cp.key_id in page and "/audit/checkpoints/1.pdf" in page
    assert "事件链检查点" in client.get("/").content.decode()
    pdf = client.get("/audit/checkpoints/1.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    (tmp_path / "c.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "信访事件链检查点" in text and "第 1 号" in text and checkpoints.fingerprint(cp.mac)[:9] in text and "经办人" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "A4" in info
    pdfs.assert_fonts_embedded(pdf.content)  # issue 14: no Courier or other unembedded font on the filed page
    assert checkpoints.export_pdf(cp) == pdf.content  # the same checkpoint prints as the same file
    txt = client.get("/audit/checkpoints/1.txt").content.decode()
    assert checkpoints.fingerprint(cp.digest) in txt
    data = json.loads(b"".join([client.get("/audit/checkpoints/1.json").content]).decode())
    assert data["mac"] == cp.mac and data["number"] == 1
    heads = {(h["chain"], h["reg_no"]): (h["seq"], h["hash"]) for h in data["heads"]}
    for head in ChainHead.objects.select_related("petition"):
        assert heads[(head.chain, head.petition.reg_no)] == (head.last_seq, head.last_hash)
    assert (Chain.EVENTS, world.p_in.reg_no) in heads
    assert client.get("/audit/checkpoints/9.pdf").status_code == 404
    assert client.get("/audit/checkpoints/1.exe").status_code == 404


@pytest.mark.parametrize("role", ["unit_handler", "leader", "clerk", "viewer"])
def test_other_roles_are_refused_in_chinese(world, client, role):
    checkpoints.create(created_by="cron")
    client.force_login(world.users[role])
    for url in ("/audit/checkpoints/", "/audit/checkpoints/1.pdf"):
        response = client.get(url)
        assert response.status_code == 403 and "只有信访办和系统管理员" in response.content.decode()
    assert "/audit/checkpoints/" not in client.get("/").content.decode()


def test_the_command_exports_the_same_files(world, tmp_path):
    out = io.StringIO()
    call_command("checkpoint", "--export", str(tmp_path), stdout=out)
    assert "已生成检查点 #1" in out.getvalue()
    assert {p.name for p in tmp_path.iterdir()} == {"checkpoint-1.json", "checkpoint-1.pdf", "checkpoint-1.txt"}
    call_command("checkpoint", "--number", "1", "--export", str(tmp_path / "again"), stdout=out)
    assert json.loads((tmp_path / "again" / "checkpoint-1.json").read_text())["number"] == 1
