"""Celery: the statistics summaries as a task (beat every five minutes, settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="xinfang.stats.tasks.refresh_stats")
def refresh_stats() -> int:
    from xinfang.stats import summaries

    return summaries.refresh()
