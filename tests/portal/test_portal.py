"""Portal pages and services: submit, receipt, track, documents, evaluate, review, lockout, publication."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.portal.pdftext import pdf_text
from xinfang.core.errors import InvalidInput, NotFound
from xinfang.petitions import services as ps
from xinfang.petitions.models import Attachment, Petition, PetitionEvent
from xinfang.portal import limits, services
from xinfang.portal.models import PublishedSummary

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _form(county, **kw):
    data = {
        "nature": "request",
        "category": "labour",
        "region": county.villages[0].code,
        "content": "公司拖欠我三个月工资，多次讨要无果。",
        "requests": "请求支付工资",
        "name": "李信访",
        "phone": "13800138000",
        "public_consent": "no",
    }
    data.update(kw)
    return data


@pytest.mark.django_db
def test_submit_page_registers_and_shows_code_once(client, portal_county):
    page = client.get(reverse("portal:submit")).content.decode()
    assert "提交后我们会做什么" in page and "转送或交办" in page
    r = client.post(reverse("portal:submit"), {**_form(portal_county), "attachments": [SimpleUploadedFile("photo.png", PNG, "image/png")]})
    assert r.status_code == 302 and r.url == reverse("portal:receipt")
    p = Petition.objects.get()
    assert p.channel == "online" and p.status == "registered" and not p.confidential and p.first_receiver is None
    assert Attachment.objects.filter(petition=p).count() == 1
    event = PetitionEvent.objects.get(petition=p)
    assert event.actor is None and event.actor_label == services.PORTAL_LABEL
    receipt = client.get(reverse("portal:receipt")).content.decode()
    code = receipt.split('id="query-code">')[1].split("<")[0]
    assert p.reg_no in receipt and len(code) == 8
    from xinfang.petitions.registration import check_query_code

    assert check_query_code(p, code)
    pdf = client.get(reverse("portal:receipt_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert p.reg_no in text and code in text and "登记回执" in text


@pytest.mark.django_db
def test_report_is_confidential_and_bad_input_leaves_nothing(client, portal_county):
    r = client.post(reverse("portal:submit"), _form(portal_county, phone="12345"))
    assert r.status_code == 200 and "电话号码格式不正确" in r.content.decode()
    r = client.post(reverse("portal:submit"), _form(portal_county, name="", anonymous=""))
    assert "署名信访请至少填写一名信访人" in r.content.decode() or "请填写" in r.content.decode()
    r = client.post(reverse("portal:submit"), _form(portal_county, attachments=[SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)]))
    assert "类型不支持" in r.content.decode()
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0
    client.post(reverse("portal:submit"), _form(portal_county, nature="report", category="discipline", name="", anonymous="on"))
    p = Petition.objects.get()
    assert p.confidential and p.anonymous and p.petitioners.count() == 0


@pytest.mark.django_db
def test_track_detail_documents_evaluate_and_review(client, submit_petition, drive_to_reply):
    petition, code = submit_petition()
    r = client.post(reverse("portal:track"), {"reg_no": petition.reg_no.lower(), "query_code": code.lower()})
    assert r.status_code == 302
    page = client.get(r.url).content.decode()
    assert "已收到，正在分办" in page and "受理告知期限" in page
    petition = drive_to_reply(petition)
    page = client.get(reverse("portal:detail", args=[petition.reg_no])).content.decode()
    assert "已答复" in page and "公司已于本月支付" in page and "下载处理意见书" in page and "下载受理告知书" in page
    reply_seq = PetitionEvent.objects.get(petition=petition, action="reply").seq
    pdf = client.get(reverse("portal:document", args=[petition.reg_no, reply_seq]))
    assert pdf.status_code == 200 and "公司已于本月支付" in pdf_text(pdf.content) and "自收到本意见书之日起30日内" in pdf_text(pdf.content)
    internal = PetitionEvent.objects.get(petition=petition, action="report_result").seq
    assert client.get(reverse("portal:document", args=[petition.reg_no, internal])).status_code == 404

    r = client.post(reverse("portal:evaluate", args=[petition.reg_no]), {"version": petition.version, "satisfaction": "dissatisfied"})
    petition.refresh_from_db()
    assert petition.status == "evaluated" and petition.satisfaction == "dissatisfied"
    stale = client.post(reverse("portal:review", args=[petition.reg_no]), {"version": petition.version - 1, "reason": "不服"}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    client.post(reverse("portal:review", args=[petition.reg_no]), {"version": petition.version, "reason": "工资没有全部支付"})
    petition.refresh_from_db()
    assert petition.status == "under_review"
    assert "复查申请正在办理中" in client.get(reverse("portal:detail", args=[petition.reg_no])).content.decode()


@pytest.mark.django_db
def test_review_window_closed_is_explained(client, submit_petition, drive_to_reply, office):
    petition, code = submit_petition()
    petition = drive_to_reply(petition)
    # The window runs from delivery: the letter reached the petitioner today.
    petition = ps.petition_record_delivery(
        actor=office, petition_or_reg_no=petition.reg_no, version=petition.version, delivered_at=timezone.localdate(), method="post"
    )
    with time_machine.travel(petition.review_request_due_at + timedelta(days=1)):
        client.post(reverse("portal:track"), {"reg_no": petition.reg_no, "query_code": code})
        page = client.get(reverse("portal:detail", args=[petition.reg_no])).content.decode()
        assert "已于" in page and "届满" in page and "申请复查</button>" not in page
        r = client.post(reverse("portal:review", args=[petition.reg_no]), {"version": petition.version, "reason": "不服"}, follow=True)
        assert "已超过申请期限" in r.content.decode()
    petition.refresh_from_db()
    assert petition.status == "replied"


@pytest.mark.django_db
def test_unknown_number_and_wrong_code_answer_alike(client, submit_petition):
    petition, code = submit_petition()
    wrong = client.post(reverse("portal:track"), {"reg_no": petition.reg_no, "query_code": "ZZZZ9999"})
    unknown = client.post(reverse("portal:track"), {"reg_no": "XFJ-1999-000001", "query_code": "ZZZZ9999"})
    assert wrong.status_code == unknown.status_code == 404

    def clean(r):  # the same page but for the number typed and the CSRF tokens
        return re.sub(r"[A-Za-z0-9]{64}", "T", r.content.decode().replace(petition.reg_no, "X").replace("XFJ-1999-000001", "X"))

    assert clean(wrong) == clean(unknown)
    assert services.NOT_FOUND_MESSAGE in wrong.content.decode()
    assert client.get(reverse("portal:detail", args=[petition.reg_no])).status_code == 404  # no grant without the code


@pytest.mark.django_db
def test_failures_outside_the_hour_do_not_add_up(submit_petition):
    """Delays start after limits.NUMBER_FREE_TRIES wrong codes within an hour (tests/portal/test_lockout.py has the rest)."""
    petition, code = submit_petition()
    for _ in range(limits.NUMBER_FREE_TRIES - 1):
        with pytest.raises(NotFound):
            services.portal_lookup(reg_no=petition.reg_no, query_code="WRONG000")
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        with pytest.raises(NotFound):
            services.portal_lookup(reg_no=petition.reg_no, query_code="WRONG000")
        assert services.portal_lookup(reg_no=petition.reg_no, query_code=code) == petition


@pytest.mark.django_db
def test_publication_needs_consent_and_no_identity(client, submit_petition, drive_to_reply, office):
    refused, _ = submit_petition()
    refused = drive_to_reply(refused)
    with pytest.raises(InvalidInput, match="未同意公开"):
        services.summary_publish(actor=office, petition=refused, title="欠薪", summary="某公司欠薪", result="已支付")
    consented, _ = submit_petition(public_consent=True)
    with pytest.raises(InvalidInput, match="答复信访人之后"):
        services.summary_publish(actor=office, petition=consented, title="欠薪", summary="某公司欠薪", result="已支付")
    consented = drive_to_reply(consented)
    with pytest.raises(InvalidInput, match="身份信息"):
        services.summary_publish(actor=office, petition=consented, title="欠薪", summary="李信访反映欠薪", result="已支付")
    s = services.summary_publish(
        actor=office, petition=consented, title="某公司拖欠工资问题", summary="群众反映某公司欠薪", result="已支付"
    )
    page = client.get(reverse("portal:published")).content.decode()
    assert "某公司拖欠工资问题" in page and "李信访" not in page and consented.reg_no not in page
    services.summary_withdraw(actor=office, summary=s, reason="信访人撤回同意")
    assert "某公司拖欠工资问题" not in client.get(reverse("portal:published")).content.decode()
    assert PublishedSummary.objects.count() == 1  # withdrawn, not deleted


@pytest.mark.django_db
def test_info_page_lists_time_limits_and_guides(client, portal_county):
    from xinfang.knowledge import demo

    demo.load()
    page = client.get(reverse("portal:info")).content.decode()
    assert "申请复查" in page and "怎样申请复查、复核" in page and "保密制度" not in page  # staff-only article hidden
    assert "0000-1234567" in page
    assert client.get(reverse("portal:home")).status_code == 200


@pytest.mark.django_db
def test_office_page_clears_lockouts_and_publishes(client, submit_petition, drive_to_reply, office, make_user):
    from xinfang.org.models import Role

    locked, code = submit_petition()
    for _ in range(limits.NUMBER_FREE_TRIES):
        with pytest.raises(NotFound):
            services.portal_lookup(reg_no=locked.reg_no, query_code="WRONG000")
    consented, _ = submit_petition(public_consent=True)
    consented = drive_to_reply(consented)
    client.force_login(office)
    page = client.get(reverse("portal:office")).content.decode()
    assert locked.reg_no in page and consented.reg_no in page
    client.post(reverse("portal:office"), {"action": "clear", "reg_no": locked.reg_no})
    assert services.portal_lookup(reg_no=locked.reg_no, query_code=code) == locked
    r = client.post(
        reverse("portal:office"),
        {"action": "publish", "reg_no": consented.reg_no, "title": "欠薪问题", "summary": "电话13800138000反映欠薪", "result": "已支付"},
        follow=True,
    )
    assert "身份信息" in r.content.decode() and PublishedSummary.objects.count() == 0
    client.post(
        reverse("portal:office"),
        {"action": "publish", "reg_no": consented.reg_no, "title": "欠薪问题", "summary": "反映欠薪", "result": "已支付"},
    )
    assert PublishedSummary.objects.filter(withdrawn_at__isnull=True).count() == 1
    client.force_login(make_user(Role.UNIT_HANDLER))
    assert client.get(reverse("portal:office")).status_code == 403


@pytest.mark.django_db
def test_rate_limits_per_number_and_per_address(submit_petition, settings):
    from xinfang.core.errors import DomainError

    petition, code = submit_petition()
    for _ in range(40):  # the right code is never limited per number (wrong codes are: tests/portal/test_lockout.py)
        assert services.portal_lookup(reg_no=petition.reg_no, query_code=code) == petition
    for _ in range(services.SUBMISSIONS_PER_ADDRESS_PER_HOUR):
        submit_petition(client_address="10.0.0.9")
    with pytest.raises(DomainError) as exc:
        submit_petition(client_address="10.0.0.9")
    assert exc.value.code == "throttled" and "来信、来电" in exc.value.message
    submit_petition(client_address="10.0.0.10")  # another address is not affected


@pytest.mark.django_db
def test_tracking_page_and_api_queries_do_not_grow_with_steps(client, submit_petition, drive_to_reply, django_assert_max_num_queries):
    petition, code = submit_petition()
    client.post(reverse("portal:track"), {"reg_no": petition.reg_no, "query_code": code})
    with django_assert_max_num_queries(8) as short:
        client.get(reverse("portal:detail", args=[petition.reg_no]))
    drive_to_reply(petition)
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(reverse("portal:detail", args=[petition.reg_no]))
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/public/petitions/{petition.reg_no}/", {"query_code": code}).status_code == 200


@pytest.mark.django_db
def test_the_plain_code_leaves_the_session_after_the_receipt_window(client, portal_county):
    client.post(reverse("portal:submit"), _form(portal_county))
    assert client.get(reverse("portal:receipt")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.get(reverse("portal:receipt_pdf")).status_code == 404
        assert client.get(reverse("portal:receipt")).status_code == 302
    assert "portal_receipt" not in client.session
