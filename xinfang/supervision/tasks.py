"""Celery: the sweep as a task, and its beat schedule (every minute) for settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

BEAT_SCHEDULE = {
    "sweep-reminders": {"task": "xinfang.supervision.tasks.sweep_reminders", "schedule": 60.0},
}


@shared_task(name="xinfang.supervision.tasks.sweep_reminders")
def sweep_reminders() -> dict:
    from xinfang.supervision import sweep

    return sweep.run()
