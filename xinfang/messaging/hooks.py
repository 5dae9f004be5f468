"""The one hook: every petition event written is looked at after its transaction commits (every service path sends).
Imported history (transfer) tells nobody."""

from django.db import transaction


def event_written(sender, instance, created, **kwargs):
    from xinfang.messaging.texts import TEMPLATES

    if not created or instance.imported or instance.action not in TEMPLATES:
        return
    pk = instance.pk

    def _after():
        from xinfang.messaging.services import plan_event

        try:
            plan_event(pk)
        except Exception:  # noqa: BLE001 - a message must never break the office's work; retry_due() sweeps
            import logging

            logging.getLogger(__name__).exception("短信告知生成失败: event %s", pk)

    transaction.on_commit(_after)
