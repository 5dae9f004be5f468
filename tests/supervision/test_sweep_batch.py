"""The sweep over a backlog: claims in batches (one insert per chunk), candidates only where a threshold is newly
reached, the candidate ranges agreeing with the pure `thresholds_for`."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.petitions.models import Petition
from xinfang.supervision import sweep
from xinfang.supervision.models import Notification, ReminderMark, Threshold

from .factories import make_petition

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=SH)


@pytest.mark.parametrize("hours", [h / 2 for h in range(-24 * 10, 24 * 4)])
def test_candidate_ranges_name_the_highest_threshold_reached(hours):
    due = NOW + timedelta(hours=hours)
    reached = sweep.thresholds_for(due, NOW)
    matching = [t for t, q in sweep.highest_reached(NOW) if _matches(q, due)]
    assert matching == ([reached[-1]] if reached else [])


def _matches(q, due) -> bool:
    """Evaluate a Q of due_at comparisons in Python (AND/OR of due_at__gt/gte/lt/lte)."""
    if not q.children:
        return True
    results = []
    for child in q.children:
        if isinstance(child, tuple):
            lookup, value = child
            op = lookup.split("__")[1]
            results.append({"gt": due > value, "gte": due >= value, "lt": due < value, "lte": due <= value}[op])
        else:
            results.append(_matches(child, due))
    out = all(results) if q.connector == "AND" else any(results)
    return not out if q.negated else out


@pytest.mark.django_db
def test_a_backlog_is_claimed_in_batches_and_a_later_sweep_only_takes_new_thresholds(county, people, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        for i in range(30):
            make_petition(county, due_at=NOW - timedelta(days=8, hours=i), case_leader=people.leader)  # 3 thresholds each
        for i in range(10):
            make_petition(county, due_at=NOW - timedelta(days=1, hours=i))  # overdue only
        # Candidates, claimed marks, one claim insert, recipients (head, supervisors, leader), one message insert.
        with django_assert_max_num_queries(12):
            assert sweep.sweep_petitions() == 30 * 3 + 10
        assert ReminderMark.objects.count() == 100
        assert Notification.objects.filter(kind="reminder_overdue_7d", recipient=people.leader).count() == 30
        assert Notification.objects.filter(kind="reminder_overdue", recipient=people.head).count() == 40
        # Nothing newly reached: the candidate query finds nothing to do (one query).
        with django_assert_max_num_queries(1):
            assert sweep.sweep_petitions() == 0
    # Two days on, the ten 1-day-overdue petitions reach 3 days: only they come back.
    with time_machine.travel(NOW + timedelta(days=2, hours=1), tick=False):
        assert sweep.sweep_petitions() == 10
        assert set(ReminderMark.objects.filter(threshold=Threshold.OVERDUE_3D).values_list("petition_id", flat=True)) == set(
            Petition.objects.values_list("pk", flat=True)
        )
