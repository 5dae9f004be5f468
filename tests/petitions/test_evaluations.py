"""Evaluation after every answer (the first answer, the review opinion, the re-review opinion), by the petitioner on the
portal and by the clerk; the KPIs say which answer they count."""

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import InvalidTransition
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act
from xinfang.stats import kpis

from .helpers import act, drive

pytestmark = pytest.mark.django_db


def _portal(p, code) -> Client:
    c = Client()
    c.post(reverse("portal:track"), {"reg_no": p.reg_no, "query_code": code})
    return c


def test_each_answer_is_evaluated_once_and_kept_apart(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users, actor=users.clerk, satisfaction="dissatisfied")  # the clerk records what was said
    assert (p.satisfaction, p.review_satisfaction) == ("dissatisfied", "")
    assert p.events.order_by("-seq").first().data["stage"] == "reply"
    p = act(p, "request_review", users)
    p = act(p, "reply", users, text="经复查，维持原处理意见。")
    assert p.status == "replied"
    p = petition_act(actor=None, petition_or_reg_no=p.reg_no, action="evaluate", version=p.version, satisfaction="basically_satisfied")
    assert (p.satisfaction, p.review_satisfaction) == ("dissatisfied", "basically_satisfied")
    ev = p.events.order_by("-seq").first()
    assert ev.data["stage"] == "review" and ev.data["by"] == "petitioner" and ev.actor_label == "信访人"
    p = act(p, "request_rereview", users)
    p = act(p, "reply", users, text="经复核，维持复查意见。")
    p = act(p, "evaluate", users, actor=users.clerk, satisfaction="satisfied")
    assert (p.satisfaction, p.review_satisfaction, p.rereview_satisfaction) == ("dissatisfied", "basically_satisfied", "satisfied")


def test_a_second_evaluation_of_the_same_answer_is_refused(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users)
    Petition.objects.filter(pk=p.pk).update(status="replied")  # even if the state allowed it, the answer has its evaluation
    p.refresh_from_db()
    with pytest.raises(InvalidTransition):
        act(p, "evaluate", users)


def test_archiving_reads_the_latest_answers_evaluation(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users, satisfaction="satisfied")
    p = act(p, "request_review", users)
    p = act(p, "reply", users, method="letter")
    with pytest.raises(InvalidTransition):  # satisfied with the first answer says nothing of the review opinion
        act(p, "archive", users)
    p = act(p, "evaluate", users, satisfaction="satisfied")
    assert act(p, "archive", users).status == "archived"


def test_the_petitioner_evaluates_the_review_opinion_on_the_portal(register, users):
    p, code = register()
    for step in ("accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "evaluate", "request_review", "reply"):
        p = act(p, step, users)
    c = _portal(p, code)
    page = c.get(reverse("portal:detail", args=[p.reg_no])).content.decode()
    assert "评价复查意见" in page
    c.post(reverse("portal:evaluate", args=[p.reg_no]), {"version": p.version, "satisfaction": "dissatisfied"})
    p.refresh_from_db()
    assert p.review_satisfaction == "dissatisfied" and p.status == "evaluated"
    assert "您对复查意见的评价" in c.get(reverse("portal:detail", args=[p.reg_no])).content.decode()


def test_kpis_count_the_first_answers_evaluation_and_say_so(register, users):
    p = drive(register, users, "replied")
    p = act(p, "evaluate", users, satisfaction="dissatisfied")
    p = act(p, "request_review", users)
    p = act(p, "reply", users)
    act(p, "evaluate", users, satisfaction="satisfied")
    out = kpis.compute(Petition.objects.all())["kpis"]
    assert (out["satisfaction_rate"]["numerator"], out["satisfaction_rate"]["denominator"]) == (0, 1)
    assert out["satisfaction_rate"]["answer"] == "first_evaluation" and "首次答复" in out["satisfaction_rate"]["answer_label"]
    assert out["on_time_completion"]["answer"] == "first" and out["repeat_rate"]["answer"] == ""
