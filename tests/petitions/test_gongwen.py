"""Notices in the 公文 layout, issued once at their decision: read every .docx back; reprints are byte-identical."""

import datetime as dt
import hashlib
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from docx import Document
from docx.shared import Mm

from xinfang.core import gongwen
from xinfang.petitions import notices
from xinfang.petitions.models import IssuedDocument

from .helpers import act, drive

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FROZEN_DAY = "二〇二六年六月十六日"


def login(user):
    c = Client()
    c.force_login(user)
    return c


def read(content: bytes):
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return doc, "\n".join(parts)


def check_layout(doc):
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.page_height - Mm(297)) < Mm(0.5)
    assert abs(sec.top_margin - Mm(37)) < Mm(0.5) and abs(sec.left_margin - Mm(28)) < Mm(0.5)
    props = doc.core_properties
    assert props.language == "zh-CN" and props.author == "测试县信访局" or props.author.startswith("测试")
    assert "python-docx" not in (props.author, props.last_modified_by)


def test_chinese_numeral_dates():
    assert gongwen.cn_date(dt.date(2026, 12, 1)) == "二〇二六年十二月一日"
    assert gongwen.cn_date(dt.date(2030, 10, 31)) == "二〇三〇年十月三十一日"
    assert gongwen.cn_date(dt.date(2027, 1, 20)) == "二〇二七年一月二十日"


def test_the_same_notice_renders_byte_identical():
    n = gongwen.Notice(
        kind="decline",
        title="不予受理告知书",
        organ="安和县信访局",
        signer="安和县信访局",
        issued_on=dt.date(2026, 12, 1),
        issued_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=SH),
        number="安信不受告〔2026〕12号",
        addressee="张三",
        body=["特此告知。"],
        rows=[gongwen.Row("领导批示", "", 6)],
    )
    first, second = gongwen.render(n), gongwen.render(n)
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first["docx"])).infolist()} == {(2026, 12, 1, 9, 30, 0)}
    assert first["pdf"].startswith(b"%PDF") and b"D:20261201" in first["pdf"]
    doc, text = read(first["docx"])
    assert "安信不受告〔2026〕12号" in text and "二〇二六年十二月一日" in text and "张三：" in text
    assert doc.tables[0].rows[0].height >= Mm(40)  # a 批示 row has room to write in


def test_decline_notice_issued_once_and_reprinted_byte_identical(register, users):
    p = drive(register, users, "declined")
    issued = IssuedDocument.objects.get(petition=p, kind="decline")
    event = p.events.get(action="decline")
    assert event.data["document"]["number"] == issued.number == "测信不受告〔2026〕1号"
    assert issued.issued_on == dt.date(2026, 6, 16) and not issued.lazy
    c = login(users.office)
    r = c.get(f"/petitions/{p.reg_no}/docs/decline.docx")
    assert r.status_code == 200 and "filename*=UTF-8''%E4%B8%8D%E4%BA%88" in r["Content-Disposition"]
    assert hashlib.sha256(r.content).hexdigest() == issued.docx_sha256
    doc, text = read(r.content)
    check_layout(doc)
    assert "测信不受告〔2026〕1号" in text and FROZEN_DAY in text and "张三：" in text and "不予受理告知书" in text
    pdf = c.get(f"/petitions/{p.reg_no}/docs/decline.pdf")
    assert pdf["Content-Type"] == "application/pdf" and hashlib.sha256(pdf.content).hexdigest() == issued.pdf_sha256
    with time_machine.travel(dt.datetime(2026, 6, 17, 15, 0, tzinfo=SH), tick=False):
        c = login(users.office)
        again = c.get(f"/petitions/{p.reg_no}/docs/decline.docx").content
        again_pdf = c.get(f"/petitions/{p.reg_no}/docs/decline.pdf").content
    assert again == r.content and again_pdf == pdf.content


def test_numbers_are_gap_free_per_organ_kind_and_year(register, users, county):
    first = drive(register, users, "declined")
    second = drive(register, users, "declined")
    forwarded = drive(register, users, "forwarded")
    numbers = [
        IssuedDocument.objects.get(petition=x, kind=k).number for x, k in ((first, "decline"), (second, "decline"), (forwarded, "forward"))
    ]
    assert numbers == ["测信不受告〔2026〕1号", "测信不受告〔2026〕2号", "测信转告〔2026〕1号"]
    with time_machine.travel(dt.datetime(2027, 1, 5, 10, 0, tzinfo=SH), tick=False):
        assert notices.next_number(county.office, "decline", 2027)[1] == "测信不受告〔2027〕1号"
        assert notices.next_number(county.office, "decline", 2026)[1] == "测信不受告〔2026〕3号"


def test_a_rolled_back_issue_gives_its_number_back(register, users, county):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        assert notices.next_number(county.office, "decline", 2026)[0] == 1
        raise RuntimeError("the decision failed after its number was taken")
    p = drive(register, users, "declined")
    assert IssuedDocument.objects.get(petition=p, kind="decline").number == "测信不受告〔2026〕1号"


