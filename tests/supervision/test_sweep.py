"""The reminder sweep: thresholds from stored due times, escalation order, once per threshold, after commit."""

import json
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from xinfang.petitions.models import Status
from xinfang.supervision import sweep
from xinfang.supervision.models import Notification, ReminderMark, Threshold
from xinfang.supervision.notifications import notify

from .factories import make_petition

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday morning
DUE = datetime(2026, 3, 6, 17, 0, tzinfo=SH)  # Friday 17:00


def recipients(threshold):
    return sorted(Notification.objects.filter(kind=f"reminder_{threshold}").values_list("recipient__username", flat=True))


def test_thresholds_are_pure_and_ordered():
    assert sweep.thresholds_for(DUE, DUE - timedelta(days=4)) == []
    assert sweep.thresholds_for(DUE, DUE - timedelta(days=2)) == [Threshold.DUE_3D]
    assert sweep.thresholds_for(DUE, DUE - timedelta(hours=3)) == [Threshold.DUE_TODAY]
    assert sweep.thresholds_for(DUE, DUE) == [Threshold.OVERDUE]
    assert sweep.thresholds_for(DUE, DUE + timedelta(days=3, minutes=1)) == [Threshold.OVERDUE, Threshold.OVERDUE_3D]
    assert sweep.thresholds_for(DUE, DUE + timedelta(days=8)) == [Threshold.OVERDUE, Threshold.OVERDUE_3D, Threshold.OVERDUE_7D]


@pytest.mark.django_db
def test_escalation_order_and_once_per_threshold(county, people):
    with time_machine.travel(T0, tick=False):
        p = make_petition(county, due_at=DUE, case_leader=people.leader)
        far = make_petition(county, due_at=DUE + timedelta(days=30))
        closed = make_petition(county, due_at=DUE, status=Status.ARCHIVED)
        assert sweep.sweep_petitions() == 0  # 4.3 days before: nothing yet

    steps = [
        (DUE - timedelta(days=2), Threshold.DUE_3D, [people.handler.username]),
        (DUE - timedelta(hours=2), Threshold.DUE_TODAY, [people.handler.username]),
        (DUE + timedelta(minutes=1), Threshold.OVERDUE, [people.head.username]),
        (DUE + timedelta(days=3, hours=1), Threshold.OVERDUE_3D, [people.supervisor.username]),
        (DUE + timedelta(days=7, hours=1), Threshold.OVERDUE_7D, [people.leader.username]),
    ]
    for when, threshold, expected in steps:
        with time_machine.travel(when, tick=False):
            assert sweep.sweep_petitions() == 1, threshold
            assert sweep.sweep_petitions() == 0, threshold  # the second pass finds it claimed
            assert recipients(threshold) == expected
    marks = list(ReminderMark.objects.filter(petition=p).order_by("created_at", "pk").values_list("threshold", flat=True))
    assert marks == [s[1] for s in steps]
    assert not ReminderMark.objects.filter(petition__in=[far, closed]).exists()
    # the other supervisor's group covers township 2: never told
    assert not Notification.objects.filter(recipient=people.other_supervisor).exists()


@pytest.mark.django_db
def test_new_due_time_after_extension_starts_a_new_round(county, people):
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        p = make_petition(county, due_at=DUE)
        assert sweep.sweep_petitions() == 1
        p.due_at = DUE + timedelta(days=30)
        p.save(update_fields=["due_at"])
        assert sweep.sweep_petitions() == 0
    with time_machine.travel(DUE + timedelta(days=30, hours=1), tick=False):
        assert sweep.sweep_petitions() == 1
    assert ReminderMark.objects.filter(petition=p, threshold=Threshold.OVERDUE).count() == 2


@pytest.mark.django_db
def test_unit_without_head_falls_back_to_handlers_and_no_case_leader_to_office_head(county, people, make_user):
    handler2 = make_user("unit_handler", unit=county.dept2)
    with time_machine.travel(DUE + timedelta(days=8), tick=False):
        make_petition(county, due_at=DUE, handling_unit=county.dept2, region=county.villages[2])
        assert sweep.sweep_petitions() == 3
    assert recipients(Threshold.OVERDUE) == sorted([handler2.username, people.outsider.username])
    assert recipients(Threshold.OVERDUE_3D) == [people.other_supervisor.username]  # township 2
    assert recipients(Threshold.OVERDUE_7D) == [people.office.username]  # office unit has no head: its office staff


