"""Issue 14: the printed receipt (回执): A4, its font embedded, the petitioner's name as the reader may see it, the
portal's address, the channel's own words for the query code, a Chinese file name, the same bytes on a reprint."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from tests import pdfs
from xinfang.petitions import receipts

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_receipt_embeds_its_font_is_a4_and_names_the_petitioner(register, users):
    p, code = register(channel="visit")
    data = receipts.receipt_pdf(p, actor=users.clerk, query_code=code, portal_url="https://xf.example.gov.cn/portal/")
    pdfs.assert_fonts_embedded(data)
    assert pdfs.is_a4(data)
    text = pdfs.text(data)
    if text:
        assert "张三" in text and p.reg_no in text and code in text
        assert "https://xf.example.gov.cn/portal/" in text


def test_a_letters_reprint_does_not_claim_the_code_was_told_in_person(register, users):
    letter, _ = register(channel="letter")
    visit, _ = register(channel="visit")
    assert "当面" not in receipts.code_line(letter, "") and "首次打印" in receipts.code_line(letter, "")
    assert "当面告知" in receipts.code_line(visit, "")
    assert receipts.code_line(letter, "AB12CD") == "AB12CD"
    text = pdfs.text(receipts.receipt_pdf(letter, actor=users.clerk))
    if text:
        assert "当面" not in text and "补打的回执不再显示" in text


def test_a_reader_without_the_identity_right_sees_the_masked_name(register, users):
    p, _ = register(confidential=True)
    assert receipts.petitioner_names(users.clerk, p) == "张三"
    masked = receipts.petitioner_names(users.handler, p)
    assert masked != "张三" and masked.startswith("张")


def test_the_receipt_download_has_a_chinese_name_and_the_portal_setting(register, users):
    p, _ = register()
    with override_settings(XINFANG_PORTAL_URL="https://xinfang.anhe.gov.cn/portal/"):
        r = login(users.clerk).get(f"/petitions/{p.reg_no}/receipt.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert f"filename*=UTF-8''{quote(f'回执-{p.reg_no}.pdf')}" in r["Content-Disposition"]
    text = pdfs.text(r.content)
    if text:
        assert "https://xinfang.anhe.gov.cn/portal/" in text and "张三" in text
    default = login(users.clerk).get(f"/petitions/{p.reg_no}/receipt.pdf")
    if text:
        assert "http://testserver/portal/" in pdfs.text(default.content)
    with override_settings(XINFANG_PORTAL_URL=""):
        assert receipts.portal_address() == receipts.PORTAL_UNKNOWN  # no bare "/portal/" on paper


def test_a_reprint_a_day_later_is_byte_for_byte_the_same(register, users):
    p, _ = register()
    first = receipts.receipt_pdf(p, actor=users.clerk, portal_url="https://xf.example.gov.cn/portal/")
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=3)):
        again = receipts.receipt_pdf(p, actor=users.clerk, portal_url="https://xf.example.gov.cn/portal/")
    assert first == again
