"""Reads of the messages: the petitioner's list on the portal (the texts, without the phone) and the office's."""

from xinfang.messaging.models import MessagePreference, MessageStatus, PetitionerMessage
from xinfang.messaging.texts import STEP_LABELS

PORTAL_STATUS = {
    MessageStatus.QUEUED: "发送中",
    MessageStatus.RETRYING: "发送中",
    MessageStatus.SENT: "已发送",
    MessageStatus.DELIVERED: "短信已送达",
    MessageStatus.REJECTED: "短信未能发送",
    MessageStatus.FAILED: "短信未能送达",
    MessageStatus.SKIPPED: "仅网上告知",
}


def portal_messages(petition) -> list[dict]:
    return [
        {"at": m.created_at, "step": STEP_LABELS.get(m.step, ""), "text": m.text, "status": PORTAL_STATUS.get(m.status, "")}
        for m in PetitionerMessage.objects.filter(petition=petition).order_by("created_at", "pk")
    ]


def office_messages(petition) -> list[PetitionerMessage]:
    return list(PetitionerMessage.objects.filter(petition=petition).order_by("created_at", "pk"))


def refused(petition) -> bool:
    pref = MessagePreference.objects.filter(petition=petition).first()
    return bool(pref and pref.refused)
