"""Celery: the statistics summaries as a task (beat every five minutes, settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="xinfang.stats.tasks.refresh_stats")
def refresh_stats() -> int:
    from xinfang.core import planner
    from xinfang.stats import summaries

    days = summaries.refresh()
    planner.analyze_indexes()
    return days
