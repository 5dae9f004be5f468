"""Writes on petitions: every lifecycle action of `workflow.py`, one function each.

Each action is one function: permission (the role table in `workflow.py` + the access
policy's scope), state, inputs, version check, one conditional update under a row lock, one
event, one transaction. The same function serves pages, the API, the portal and tests.
Registration lives in `registration.py`, input checks in `inputs.py`, the shared machinery in
`steps.py`; their public names are re-exported here so callers import services only.
"""

from django.db import transaction
from django.utils import timezone

from xinfang.access import policy
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound
from xinfang.org.models import Role, User
from xinfang.petitions import deadlines, timelimits, workflow
from xinfang.petitions.inputs import (  # noqa: F401  (re-exported: callers import them from services)
    _ID_CHECK,
    _ID_WEIGHTS,
    _as_date,
    _as_datetime,
    _choice,
    _clean_person,
    _jsonable,
    _phone_valid,
    _text,
    _unit_input,
    _user_input,
    id_check_char,
    id_number_valid,
)
from xinfang.petitions.models import (
    Channel,
    Complexity,
    DeliveryMethod,
    Nature,
    Outcome,
    Petition,
    ReplyMethod,
    Satisfaction,
    Status,
)
from xinfang.petitions.registration import (  # noqa: F401  (re-exported: callers import them from services)
    ALLOWED_MIME,
    COLLECTIVE_HEADCOUNT,
    MAX_ATTACHMENT_BYTES,
    MAX_REPRESENTATIVES,
    QUERY_CODE_ALPHABET,
    _chain_ended,
    _hash_query_code,
    _read_attachment,
    _registration_checks,
    _store_attachment,
    check_query_code,
    due_for,
    may_attach,
    new_query_code,
    next_registration_number,
    petition_attach,
    petition_link_repeat,
    petition_register,
    registering_office,
)
from xinfang.petitions.steps import (  # noqa: F401  (re-exported: callers import them from services)
    _begin,
    _check_version,
    _finish,
    _lock,
    _min,
    current_due,
    workflow_closed,
)
from xinfang.petitions.workflow import Action


def _not_respondent(petition: Petition, user: User, field: str, role_label: str) -> None:
    if policy.is_respondent(user, petition):
        msg = f"该人员是本件的被反映人，不能担任{role_label}"
        raise InvalidInput(msg, fields={field: [msg]})


@transaction.atomic
def petition_accept(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ACCEPT, version)
    now = timezone.now()
    p.accepted_at = now
    p.handle_due_at = due_for("handle", now, paused_seconds=0)
    return _finish(
        p,
        actor=actor,
        action=Action.ACCEPT,
        fields=["accepted_at", "handle_due_at"],
        data={"note": _text(note, "note", "说明", required=False), "handle_due_at": p.handle_due_at},
        public=True,
    )


@transaction.atomic
def petition_decline(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.DECLINE, version)
    reason = _text(reason, "reason", "不予受理理由")
    p.dispatched_at = timezone.now()
    return _finish(p, actor=actor, action=Action.DECLINE, fields=["dispatched_at"], data={"reason": reason}, public=True)


@transaction.atomic
def petition_forward(*, actor, petition_or_reg_no, version: int, authority: str = "", reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FORWARD, version)
    authority = _text(authority, "authority", "转送机关", max_len=100)
    policy.assert_not_accused_unit(p, authority=authority)  # 检举控告 never to the accused's unit (409 respondent_unit)
    reason = _text(reason, "reason", "转送理由", required=False)
    p.dispatched_at = timezone.now()
    return _finish(
        p, actor=actor, action=Action.FORWARD, fields=["dispatched_at"], data={"authority": authority, "reason": reason}, public=True
    )


@transaction.atomic
def petition_submit_for_instruction(*, actor, petition_or_reg_no, version: int, note: str = "", leader=None) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SUBMIT_FOR_INSTRUCTION, version)
    data = {"note": _text(note, "note", "呈批意见", required=False)}
    if leader not in (None, ""):
        leader = _user_input(leader, "leader", "呈批领导")
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
    instruction = _text(instruction, "instruction", "批示意见")
    p.instruction_due_at = None
    return _finish(p, actor=actor, action=Action.INSTRUCT, fields=["instruction_due_at"], data={"instruction": instruction})


