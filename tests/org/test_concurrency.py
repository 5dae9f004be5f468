"""Two managers posting at once cannot break a limit: the school row is locked while counting.

Needs row locks across connections, so it runs on PostgreSQL (CI runs the suite there too);
SQLite serialises whole-database writes and has no SELECT ... FOR UPDATE.
"""

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction

from xinfang.core.errors import InvalidInput
from xinfang.org import services
from xinfang.org.models import NetworkPost, PostRole, Role

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="行锁测试需要 PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_fourth_safety_officer_waits_for_the_lock_and_is_refused(make_user, county):
    office = make_user(Role.OFFICE)
    for name in ["甲老师", "乙老师"]:
        services.safety_officer_post(actor=office, name=name, school=county.school, start_on=date(2026, 3, 1))
    posted, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                services.safety_officer_post(actor=office, name="丙老师", school=county.school, start_on=date(2026, 3, 1))
                posted.set()
                release.wait(10)  # hold the lock (and the uncommitted third officer) for a while
        finally:
            connections.close_all()

    def second():
        try:
            services.safety_officer_post(actor=office, name="丁老师", school=county.school, start_on=date(2026, 3, 1))
            outcome["second"] = "posted"
        except InvalidInput as exc:
            outcome["second"] = exc.message
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert posted.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(1)
    blocked = b.is_alive()  # without the row lock the second would have counted 2 and finished
    release.set()
    a.join(10)
    b.join(10)
    assert blocked
    assert "每校最多 3 名" in outcome["second"]
    assert NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=county.school, ended_on__isnull=True).count() == 3
