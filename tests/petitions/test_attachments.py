"""Attachments added after registration: checked like registration, one event, never deleted; download through the policy."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from reportlab.pdfgen import canvas

from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound
from xinfang.petitions import attachments
from xinfang.petitions.models import Attachment, PetitionEvent
from xinfang.petitions.services import petition_attach

from .helpers import drive

pytestmark = pytest.mark.django_db


def _pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def test_handler_uploads_on_the_page_and_downloads_through_the_policy(register, users):
    p = drive(register, users, "in_progress")
    data = _pdf("investigation notes")
    c = _login(users.handler)
    page = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "添加附件" in page and f'action="/petitions/{p.reg_no}/attachments/"' in page
    r = c.post(f"/petitions/{p.reg_no}/attachments/", {"kind": "document", "attachments": [SimpleUploadedFile("调查笔录.pdf", data)]})
    assert r.status_code == 302
    att = Attachment.objects.get(petition=p)
    assert att.sha256 == hashlib.sha256(data).hexdigest() and att.content_type == "application/pdf" and att.kind == "document"
    assert att.uploaded_by == users.handler
    event = PetitionEvent.objects.get(petition=p, action="attach")
    assert event.data["attachments"][0]["sha256"] == att.sha256 and event.actor == users.handler
    page = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert f'href="/access/attachments/{att.pk}/"' in page and "<strong>添加附件</strong>" in page
    got = c.get(f"/access/attachments/{att.pk}/")
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert b"".join(got.streaming_content) == data
    old_link = c.get(f"/petitions/{p.reg_no}/attachments/{att.pk}/")
    assert old_link.status_code == 200 and old_link["Content-Disposition"].startswith("attachment")


def test_one_bad_file_stores_nothing(register, users):
    p, _ = register()
    c = _login(users.clerk)
    files = [SimpleUploadedFile("good.pdf", _pdf("ok")), SimpleUploadedFile("fake.pdf", b"just text, not a pdf")]
    r = c.post(f"/petitions/{p.reg_no}/attachments/", {"attachments": files}, follow=True)
    assert "附件未上传" in r.content.decode() and "类型不支持" in r.content.decode()
    assert not Attachment.objects.filter(petition=p).exists()
    assert not PetitionEvent.objects.filter(petition=p, action="attach").exists()


def test_size_limit_duplicates_and_empty(register, users, settings, monkeypatch):
    p, _ = register()
    data = _pdf("once")
    petition_attach(actor=users.clerk, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("a.pdf", data)])
    with pytest.raises(InvalidInput, match="已上传过"):
        petition_attach(actor=users.clerk, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("again.pdf", data)])
    with pytest.raises(InvalidInput, match="请选择"):
        petition_attach(actor=users.clerk, petition_or_reg_no=p.reg_no, files=[])
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 100)  # read where the checks live
    with pytest.raises(InvalidInput, match="超过"):
        petition_attach(actor=users.clerk, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("big.pdf", _pdf("big"))])
    assert Attachment.objects.filter(petition=p).count() == 1


def test_who_may_attach(register, users):
    p = drive(register, users, "in_progress")
    f = lambda: [SimpleUploadedFile("x.pdf", _pdf(str(id(object()))))]  # noqa: E731
    with pytest.raises(NotFound):
        petition_attach(actor=users.other_handler, petition_or_reg_no=p.reg_no, files=f())
    with pytest.raises(NoPermission):
        petition_attach(actor=users.leader, petition_or_reg_no=p.reg_no, files=f())
    assert "添加附件" not in _login(users.leader).get(f"/petitions/{p.reg_no}/").content.decode()
    assert _login(users.other_handler).post(f"/petitions/{p.reg_no}/attachments/", {"attachments": f()}).status_code == 404
    petition_attach(actor=users.office, petition_or_reg_no=p.reg_no, files=f())
    archived = drive(register, users, "archived")
    with pytest.raises(InvalidTransition):
        petition_attach(actor=users.office, petition_or_reg_no=archived.reg_no, files=f())


def test_protected_petition_attachment_needs_the_identity_right(register, users):
    p = drive(register, users, "in_progress", confidential=True)
    att = petition_attach(actor=users.office, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("举报材料.pdf", _pdf("secret"))])[0]
    handler = _login(users.handler)
    assert handler.get(f"/petitions/{p.reg_no}/attachments/{att.pk}/").status_code == 403
    assert handler.get(f"/access/attachments/{att.pk}/").status_code == 403
    assert _login(users.office).get(f"/petitions/{p.reg_no}/attachments/{att.pk}/").status_code == 200
