"""按期办结率 counts the first reply: a late 复查 reply does not make an on-time case late."""

from datetime import timedelta

import pytest
import time_machine

from xinfang.petitions.models import Petition
from xinfang.stats.kpis import _replied_on_time

from .helpers import act, drive

pytestmark = pytest.mark.django_db


def test_on_time_uses_the_first_reply(register, users):
    p = drive(register, users, "under_review")
    assert Petition.objects.filter(_replied_on_time(), pk=p.pk).exists()
    with time_machine.travel(p.handle_due_at + timedelta(days=2)):
        act(p, "reply", users)
    p.refresh_from_db()
    assert p.replied_at > p.handle_due_at
    assert Petition.objects.filter(_replied_on_time(), pk=p.pk).exists()
