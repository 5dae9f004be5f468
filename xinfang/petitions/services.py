"""Writes on petitions: every lifecycle action of `workflow.py`, one function each, and `petition_act`, which dispatches.

Each action is one function: permission (the role table in `workflow.py` + the access policy's scope), state, version,
the action's guard (`steps._begin`), the inputs as `action_inputs.py` declares them, one conditional update under a row
lock, one event, one transaction. The same function serves pages, the API, the portal and tests.

`__all__` is the app's public services: these, registration's two (`registration.py`) and `petition_attach`
(`attachments.py`). Helpers are imported from where they live: the shared machinery from `steps.py`, query codes from
`registration.py`, an upload's checks from `attachments.py`, the checks of a value from `xinfang.core.inputs`.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from xinfang.access import policy
from xinfang.core.errors import InvalidInput, NoPermission, NotFound
from xinfang.org.models import ABOVE_THE_COUNTY, Role, User
from xinfang.petitions import deadlines, followup, review, timelimits, tracks, workflow
from xinfang.petitions.action_inputs import DECLINE_ROUTE_ORGAN, TAKES_ACTOR_LABEL, DeclineRoute, clean, names
from xinfang.petitions.attachments import petition_attach
from xinfang.petitions.combined import petition_accept_and_assign
from xinfang.petitions.models import Channel, Complexity, DeliveryMethod, Nature, Petition, ReplyMethod, Status, Track
from xinfang.petitions.registration import petition_link_repeat, petition_register
from xinfang.petitions.review import (
    petition_answer_ended,
    petition_forward_review,
    petition_record_review_opinion,
    petition_request_rereview,
    petition_request_review,
)
from xinfang.petitions.steps import _begin, _finish, _min
from xinfang.petitions.timelimits import due_for
from xinfang.petitions.tracks import petition_switch_to_standard
from xinfang.petitions.workflow import Action

__all__ = [
    "petition_accept",
    "petition_accept_and_assign",
    "petition_answer_ended",
    "petition_act",
    "petition_acknowledge",
    "petition_approve_result",
    "petition_archive",
    "petition_assign",
    "petition_attach",
    "petition_consent_return",
    "petition_decline",
    "petition_evaluate",
    "petition_extend",
    "petition_follow_up",
    "petition_forward",
    "petition_forward_review",
    "petition_instruct",
    "petition_link_repeat",
    "petition_pause",
    "petition_progress",
    "petition_record_delivery",
    "petition_delivery_confirmed",
    "petition_record_review_opinion",
    "petition_register",
    "petition_reject_result",
    "petition_reply",
    "petition_report_back",
    "petition_report_result",
    "petition_request_review",
    "petition_request_rereview",
    "petition_resume",
    "petition_return",
    "petition_set_case_leader",
    "petition_submit_for_instruction",
    "petition_switch_to_standard",
    "petition_triage",
]


def _not_respondent(petition: Petition, user: User, field: str, role_label: str) -> None:
    if policy.is_respondent(user, petition):
        msg = f"该人员是本件的被反映人，不能担任{role_label}"
        raise InvalidInput(msg, fields={field: [msg]})


@transaction.atomic
def petition_accept(*, actor, petition_or_reg_no, version: int, note: str = "", track: str = "") -> Petition:
    """受理, on the standard track or 简易办理 (tracks.py: its own limit from the policy table, first-time matters only)."""
    p = _begin(actor, petition_or_reg_no, Action.ACCEPT, version)
    v = clean(Action.ACCEPT, note=note, track=track)
    tracks.check_simple(p, v["track"])
    now = timezone.now()
    p.accepted_at = now
    p.track = v["track"]
    p.handle_due_at = tracks.handle_due(p.track, now)
    return _finish(
        p,
        actor=actor,
        action=Action.ACCEPT,
        fields=["accepted_at", "handle_due_at", "track"],
        data={**v, "track_label": Track(p.track).label, "handle_due_at": p.handle_due_at},
        public=True,
    )


@transaction.atomic
def petition_decline(*, actor, petition_or_reg_no, version: int, reason: str = "", route: str = "", route_organ: str = "") -> Petition:
    """不予受理 with 依法分类处理: the route the matter belongs to and the organ that decides it, both on the notice."""
    p = _begin(actor, petition_or_reg_no, Action.DECLINE, version)
    data = clean(Action.DECLINE, reason=reason, route=route, route_organ=route_organ)
    if data["route"] in DECLINE_ROUTE_ORGAN and not data["route_organ"]:
        msg = "请写明有权处理的机关（如县人民法院、县劳动人事争议仲裁委员会）"
        raise InvalidInput(msg, fields={"route_organ": [msg]})
    if data["route"] not in DECLINE_ROUTE_ORGAN:
        data["route_organ"] = ""
    p.dispatched_at = timezone.now()
    p.decline_route, p.decline_route_organ = data["route"], data["route_organ"]
    data["route_label"] = DeclineRoute(data["route"]).label
    return _finish(
        p,
        actor=actor,
        action=Action.DECLINE,
        fields=["dispatched_at", "decline_route", "decline_route_organ"],
        data=data,
        public=True,
    )


@transaction.atomic
def petition_forward(*, actor, petition_or_reg_no, version: int, authority: str = "", reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FORWARD, version)
    data = clean(Action.FORWARD, authority=authority, reason=reason)
    policy.assert_not_accused_unit(p, authority=data["authority"])  # 检举控告 never to the accused's unit (409 respondent_unit)
    p.dispatched_at = timezone.now()
    return _finish(p, actor=actor, action=Action.FORWARD, fields=["dispatched_at"], data=data, public=True)


@transaction.atomic
def petition_submit_for_instruction(*, actor, petition_or_reg_no, version: int, note: str = "", leader=None) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SUBMIT_FOR_INSTRUCTION, version)
    v = clean(Action.SUBMIT_FOR_INSTRUCTION, note=note, leader=leader)
    data = {"note": v["note"]}
    leader = v["leader"]
    if leader is not None:
        if not leader.has_role(Role.LEADER):
            raise InvalidInput("所选人员不是领导", fields={"leader": ["所选人员不是领导"]})
        _not_respondent(p, leader, "leader", "批示领导")
        data["leader"] = leader.username
    p.instruction_due_at = due_for("instruction", timezone.now())
    data["instruction_due_at"] = p.instruction_due_at
    return _finish(p, actor=actor, action=Action.SUBMIT_FOR_INSTRUCTION, fields=["instruction_due_at"], data=data)


@transaction.atomic
def petition_instruct(*, actor, petition_or_reg_no, version: int, instruction: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.INSTRUCT, version)
    data = clean(Action.INSTRUCT, instruction=instruction)
    p.instruction_due_at = None
    return _finish(p, actor=actor, action=Action.INSTRUCT, fields=["instruction_due_at"], data=data)


@transaction.atomic
def petition_set_case_leader(*, actor, petition_or_reg_no, version: int, leader=None, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SET_CASE_LEADER, version)
    v = clean(Action.SET_CASE_LEADER, leader=leader, reason=reason)
    leader = v["leader"]
    if not leader.has_role(Role.LEADER):
        raise InvalidInput("包案领导须为领导角色", fields={"leader": ["包案领导须为领导角色"]})
    _not_respondent(p, leader, "leader", "包案领导")
    previous = p.case_leader.username if p.case_leader else ""
    p.case_leader = leader
    return _finish(
        p,
        actor=actor,
        action=Action.SET_CASE_LEADER,
        fields=["case_leader"],
        data={"leader": leader.username, "leader_name": leader.display_name, "previous": previous, "reason": v["reason"]},
    )


@transaction.atomic
def petition_assign(
    *,
    actor,
    petition_or_reg_no,
    version: int,
    handling_unit=None,
    result_required: bool = True,
    complexity: str = Complexity.GENERAL,
    due_at=None,
    note: str = "",
) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ASSIGN, version)
    v = clean(Action.ASSIGN, handling_unit=handling_unit, complexity=complexity, due_at=due_at, note=note)
    unit, complexity = v["handling_unit"], v["complexity"]
    policy.assert_not_accused_unit(p, unit=unit)  # 检举控告 never to the accused's unit, no override (409 respondent_unit)
    if unit.region.level in ABOVE_THE_COUNTY:  # a city organ held in the deployment reviews the county's cases (issue 13)
        msg = f"{unit.name}是上级机关，不承办本县交办的信访事项；确需上级处理的，请转送"
        raise InvalidInput(msg, fields={"handling_unit": [msg]})
    now = timezone.now()
    if p.handle_due_at is None:
        p.handle_due_at = due_for("handle", p.accepted_at or now)
    internal = due_for(f"internal_{complexity}", now)
    requested = v["due_at"]
    if requested is not None:
        if requested > p.handle_due_at:
            local = timezone.localtime(p.handle_due_at).strftime("%Y-%m-%d")
            msg = f"办理期限不能超过法定期限（{local}）"
            raise InvalidInput(msg, fields={"due_at": [msg]})
        if requested < now:
            raise InvalidInput("办理期限不能早于现在", fields={"due_at": ["办理期限不能早于现在"]})
        internal = min(internal, requested)
    p.handling_unit = unit
    p.result_required = bool(result_required)
    p.complexity = complexity
    p.assigned_at = now
    if p.dispatched_at is None:
        p.dispatched_at = now
    p.internal_due_at = min(internal, p.handle_due_at)
    return _finish(
        p,
        actor=actor,
        action=Action.ASSIGN,
        fields=["handling_unit", "result_required", "complexity", "assigned_at", "dispatched_at", "internal_due_at", "handle_due_at"],
        data={
            "handling_unit": unit.code,
            "handling_unit_name": unit.name,
            "result_required": bool(result_required),
            "complexity": complexity,
            "internal_due_at": p.internal_due_at,
            "note": v["note"],
        },
    )


@transaction.atomic
def petition_acknowledge(*, actor, petition_or_reg_no, version: int, committed_date=None, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ACKNOWLEDGE, version)
    v = clean(Action.ACKNOWLEDGE, committed_date=committed_date, note=note)
    committed = v["committed_date"]
    today = timezone.localdate()
    if committed < today:
        raise InvalidInput("承诺办结日期不能早于今天", fields={"committed_date": ["承诺办结日期不能早于今天"]})
    if p.handle_due_at and committed > timezone.localtime(p.handle_due_at).date():
        msg = f"承诺办结日期不能晚于办理期限（{timezone.localtime(p.handle_due_at):%Y-%m-%d}）"
        raise InvalidInput(msg, fields={"committed_date": [msg]})
    p.committed_date = committed
    return _finish(
        p, actor=actor, action=Action.ACKNOWLEDGE, fields=["committed_date"], data={"committed_date": committed, "note": v["note"]}
    )


@transaction.atomic
def petition_progress(*, actor, petition_or_reg_no, version: int, note: str = "", explain_to_superior: bool = False) -> Petition:
    """A progress note (办理进度). For a superior's petition, `explain_to_superior` records the 说明情况 sent upward."""
    p = _begin(actor, petition_or_reg_no, Action.PROGRESS, version)
    v = clean(Action.PROGRESS, note=note, explain_to_superior=explain_to_superior)
    note, explain = v["note"], v["explain_to_superior"]
    if explain and p.channel != Channel.FROM_SUPERIOR:
        raise InvalidInput("只有上级交办件需要向上级说明情况", fields={"explain_to_superior": ["只有上级交办件可用"]})
    return _finish(
        p, actor=actor, action=Action.PROGRESS, fields=[], data={"note": note, "explain_to_superior": explain, "doc_no": p.superior_doc_no}
    )