@transaction.atomic
def petition_set_case_leader(*, actor, petition_or_reg_no, version: int, leader=None, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.SET_CASE_LEADER, version)
    leader = _user_input(leader, "leader", "包案领导")
    if not leader.has_role(Role.LEADER):
        raise InvalidInput("包案领导须为领导角色", fields={"leader": ["包案领导须为领导角色"]})
    _not_respondent(p, leader, "leader", "包案领导")
    previous = p.case_leader.username if p.case_leader_id else ""
    p.case_leader = leader
    return _finish(
        p,
        actor=actor,
        action=Action.SET_CASE_LEADER,
        fields=["case_leader"],
        data={"leader": leader.username, "leader_name": leader.display_name, "previous": previous, "reason": reason or ""},
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
    unit = _unit_input(handling_unit, "handling_unit", "承办单位")
    complexity = _choice(complexity or Complexity.GENERAL, Complexity, "complexity", "复杂程度")
    policy.assert_not_accused_unit(p, unit=unit)  # 检举控告 never to the accused's unit, no override (409 respondent_unit)
    now = timezone.now()
    if p.handle_due_at is None:
        p.handle_due_at = due_for("handle", p.accepted_at or now)
    internal = due_for(f"internal_{complexity}", now)
    requested = _as_datetime(due_at, "due_at", "办理期限", required=False)
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
            "note": note or "",
        },
    )


@transaction.atomic
def petition_acknowledge(*, actor, petition_or_reg_no, version: int, committed_date=None, note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.ACKNOWLEDGE, version)
    committed = _as_date(committed_date, "committed_date", "承诺办结日期", required=True)
    today = timezone.localdate()
    if committed < today:
        raise InvalidInput("承诺办结日期不能早于今天", fields={"committed_date": ["承诺办结日期不能早于今天"]})
    if p.handle_due_at and committed > timezone.localtime(p.handle_due_at).date():
        msg = f"承诺办结日期不能晚于办理期限（{timezone.localtime(p.handle_due_at):%Y-%m-%d}）"
        raise InvalidInput(msg, fields={"committed_date": [msg]})
    p.committed_date = committed
    return _finish(
        p, actor=actor, action=Action.ACKNOWLEDGE, fields=["committed_date"], data={"committed_date": committed, "note": note or ""}
    )


@transaction.atomic
def petition_progress(*, actor, petition_or_reg_no, version: int, note: str = "", explain_to_superior: bool = False) -> Petition:
    """A progress note (办理进度). For a superior's petition, `explain_to_superior` records the 说明情况 sent upward."""
    p = _begin(actor, petition_or_reg_no, Action.PROGRESS, version)
    note = _text(note, "note", "进度说明")
    explain = bool(explain_to_superior)
    if explain and p.channel != Channel.FROM_SUPERIOR:
        raise InvalidInput("只有上级交办件需要向上级说明情况", fields={"explain_to_superior": ["只有上级交办件可用"]})
    return _finish(
        p, actor=actor, action=Action.PROGRESS, fields=[], data={"note": note, "explain_to_superior": explain, "doc_no": p.superior_doc_no}
    )


@transaction.atomic
def petition_extend(*, actor, petition_or_reg_no, version: int, days=None, reason: str = "") -> Petition:
    # Once, and before the period in force expires: workflow.extend_refusal, checked by _begin.
    p = _begin(actor, petition_or_reg_no, Action.EXTEND, version)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput("请填写延期天数", fields={"days": ["请填写延期天数"]}) from None
    max_days = timelimits.limit_for("extend_max").amount
    if days < 1 or days > max_days:
        raise InvalidInput(f"延期天数应为1至{max_days}天", fields={"days": [f"延期天数应为1至{max_days}天"]})
    reason = _text(reason, "reason", "延期理由")
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
    reason = _text(reason, "reason", "退回理由")
    now = timezone.now()
    window_ends = workflow.return_due(p)
    consented = p.return_consented_at is not None
    old = {"handling_unit": p.handling_unit.code if p.handling_unit_id else "", "dispatch_due_at": p.dispatch_due_at}
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
    reason = _text(reason, "reason", "同意退回的理由（核实情况）")
    p.return_consented_at = timezone.now()
    return _finish(
        p,
        actor=actor,
        action=Action.CONSENT_RETURN,
        fields=["return_consented_at"],
        data={
            "reason": reason,
            "handling_unit": p.handling_unit.code if p.handling_unit_id else "",
            "return_due_at": workflow.return_due(p),
        },
    )


