"""Drive a petition into any state through the real services."""

from xinfang.petitions import action_inputs
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
    """A valid body for the action: the examples its inputs declare (action_inputs.py), the leader being the test's."""
    body = action_inputs.examples(action)
    for f in action_inputs.fields(action):
        if f.kind == action_inputs.Kind.LEADER and f.name in body:
            body[f.name] = users.leader.username
    return body


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