KINDS = [
    ("dengji", "registered", ["信访事项登记表", "拖欠农民工工资", "登记编号：XFJ-"]),
    ("accept", "accepted", ["受理告知书", "测信受告〔2026〕1号", "依法受理", FROZEN_DAY]),
    ("decline", "declined", ["不予受理告知书", "不予受理"]),
    ("forward", "forwarded", ["转送告知书", "测信转告〔2026〕1号"]),
    ("chengpi", "awaiting_instruction", ["信访举报问题呈阅表", "领导批示", "拟办意见"]),
    ("jiaoban", "assigned", ["信访事项交办单", "测信交〔2026〕1号", "测试县人社局"]),
    (
        "opinion",
        "replied",
        [
            "处理意见书",
            "测人社处意〔2026〕1号",
            "你（们）的请求",
            "进行了调查核实",
            "予以支持",
            "自收到本意见书之日起30日内向测试县人民政府请求复查",
        ],
    ),
    ("delivery", "replied", ["送达回证", "受送达人签名", "张三"]),
]


@pytest.mark.parametrize(("kind", "state", "needles"), KINDS, ids=[k for k, _s, _n in KINDS])
def test_each_document(register, users, kind, state, needles):
    p = drive(register, users, state)
    r = login(users.office).get(f"/petitions/{p.reg_no}/docs/{kind}.docx")
    assert r.status_code == 200
    doc, text = read(r.content)
    check_layout(doc)
    for needle in needles:
        assert needle in text, (kind, needle)
    if kind not in ("dengji", "chengpi"):
        assert FROZEN_DAY in text
    assert login(users.office).get(f"/petitions/{p.reg_no}/docs/{kind}.pdf").content.startswith(b"%PDF")


def test_opinion_is_signed_by_the_handling_unit_and_review_opinions_by_their_organ(register, users):
    p = drive(register, users, "under_rereview")
    p = act(p, "reply", users, text="复核认为原处理意见正确，予以维持。")
    c = login(users.office)
    _doc, opinion = read(c.get(f"/petitions/{p.reg_no}/docs/opinion.docx").content)
    assert "测试县人社局\n" + FROZEN_DAY in opinion
    _doc, review = read(c.get(f"/petitions/{p.reg_no}/docs/review.docx").content)
    assert "复查意见书" in review and "自收到本意见书之日起30日内向" in review and "请求复核" in review
    _doc, rereview = read(c.get(f"/petitions/{p.reg_no}/docs/rereview.docx").content)
    assert "复核意见书" in rereview and "不再受理" in rereview and "请求复" not in rereview.replace("请求复核”", "")
    assert not re.search(r"第[一二三四五六七八九十]+条", opinion + review + rereview)  # no unverified article numbers


def test_a_decision_made_before_issuing_is_issued_on_first_print_with_its_date(register, users, monkeypatch):
    monkeypatch.setattr(notices, "stamp", lambda action, petition, data: data)  # as the code before issuing existed
    p = drive(register, users, "declined")
    monkeypatch.undo()
    assert not IssuedDocument.objects.filter(petition=p).exists()
    with time_machine.travel(dt.datetime(2026, 7, 2, 9, 0, tzinfo=SH), tick=False):
        _doc, text = read(login(users.office).get(f"/petitions/{p.reg_no}/docs/decline.docx").content)
    issued = IssuedDocument.objects.get(petition=p, kind="decline")
    assert issued.lazy and issued.issued_on == dt.date(2026, 6, 16) and FROZEN_DAY in text and issued.number in text


def test_a_reader_who_may_not_see_the_identity_gets_it_masked(register, users):
    p = drive(register, users, "declined", nature="report")
    _doc, text = read(login(users.leader).get(f"/petitions/{p.reg_no}/docs/decline.docx").content)
    assert "张*" in text and "张三" not in text and "测信不受告〔2026〕1号" in text and FROZEN_DAY in text


def test_documents_endpoint_lists_what_was_issued(register, users):
    p = drive(register, users, "declined")
    c = login(users.office)
    rows = c.get(f"/api/v1/petitions/{p.reg_no}/documents/").json()
    decline = next(r for r in rows if r["code"] == "decline_notice")
    issued = IssuedDocument.objects.get(petition=p, kind="decline")
    assert decline["number"] == issued.number and decline["issued_on"] == FROZEN_DAY and decline["docx_sha256"] == issued.docx_sha256
    assert {r["code"] for r in rows} >= {"registration_form", "submission_form", "decline_notice"}
    r = c.get(decline["docx"].replace("http://testserver", ""))
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == issued.docx_sha256
    assert c.get(f"/api/v1/petitions/{p.reg_no}/documents/opinion.docx").status_code == 404


def test_the_portal_copy_is_the_issued_notice_and_a_rereview_offers_no_review(register, users):
    from django.urls import reverse

    from tests.portal.pdftext import pdf_text

    from .helpers import PATHS

    p, code = register()
    for step in PATHS["under_rereview"]:
        p = act(p, step, users)
    p = act(p, "reply", users, text="复核认为原处理意见正确，予以维持。")
    client = Client()
    assert client.post(reverse("portal:track"), {"reg_no": p.reg_no, "query_code": code}).status_code == 302
    for kind in ("opinion", "rereview"):
        issued = IssuedDocument.objects.get(petition=p, kind=kind)
        r = client.get(reverse("portal:document", args=[p.reg_no, issued.source_seq]))
        assert r.status_code == 200 and r.content == bytes(issued.pdf), kind
    text = pdf_text(bytes(IssuedDocument.objects.get(petition=p, kind="rereview").pdf))
    assert "不再受理" in text and "请求复核" not in text and "请求复查" not in text
