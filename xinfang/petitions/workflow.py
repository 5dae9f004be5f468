"""The petition lifecycle as data: (state, action) → (new state, roles allowed, guard).

Services enforce this table; pages and the API read it to show which actions are possible.
`None` as the new state means the action keeps the state (notes, pause/resume, case leader,
follow-up, extension, report-back). The rules the table's columns cannot express are the guards
(`*_refusal`), one per action, written once with the rule beside it and named in the action's row:
the service raises what the guard says (`steps._begin`), and the page and API offer only what the
table and the guard allow (`offered`). Nothing else decides whether an action may be taken.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from xinfang.core.errors import ErrorCode
from xinfang.org.models import ABOVE_THE_COUNTY, Role
from xinfang.petitions.event_types import EventType
from xinfang.petitions.event_types import label as label
from xinfang.petitions.models import Channel, Petition, Satisfaction, Status


class Action(models.TextChoices):
    """The actions a user chooses (the table's rows); their names are the event types' (event_types.py)."""

    ACCEPT = EventType.ACCEPT.value, EventType.ACCEPT.label
    DECLINE = EventType.DECLINE.value, EventType.DECLINE.label
    FORWARD = EventType.FORWARD.value, EventType.FORWARD.label
    SUBMIT_FOR_INSTRUCTION = EventType.SUBMIT_FOR_INSTRUCTION.value, EventType.SUBMIT_FOR_INSTRUCTION.label
    INSTRUCT = EventType.INSTRUCT.value, EventType.INSTRUCT.label
    SET_CASE_LEADER = EventType.SET_CASE_LEADER.value, EventType.SET_CASE_LEADER.label
    ASSIGN = EventType.ASSIGN.value, EventType.ASSIGN.label
    ACKNOWLEDGE = EventType.ACKNOWLEDGE.value, EventType.ACKNOWLEDGE.label
    PROGRESS = EventType.PROGRESS.value, EventType.PROGRESS.label
    EXTEND = EventType.EXTEND.value, EventType.EXTEND.label
    RETURN = EventType.RETURN.value, EventType.RETURN.label
    REPORT_RESULT = EventType.REPORT_RESULT.value, EventType.REPORT_RESULT.label
    APPROVE_RESULT = EventType.APPROVE_RESULT.value, EventType.APPROVE_RESULT.label
    REJECT_RESULT = EventType.REJECT_RESULT.value, EventType.REJECT_RESULT.label
    REPLY = EventType.REPLY.value, EventType.REPLY.label
    FOLLOW_UP = EventType.FOLLOW_UP.value, EventType.FOLLOW_UP.label
    EVALUATE = EventType.EVALUATE.value, EventType.EVALUATE.label
    REQUEST_REVIEW = EventType.REQUEST_REVIEW.value, EventType.REQUEST_REVIEW.label
    REQUEST_REREVIEW = EventType.REQUEST_REREVIEW.value, EventType.REQUEST_REREVIEW.label
    REPORT_BACK = EventType.REPORT_BACK.value, EventType.REPORT_BACK.label
    ARCHIVE = EventType.ARCHIVE.value, EventType.ARCHIVE.label
    PAUSE = EventType.PAUSE.value, EventType.PAUSE.label
    RESUME = EventType.RESUME.value, EventType.RESUME.label
    TRIAGE = EventType.TRIAGE.value, EventType.TRIAGE.label
    RECORD_DELIVERY = EventType.RECORD_DELIVERY.value, EventType.RECORD_DELIVERY.label
    CONSENT_RETURN = EventType.CONSENT_RETURN.value, EventType.CONSENT_RETURN.label
    SWITCH_TO_STANDARD = EventType.SWITCH_TO_STANDARD.value, EventType.SWITCH_TO_STANDARD.label
    FORWARD_REVIEW = EventType.FORWARD_REVIEW.value, EventType.FORWARD_REVIEW.label
    RECORD_REVIEW_OPINION = EventType.RECORD_REVIEW_OPINION.value, EventType.RECORD_REVIEW_OPINION.label
    ANSWER_ENDED = EventType.ANSWER_ENDED.value, EventType.ANSWER_ENDED.label


# ---------------------------------------------------------------------------
# Guards: the rules the table's columns cannot say, one function per action (named in its row below).
# Each takes (petition, actor, now) and returns None (allowed) or the Refusal the service raises.
# actor is None for the petitioner's own request (portal, Open311).
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str  # an ErrorCode (409 unless the code says otherwise)
    message: str


def _no(message: str, code: str = ErrorCode.INVALID_TRANSITION) -> Refusal:
    return Refusal(str(code), message)


def _fmt_day(dt) -> str:
    from xinfang.petitions.deadlines import to_local

    return f"{to_local(dt):%Y-%m-%d}"


def handle_due_in_force(p, now: datetime):
    """The handling due time in force now: the stored one, moved by the days of a pause still running (up to its cap)."""
    from xinfang.petitions import deadlines, timelimits

    if p.handle_due_at is None or p.paused_at is None:
        return p.handle_due_at
    ground = timelimits.pause_ground(p.pause_ground)
    days = deadlines.paused_days(p.paused_at, now)
    if ground is not None:
        days = min(days, ground.max_days)
    return deadlines.shifted_due(p.handle_due_at, days, timelimits.work_calendar())


def extend_refusal(p, actor, now: datetime) -> Refusal | None:
    """延期: approved by a leader (the table), once, and only before the period in force has expired. An extension asked
    after the due time would turn a late answer into an on-time one (按期办结率), so it is refused, not recorded."""
    if p.track == "simple":
        return _no("简易办理件不能延期；情况复杂、需要更长时间的，请先转为普通程序")
    if p.extended_days:
        return _no("该信访件已延期过一次，不能再次延期")
    due = handle_due_in_force(p, now)
    if due is not None and now.replace(microsecond=0) > due:
        return _no(
            f"办理期限已于 {_fmt_day(due)} 届满，不能再延期；请尽快办结并答复，超期情况如实记录",
            ErrorCode.PERIOD_EXPIRED,
        )
    return None


def switch_to_standard_refusal(p, actor, now: datetime) -> Refusal | None:
    """转为普通程序: only a matter on the simple track (简易办理) goes back to the standard one, its own event."""
    if p.track != "simple":
        return _no("该信访件按普通程序办理，无需转换")
    return None


def _external_organ(p) -> str:
    """The name of the petition's review organ when it is outside this deployment ("" otherwise)."""
    return p.review_external.name if p.status in (S.UNDER_REVIEW, S.UNDER_REREVIEW) and p.review_external_id else ""


def reply_refusal(p, actor, now: datetime) -> Refusal | None:
    """答复 of a review: the review organ answers. When it is outside this deployment the office does not write the opinion
    itself: it forwards the request and enters the opinion received (record_review_opinion)."""
    name = _external_organ(p)
    if name:
        return Refusal(
            str(ErrorCode.REVIEW_ORGAN_EXTERNAL),
            f"复查/复核机关为{name}（本系统外），由该机关作出意见：请转送请求，收到意见后录入",
        )
    organ = p.review_unit if p.status in (S.UNDER_REVIEW, S.UNDER_REREVIEW) else None
    if actor is not None and organ is not None and organ.region.level in ABOVE_THE_COUNTY:
        from xinfang.access import policy

        if organ.pk not in policy.review_unit_ids(actor):  # a city or province organ answers in its own name
            return Refusal(str(ErrorCode.PERMISSION_DENIED), f"复查/复核由{organ.name}作出，请由该机关的工作人员答复")
    return None


def forward_review_refusal(p, actor, now: datetime) -> Refusal | None:
    if p.review_unit_id and not p.review_external_id:
        return _no(f"复查/复核机关为{p.review_unit.name}（本系统内），由其直接办理，无需转送")
    if p.review_forwarded_at is not None:
        return _no("复查/复核请求已转送，请在收到意见后录入")
    if not p.review_external_id:
        from xinfang.petitions import review

        stage = 2 if p.status == S.UNDER_REREVIEW else 1
        if not any(o.external for o in review.candidates(p, stage)):
            return _no("尚无可以转送的系统外复查/复核机关（请先在“系统外机关”中登记）")
    return None


def record_review_opinion_refusal(p, actor, now: datetime) -> Refusal | None:
    if not _external_organ(p):
        return _no("只有系统外机关作出的复查/复核意见在此录入；本系统内的复查/复核机关直接答复")
    if p.review_forwarded_at is None:
        return _no("请先将复查/复核请求转送该机关")
    return None


def answer_ended_refusal(p, actor, now: datetime) -> Refusal | None:
    """不再受理: only a petition linked to a matter already ended by its 复核 (三级终结)."""
    if not (p.matter_ended and p.repeat_of_id):
        return _no("只有关联到已复核终结事项的信访件，才能告知不再受理")
    return None


def return_due(p):
    """The end of the handling unit's objection period: 5 workdays (policy step return_window) from the assignment.

    The period runs from the day the case was assigned to the unit (`assigned_at`, when it reached the unit's worklist),
    not from the unit's acknowledgement: a unit cannot lengthen its own window by signing for the case late.
    """
    from xinfang.petitions import timelimits

    if p.assigned_at is None:
        return None
    return timelimits.due_for("return_window", p.assigned_at)


def return_refusal(p, actor, now: datetime) -> Refusal | None:
    """退回: a handling unit objects that a case is not its own within 5 workdays of receiving it (《信访工作条例》第二十三条);
    later only after the office has consented (consent_return, its own event)."""
    due = return_due(p)
    if due is not None and now.replace(microsecond=0) > due and p.return_consented_at is None:
        return _no(
            f"提出异议（退回）的期限已于 {_fmt_day(due)} 届满（交办之日起5个工作日）；确非本单位职责的，请联系信访办，经其同意后退回",
            ErrorCode.RETURN_WINDOW_PASSED,
        )
    return None


def consent_return_refusal(p, actor, now: datetime) -> Refusal | None:
    if p.return_consented_at is not None:
        return _no("信访办已同意退回，等待承办单位退回")
    due = return_due(p)
    if due is None or now.replace(microsecond=0) <= due:
        return _no("承办单位仍在5个工作日的异议期内，可以直接退回，无需同意")
    return None


def pause_roles(actor) -> set[str]:
    """The roles the policy table's pause grounds are read against: a review organ's staff (reviewer) stop the clock of
    the review asked of it on the grounds its petition office may (a 复核's hearing: 《信访工作条例》第三十六条)."""
    roles = set(actor.role_codes)
    if Role.REVIEWER in roles:
        roles.add(str(Role.OFFICE))
    return roles


def pause_refusal(p, actor, now: datetime) -> Refusal | None:
    """暂停: only while handling or reviewing, only on a legal ground (the grounds of the policy table), only by a role
    the policy gives that right to."""
    from xinfang.petitions import timelimits

    if p.paused_at is not None:
        return _no("计时已暂停")
    if actor is not None and not any(set(g.roles) & pause_roles(actor) for g in timelimits.pause_grounds().values()):
        return Refusal(str(ErrorCode.PERMISSION_DENIED), "按暂停计时规定，您的角色不能暂停计时")
    return None


def resume_refusal(p, actor, now: datetime) -> Refusal | None:
    from xinfang.petitions import timelimits

    if p.paused_at is None:
        return _no("计时未暂停")
    ground = timelimits.pause_ground(p.pause_ground)
    if actor is not None and ground is not None and not set(ground.roles) & pause_roles(actor):
        return Refusal(str(ErrorCode.PERMISSION_DENIED), f"按暂停计时规定，只有可以“{ground.label}”暂停的角色才能恢复计时")
    return None


def triage_refusal(p, actor, now: datetime) -> Refusal | None:
    if p.triaged_at is not None:
        return _no("该信访件已阅办")
    return None


def window_open(p, now: datetime) -> bool:
    """May the petitioner ask for 复查/复核 now? The window runs 30 days from delivery (送达), so until the answer's delivery
    is recorded it is open; after 复核 there is none (三级终结)."""
    if p.review_level >= 2:
        return False
    return p.delivered_at is None or p.review_request_due_at is None or now <= p.review_request_due_at


def window_passed(p, now: datetime) -> bool:
    """Has the delivered answer's window passed (one ground for archiving)? Never before delivery is recorded."""
    return p.delivered_at is not None and p.review_request_due_at is not None and now > p.review_request_due_at


def review_refusal(level_needed: int):
    def refusal_(p, actor, now: datetime) -> Refusal | None:
        if p.review_level >= 2:
            return _no("该事项已经复核，信访程序终结，不再受理复查复核请求")
        if p.review_level != level_needed:
            return _no("请先申请复查" if level_needed == 1 else "该事项已复查，如不服请申请复核")
        if not window_open(p, now):
            return _no(
                f"已超过申请期限（收到书面答复之日起30日内，至 {_fmt_day(p.review_request_due_at)} 止）",
                ErrorCode.REVIEW_WINDOW_PASSED,
            )
        return None

    return refusal_


# The evaluation of each answer: the first answer (处理意见书), the review opinion, the re-review opinion.
SATISFACTION_FIELD = {0: "satisfaction", 1: "review_satisfaction", 2: "rereview_satisfaction"}
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def latest_satisfaction(p) -> str:
    """The petitioner's evaluation of the latest answer ("" when that answer is not evaluated; a new answer clears it)."""
    return p.last_satisfaction


def evaluate_refusal(p, actor, now: datetime) -> Refusal | None:
    """满意度评价: once per answer (the first answer, the review opinion, the re-review opinion)."""
    if latest_satisfaction(p):
        return _no("该答复已经评价")
    return None


def archive_refusal(p, actor, now: datetime) -> Refusal | None:
    """归档: when the petitioner is satisfied with the latest answer, the delivered answer's window has passed, or after
    复核; a superior's case that needs a result reports back first."""
    satisfied = latest_satisfaction(p) in SATISFIED
    if not (satisfied or window_passed(p, now) or p.review_level >= 2):
        if p.delivered_at is None:
            return _no("答复尚未送达（送达后30日内信访人可申请复查/复核），且信访人未表示满意，暂不能归档")
        return _no(f"申请复查/复核期限（至{_fmt_day(p.review_request_due_at)}）未过且信访人未表示满意，暂不能归档")
    if p.channel == "from_superior" and p.result_required and p.reported_back_at is None:
        return _no("上级交办件须先向上级报结，才能归档")
    return None


def delivery_refusal(p, actor, now: datetime) -> Refusal | None:
    if p.replied_at is None:
        return _no("尚未答复，没有可送达的文书")
    return None


def progress_refusal(p, actor, now: datetime) -> Refusal | None:
    """办理进度: nothing is being handled before the office decides (受理/交办), so on a petition still registered only the
    office writes a note (its proposal is 阅办, its own action)."""
    if p.status == Status.REGISTERED and actor is not None and not actor.has_role(Role.OFFICE):
        return Refusal(str(ErrorCode.PERMISSION_DENIED), "尚未受理的信访件只能由信访办记录办理情况")
    return None


def report_result_refusal(p, actor, now: datetime) -> Refusal | None:
    """报结: the unit that handles a case reports its result; the office reports only on a case it handles itself (accepted,
    never assigned)."""
    if actor is None:
        return None
    if p.status == Status.ACCEPTED and not actor.has_role(Role.OFFICE):
        return Refusal(str(ErrorCode.PERMISSION_DENIED), "尚未交办的信访件只能由信访办直接办结")
    if p.status == Status.IN_PROGRESS and not actor.has_role(Role.UNIT_HANDLER):
        return Refusal(str(ErrorCode.PERMISSION_DENIED), "办理中的信访件由承办单位报结")
    return None


def report_back_refusal(p, actor, now: datetime) -> Refusal | None:
    """向上级报结: only a case a superior assigned (上级交办件) reports back, and once."""
    if p.channel != Channel.FROM_SUPERIOR:
        return _no("只有上级交办件需要向上级报结")
    if p.reported_back_at is not None:
        return _no("已向上级报结")
    return None


S = Status
OPEN = [s for s in Status if s not in (S.DECLINED, S.FORWARDED, S.ARCHIVED)]
AFTER_REPLY = [S.REPLIED, S.EVALUATED]
HANDLING = [S.ASSIGNED, S.IN_PROGRESS]
# A hearing or an appraisal happens while a matter is being handled or reviewed, never while it waits to be
# accepted or dispatched (a pause there only delayed the office's own step).
PAUSABLE = [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW, S.UNDER_REREVIEW]

REVIEWING = [S.UNDER_REVIEW, S.UNDER_REREVIEW]
# The states in which a matter on the simple track is still being handled (before its answer).
SIMPLE_OPEN = [S.ACCEPTED, S.AWAITING_INSTRUCTION, S.ASSIGNED, S.IN_PROGRESS, S.RESULT_REPORTED, S.AWAITING_REPLY]

OFFICE = (Role.OFFICE,)
LEADER = (Role.LEADER,)
UNIT = (Role.UNIT_HANDLER,)
# The staff of a review organ above the county (issue 13): only on the review asked of their organ (`reviewer_refusal`).
REVIEWER = (Role.REVIEWER,)
# The clerk records what the petitioner says at the window (evaluation, review requests).
PETITIONER_INPUT = (Role.OFFICE, Role.CLERK)


Guard = Callable[[Petition, object, datetime], "Refusal | None"]


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: tuple[str, ...]
    to_state: str | None
    roles: tuple[str, ...]
    # Portal / Open311 may call these with actor=None (the petitioner's own request).
    petitioner_may: bool = False
    guard: Guard | None = None


def _t(action, from_states, to_state, roles, guard: Guard | None = None, petitioner_may: bool = False) -> Transition:
    return Transition(
        str(action), tuple(str(s) for s in from_states), str(to_state) if to_state else None, tuple(roles), petitioner_may, guard
    )


TRANSITIONS: list[Transition] = [
    _t(Action.ACCEPT, [S.REGISTERED], S.ACCEPTED, OFFICE),
    _t(Action.DECLINE, [S.REGISTERED], S.DECLINED, OFFICE),
    _t(Action.FORWARD, [S.REGISTERED], S.FORWARDED, OFFICE),
    _t(Action.SUBMIT_FOR_INSTRUCTION, [S.ACCEPTED], S.AWAITING_INSTRUCTION, OFFICE),
    _t(Action.INSTRUCT, [S.AWAITING_INSTRUCTION], S.ACCEPTED, LEADER),
    _t(Action.SET_CASE_LEADER, OPEN, None, OFFICE + LEADER),
    _t(Action.ASSIGN, [S.ACCEPTED], S.ASSIGNED, OFFICE),
    _t(Action.ACKNOWLEDGE, [S.ASSIGNED], S.IN_PROGRESS, UNIT),
    _t(Action.PROGRESS, OPEN, None, OFFICE + LEADER + UNIT + REVIEWER, progress_refusal),
    _t(Action.EXTEND, [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], None, LEADER, extend_refusal),
    _t(Action.RETURN, HANDLING, S.ACCEPTED, UNIT, return_refusal),
    # The office may also handle a petition itself (accepted → result_reported).
    _t(Action.REPORT_RESULT, [S.IN_PROGRESS, S.ACCEPTED], S.RESULT_REPORTED, OFFICE + UNIT, report_result_refusal),
    _t(Action.APPROVE_RESULT, [S.RESULT_REPORTED], S.AWAITING_REPLY, OFFICE),
    # Back to the handling unit (in_progress), or to accepted when the office handled it itself.
    _t(Action.REJECT_RESULT, [S.RESULT_REPORTED], S.IN_PROGRESS, OFFICE),
    _t(Action.REPLY, [S.AWAITING_REPLY, S.UNDER_REVIEW, S.UNDER_REREVIEW], S.REPLIED, OFFICE + REVIEWER, reply_refusal),
    _t(Action.FOLLOW_UP, AFTER_REPLY, None, OFFICE),
    _t(Action.EVALUATE, [S.REPLIED], S.EVALUATED, PETITIONER_INPUT, evaluate_refusal, petitioner_may=True),
    _t(Action.REQUEST_REVIEW, AFTER_REPLY, S.UNDER_REVIEW, PETITIONER_INPUT, review_refusal(0), petitioner_may=True),
    _t(Action.REQUEST_REREVIEW, AFTER_REPLY, S.UNDER_REREVIEW, PETITIONER_INPUT, review_refusal(1), petitioner_may=True),
    _t(Action.REPORT_BACK, [S.RESULT_REPORTED, S.AWAITING_REPLY, S.REPLIED, S.EVALUATED], None, OFFICE, report_back_refusal),
    _t(Action.ARCHIVE, AFTER_REPLY, S.ARCHIVED, OFFICE, archive_refusal),
    # Who may pause on which ground is the policy table's (PauseGround.roles); these roles are the most it can allow.
    _t(Action.PAUSE, PAUSABLE, None, OFFICE + LEADER + UNIT + REVIEWER, pause_refusal),
    _t(Action.RESUME, OPEN, None, OFFICE + LEADER + UNIT + REVIEWER, resume_refusal),
    _t(Action.TRIAGE, [S.REGISTERED], None, OFFICE, triage_refusal),
    _t(Action.RECORD_DELIVERY, AFTER_REPLY, None, OFFICE, delivery_refusal),
    _t(Action.CONSENT_RETURN, HANDLING, None, OFFICE, consent_return_refusal),
    # 简易办理 found not simple after all: the standard limit (60 days from the same acceptance) applies from then on.
    _t(Action.SWITCH_TO_STANDARD, SIMPLE_OPEN, None, OFFICE, switch_to_standard_refusal),
    # The review organ outside the deployment (review.py): forward the request, then enter the opinion received.
    _t(Action.FORWARD_REVIEW, REVIEWING, None, OFFICE, forward_review_refusal),
    _t(Action.RECORD_REVIEW_OPINION, REVIEWING, S.REPLIED, OFFICE, record_review_opinion_refusal),
    # A petition on a matter ended by its 复核: registered and linked, then answered that it is not accepted again.
    _t(Action.ANSWER_ENDED, [S.REGISTERED], S.DECLINED, OFFICE, answer_ended_refusal),
]

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
# 当日阅办: a petition is triaged by an explicit 阅办 or by the decision itself (accept, decline, forward).
TRIAGES = {str(Action.TRIAGE), str(Action.ACCEPT), str(Action.DECLINE), str(Action.FORWARD), str(Action.ANSWER_ENDED)}
ACTIONS: list[str] = [t.action for t in TRANSITIONS]


def transition(action: str) -> Transition | None:
    return BY_ACTION.get(action)


def allowed_in_state(action: str, state: str) -> bool:
    t = BY_ACTION.get(action)
    return t is not None and state in t.from_states


def next_state(action: str, state: str) -> str:
    t = BY_ACTION[action]
    return t.to_state or state


def role_may(action: str, role_codes) -> bool:
    t = BY_ACTION.get(action)
    return t is not None and bool(set(t.roles) & set(role_codes))


def actions_for(state: str, role_codes) -> list[str]:
    """Actions the table allows in this state for a user holding these roles (guards not applied)."""
    roles = set(role_codes)
    return [t.action for t in TRANSITIONS if state in t.from_states and roles & set(t.roles)]


def reviewer_refusal(action: str, p, actor) -> Refusal | None:
    """A review organ's staff (Role.REVIEWER: the rows above that name it) act on a county case only through the review
    asked of their organ now: they answer it (signed in its name), note progress, pause and resume. The rest stays with
    the county. A user whose other roles grant the action is held to those roles' rules instead."""
    t = BY_ACTION.get(action)
    if actor is None or t is None or Role.REVIEWER not in t.roles or not actor.has_role(Role.REVIEWER):
        return None
    if (set(t.roles) - {str(Role.REVIEWER)}) & set(actor.role_codes):
        return None
    from xinfang.access import policy

    if p.status in REVIEWING and p.review_unit_id in policy.review_unit_ids(actor):
        return None
    organ = actor.unit.name if actor.unit_id else "本机关"
    return Refusal(str(ErrorCode.PERMISSION_DENIED), f"本件由{p.office.name}办理；{organ}只办理向本机关提出的复查、复核")


def refusal(action: str, petition, actor, now: datetime) -> Refusal | None:
    """Why the action's guard refuses it on `petition` now (None when nothing does). The table's state and role come first;
    a reviewer then only the review asked of its organ (`reviewer_refusal`)."""
    mine = reviewer_refusal(action, petition, actor)
    if mine is not None:
        return mine
    t = BY_ACTION.get(action)
    return t.guard(petition, actor, now) if t is not None and t.guard is not None else None


def offered(petition, actor, now: datetime) -> list[str]:
    """The actions this actor may take on the petition now: the table's state and roles, then each action's guard (the same
    check the service makes before it writes)."""
    return [a for a in actions_for(petition.status, actor.role_codes) if refusal(a, petition, actor, now) is None]


# ---------------------------------------------------------------------------
# The step a case is waiting for (the petition page opens it): per state, the actions in the order the work expects.
# The first one `offered` gives the actor now (the table's state and roles, then the action's guard: the same check the
# service makes) is the step at hand. A step already taken is not waited for again (an answer's delivery, once recorded).
# ---------------------------------------------------------------------------

WAITING_FOR: dict[str, tuple[str, ...]] = {
    S.REGISTERED: (Action.ACCEPT, Action.TRIAGE),
    S.ACCEPTED: (Action.ASSIGN, Action.REPORT_RESULT),
    S.AWAITING_INSTRUCTION: (Action.INSTRUCT,),
    S.ASSIGNED: (Action.ACKNOWLEDGE,),
    S.IN_PROGRESS: (Action.REPORT_RESULT,),
    S.RESULT_REPORTED: (Action.APPROVE_RESULT,),
    S.AWAITING_REPLY: (Action.REPLY,),
    S.REPLIED: (Action.RECORD_DELIVERY, Action.ARCHIVE, Action.EVALUATE),
    S.EVALUATED: (Action.RECORD_DELIVERY, Action.ARCHIVE),
    S.UNDER_REVIEW: (Action.REPLY,),
    S.UNDER_REREVIEW: (Action.REPLY,),
}


def _taken(action: str, p) -> bool:
    return action == Action.RECORD_DELIVERY and p.delivered_at is not None


def waiting_for(petition, actor, now: datetime, offered_now: list[str] | None = None) -> str | None:
    """The action the case waits for from this actor now, or None (nothing of theirs is due)."""
    offered_now = offered(petition, actor, now) if offered_now is None else offered_now
    for action in WAITING_FOR.get(petition.status, ()):
        if action in offered_now and not _taken(action, petition):
            return str(action)
    return None
