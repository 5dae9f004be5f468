"""Celery runs periodic and long jobs when CELERY_BROKER_URL is set; every job is also a
management command that works alone (cron, systemd timer)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings.local")

app = Celery("xinfang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
