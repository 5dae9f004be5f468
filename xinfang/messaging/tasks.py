"""Celery: one try of a message (retried by messaging.services with backoff) and the periodic sweep."""

from celery import shared_task


@shared_task(name="xinfang.messaging.tasks.send_message")
def send_message(message_pk: int) -> str:
    from xinfang.messaging import services

    return services.attempt(message_pk)


@shared_task(name="xinfang.messaging.tasks.retry_due")
def retry_due() -> dict:
    from xinfang.messaging import services

    return services.retry_due()