@transaction.atomic
def petition_triage(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    """阅办: the office has read the petition on the day it arrived and written its proposal (拟办意见); the decision
    (accept / decline / forward) may follow within its own 15 days. Deciding also counts as triaging (workflow.TRIAGES)."""
    p = _begin(actor, petition_or_reg_no, Action.TRIAGE, version)
    note = _text(note, "note", "阅办意见（拟办）")
    on_time = deadlines.on_time(timezone.now(), p.triage_due_at)
    return _finish(p, actor=actor, action=Action.TRIAGE, fields=[], data={"note": note, "on_time": on_time})


@transaction.atomic
def petition_record_delivery(*, actor, petition_or_reg_no, version: int, delivered_at=None, method: str = "", note: str = "") -> Petition:
    """送达: when the petitioner received the latest answer, and how. The 复查/复核 window runs 30 days from it (then the
    rest-day rule). Recording it again is a correction: a new event naming the previous delivery."""
    p = _begin(actor, petition_or_reg_no, Action.RECORD_DELIVERY, version)
    method = _choice(method, DeliveryMethod, "method", "送达方式")
    try:
        when = _as_datetime(delivered_at, "delivered_at", "送达时间", required=True)
    except ValueError:  # a well-formed but impossible date (2026-02-30)
        raise InvalidInput("送达时间不是有效的日期", fields={"delivered_at": ["送达时间不是有效的日期"]}) from None
    # Compared by local day: the window counts whole days from the day after delivery, and a receipt gives the day.
    day, today, replied = (timezone.localtime(x).date() for x in (when, timezone.now(), p.replied_at))
    if day > today:
        raise InvalidInput("送达时间不能晚于今天", fields={"delivered_at": ["送达时间不能晚于今天"]})
    if day < replied:
        msg = f"送达时间不能早于答复日期（{replied:%Y-%m-%d}）"
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
            "note": _text(note, "note", "备注", required=False),
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
DELIVERED_WHEN_SENT = {
    ReplyMethod.ONLINE: DeliveryMethod.ONLINE,
    ReplyMethod.SMS: DeliveryMethod.SMS,
    ReplyMethod.VISIT: DeliveryMethod.DIRECT,
}


@transaction.atomic
def petition_report_result(
    *, actor, petition_or_reg_no, version: int, outcome: str = "", findings: str = "", reply_draft: str = ""
) -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REPORT_RESULT, version)
    if p.status == Status.ACCEPTED and not actor.has_role(Role.OFFICE):
        raise NoPermission("尚未交办的信访件只能由信访办直接办结")
    if p.status == Status.IN_PROGRESS and not actor.has_role(Role.UNIT_HANDLER):
        raise NoPermission("办理中的信访件由承办单位报结")
    p.outcome = _choice(outcome, Outcome, "outcome", "处理结果")
    p.findings = _text(findings, "findings", "调查核实情况")
    p.reply_draft = _text(reply_draft, "reply_draft", "答复意见草稿", required=False)
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
    return _finish(p, actor=actor, action=Action.APPROVE_RESULT, fields=[], data={"note": note or ""})


@transaction.atomic
def petition_reject_result(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.REJECT_RESULT, version)
    reason = _text(reason, "reason", "退回理由")
    to = Status.IN_PROGRESS if p.handling_unit_id else Status.ACCEPTED
    return _finish(p, actor=actor, action=Action.REJECT_RESULT, fields=[], data={"reason": reason}, to_status=to)


