"""Attachments (附件): the checks an upload passes (not empty, the size limit, the type sniffed from the bytes), how it
is stored (by SHA-256, never deleted), and adding material after registration. Registration and the portal's added
material use the same checks (`read_attachment`), so a file refused in one place is refused in all."""

import hashlib

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Attachment, Petition, Status
from xinfang.petitions.steps import _lock

# Read at call time from this module: tests lower it with monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", …).
MAX_ATTACHMENT_BYTES = getattr(settings, "XINFANG_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)


ALLOWED_MIME = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
    "application/pdf",
    "audio/mpeg",
    "audio/x-wav",
    "audio/wav",
    "audio/amr",
    "audio/ogg",
    "audio/mp4",
    "audio/x-m4a",
    "audio/m4a",
    "audio/aac",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/zip",  # .docx/.xlsx are zip containers to a sniffer
}


def read_attachment(item) -> tuple:
    """(name, data, mime, kind) of an upload after the checks: not empty, size limit, type sniffed from the bytes."""
    kind = Attachment.Kind.OTHER
    if isinstance(item, dict):
        kind = item.get("kind") or kind
        item = item["file"]
    name = getattr(item, "name", "") or "附件"
    if hasattr(item, "seek"):
        item.seek(0)
    data = item.read()
    if not data:
        raise InvalidInput(f"附件“{name}”是空文件", fields={"attachments": ["空文件"]})
    if len(data) > MAX_ATTACHMENT_BYTES:
        mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        raise InvalidInput(f"附件“{name}”超过{mb}MB", fields={"attachments": [f"单个附件不超过{mb}MB"]})
    guessed = filetype.guess(data)
    mime = guessed.mime if guessed else ""
    if mime not in ALLOWED_MIME:
        raise InvalidInput(
            f"附件“{name}”的类型不支持（支持图片、PDF、录音、Word）", fields={"attachments": ["类型不支持（按文件内容识别）"]}
        )
    if kind not in Attachment.Kind.values:
        kind = Attachment.Kind.OTHER
    return name, data, mime, kind


def store_attachment(*, petition: Petition, item, actor, checked: tuple | None = None) -> Attachment:
    name, data, mime, kind = checked or read_attachment(item)
    sha = hashlib.sha256(data).hexdigest()
    att = Attachment(
        petition=petition,
        kind=kind,
        original_name=name[:255],
        content_type=mime,
        size=len(data),
        sha256=sha,
        uploaded_by=actor,
    )
    att.file.save(sha, ContentFile(data), save=False)
    att.save()
    return att


def may_attach(actor, petition: Petition) -> bool:
    """Who may add attachments to a petition in their scope: the office and clerks, and the handling unit's
    handlers while the petition is assigned to their unit. Archived petitions are closed to new material."""
    if actor is None or petition.status == Status.ARCHIVED:
        return False
    if actor.has_role(Role.CLERK, Role.OFFICE):
        return True
    return actor.has_role(Role.UNIT_HANDLER) and petition.handling_unit_id is not None and petition.handling_unit_id == actor.unit_id


@transaction.atomic
def petition_attach(*, actor, petition_or_reg_no, files: list, kind: str = "") -> list[Attachment]:
    """Add attachments after registration: every file is checked (type sniffed from the bytes, size limit,
    SHA-256, not already attached) before any is stored; one "attach" event. Attachments are never deleted."""
    petition = _lock(actor, petition_or_reg_no)  # out of scope: NotFound
    if not may_attach(actor, petition):
        if petition.status == Status.ARCHIVED:
            raise InvalidTransition("已归档的信访件不能再添加附件")
        raise NoPermission("您无权为该信访件添加附件")
    files = [f for f in files or () if f]
    if not files:
        raise InvalidInput("请选择要上传的附件", fields={"attachments": ["请选择文件"]})
    if kind and kind not in Attachment.Kind.values:
        raise InvalidInput("附件类型无效", fields={"kind": ["附件类型无效"]})
    checked = read_new_material(petition, files, kind=kind or Attachment.Kind.OTHER, noun="附件")
    stored = [store_attachment(petition=petition, item=None, actor=actor, checked=c) for c in checked]
    record_event(
        petition=petition,
        action=EventType.ATTACH,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"names": "、".join(a.original_name for a in stored), "attachments": described(stored)},
    )
    return stored


def read_new_material(petition: Petition, files, *, kind: str, noun: str) -> list[tuple]:
    """Every file checked (`read_attachment`) and none already attached to the petition or repeated in the batch,
    before any is stored: one bad file refuses the batch. `noun` names the files in the message (附件, 材料)."""
    checked = []
    seen = set(petition.attachments.values_list("sha256", flat=True))
    for item in files:
        name, data, mime, _kind = read_attachment(item)
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            raise InvalidInput(f"{noun}“{name}”已上传过", fields={"attachments": [f"“{name}”已上传过"]})
        seen.add(sha)
        checked.append((name, data, mime, kind))
    return checked


def described(stored: list[Attachment]) -> list[dict]:
    """The attachments as an event records them: enough to find and verify each file later (id, SHA-256, size)."""
    return [{"id": a.pk, "name": a.original_name, "sha256": a.sha256, "size": a.size, "kind": a.kind} for a in stored]
