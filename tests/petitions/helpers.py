"""Drive a petition into any state through the real services."""

from datetime import timedelta

from django.utils import timezone

from xinfang.petitions.services import petition_act

PATHS = {
    "registered": [],
    "accepted": ["accept"],
    "declined": ["decline"],
    "forwarded": ["forward"],
    "awaiting_instruction": ["accept", "submit_for_instruction"],
    "assigned": ["accept", "assign"],
    "in_progress": ["accept", "assign", "acknowledge"],
    "result_reported": ["accept", "assign", "acknowledge", "report_result"],
    "awaiting_reply": ["accept", "assign", "acknowledge", "report_result", "approve_result"],
    "replied": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply"],
    "evaluated": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "evaluate"],
    "under_review": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "request_review"],
    "under_rereview": [
        "accept",
        "assign",
        "acknowledge",
        "report_result",
        "approve_result",
        "reply",
        "request_review",
        "reply",
        "request_rereview",
    ],
    "archived": ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply", "evaluate", "archive"],
}


def inputs_for(action: str, users) -> dict:
    return {
        "accept": {},
        "decline": {"reason": "不属于信访受理范围，应通过诉讼解决"},
        "forward": {"authority": "市住建局", "reason": "属其职权"},
        "submit_for_instruction": {"note": "重要信访，请领导批示"},
        "instruct": {"instruction": "请人社局依法处理并报结果"},
        "set_case_leader": {"leader": users.leader.username},
        "assign": {"handling_unit": "dept-hr", "complexity": "general", "result_required": True},
        "acknowledge": {"committed_date": timezone.localdate() + timedelta(days=10)},
        "progress": {"note": "已约谈企业负责人"},
        "extend": {"days": 20, "reason": "需要补充调查"},
        "return": {"reason": "不属于本单位职责"},
        "report_result": {"outcome": "full", "findings": "经查属实，已督促企业发放", "reply_draft": "您反映的问题已解决"},
        "approve_result": {},
        "reject_result": {"reason": "事实不清，请补充调查"},
        "reply": {"method": "letter", "text": "经调查，您反映的工资问题已督促企业全额发放。"},
        "follow_up": {"method": "phone", "note": "电话回访，信访人表示已收到工资"},
        "evaluate": {"satisfaction": "satisfied"},
        "request_review": {"reason": "对处理意见不服"},
        "request_rereview": {"reason": "对复查意见不服"},
        "report_back": {"text": "已按期办结并答复信访人"},
        "archive": {},
        "pause": {"ground": "hearing", "reason": "组织听证"},
        "resume": {},
        "triage": {"note": "拟交县人社局办理"},
        "record_delivery": {"delivered_at": timezone.localdate(), "method": "post"},
        "consent_return": {"reason": "经核实确非该局职责"},
    }[action]


def actor_for(action: str, state: str, users):
    if action == "report_result":
        return users.office if state == "accepted" else users.handler
    role_actor = {
        "office": users.office,
        "leader": users.leader,
        "unit_handler": users.handler,
        "clerk": users.clerk,
    }
    from xinfang.petitions.workflow import BY_ACTION

    return role_actor[BY_ACTION[action].roles[0]]


def act(p, action, users, state_hint=None, actor=None, **extra):
    inputs = inputs_for(action, users)
    inputs.update(extra)
    actor = actor or actor_for(action, state_hint or p.status, users)
    return petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)


def drive(register, users, state: str, **register_overrides):
    p, _code = register(**register_overrides)
    for action in PATHS[state]:
        p = act(p, action, users)
    assert p.status == state, (p.status, state)
    return p