@pytest.mark.django_db
def test_paused_petition_gets_no_reminder(county, people):
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        make_petition(county, due_at=DUE, paused_at=DUE - timedelta(days=1))
        assert sweep.sweep_petitions() == 0


@pytest.mark.django_db(transaction=True)
def test_messages_are_sent_only_after_commit(county, people, outbox):
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        make_petition(county, due_at=DUE, handling_unit=county.dept)
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipient=people.handler, title="不会发出", kind="test", dedupe_key="rollback")
            raise RuntimeError
        assert not (outbox / "sms.jsonl").exists()
        assert not Notification.objects.filter(dedupe_key__startswith="rollback").exists()
        call_command("sweep_reminders")
    # the unit head has no phone; the handler gets 3-day/today reminders only before due. Overdue goes to the head.
    office_note = notify(recipient=people.office, title="测试", kind="test", dedupe_key="commit")
    assert office_note is not None
    lines = [json.loads(line) for line in (outbox / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["to"] for m in lines] == ["13900000001"]
    email = [json.loads(line) for line in (outbox / "email.jsonl").read_text(encoding="utf-8").splitlines()]
    assert email[0]["to"] == "office@example.cn" and email[0]["title"] == "测试"
    assert Notification.objects.filter(recipient=people.head, kind="reminder_overdue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_reminder_once(county, people):
    """Several sweeps at once (threads; real concurrency on PostgreSQL): one reminder per threshold."""
    if connection.vendor != "postgresql":
        pytest.skip("并发线程测试需要 PostgreSQL（SQLite 串行化写入）")
    with time_machine.travel(DUE + timedelta(days=8), tick=False):
        petitions = [make_petition(county, due_at=DUE, case_leader=people.leader) for _ in range(5)]
    results, errors = [], []
    barrier = threading.Barrier(4)

    def run():
        from django.db import connection as conn

        try:
            with time_machine.travel(DUE + timedelta(days=8), tick=False):
                barrier.wait()
                results.append(sweep.sweep_petitions())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 15  # 5 petitions x 3 escalation thresholds, whichever thread claimed them
    assert ReminderMark.objects.filter(petition__in=petitions).count() == 15
    assert Notification.objects.filter(kind="reminder_overdue", recipient=people.head).count() == 5
    assert Notification.objects.filter(kind="reminder_overdue_7d", recipient=people.leader).count() == 5


@pytest.mark.django_db
def test_office_steps_remind_the_office_not_the_handling_unit(county, people):
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        make_petition(county, due_at=DUE, status=Status.RESULT_REPORTED)  # the office must approve the result
        assert sweep.sweep_petitions() == 1
    assert recipients(Threshold.OVERDUE) == [people.office.username]


@pytest.mark.django_db
def test_a_quiet_sweep_costs_a_few_queries(county, people, django_assert_max_num_queries):
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        for _ in range(20):
            make_petition(county, due_at=DUE + timedelta(hours=2))
            make_petition(county, due_at=DUE)
        sweep.sweep_petitions()
        with django_assert_max_num_queries(6):
            assert sweep.sweep_petitions() == 0


@pytest.mark.django_db(transaction=True)
def test_several_cron_copies_of_the_command_at_once(county, people):
    """Real processes, as cron would start them: three `manage.py sweep_reminders` at once on PostgreSQL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    if connection.vendor != "postgresql":
        pytest.skip("多进程并发测试需要 PostgreSQL")
    petitions = [make_petition(county, due_at=timezone.now() - timedelta(days=8), case_leader=people.leader) for _ in range(4)]
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "xinfang.settings.test"}
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "sweep_reminders"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert ReminderMark.objects.filter(petition__in=petitions).count() == 12  # 4 petitions x 3 escalation levels, once each
    assert Notification.objects.filter(kind="reminder_overdue_7d", recipient=people.leader).count() == 4
    assert Notification.objects.filter(kind="reminder_overdue", recipient=people.head).count() == 4
