"""The one hook: every petition event written is looked at after its transaction commits (every service path sends).
Imported history (transfer) tells nobody.

With a broker the whole step (the text, the message row, the gateway's first try and its answer on the timeline) is a
Celery task, so the request that wrote the event only publishes (registration: half its CPU was the SMS). Without
one, or when publishing fails, it runs here, after the commit, as before."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def event_written(sender, instance, created, **kwargs):
    from xinfang.messaging.texts import TEMPLATES

    if not created or instance.imported or instance.action not in TEMPLATES:
        return
    pk = instance.pk

    def _after():
        from xinfang.messaging.services import plan_event

        if getattr(settings, "CELERY_BROKER_URL", ""):
            from xinfang.messaging.tasks import tell_event

            try:
                tell_event.delay(pk, committed_at=timezone.now().isoformat())
                return
            except Exception:  # noqa: BLE001 - the broker is down: tell the petitioner from here instead
                log.warning("短信告知转后台任务失败，改为当场发送: event %s", pk, exc_info=True)
        try:
            plan_event(pk, try_here=True)
        except Exception:  # noqa: BLE001 - a message must never break the office's work; retry_due() sweeps
            log.exception("短信告知生成失败: event %s", pk)

    transaction.on_commit(_after)
