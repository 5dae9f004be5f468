"""Telling the petitioner at every legal step (短信告知), and where each message stands.

    a lifecycle event is written (record_event)        hooks.event_written → after commit: plan(event)
    plan(event)        one PetitionerMessage (the text of texts.TEMPLATES), then attempt() — or the Celery task
    attempt(message)   one try at the gateway: accepted → sent (then a delivery report), rejected → final,
                       an outage → retried with backoff (RETRY_DELAYS), FAILED after MAX_ATTEMPTS
    apply_reports()    delivery reports (fetched or pushed): delivered / failed
    retry_due()        the periodic job (Celery beat `messaging-retry`, or `manage.py messaging_retry` from cron):
                       due retries, reports fetched, the ends of 复查/复核 windows

Every answer of the gateway is written on the petition's timeline (EventType.MESSAGE_*), so the office sees it on the
petition page. A message is kept (and shown on the portal) even when no SMS goes out: anonymous petitions, a refusal
(MessagePreference) and no phone on file are `SKIPPED`. An online or SMS answer counts as delivered when the gateway
confirms it (`petition_services.petition_delivery_confirmed`): the 复查/复核 window starts then (`answer_awaits_gateway`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.messaging import gateway as gw
from xinfang.messaging import texts
from xinfang.messaging.models import FINAL_STATUSES, MessagePreference, MessageStatus, PetitionerMessage
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Petition, PetitionEvent, ReplyMethod, Status

log = logging.getLogger(__name__)
GATEWAY_LABEL = "短信网关"
MAX_ATTEMPTS = 5
RETRY_DELAYS = [60, 300, 900, 3600]  # seconds after the 1st, 2nd, 3rd, 4th failed try
STALE_AFTER_HOURS = 24  # an event dated longer ago when its transaction commits (demo data, backdated entries): no message
WINDOW_LOOKBACK_DAYS = 7  # windows that ended longer ago are not announced (the first run after a deployment)


# --- who is told ------------------------------------------------------------------------


def refused(petition: Petition) -> bool:
    pref = MessagePreference.objects.filter(petition=petition).first()
    return bool(pref and pref.refused)


def recipient_phone(petition: Petition) -> str:
    """The phone an SMS goes to: the first petitioner's phone on file; none for anonymous petitions or a refusal."""
    if petition.anonymous or refused(petition):
        return ""
    for person in petition.petitioners.order_by("position", "pk"):
        if person.phone:
            return person.phone
    return ""


def answer_awaits_gateway(petition: Petition, method: str) -> bool:
    """An online or SMS answer is delivered when the gateway confirms the message telling of it (petition_reply asks)."""
    return method in (ReplyMethod.ONLINE, ReplyMethod.SMS) and bool(recipient_phone(petition))


REFUSAL_LABELS = {"registration": "信访人（登记时）", "portal": "信访人（网上查询）", "office": "信访局（应信访人要求）"}


@transaction.atomic
def set_refusal(*, petition: Petition, refused: bool, via: str) -> MessagePreference:
    """不接收短信 (or back to receiving), as an event on the timeline. `via`: registration, portal, office."""
    Petition.objects.select_for_update().filter(pk=petition.pk).first()
    now = timezone.now()
    pref, created = MessagePreference.objects.get_or_create(petition=petition, defaults={"refused": refused, "changed_at": now, "via": via})
    if not created and pref.refused == refused:
        return pref
    if not created:
        pref.refused, pref.changed_at, pref.via = refused, now, via
        pref.save(update_fields=["refused", "changed_at", "via"])
    if created and not refused:
        return pref
    record_event(
        petition=petition,
        action=EventType.MESSAGE_PREFERENCE,
        actor_label=REFUSAL_LABELS.get(via, "信访人"),
        from_status=petition.status,
        to_status=petition.status,
        data={"refused": refused, "note": "不接收短信告知，可在网上查看" if refused else "接收短信告知"},
        public=True,
    )
    return pref


# --- making and sending -----------------------------------------------------------------


def plan_event(event_pk: int, *, try_here: bool = False, committed_at=None) -> PetitionerMessage | None:
    """The message of one event. `committed_at`: when its transaction committed (a Celery task runs later, maybe much
    later after a worker outage: the step is still news if it was when written)."""
    event = PetitionEvent.objects.select_related("petition").filter(pk=event_pk).first()
    if event is None or event.action not in texts.TEMPLATES:
        return None
    # A step written with a past date is not news.
    if event.at < (committed_at or timezone.now()) - timedelta(hours=STALE_AFTER_HOURS):
        return None
    return plan(petition=event.petition, step=event.action, data=event.data, event=event, key=f"event:{event.pk}", try_here=try_here)


def plan(*, petition: Petition, step: str, data: dict, key: str, event=None, try_here: bool = False) -> PetitionerMessage | None:
    """One message for one step (once per key), then its first try: here when asked (a Celery task already), else
    enqueue()'s choice."""
    text = texts.render(petition, step, data)
    if not text:
        return None
    phone = recipient_phone(petition)
    try:
        with transaction.atomic():
            message = PetitionerMessage.objects.create(
                petition=petition,
                event=event,
                step=step,
                text=text,
                phone=phone,
                status=MessageStatus.QUEUED if phone else MessageStatus.SKIPPED,
                created_at=timezone.now(),
                dedupe_key=key[:200],
            )
    except IntegrityError:
        return None
    if phone and try_here:
        message.status = attempt(message.pk)
    elif phone:
        enqueue(message.pk)
    return message