@transaction.atomic
def petition_extend(*, actor, petition_or_reg_no, version: int, days=None, reason: str = "") -> Petition:
    # Once, and before the period in force expires: workflow.extend_refusal, checked by _begin.
    p = _begin(actor, petition_or_reg_no, Action.EXTEND, version)
    v = clean(Action.EXTEND, days=days, reason=reason)
    days, reason = v["days"], v["reason"]
    max_days = timelimits.limit_for("extend_max").amount
    if days < 1 or days > max_days:
        raise InvalidInput(f"延期天数应为1至{max_days}天", fields={"days": [f"延期天数应为1至{max_days}天"]})
    start = p.accepted_at or p.registered_at
    old = p.handle_due_at or due_for("handle", start)
    # 延期: the due in force plus the days granted, then the rest-day rule (days of an earlier pause are already in it
    # and are not credited twice; a pause still running moves the new due when it ends).
    p.handle_due_at = deadlines.extended_due(old, days, timelimits.work_calendar())
    if p.internal_due_at is not None:
        p.internal_due_at = p.internal_due_at + (p.handle_due_at - old)
    p.extended_days = days
    return _finish(
        p,
        actor=actor,
        action=Action.EXTEND,
        fields=["handle_due_at", "internal_due_at", "extended_days"],
        data={"days": days, "reason": reason, "approved_by": actor.username, "old_due_at": old, "new_due_at": p.handle_due_at},
        public=True,
    )


