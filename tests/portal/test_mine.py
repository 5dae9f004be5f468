"""My cases (phone + SMS code), added material, the petitioner's message settings, the delivery-report callback."""

import hashlib
import hmac
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinfang.messaging.models import MessageStatus, PetitionerMessage
from xinfang.org.models import Role
from xinfang.petitions import attachments
from xinfang.petitions import services as ps
from xinfang.portal import mine
from xinfang.supervision.models import Notification

pytestmark = pytest.mark.django_db
PHONE = "13900139000"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _sms_codes(tmp_path):
    path = tmp_path / "sms.jsonl"
    return [json.loads(line)["body"].split("：")[1][:6] for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def outbox(settings, tmp_path):
    settings.XINFANG_OUTBOX_DIR = tmp_path
    return tmp_path


@pytest.fixture
def three_and_others(submit_petition):
    mine_ = [submit_petition(phone=PHONE, content=f"第{i}件：村道损坏。")[0] for i in range(3)]
    others = [submit_petition(phone="13700137000", name="王其他", content="别人的事：工资拖欠。")[0]]
    others.append(submit_petition(phone=PHONE, anonymous=True, name="", content="匿名：同一手机号不算。")[0])
    return mine_, others


def _verify(client, outbox, phone=PHONE):
    r = client.post(reverse("portal:mine"), {"step": "send", "phone": phone})
    assert r.status_code == 200 and mine.MINE_SENT_MESSAGE in r.content.decode()
    code = _sms_codes(outbox)[-1]
    r = client.post(reverse("portal:mine"), {"step": "verify", "phone": phone, "sms_code": code})
    client.get(reverse("portal:mine_list"))  # the list opens each case for this session
    return r


def test_three_petitions_on_one_phone_are_all_seen_and_nothing_else(client, outbox, three_and_others):
    mine_, others = three_and_others
    assert client.get(reverse("portal:mine_list")).status_code == 302  # not before the code
    r = _verify(client, outbox)
    assert r.status_code == 302 and r["Location"] == reverse("portal:mine_list")
    page = client.get(reverse("portal:mine_list")).content.decode()
    assert "共 3 件" in page
    for p in mine_:
        assert p.reg_no in page
        assert client.get(reverse("portal:detail", args=[p.reg_no])).status_code == 200  # each case opens
    for p in others:
        assert p.reg_no not in page
        assert client.get(reverse("portal:detail", args=[p.reg_no])).status_code == 404
    assert "王其他" not in page and "村道损坏" not in page  # the list shows status and windows, not the content


def test_the_answer_is_the_same_whether_the_number_exists_or_not(client, outbox, three_and_others):
    known = client.post(reverse("portal:mine"), {"step": "send", "phone": PHONE}).content
    unknown = client.post(reverse("portal:mine"), {"step": "send", "phone": "13600136000"}).content
    strip = lambda b: b.decode().replace(PHONE, "X").replace("13600136000", "X")  # noqa: E731 - the number typed is echoed
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", strip(known)) == token.sub("", strip(unknown))
    assert len(_sms_codes(outbox)) == 1  # only the number on file gets a code


def test_codes_are_rate_limited_and_spent_after_wrong_tries(client, outbox, three_and_others):
    for _ in range(mine.SMS_PER_NUMBER_PER_HOUR + 2):
        assert mine.mine_send_code(phone=PHONE) == mine.MINE_SENT_MESSAGE
    codes = _sms_codes(outbox)
    assert len(codes) == mine.SMS_PER_NUMBER_PER_HOUR
    for _ in range(mine.SMS_CODE_TRIES):
        r = client.post(
            reverse("portal:mine"), {"step": "verify", "phone": PHONE, "sms_code": "000000" if codes[-1] != "000000" else "111111"}
        )
        assert r.status_code == 400 and "验证码不正确或已过期" in r.content.decode()
    r = client.post(reverse("portal:mine"), {"step": "verify", "phone": PHONE, "sms_code": codes[-1]})
    assert r.status_code == 400  # spent
    for _ in range(mine.SMS_PER_CLIENT_PER_HOUR):
        mine.mine_send_code(phone="13500135000", client_address="10.0.0.9")
    with pytest.raises(Exception, match="过于频繁"):
        mine.mine_send_code(phone="13500135001", client_address="10.0.0.9")


def test_the_view_is_time_limited(client, outbox, three_and_others):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    _verify(client, outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert client.get(reverse("portal:mine_list")).status_code == 302


def test_material_reaches_the_handling_unit(client, outbox, submit_petition, office, make_user, portal_county):
    p, _code = submit_petition(phone=PHONE)
    handler = make_user(Role.UNIT_HANDLER, unit=portal_county.dept, name="承办人")
    p = ps.petition_accept(actor=office, petition_or_reg_no=p.reg_no, version=p.version)
    p = ps.petition_assign(actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=portal_county.dept)
    _verify(client, outbox)
    page = client.get(reverse("portal:detail", args=[p.reg_no])).content.decode()
    assert reverse("portal:material", args=[p.reg_no]) in page
    r = client.post(
        reverse("portal:material", args=[p.reg_no]),
        {"attachments": [SimpleUploadedFile("现场照片.png", PNG, "image/png")], "note": "道路损坏现场"},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    event = p.events.get(action="portal_material")
    assert event.public and event.data["names"] == "现场照片.png" and p.attachments.count() == 1
    note = Notification.objects.get(recipient=handler, kind="portal_material")
    assert p.reg_no in note.title and note.url == f"/petitions/{p.reg_no}/"
    assert not Notification.objects.filter(kind="portal_material").exclude(recipient=handler).exists()
    assert "您补充了材料" in client.get(reverse("portal:detail", args=[p.reg_no])).content.decode()


def test_material_is_checked_as_at_registration(client, outbox, submit_petition, office, monkeypatch):
    p, _code = submit_petition(phone=PHONE)
    _verify(client, outbox)
    url = reverse("portal:material", args=[p.reg_no])
    r = client.post(url, {"attachments": [SimpleUploadedFile("病毒.png", b"MZ\x90\x00 not an image", "image/png")]})
    assert r.status_code == 400 and "类型不支持" in r.content.decode()
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 10)
    r = client.post(url, {"attachments": [SimpleUploadedFile("大.png", PNG, "image/png")]})
    monkeypatch.undo()
    assert r.status_code == 400 and "超过" in r.content.decode()
    # The office of a case without a unit is told; a closed case takes no material.
    assert client.post(url, {"attachments": [SimpleUploadedFile("a.png", PNG, "image/png")]}).status_code == 302
    assert Notification.objects.filter(recipient=office, kind="portal_material").exists()
    ps.petition_decline(
        actor=office,
        petition_or_reg_no=p.reg_no,
        version=p.__class__.objects.get(pk=p.pk).version,
        reason="不属于信访事项",
        route="not_petition_matter",
    )
    r = client.post(url, {"attachments": [SimpleUploadedFile("b.png", PNG + b"1", "image/png")]})
    assert r.status_code == 409 and "已办结" in r.content.decode()


def test_material_needs_the_session_grant(client, submit_petition):
    p, _code = submit_petition(phone=PHONE)
    client.session.flush()
    from django.test import Client

    assert Client().get(reverse("portal:material", args=[p.reg_no])).status_code == 404


def test_refusing_messages_at_registration_and_from_the_portal(client, submit_petition, django_capture_on_commit_callbacks, outbox):
    with django_capture_on_commit_callbacks(execute=True):
        p, _code = submit_petition(phone=PHONE, refuse_messages=True)
    assert list(PetitionerMessage.objects.filter(petition=p).values_list("status", flat=True)) == [MessageStatus.SKIPPED]
    with django_capture_on_commit_callbacks(execute=True):
        q, _code = submit_petition(phone=PHONE)
    assert PetitionerMessage.objects.get(petition=q).status == MessageStatus.DELIVERED  # the file backend
    _verify(client, outbox)
    page = client.get(reverse("portal:detail", args=[q.reg_no])).content.decode()
    assert "已登记，登记编号" in page and "不再接收短信告知" in page  # the same text as the SMS
    client.post(reverse("portal:message_settings", args=[q.reg_no]), {"refused": "on"})
    assert "恢复接收短信告知" in client.get(reverse("portal:detail", args=[q.reg_no])).content.decode()
    assert q.events.filter(action="message_preference").count() == 1


def test_pushed_delivery_reports_need_the_signature(client, settings, submit_petition, django_capture_on_commit_callbacks):
    from xinfang.messaging import services as ms

    settings.XINFANG_SMS_GATEWAY_SECRET = "push-secret"
    p, _code = submit_petition(phone=PHONE)
    m = ms.plan(petition=p, step="accept", data={}, key="test:push")
    PetitionerMessage.objects.filter(pk=m.pk).update(status=MessageStatus.SENT, gateway_id="gw-77")
    body = json.dumps({"reports": [{"message_id": "gw-77", "status": "DELIVERED", "at": "2026-06-16T10:05:00+08:00"}]}).encode()
    url = reverse("portal:sms_report")
    assert client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE="bad").status_code == 403
    sig = hmac.new(b"push-secret", body, hashlib.sha256).hexdigest()
    r = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=sig)
    assert r.status_code == 200 and r.json()["applied"] == 1
    assert PetitionerMessage.objects.get(pk=m.pk).status == MessageStatus.DELIVERED
