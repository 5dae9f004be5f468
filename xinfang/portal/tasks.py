"""Celery: the hourly drop of Open311 first responses older than 24 hours (settings.CELERY_BEAT_SCHEDULE; cron runs
`manage.py open311_drop_replays` instead when there is no broker)."""

from celery import shared_task


@shared_task(name="xinfang.portal.tasks.open311_drop_replays")
def open311_drop_replays() -> int:
    from xinfang.portal import services

    return services.open311_drop_replays()
