"""Two people escalate the same dispute at the same moment: one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from tests.grassroots.conftest import PARTIES
from xinfang.core.errors import StaleVersion
from xinfang.grassroots import services
from xinfang.grassroots.models import DisputeEvent


@pytest.mark.django_db(transaction=True)
def test_concurrent_escalations_one_wins(net):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need a server database; CI runs this on PostgreSQL")
    d = services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description="x", parties=PARTIES)
    barrier = threading.Barrier(2)
    results = []

    def run(actor):
        try:
            barrier.wait()
            services.dispute_escalate(actor=actor, dispute_id=d.pk, version=d.version, reason=f"{actor.username} 上报")
            results.append("ok")
        except StaleVersion:
            results.append("stale")
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(u,)) for u in (net.liaison, net.twp)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale"]
    d.refresh_from_db()
    assert (d.level, d.escalations, d.version) == ("township", 1, 2)
    assert DisputeEvent.objects.filter(dispute=d, action="escalate").count() == 1
