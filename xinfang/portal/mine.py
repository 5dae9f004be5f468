"""My cases (我的信访件) and added material (补充材料) on the portal.

My cases: a one-time SMS code to a phone number opens, for this browser session and 30 minutes, every petition whose
petitioner left that number (matched by the keyed hash `Petitioner.phone_hash`, never by a name). The answer to "send
a code" is the same whether the number is on file or not; codes are rate-limited per number and per client like the
query-code recovery (`services.portal_recovery_send`), and a code is spent after SMS_CODE_TRIES wrong tries.

Added material: while a case is open, files checked as at registration (`attachments.read_attachment`: sniffed from
the bytes, size-limited, allowed types), one public event on the timeline, and the handling unit's handlers (the
office while the case is not assigned) told through the supervision inbox (with its SMS/e-mail copies).
"""

import hashlib
import secrets

from django.core.cache import cache
from django.db import transaction

from xinfang.core import inputs
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import DomainError, ErrorCode, InvalidInput, InvalidTransition
from xinfang.org.models import Role, User
from xinfang.petitions import attachments
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import OPEN_STATUSES, Attachment, Petition, Petitioner
from xinfang.portal.limits import hit
from xinfang.portal.services import PORTAL_LABEL, SMS_CODE_SECONDS, SMS_CODE_TRIES, SMS_PER_CLIENT_PER_HOUR, SMS_PER_NUMBER_PER_HOUR

MINE_SECONDS = 30 * 60
MINE_SENT_MESSAGE = "如果该手机号码登记过信访事项，验证码已发送到该手机，10分钟内有效。"
MINE_SMS_TEXT = "【信访】您的查询验证码：{code}，10分钟内有效，用于查看本手机号登记的信访事项。如非本人操作，请忽略。"
MAX_FILES = 10


def _key(phone_hash: str) -> str:
    return f"xf-portal:mine:{phone_hash}"


def _code_hash(phone_hash: str, code: str) -> str:
    return keyed_hash(f"portal-mine|{phone_hash}|{code}")


def _petitioners(phone_hash: str):
    return Petitioner.objects.filter(phone_hash=phone_hash, petition__anonymous=False)


def mine_send_code(*, phone: str, client_address: str = "") -> str:
    from xinfang.supervision.notifications import Message, get_sender

    phone = inputs.phone(phone, "phone", required=True, label="手机号码")
    if client_address and not hit(f"mine-client:{client_address}", SMS_PER_CLIENT_PER_HOUR, 3600):
        raise DomainError("发送验证码过于频繁，请一小时后再试，或凭登记编号和查询码查询", code=ErrorCode.THROTTLED)
    phone_hash = keyed_hash(phone)
    if not hit(f"mine-number:{phone_hash}", SMS_PER_NUMBER_PER_HOUR, 3600):
        return MINE_SENT_MESSAGE  # a capped number and a sent one look alike
    if _petitioners(phone_hash).exists():
        code = "".join(secrets.choice("0123456789") for _ in range(6))
        cache.set(_key(phone_hash), {"hash": _code_hash(phone_hash, code), "tries": 0}, SMS_CODE_SECONDS)
        ref = hashlib.sha256(phone_hash.encode()).hexdigest()[:12]
        message = Message("sms", phone, 0, "查询验证码", MINE_SMS_TEXT.format(code=code), "", "portal_mine", f"mine:{ref}")
        try:
            get_sender("sms").send(message)
        except Exception:  # noqa: BLE001 - an outage: the query code still opens each petition
            import logging

            logging.getLogger(__name__).exception("发送我的信访件验证码失败")
    return MINE_SENT_MESSAGE


def mine_verify(*, phone: str, sms_code: str) -> str:
    """The phone's keyed hash when the code is right (the session keeps it); the same refusal for every wrong case."""
    wrong = InvalidInput("验证码不正确或已过期，请重新获取", fields={"sms_code": ["验证码不正确或已过期"]})
    try:
        phone = inputs.phone(phone, "phone", required=True, label="手机号码")
    except InvalidInput:
        raise wrong from None
    phone_hash = keyed_hash(phone)
    sms_code = "".join((sms_code or "").split())
    state = cache.get(_key(phone_hash))
    if not sms_code or not state or state.get("tries", 0) >= SMS_CODE_TRIES:
        raise wrong
    if not secrets.compare_digest(state["hash"], _code_hash(phone_hash, sms_code)):
        state["tries"] = state.get("tries", 0) + 1
        cache.set(_key(phone_hash), state, SMS_CODE_SECONDS)
        raise wrong
    cache.delete(_key(phone_hash))
    return phone_hash


def mine_petitions(phone_hash: str) -> list[Petition]:
    ids = _petitioners(phone_hash).values_list("petition_id", flat=True)
    return list(Petition.objects.filter(pk__in=ids).select_related("category", "office").order_by("-received_at", "-pk"))


# --- 补充材料 ----------------------------------------------------------------------------


def may_add_material(petition: Petition) -> bool:
    return petition.status in OPEN_STATUSES and not petition.matter_ended


def _told(petition: Petition) -> list[User]:
    users = User.objects.filter(is_active=True)
    if petition.handling_unit_id:
        people = [u for u in users.filter(unit_id=petition.handling_unit_id) if u.has_role(Role.UNIT_HANDLER)]
        if people:
            return people
    return [u for u in users.filter(unit_id=petition.office_id) if u.has_role(Role.OFFICE)]


@transaction.atomic
def portal_add_material(*, petition: Petition, files: list, note: str = "") -> list[Attachment]:
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if not may_add_material(petition):
        raise InvalidTransition("该信访事项已办结，不能再补充材料；如有新的情况，请重新提出信访事项")
    files = [f for f in files or () if f]
    if not files:
        raise InvalidInput("请选择要上传的材料", fields={"attachments": ["请选择文件"]})
    if len(files) > MAX_FILES:
        raise InvalidInput(f"一次最多上传{MAX_FILES}个文件", fields={"attachments": [f"最多{MAX_FILES}个"]})
    note = inputs.text(note, "note", "补充说明", required=False, max_len=500)
    checked = attachments.read_new_material(petition, files, kind=Attachment.Kind.OTHER, noun="材料")
    stored = [attachments.store_attachment(petition=petition, item=None, actor=None, checked=c) for c in checked]
    names = "、".join(a.original_name for a in stored)
    record_event(
        petition=petition,
        action=EventType.PORTAL_MATERIAL,
        actor_label=PORTAL_LABEL,
        from_status=petition.status,
        to_status=petition.status,
        data={
            "names": names,
            "note": note,
            "attachments": attachments.described(stored),
        },
        public=True,
    )
    from xinfang.supervision.notifications import notify_many

    notify_many(
        recipients=_told(petition),
        title=f"信访人补充材料：{petition.reg_no}",
        body=f"信访人通过网上信访补充了{len(stored)}份材料，请查阅并在办理中一并考虑。",
        url=f"/petitions/{petition.reg_no}/",
        kind="portal_material",
        dedupe_key=f"material:{petition.pk}:{stored[0].pk}",
    )
    return stored
