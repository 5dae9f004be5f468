"""After "dissatisfied": the 不满意件 bucket, 回访 with an outcome and method, reopening on the same reg_no with a new
limit (a reopened case in the KPIs), the 申诉's agreement after review, and the 待包案 bucket with its prompt."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from xinfang.core.errors import InvalidInput
from xinfang.petitions import selectors, timelimits
from xinfang.petitions.models import Petition
from xinfang.stats import kpis

from .helpers import act, drive

pytestmark = pytest.mark.django_db


def _bucket(code, actor):
    return set(selectors.petition_list(actor=actor, filters={"bucket": code}).values_list("reg_no", flat=True))


def test_dissatisfied_bucket_until_a_follow_up(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users, satisfaction="dissatisfied")
    assert p.reg_no in _bucket("dissatisfied", users.office) and p.reg_no in _bucket("dissatisfied", users.leader)
    c = Client()
    c.force_login(users.office)
    assert 'id="dissatisfied-prompt"' in c.get(f"/petitions/{p.reg_no}/").content.decode()
    with pytest.raises(InvalidInput) as e:
        act(p, "follow_up", users, outcome="")
    assert "outcome" in e.value.fields
    p = act(p, "follow_up", users, outcome="explained", method="visit", note="当面解释政策依据")
    assert p.follow_up_outcome == "explained" and p.status == "evaluated"
    ev = p.events.order_by("-seq").first()
    assert (ev.data["follow_up_outcome"], ev.data["outcome_label"], ev.data["method"]) == ("explained", "已解释说明", "visit")
    assert p.reg_no not in _bucket("dissatisfied", users.office)


def test_reopening_is_the_same_reg_no_with_a_new_limit_and_counts(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users, satisfaction="dissatisfied")
    old_due = p.handle_due_at
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        p = act(p, "follow_up", users, outcome="reopened", note="回访发现工资仍未足额发放")
        assert p.handle_due_at == timelimits.due_for("handle", p.reopened_at) and p.handle_due_at > old_due
    assert (p.status, p.reopened_count) == ("accepted", 1)
    ev = p.events.order_by("-seq").first()
    assert ev.action == "follow_up" and ev.public and ev.data["reopened"] == 1
    assert p.reg_no not in _bucket("dissatisfied", users.office)
    # Handled again and answered: a new answer to evaluate.
    for step in ("assign", "acknowledge", "report_result", "approve_result", "reply"):
        p = act(p, step, users)
    assert p.last_satisfaction == "" and p.satisfaction == "dissatisfied"  # the KPIs keep the first answer's evaluation
    p = act(p, "evaluate", users, satisfaction="satisfied")
    assert p.last_satisfaction == "satisfied"
    counts = kpis.compute(Petition.objects.all())["counts"]
    assert counts["reopened"] == 1


def test_an_appeal_after_review_records_the_petitioners_agreement(register, users):
    p = drive(register, users, "replied", nature="appeal")
    p = act(p, "request_review", users)
    p = act(p, "reply", users)
    p = act(p, "follow_up", users, outcome="satisfied", agreed=True)
    assert p.events.order_by("-seq").first().data["agreed"] is True
    q = drive(register, users, "replied")  # not an appeal after review: the question is not asked
    q = act(q, "follow_up", users, outcome="explained", agreed=True)
    assert "agreed" not in q.events.order_by("-seq").first().data


def test_needs_case_leader_for_repeats_and_long_open_cases(register, users):
    original, _ = register()
    repeat, _ = register(repeat_of=original)
    fresh = drive(register, users, "in_progress")
    assert _bucket("needs_case_leader", users.leader) == {repeat.reg_no}
    Petition.objects.filter(pk=fresh.pk).update(registered_at=timezone.now() - timedelta(days=91))
    assert _bucket("needs_case_leader", users.office) == {repeat.reg_no, fresh.reg_no}
    c = Client()
    c.force_login(users.leader)
    assert "超过90日" in c.get(f"/petitions/{fresh.reg_no}/").content.decode()
    act(fresh, "set_case_leader", users, actor=users.office)
    assert _bucket("needs_case_leader", users.office) == {repeat.reg_no}