@transaction.atomic
def petition_reply(*, actor, petition_or_reg_no, version: int, method: str = "", text: str = "") -> Petition:
    """答复 (the first answer, the review opinion or the re-review opinion). The 复查/复核 window runs from delivery: an
    online, SMS or in-person answer is delivered as it is given; a letter's or a phone answer's delivery is recorded
    afterwards (record_delivery), and until then the window stays open."""
    p = _begin(actor, petition_or_reg_no, Action.REPLY, version)
    method = _choice(method, ReplyMethod, "method", "答复方式")
    text = _text(text, "text", "答复内容（处理意见书）")
    now = timezone.now()
    stage = {Status.AWAITING_REPLY: "reply", Status.UNDER_REVIEW: "review", Status.UNDER_REREVIEW: "rereview"}[p.status]
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
    delivery = DELIVERED_WHEN_SENT.get(method)
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
        ],
        data={
            "method": method,
            "text": text,
            "stage": stage,
            "delivered_at": p.delivered_at,
            "review_request_due_at": p.review_request_due_at,
        },
        public=True,
    )


@transaction.atomic
def petition_follow_up(*, actor, petition_or_reg_no, version: int, method: str = "", note: str = "") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.FOLLOW_UP, version)
    note = _text(note, "note", "回访情况")
    return _finish(p, actor=actor, action=Action.FOLLOW_UP, fields=[], data={"method": method or "", "note": note})


@transaction.atomic
def petition_evaluate(*, actor, petition_or_reg_no, version: int, satisfaction: str = "", comment: str = "", actor_label="") -> Petition:
    p = _begin(actor, petition_or_reg_no, Action.EVALUATE, version)
    p.satisfaction = _choice(satisfaction, Satisfaction, "satisfaction", "满意度")
    p.evaluated_at = timezone.now()
    return _finish(
        p,
        actor=actor,
        action=Action.EVALUATE,
        fields=["satisfaction", "evaluated_at"],
        data={"satisfaction": p.satisfaction, "comment": comment or ""},
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


def _review_request(actor, petition_or_reg_no, version, reason, action, step, actor_label):
    # Level and window: workflow.review_refusal, checked by _begin (open until the answer's delivery is recorded).
    p = _begin(actor, petition_or_reg_no, action, version)
    now = timezone.now()
    reason = _text(reason, "reason", "申请理由")
    p.review_due_at = due_for(step, now)
    return _finish(
        p,
        actor=actor,
        action=action,
        fields=["review_due_at"],
        data={"reason": reason, "review_due_at": p.review_due_at},
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


@transaction.atomic
def petition_request_review(*, actor, petition_or_reg_no, version: int, reason: str = "", actor_label="") -> Petition:
    return _review_request(actor, petition_or_reg_no, version, reason, Action.REQUEST_REVIEW, "review_answer", actor_label)


@transaction.atomic
def petition_request_rereview(*, actor, petition_or_reg_no, version: int, reason: str = "", actor_label="") -> Petition:
    return _review_request(actor, petition_or_reg_no, version, reason, Action.REQUEST_REREVIEW, "rereview_answer", actor_label)


@transaction.atomic
def petition_report_back(*, actor, petition_or_reg_no, version: int, text: str = "") -> Petition:
    """上报: report the result back to the superior that assigned the petition."""
    p = _begin(actor, petition_or_reg_no, Action.REPORT_BACK, version)
    if p.channel != Channel.FROM_SUPERIOR:
        raise InvalidTransition("只有上级交办件需要向上级报结")
    if p.reported_back_at is not None:
        raise InvalidTransition("已向上级报结")
    text = _text(text, "text", "报结内容")
    p.reported_back_at = timezone.now()
    on_time = p.superior_due_at is None or p.reported_back_at <= p.superior_due_at
    return _finish(
        p,
        actor=actor,
        action=Action.REPORT_BACK,
        fields=["reported_back_at"],
        data={"text": text, "doc_no": p.superior_doc_no, "on_time": on_time},
    )


ARCHIVE_CATEGORIES = {"general": "一般信访", "case": "信访案件", "review": "复查复核"}


@transaction.atomic
def petition_archive(*, actor, petition_or_reg_no, version: int, archive_category: str = "", note: str = "") -> Petition:
    # Satisfied, the delivered answer's window passed, or after 复核; a superior's case reports back first
    # (workflow.archive_refusal, checked by _begin).
    p = _begin(actor, petition_or_reg_no, Action.ARCHIVE, version)
    now = timezone.now()
    satisfied = p.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
    category = archive_category or ("review" if p.review_level else ("case" if p.nature == Nature.REPORT else "general"))
    if category not in ARCHIVE_CATEGORIES:
        raise InvalidInput("归档类别无效", fields={"archive_category": ["归档类别无效"]})
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
            "note": note or "",
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
    if not set(chosen.roles) & set(actor.role_codes):
        raise NoPermission(f"按暂停计时规定，您的角色不能以“{chosen.label}”为由暂停计时")
    reason = _text(reason, "reason", "暂停说明（听证、鉴定的安排）")
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
    seconds = int((now - p.paused_at).total_seconds())
    days = deadlines.paused_days(p.paused_at, now)
    ground = timelimits.pause_ground(p.pause_ground)
    cap = ground.max_days if ground is not None else None
    counted = min(days, cap) if cap is not None else days
    calendar = timelimits.work_calendar()
    moved = {}
    for name in _SHIFTED:
        value = getattr(p, name)
        if value is not None:
            if ground is None:  # a pause from before grounds existed: exact time, as it was taken
                setattr(p, name, value + (now - p.paused_at))
            else:
                setattr(p, name, deadlines.shifted_due(value, counted, calendar))
            moved[name] = getattr(p, name)
    p.paused_seconds += seconds
    since, ground_code = p.paused_at, p.pause_ground
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
            "note": note or "",
        },
        public=True,
    )


