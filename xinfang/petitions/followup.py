"""回访 after an answer and what follows a "dissatisfied" evaluation.

A case whose latest answer the petitioner found unsatisfactory waits in the 不满意件 bucket until the office records a
回访 with its outcome (action_inputs.FollowUpOutcome): satisfied, explained, review advised, or reopened. Reopening is
the same petition (the same reg_no) handled again: back to 已受理 with a new handling limit (the policy's `handle` step
from the day it is reopened), counted as a reopened case (stats: `reopened`). For a 申诉 after its review, the 回访 records
whether the petitioner agrees with the conclusion.

The 待包案 bucket: repeat petitions and cases open longer than the policy's threshold (`case_leader_after`) without a
case leader, prompting the office and the leaders to name one (more attention, never less).
"""

from datetime import timedelta

from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.utils import timezone

from xinfang.core.planner import Unindexed
from xinfang.petitions import timelimits
from xinfang.petitions.action_inputs import FollowUpOutcome, clean
from xinfang.petitions.models import CLOSED_STATUSES, Petition, Satisfaction, Status
from xinfang.petitions.steps import _begin, _finish
from xinfang.petitions.timelimits import due_for
from xinfang.petitions.workflow import Action


def follow_up(actor, petition_or_reg_no, version, *, outcome: str, method: str, note: str, agreed: bool) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FOLLOW_UP, version)
    v = clean(Action.FOLLOW_UP, outcome=outcome, method=method, note=note, agreed=agreed)
    # Kept apart from report_result's `outcome` (处理结果): the 回访's own code and its label.
    data = {**v, "outcome_label": FollowUpOutcome(v["outcome"]).label, "answer_satisfaction": p.last_satisfaction}
    data["follow_up_outcome"] = data.pop("outcome")
    if not (p.nature == "appeal" and p.review_level >= 1):
        data.pop("agreed")  # asked only of a 申诉 after its review
    p.follow_up_outcome = v["outcome"]
    fields = ["follow_up_outcome"]
    to_status = None
    if v["outcome"] == FollowUpOutcome.REOPENED:
        now = timezone.now()
        p.reopened_count += 1
        p.reopened_at = now
        p.handle_due_at = due_for("handle", now)
        p.internal_due_at = None
        p.committed_date = None
        p.extended_days = 0  # a new period: it may be extended once, like any other
        p.review_due_at = None
        to_status = Status.ACCEPTED
        fields += ["reopened_count", "reopened_at", "handle_due_at", "internal_due_at", "committed_date", "extended_days", "review_due_at"]
        data.update({"reopened": p.reopened_count, "handle_due_at": p.handle_due_at})
    return _finish(p, actor=actor, action=Action.FOLLOW_UP, fields=fields, data=data, to_status=to_status, public=to_status is not None)


def dissatisfied_q() -> Q:
    """不满意件: the latest answer evaluated "dissatisfied", no 回访 recorded since."""
    return Q(status__in=[Status.REPLIED, Status.EVALUATED], last_satisfaction=Satisfaction.DISSATISFIED, follow_up_outcome="")


def case_leader_due_q(now) -> Q:
    """待包案: open, no case leader, and a repeat petition or open longer than the policy's threshold."""
    days = timelimits.limit_for("case_leader_after").amount
    repeat = Q(repeat_of__isnull=False) | Q(first_time=False)
    long_open = Q(registered_at__lt=now - timedelta(days=days))
    # Most open petitions have no case leader: found through the open petitions' index (petition_open_registered,
    # whose condition the bucket repeats: selectors.bucket_q), never the case-leader index.
    no_leader = Q(IsNull(Unindexed(F("case_leader_id")), True))
    return ~Q(status__in=CLOSED_STATUSES) & no_leader & (repeat | long_open)


def case_leader_prompt(p: Petition, now) -> str:
    """The prompt on the petition page (empty when none applies)."""
    if p.case_leader_id or p.status in CLOSED_STATUSES:
        return ""
    days = timelimits.limit_for("case_leader_after").amount
    if p.repeat_of_id or not p.first_time:
        return "本件为重复信访，尚未确定包案领导：请确定包案领导，推动化解"
    if p.registered_at and p.registered_at < now - timedelta(days=days):
        return f"本件登记已超过{days}日仍未办结，尚未确定包案领导：请确定包案领导，推动化解"
    return ""
