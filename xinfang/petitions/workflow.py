"""The petition lifecycle as data: (state, action) → (new state, roles allowed).

Services enforce this table; pages and the API read it to show which actions are possible.
`None` as the new state means the action keeps the state (notes, pause/resume, case leader,
follow-up, extension, report-back). A few actions have guards the table cannot express
(review window, review level, extension once); `services.py` checks those.
"""

from dataclasses import dataclass

from django.db import models

from xinfang.org.models import Role
from xinfang.petitions.models import Status


class Action(models.TextChoices):
    ACCEPT = "accept", "受理"
    DECLINE = "decline", "不予受理"
    FORWARD = "forward", "转送"
    SUBMIT_FOR_INSTRUCTION = "submit_for_instruction", "呈批"
    INSTRUCT = "instruct", "批示"
    SET_CASE_LEADER = "set_case_leader", "确定包案领导"
    ASSIGN = "assign", "交办"
    ACKNOWLEDGE = "acknowledge", "签收"
    PROGRESS = "progress", "办理进度"
    EXTEND = "extend", "延期"
    RETURN = "return", "退回"
    REPORT_RESULT = "report_result", "报结"
    APPROVE_RESULT = "approve_result", "审核通过"
    REJECT_RESULT = "reject_result", "审核退回"
    REPLY = "reply", "答复"
    FOLLOW_UP = "follow_up", "回访"
    EVALUATE = "evaluate", "满意度评价"
    REQUEST_REVIEW = "request_review", "申请复查"
    REQUEST_REREVIEW = "request_rereview", "申请复核"
    REPORT_BACK = "report_back", "向上级报结"
    ARCHIVE = "archive", "归档"
    PAUSE = "pause", "暂停计时"
    RESUME = "resume", "恢复计时"


# Event-only actions (written by services but not chosen by a user from the table).
REGISTER = "register"

S = Status
OPEN = [s for s in Status if s not in (S.DECLINED, S.FORWARDED, S.ARCHIVED)]
AFTER_REPLY = [S.REPLIED, S.EVALUATED]
HANDLING = [S.ASSIGNED, S.IN_PROGRESS]

OFFICE = (Role.OFFICE,)
LEADER = (Role.LEADER,)
UNIT = (Role.UNIT_HANDLER,)
# The clerk records what the petitioner says at the window (evaluation, review requests).
PETITIONER_INPUT = (Role.OFFICE, Role.CLERK)


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: tuple[str, ...]
    to_state: str | None
    roles: tuple[str, ...]
    # Portal / Open311 may call these with actor=None (the petitioner's own request).
    petitioner_may: bool = False


def _t(action, from_states, to_state, roles, petitioner_may=False):
    return Transition(str(action), tuple(str(s) for s in from_states), str(to_state) if to_state else None, tuple(roles), petitioner_may)


TRANSITIONS: list[Transition] = [
    _t(Action.ACCEPT, [S.REGISTERED], S.ACCEPTED, OFFICE),
    _t(Action.DECLINE, [S.REGISTERED], S.DECLINED, OFFICE),
    _t(Action.FORWARD, [S.REGISTERED], S.FORWARDED, OFFICE),
    _t(Action.SUBMIT_FOR_INSTRUCTION, [S.ACCEPTED], S.AWAITING_INSTRUCTION, OFFICE),
    _t(Action.INSTRUCT, [S.AWAITING_INSTRUCTION], S.ACCEPTED, LEADER),
    _t(Action.SET_CASE_LEADER, OPEN, None, OFFICE + LEADER),
    _t(Action.ASSIGN, [S.ACCEPTED], S.ASSIGNED, OFFICE),
    _t(Action.ACKNOWLEDGE, [S.ASSIGNED], S.IN_PROGRESS, UNIT),
    _t(Action.PROGRESS, OPEN, None, OFFICE + LEADER + UNIT),
    _t(Action.EXTEND, [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], None, LEADER),
    _t(Action.RETURN, HANDLING, S.ACCEPTED, UNIT),
    # The office may also handle a petition itself (accepted → result_reported).
    _t(Action.REPORT_RESULT, [S.IN_PROGRESS, S.ACCEPTED], S.RESULT_REPORTED, OFFICE + UNIT),
    _t(Action.APPROVE_RESULT, [S.RESULT_REPORTED], S.AWAITING_REPLY, OFFICE),
    # Back to the handling unit (in_progress), or to accepted when the office handled it itself.
    _t(Action.REJECT_RESULT, [S.RESULT_REPORTED], S.IN_PROGRESS, OFFICE),
    _t(Action.REPLY, [S.AWAITING_REPLY, S.UNDER_REVIEW, S.UNDER_REREVIEW], S.REPLIED, OFFICE),
    _t(Action.FOLLOW_UP, AFTER_REPLY, None, OFFICE),
    _t(Action.EVALUATE, [S.REPLIED], S.EVALUATED, PETITIONER_INPUT, petitioner_may=True),
    _t(Action.REQUEST_REVIEW, AFTER_REPLY, S.UNDER_REVIEW, PETITIONER_INPUT, petitioner_may=True),
    _t(Action.REQUEST_REREVIEW, AFTER_REPLY, S.UNDER_REREVIEW, PETITIONER_INPUT, petitioner_may=True),
    _t(Action.REPORT_BACK, [S.RESULT_REPORTED, S.AWAITING_REPLY, S.REPLIED, S.EVALUATED], None, OFFICE),
    _t(Action.ARCHIVE, AFTER_REPLY, S.ARCHIVED, OFFICE),
    _t(Action.PAUSE, OPEN, None, OFFICE),
    _t(Action.RESUME, OPEN, None, OFFICE),
]

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
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


# Timeline actions written by other apps on a petition's history (access, import).
OTHER_LABELS = {
    "register": "登记",
    "import": "历史导入",
    "attach": "添加附件",
    "identity_grant": "授权查看信访人身份信息",
    "identity_grant_revoke": "撤销身份信息授权",
    "respondent_match": "确认被反映人账号",
}


def label(action: str) -> str:
    """The Chinese name of a timeline action: the lifecycle's own, the supervision app's, or the others above."""
    try:
        return Action(action).label
    except ValueError:
        pass
    from xinfang.supervision.models import EVENT_LABELS  # the supervision app writes 督办/催办/... on the timeline

    return EVENT_LABELS.get(action) or OTHER_LABELS.get(action, action)