ACTION_SERVICES = {
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
}


ACTION_INPUTS = {
    Action.ACCEPT: ["note"],
    Action.DECLINE: ["reason"],
    Action.FORWARD: ["authority", "reason"],
    Action.SUBMIT_FOR_INSTRUCTION: ["note", "leader"],
    Action.INSTRUCT: ["instruction"],
    Action.SET_CASE_LEADER: ["leader", "reason"],
    Action.ASSIGN: ["handling_unit", "result_required", "complexity", "due_at", "note"],
    Action.ACKNOWLEDGE: ["committed_date", "note"],
    Action.PROGRESS: ["note", "explain_to_superior"],
    Action.EXTEND: ["days", "reason"],
    Action.RETURN: ["reason"],
    Action.REPORT_RESULT: ["outcome", "findings", "reply_draft"],
    Action.APPROVE_RESULT: ["note"],
    Action.REJECT_RESULT: ["reason"],
    Action.REPLY: ["method", "text"],
    Action.FOLLOW_UP: ["method", "note"],
    Action.EVALUATE: ["satisfaction", "comment"],
    Action.REQUEST_REVIEW: ["reason"],
    Action.REQUEST_REREVIEW: ["reason"],
    Action.REPORT_BACK: ["text"],
    Action.ARCHIVE: ["archive_category", "note"],
    Action.PAUSE: ["ground", "reason"],
    Action.RESUME: ["note"],
    Action.TRIAGE: ["note"],
    Action.RECORD_DELIVERY: ["delivered_at", "method", "note"],
    Action.CONSENT_RETURN: ["reason"],
}


def petition_act(*, actor, petition_or_reg_no, action: str, version: int, **inputs) -> Petition:
    """Dispatch to the per-action service; unknown inputs are ignored, unknown actions refused."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise NotFound(f"未知的操作：{action}")
    allowed = set(ACTION_INPUTS[action]) | {"actor_label"}
    kwargs = {k: v for k, v in inputs.items() if k in allowed}
    if "actor_label" in kwargs and action not in (Action.EVALUATE, Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW):
        kwargs.pop("actor_label")
    return service(actor=actor, petition_or_reg_no=petition_or_reg_no, version=version, **kwargs)
