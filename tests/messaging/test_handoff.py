"""With a broker the petitioner's message is a Celery task: the request that wrote the step only publishes it, a
worker plans and sends it (through the real Redis broker and the real HTTP gateway). Without a reachable broker the
request still tells the petitioner itself: no step goes untold because the queue is down."""

import time
import uuid

import pytest
from django.db import OperationalError

from xinfang.benchmarks.load import redis_up
from xinfang.celery import app
from xinfang.messaging.models import MessageStatus, PetitionerMessage

REDIS = "redis://127.0.0.1:6379/13"


def _forget_connections() -> None:
    """The app's connection and producer pools keep the broker they were made for (what Celery does after a fork)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Point the app at `url` on a queue of our own (other workers on the machine never take it); restored after."""
    old = {k: app.conf.get(k) for k in ("broker_url", "result_backend", "task_default_queue", "task_always_eager")}

    def _use(url: str) -> str:
        queue = f"xf-messaging-test-{uuid.uuid4().hex[:8]}"
        settings.CELERY_BROKER_URL = url
        # The results always go to the real Redis: the app keeps the backend it first made (as tests/supervision does).
        app.conf.update(broker_url=url, result_backend=REDIS, task_default_queue=queue, task_always_eager=False)
        _forget_connections()
        return queue

    yield _use
    app.conf.update(**old)
    _forget_connections()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_request_publishes_and_a_worker_tells_the_petitioner(gateway, broker, register):
    if not redis_up():
        pytest.skip("Redis 127.0.0.1:6379 不可达")
    from celery.contrib.testing.worker import start_worker

    queue = broker(REDIS)
    p, _code = register()  # committed (no outer transaction): the hook published the step
    assert not PetitionerMessage.objects.filter(petition=p).exists()  # nothing planned in the request
    message = None
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                message = PetitionerMessage.objects.filter(petition=p).first()
            except OperationalError:  # SQLite: the worker's thread is writing
                continue
            if message and message.status in (MessageStatus.SENT, MessageStatus.DELIVERED):
                break
    assert message is not None and message.status in (MessageStatus.SENT, MessageStatus.DELIVERED), message
    assert "已登记" in gateway.sent("13800138000")[0]["content"]
    assert p.events.filter(action__in=["message_sent", "message_delivered"]).exists()  # the gateway's answer, on the timeline


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_tells_the_petitioner_itself(gateway, broker, register):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    p, _code = register()
    message = PetitionerMessage.objects.get(petition=p)
    assert message.status in (MessageStatus.SENT, MessageStatus.DELIVERED)
    assert "已登记" in gateway.sent("13800138000")[0]["content"]


def test_a_message_whose_task_cannot_be_published_is_tried_at_once(gateway, broker, register, after_commit):
    """A queued message waits for a worker; with the broker down nobody would take it (retry_due retries RETRYING)."""
    from xinfang.messaging import services as ms

    p, _code = after_commit(register)  # no broker yet: planned and sent here
    broker("redis://127.0.0.1:1/0")
    message = ms.plan(petition=p, step="accept", data={}, key="test:accept")
    assert message is not None and PetitionerMessage.objects.get(pk=message.pk).status in (MessageStatus.SENT, MessageStatus.DELIVERED)


@pytest.mark.django_db
def test_a_task_run_long_after_the_commit_still_tells_of_a_step_that_was_news_then(gateway, register):
    """A worker down for two days: the queued step is told when it comes back (staleness is judged at the commit)."""
    from datetime import timedelta

    import time_machine

    from xinfang.messaging.tasks import tell_event

    p, _code = register()  # the after-commit hook does not run here (no commit): nothing told yet
    event = p.events.get(action="register")
    with time_machine.travel(event.at + timedelta(days=2), tick=False):
        assert tell_event(event.pk) == ""  # judged now: two days old, not news
        assert tell_event(event.pk, committed_at=event.at.isoformat()) in (MessageStatus.SENT, MessageStatus.DELIVERED)
    assert PetitionerMessage.objects.filter(petition=p, step="register").count() == 1
