"""The Celery path for real: the task goes through the Redis broker to a worker and the result comes back."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from xinfang.benchmarks.load import redis_up
from xinfang.celery import app
from xinfang.supervision.models import Notification, ReminderMark
from xinfang.supervision.tasks import sweep_reminders

from .factories import make_petition

REDIS = "redis://127.0.0.1:6379/13"


def test_beat_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-reminders"]
    assert entry["task"] == sweep_reminders.name
    assert entry["schedule"] == 60.0
    app.loader.import_default_modules()
    assert sweep_reminders.name in app.tasks


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_sweep_task_through_redis_broker_and_worker(county, people):
    if not redis_up():
        pytest.skip("Redis 127.0.0.1:6379 不可达")
    from celery.contrib.testing.worker import start_worker

    queue = f"xf-h5-test-{uuid.uuid4().hex[:8]}"  # a queue of our own: other workers on the machine never take it
    old = {k: app.conf.get(k) for k in ("broker_url", "result_backend", "task_default_queue", "task_always_eager")}
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_default_queue=queue, task_always_eager=False)
    try:
        p = make_petition(county, due_at=timezone.now() - timedelta(hours=1))
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
            result = sweep_reminders.apply_async(queue=queue)
            counts = result.get(timeout=60)
            assert counts["petitions"] == 1
            again = sweep_reminders.apply_async(queue=queue).get(timeout=60)
            assert again["petitions"] == 0  # claimed once
        assert ReminderMark.objects.filter(petition=p).count() == 1
        assert Notification.objects.filter(recipient=people.head, kind="reminder_overdue").count() == 1
    finally:
        app.conf.update(**old)
