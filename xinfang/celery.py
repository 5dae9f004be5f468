"""Celery runs periodic and long jobs when CELERY_BROKER_URL is set; every job is also a
management command that works alone (cron, systemd timer)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings.local")

app = Celery("xinfang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_without_keys(**_kwargs):
    """Production without its own keys does not run jobs either (xinfang.core.checks)."""
    from xinfang.core.checks import refuse_to_start

    refuse_to_start()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _retire_stale_connections(**_kwargs):
    """With CELERY_DB_REUSE_MAX the worker keeps its connection across tasks; one that broke (a database restart) or
    outlived CONN_MAX_AGE is closed here, as Django does around each request."""
    from django.db import close_old_connections

    close_old_connections()
