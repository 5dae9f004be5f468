"""Celery: telling of one event (its message and first try), one try of a message (retried by messaging.services with
backoff), and the periodic sweep."""

from celery import shared_task


# acks_late: a worker that dies mid-task leaves it on the queue for another; doing it twice is harmless (the message's
# dedupe key makes one row, the row lock and its status one try). Nobody reads its result: none is stored.
@shared_task(name="xinfang.messaging.tasks.tell_event", acks_late=True, ignore_result=True)
def tell_event(event_pk: int, committed_at: str | None = None) -> str:
    from django.utils.dateparse import parse_datetime

    from xinfang.messaging import services

    message = services.plan_event(event_pk, try_here=True, committed_at=parse_datetime(committed_at) if committed_at else None)
    return message.status if message else ""


@shared_task(name="xinfang.messaging.tasks.send_message")
def send_message(message_pk: int) -> str:
    from xinfang.messaging import services

    return services.attempt(message_pk)


@shared_task(name="xinfang.messaging.tasks.retry_due")
def retry_due() -> dict:
    from xinfang.messaging import services

    return services.retry_due()