@transaction.atomic
def petition_return(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    """Misrouted: back to the office to re-route, within 5 workdays of the assignment or with the office's consent
    (workflow.return_refusal, checked by _begin). The legal handling clock keeps running from acceptance; the office's
    re-routing step gets its own dispatch due time; both recorded in the event."""
    p = _begin(actor, petition_or_reg_no, Action.RETURN, version)
    reason = clean(Action.RETURN, reason=reason)["reason"]
    now = timezone.now()
    window_ends = workflow.return_due(p)
    consented = p.return_consented_at is not None
    old = {"handling_unit": p.handling_unit.code if p.handling_unit else "", "dispatch_due_at": p.dispatch_due_at}
    p.dispatch_due_at = _min(due_for("dispatch", now), p.handle_due_at)
    p.dispatched_at = None
    p.handling_unit = None
    p.internal_due_at = None
    p.committed_date = None
    p.complexity = ""
    p.return_consented_at = None
    return _finish(
        p,
        actor=actor,
        action=Action.RETURN,
        fields=[
            "dispatch_due_at",
            "dispatched_at",
            "handling_unit",
            "internal_due_at",
            "committed_date",
            "complexity",
            "return_consented_at",
        ],
        data={
            "reason": reason,
            "return_due_at": window_ends,
            "with_consent": consented,
            "from_unit": old["handling_unit"],
            "old_dispatch_due_at": old["dispatch_due_at"],
            "new_dispatch_due_at": p.dispatch_due_at,
            "handle_due_at": p.handle_due_at,
        },
    )


@transaction.atomic
def petition_consent_return(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    """The office consents to a return asked after the unit's 5-workday objection period (its own event); the unit may
    then return the case (workflow.consent_return_refusal)."""
    p = _begin(actor, petition_or_reg_no, Action.CONSENT_RETURN, version)
    reason = clean(Action.CONSENT_RETURN, reason=reason)["reason"]
    p.return_consented_at = timezone.now()
    return _finish(
        p,
        actor=actor,
        action=Action.CONSENT_RETURN,
        fields=["return_consented_at"],
        data={
            "reason": reason,
            "handling_unit": p.handling_unit.code if p.handling_unit else "",
            "return_due_at": workflow.return_due(p),
        },
    )


@transaction.atomic
def petition_triage(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    """阅办: the office has read the petition on the day it arrived and written its proposal (拟办意见); the decision
    (accept / decline / forward) may follow within its own 15 days. Deciding also counts as triaging (workflow.TRIAGES)."""
    p = _begin(actor, petition_or_reg_no, Action.TRIAGE, version)
    note = clean(Action.TRIAGE, note=note)["note"]
    on_time = deadlines.on_time(timezone.now(), p.triage_due_at)
    return _finish(p, actor=actor, action=Action.TRIAGE, fields=[], data={"note": note, "on_time": on_time})


@transaction.atomic
def petition_record_delivery(*, actor, petition_or_reg_no, version: int, delivered_at=None, method: str = "", note: str = "") -> Petition:
    """送达: when the petitioner received the latest answer, and how. The 复查/复核 window runs 30 days from it (then the
    rest-day rule). Recording it again is a correction: a new event naming the previous delivery."""
    p = _begin(actor, petition_or_reg_no, Action.RECORD_DELIVERY, version)
    v = clean(Action.RECORD_DELIVERY, delivered_at=delivered_at, method=method, note=note)
    when, method = v["delivered_at"], v["method"]
    # Compared by local day: the window counts whole days from the day after delivery, and a receipt gives the day.
    day, today, replied = (timezone.localtime(x).date() for x in (when, timezone.now(), p.replied_at))
    if day > today:
        raise InvalidInput("送达日期不能晚于今天", fields={"delivered_at": ["送达日期不能晚于今天"]})
    if day < replied:
        msg = f"送达日期不能早于答复日期（{replied:%Y-%m-%d}）"
        raise InvalidInput(msg, fields={"delivered_at": [msg]})
    previous = p.delivered_at
    p.delivered_at, p.delivery_method = when, method
    p.review_request_due_at = _window_from(p, when)
    return _finish(
        p,
        actor=actor,
        action=Action.RECORD_DELIVERY,
        fields=["delivered_at", "delivery_method", "review_request_due_at"],
        data={
            "delivered_at": when,
            "method": method,
            "stage": _answer_stage(p),
            "review_request_due_at": p.review_request_due_at,
            "previous_delivered_at": previous,
            "note": v["note"],
        },
        public=True,
    )


def _answer_stage(p: Petition) -> str:
    return {0: "reply", 1: "review", 2: "rereview"}.get(p.review_level, "reply")


def _window_from(p: Petition, delivered):
    """The petitioner's window after the latest answer was delivered: 复查 after the first answer, 复核 after the review
    opinion, none after the 复核 (三级终结)."""
    if p.review_level >= 2:
        return None
    return due_for("review_request" if p.review_level == 0 else "rereview_request", delivered)


# Answers that reach the petitioner as they are given: delivered when sent (online, SMS) or handed over (in person).
DELIVERED_WHEN_SENT: dict[str, str] = {
    ReplyMethod.ONLINE: DeliveryMethod.ONLINE,
    ReplyMethod.SMS: DeliveryMethod.SMS,
    ReplyMethod.VISIT: DeliveryMethod.DIRECT,
}


@transaction.atomic
def petition_delivery_confirmed(*, petition, reply_event, delivered_at, actor_label: str) -> Petition | None:
    """送达 of an online or SMS answer, on the gateway's delivery report of the message telling of it (messaging): the
    复查/复核 window runs from then. Nothing if that answer is no longer the latest or its delivery is recorded."""
    p = Petition.objects.select_for_update().get(pk=petition.pk)
    latest = p.events.filter(action__in=[Action.REPLY, Action.RECORD_REVIEW_OPINION]).order_by("-seq").first()
    if latest is None or latest.pk != reply_event.pk or p.delivered_at is not None or p.replied_at is None:
        return None
    if p.reply_method not in DELIVERED_WHEN_SENT or p.status not in (Status.REPLIED, Status.EVALUATED):
        return None
    p.delivered_at, p.delivery_method = delivered_at, DELIVERED_WHEN_SENT[p.reply_method]
    p.review_request_due_at = _window_from(p, delivered_at)
    return _finish(
        p,
        actor=None,
        actor_label=actor_label,
        action=Action.RECORD_DELIVERY,
        fields=["delivered_at", "delivery_method", "review_request_due_at"],
        data={
            "delivered_at": delivered_at,
            "method": p.delivery_method,
            "stage": _answer_stage(p),
            "review_request_due_at": p.review_request_due_at,
            "note": "短信网关送达回执",
        },
        public=True,
    )


@transaction.atomic
def petition_report_result(
    *, actor, petition_or_reg_no, version: int, outcome: str = "", findings: str = "", reply_draft: str = ""
) -> Petition:
    # Who reports in which state: workflow.report_result_refusal, checked by _begin.
    p = _begin(actor, petition_or_reg_no, Action.REPORT_RESULT, version)
    v = clean(Action.REPORT_RESULT, outcome=outcome, findings=findings, reply_draft=reply_draft)
    p.outcome, p.findings, p.reply_draft = v["outcome"], v["findings"], v["reply_draft"]
    return _finish(
        p,
        actor=actor,
        action=Action.REPORT_RESULT,
        fields=["outcome", "findings", "reply_draft"],
        data={"outcome": p.outcome, "findings": p.findings},
    )


@transaction.atomic
def petition_approve_result(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.APPROVE_RESULT, version)
    return _finish(p, actor=actor, action=Action.APPROVE_RESULT, fields=[], data=clean(Action.APPROVE_RESULT, note=note))


@transaction.atomic
def petition_reject_result(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REJECT_RESULT, version)
    data = clean(Action.REJECT_RESULT, reason=reason)
    to = Status.IN_PROGRESS if p.handling_unit_id else Status.ACCEPTED
    return _finish(p, actor=actor, action=Action.REJECT_RESULT, fields=[], data=data, to_status=to)


@transaction.atomic
def petition_reply(*, actor, petition_or_reg_no, version: int, method: str = "", text: str = "") -> Petition:
    """答复 (the first answer, the review opinion or the re-review opinion). The 复查/复核 window runs from delivery: an
    online, SMS or in-person answer is delivered as it is given; a letter's or a phone answer's delivery is recorded
    afterwards (record_delivery), and until then the window stays open."""
    p = _begin(actor, petition_or_reg_no, Action.REPLY, version)
    v = clean(Action.REPLY, method=method, text=text)
    method, text = v["method"], v["text"]
    now = timezone.now()
    stages: dict[str, str] = {Status.AWAITING_REPLY: "reply", Status.UNDER_REVIEW: "review", Status.UNDER_REREVIEW: "rereview"}
    stage = stages[p.status]
    p.reply_method = method
    p.reply_text = text
    p.replied_at = now
    if p.first_replied_at is None:  # 按期办结 counts the first reply; review replies never overwrite it
        p.first_replied_at = now
    p.review_due_at = None
    if stage == "review":
        p.review_level = 1
    elif stage == "rereview":
        p.review_level = 2
        p.matter_ended = True  # 三级终结: no further review
    p.last_satisfaction, p.follow_up_outcome = "", ""  # a new answer, to be evaluated and followed up on its own
    delivery = DELIVERED_WHEN_SENT.get(method)
    from xinfang.messaging.services import answer_awaits_gateway

    if delivery and answer_awaits_gateway(p, method):
        delivery = None  # delivered when the gateway confirms the message (messaging; petition_delivery_confirmed)
    p.delivered_at = now if delivery else None
    p.delivery_method = delivery or ""
    p.review_request_due_at = _window_from(p, now) if delivery else None
    return _finish(
        p,
        actor=actor,
        action=Action.REPLY,
        fields=[
            "reply_method",
            "reply_text",
            "replied_at",
            "first_replied_at",
            "review_due_at",
            "review_request_due_at",
            "review_level",
            "matter_ended",
            "delivered_at",
            "delivery_method",
            "last_satisfaction",
            "follow_up_outcome",
        ],
        data={
            "method": method,
            "text": text,
            "stage": stage,
            # The organ whose answer this is (the review organ signs its own opinion): documents print it.
            "organ_name": (organ.name if stage != "reply" and (organ := review.current(p)) is not None else ""),
            "delivered_at": p.delivered_at,
            "review_request_due_at": p.review_request_due_at,
        },
        public=True,
    )


@transaction.atomic
def petition_follow_up(
    *, actor, petition_or_reg_no, version: int, outcome: str = "", method: str = "", note: str = "", agreed: bool = False
) -> Petition:
    """回访 with its outcome (followup.py: reopening brings the matter back to be handled on the same reg_no)."""
    return followup.follow_up(actor, petition_or_reg_no, version, outcome=outcome, method=method, note=note, agreed=agreed)


@transaction.atomic
def petition_evaluate(*, actor, petition_or_reg_no, version: int, satisfaction: str = "", comment: str = "", actor_label="") -> Petition:
    """满意度评价 of the latest answer (once each: workflow.evaluate_refusal): the first answer's is the one the KPIs count
    (satisfaction, evaluated_at); the review's and the re-review's are kept beside it."""
    p = _begin(actor, petition_or_reg_no, Action.EVALUATE, version)
    v = clean(Action.EVALUATE, satisfaction=satisfaction, comment=comment)
    field = workflow.SATISFACTION_FIELD.get(p.review_level, "satisfaction")
    p.last_satisfaction = v["satisfaction"]
    fields = ["last_satisfaction"]
    if not getattr(p, field):  # each stage keeps its first evaluation (the KPIs count the first answer's)
        setattr(p, field, v["satisfaction"])
        fields.append(field)
        if field == "satisfaction":
            p.evaluated_at = timezone.now()
            fields.append("evaluated_at")
    return _finish(
        p,
        actor=actor,
        action=Action.EVALUATE,
        fields=fields,
        data={**v, "stage": _answer_stage(p), "by": "clerk" if actor is not None else "petitioner"},
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


@transaction.atomic
def petition_report_back(*, actor, petition_or_reg_no, version: int, text: str = "") -> Petition:
    """上报: report the result back to the superior that assigned the petition."""
    # A superior's case, once: workflow.report_back_refusal, checked by _begin.
    p = _begin(actor, petition_or_reg_no, Action.REPORT_BACK, version)
    text = clean(Action.REPORT_BACK, text=text)["text"]
    p.reported_back_at = timezone.now()
    on_time = p.superior_due_at is None or p.reported_back_at <= p.superior_due_at
    return _finish(
        p,
        actor=actor,
        action=Action.REPORT_BACK,
        fields=["reported_back_at"],
        data={"text": text, "doc_no": p.superior_doc_no, "on_time": on_time},
    )


@transaction.atomic
def petition_archive(*, actor, petition_or_reg_no, version: int, archive_category: str = "", note: str = "") -> Petition:
    # Satisfied, the delivered answer's window passed, or after 复核; a superior's case reports back first
    # (workflow.archive_refusal, checked by _begin).
    p = _begin(actor, petition_or_reg_no, Action.ARCHIVE, version)
    now = timezone.now()
    satisfied = workflow.latest_satisfaction(p) in workflow.SATISFIED
    v = clean(Action.ARCHIVE, archive_category=archive_category, note=note)
    category = v["archive_category"] or ("review" if p.review_level else ("case" if p.nature == Nature.REPORT else "general"))
    p.archive_category = category
    p.archived_at = now
    dossier = list(p.events.values_list("action", flat=True))
    return _finish(
        p,
        actor=actor,
        action=Action.ARCHIVE,
        fields=["archive_category", "archived_at"],
        data={
            "archive_category": category,
            "basis": "satisfied" if satisfied else ("ended" if p.review_level >= 2 else "window_passed"),
            "steps": len(dossier) + 1,
            "attachments": p.attachments.count(),
            "note": v["note"],
        },
        public=True,
    )


@transaction.atomic
def petition_pause(*, actor, petition_or_reg_no, version: int, ground: str = "", reason: str = "") -> Petition:
    """暂停计时 on a legal ground only (听证, 鉴定/检验/检测: the policy table), by a role the policy allows for that ground.
    The days paused are added when the clock resumes, up to the ground's cap, then the rest-day rule."""
    p = _begin(actor, petition_or_reg_no, Action.PAUSE, version)
    chosen = timelimits.pause_ground(str(ground or ""))
    if chosen is None:
        names = "、".join(g.label for g in timelimits.pause_grounds().values())
        msg = f"只有{names}所需的时间可以不计入期限；其他情形（如领导出差、材料未齐）不能暂停计时"
        raise InvalidInput(msg, fields={"ground": [msg]})
    if not set(chosen.roles) & workflow.pause_roles(actor):
        raise NoPermission(f"按暂停计时规定，您的角色不能以“{chosen.label}”为由暂停计时")
    reason = clean(Action.PAUSE, reason=reason)["reason"]
    p.paused_at = timezone.now()
    p.pause_ground = chosen.code
    return _finish(
        p,
        actor=actor,
        action=Action.PAUSE,
        fields=["paused_at", "pause_ground"],
        data={"ground": chosen.code, "ground_label": chosen.label, "reason": reason, "max_days": chosen.max_days},
        public=True,
    )


_SHIFTED = ["dispatch_due_at", "accept_due_at", "handle_due_at", "internal_due_at", "instruction_due_at", "review_due_at"]


@transaction.atomic
def petition_resume(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    """恢复计时: every stored due time moves by the whole days paused (at most the ground's cap), then the rest-day rule."""
    p = _begin(actor, petition_or_reg_no, Action.RESUME, version)
    now = timezone.now()
    since = p.paused_at
    assert since is not None  # workflow.resume_refusal: only a running pause resumes
    seconds = int((now - since).total_seconds())
    days = deadlines.paused_days(since, now)
    ground = timelimits.pause_ground(p.pause_ground)
    cap = ground.max_days if ground is not None else None
    counted = min(days, cap) if cap is not None else days
    calendar = timelimits.work_calendar()
    moved = {}
    for name in _SHIFTED:
        value = getattr(p, name)
        if value is not None:
            if ground is None:  # a pause from before grounds existed: exact time, as it was taken
                setattr(p, name, value + (now - since))
            else:
                setattr(p, name, deadlines.shifted_due(value, counted, calendar))
            moved[name] = getattr(p, name)
    p.paused_seconds += seconds
    ground_code = p.pause_ground
    p.paused_at = None
    p.pause_ground = ""
    return _finish(
        p,
        actor=actor,
        action=Action.RESUME,
        fields=["paused_at", "pause_ground", "paused_seconds", *_SHIFTED],
        data={
            "ground": ground_code,
            "since": since,
            "paused_days": days,
            "counted_days": counted,
            "over_cap_days": days - counted,
            "paused_seconds": seconds,
            "total_paused_seconds": p.paused_seconds,
            "handle_due_at": moved.get("handle_due_at"),
            **clean(Action.RESUME, note=note),
        },
        public=True,
    )


ACTION_SERVICES: dict[str, Callable[..., Petition]] = {
    Action.ACCEPT: petition_accept,
    Action.DECLINE: petition_decline,
    Action.FORWARD: petition_forward,
    Action.SUBMIT_FOR_INSTRUCTION: petition_submit_for_instruction,
    Action.INSTRUCT: petition_instruct,
    Action.SET_CASE_LEADER: petition_set_case_leader,
    Action.ASSIGN: petition_assign,
    Action.ACKNOWLEDGE: petition_acknowledge,
    Action.PROGRESS: petition_progress,
    Action.EXTEND: petition_extend,
    Action.RETURN: petition_return,
    Action.REPORT_RESULT: petition_report_result,
    Action.APPROVE_RESULT: petition_approve_result,
    Action.REJECT_RESULT: petition_reject_result,
    Action.REPLY: petition_reply,
    Action.FOLLOW_UP: petition_follow_up,
    Action.EVALUATE: petition_evaluate,
    Action.REQUEST_REVIEW: petition_request_review,
    Action.REQUEST_REREVIEW: petition_request_rereview,
    Action.REPORT_BACK: petition_report_back,
    Action.ARCHIVE: petition_archive,
    Action.PAUSE: petition_pause,
    Action.RESUME: petition_resume,
    Action.TRIAGE: petition_triage,
    Action.RECORD_DELIVERY: petition_record_delivery,
    Action.CONSENT_RETURN: petition_consent_return,
    Action.SWITCH_TO_STANDARD: petition_switch_to_standard,
    Action.FORWARD_REVIEW: petition_forward_review,
    Action.RECORD_REVIEW_OPINION: petition_record_review_opinion,
    Action.ANSWER_ENDED: petition_answer_ended,
}


def petition_act(*, actor, petition_or_reg_no, action: str, version: int, **inputs) -> Petition:
    """Dispatch to the per-action service with the inputs `action_inputs.py` declares for it (others are ignored);
    unknown actions are refused."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise NotFound(f"未知的操作：{action}")
    allowed = set(names(action)) | ({"actor_label"} if action in TAKES_ACTOR_LABEL else set())
    kwargs = {k: v for k, v in inputs.items() if k in allowed}
    return service(actor=actor, petition_or_reg_no=petition_or_reg_no, version=version, **kwargs)