def enqueue(message_pk: int) -> None:
    """The first try: the Celery task with a broker, here without one. Retries are retry_due()'s (one path, so a
    message is never tried twice at once; the row lock backs that up)."""
    if getattr(settings, "CELERY_BROKER_URL", ""):
        from xinfang.messaging.tasks import send_message

        try:
            send_message.delay(message_pk)
            return
        except Exception:  # noqa: BLE001 - the broker is down: a queued message would wait for nobody
            log.warning("短信发送转后台任务失败，改为当场发送: message %s", message_pk, exc_info=True)
    attempt(message_pk)


def backoff(attempts: int) -> int:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _note(message: PetitionerMessage, action: str, **data) -> None:
    """A gateway's answer on the timeline (the caller holds the petition lock)."""
    petition = message.petition
    record_event(
        petition=petition,
        action=action,
        actor_label=GATEWAY_LABEL,
        from_status=petition.status,
        to_status=petition.status,
        data={"step_label": texts.STEP_LABELS.get(message.step, message.step), "message": message.pk, **data},
        changes_key_fields=False,  # the petition is as its last event left it: the head's state is sealed again
    )


def _locked(messages) -> PetitionerMessage | None:
    """The message and its petition, both rows locked by the one statement: FOR UPDATE without OF locks the rows of
    every table it reads, and select_related reads the petition (its timeline gets the gateway's answer)."""
    return messages.select_for_update().select_related("petition").first()


def attempt(message_pk: int) -> str:
    """One try. Returns the message's status afterwards."""
    with transaction.atomic():
        message = _locked(PetitionerMessage.objects.filter(pk=message_pk))
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING):
            return message.status if message else ""
        result = gw.get_gateway().send(phone=message.phone, text=message.text, ref=f"xf-{message.pk}")
        now = timezone.now()
        message.attempts += 1
        fields = ["attempts", "status", "next_attempt_at", "last_error"]
        message.next_attempt_at = None
        if result.outcome == gw.ACCEPTED:
            message.status, message.gateway_id, message.sent_at, message.last_error = MessageStatus.SENT, result.message_id, now, ""
            fields += ["gateway_id", "sent_at"]
            if result.delivered_at is None:  # a report follows; a delivery confirmed at once is one entry, below
                _note(message, EventType.MESSAGE_SENT, attempt=message.attempts)
        elif result.outcome == gw.REJECTED:
            message.status, message.last_error = MessageStatus.REJECTED, result.error
            _note(message, EventType.MESSAGE_REJECTED, error=result.error)
        elif message.attempts >= MAX_ATTEMPTS:
            message.status, message.last_error = MessageStatus.FAILED, result.error
            _note(message, EventType.MESSAGE_FAILED, attempt=message.attempts, error=result.error)
        else:
            delay = backoff(message.attempts)
            message.status, message.last_error = MessageStatus.RETRYING, result.error
            message.next_attempt_at = now + timedelta(seconds=delay)
            _note(
                message,
                EventType.MESSAGE_RETRY,
                attempt=message.attempts,
                error=result.error,
                next_attempt_at=message.next_attempt_at.isoformat(),
            )
        message.save(update_fields=fields)
        if result.outcome == gw.ACCEPTED and result.delivered_at is not None:
            _delivered(message, result.delivered_at)
    return message.status


def _delivered(message: PetitionerMessage, at) -> None:
    message.status, message.delivered_at = MessageStatus.DELIVERED, at
    message.save(update_fields=["status", "delivered_at"])
    _note(message, EventType.MESSAGE_DELIVERED, delivered_at=at.isoformat())
    if message.step == EventType.REPLY and message.event_id:
        from xinfang.petitions.services import petition_delivery_confirmed

        petition_delivery_confirmed(petition=message.petition, reply_event=message.event, delivered_at=at, actor_label=GATEWAY_LABEL)


def apply_reports(reports: list[gw.Report]) -> int:
    """Delivery reports (fetched from the gateway or pushed to the callback). Returns how many changed a message."""
    changed = 0
    for report in reports:
        with transaction.atomic():
            message = _locked(PetitionerMessage.objects.filter(gateway_id=report.message_id))
            if message is None or message.status != MessageStatus.SENT:
                continue
            if report.delivered:
                _delivered(message, report.at)
            else:
                message.status, message.last_error = MessageStatus.FAILED, report.error or "未送达"
                message.save(update_fields=["status", "last_error"])
                _note(message, EventType.MESSAGE_FAILED, attempt=message.attempts, error=message.last_error)
            changed += 1
    return changed


def sweep_windows(now=None) -> int:
    """申请期限届满: a message when the 复查/复核 window after an answer has ended without a request."""
    now = now or timezone.now()
    made = 0
    ended = Petition.objects.filter(
        status__in=[Status.REPLIED, Status.EVALUATED],
        review_request_due_at__lte=now,
        review_request_due_at__gt=now - timedelta(days=WINDOW_LOOKBACK_DAYS),
    )
    for petition in ended:
        stage = "review" if petition.review_level == 1 else "reply"
        due = petition.review_request_due_at
        if due is None:  # pragma: no cover - the filter excludes it
            continue
        data = {"stage": stage, "due_at": due.isoformat()}
        if plan(petition=petition, step=texts.WINDOW_END, data=data, key=f"window:{petition.pk}:{due.isoformat()}") is not None:
            made += 1
    return made


def retry_due(now=None) -> dict:
    now = now or timezone.now()
    due = list(PetitionerMessage.objects.filter(status=MessageStatus.RETRYING, next_attempt_at__lte=now).values_list("pk", flat=True)[:500])
    for pk in due:
        attempt(pk)
    reports = apply_reports(gw.get_gateway().fetch_reports())
    windows = sweep_windows(now)
    return {"retried": len(due), "reports": reports, "windows": windows}


def is_final(message: PetitionerMessage) -> bool:
    return message.status in FINAL_STATUSES
