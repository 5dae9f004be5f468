"""The petition page's action panel: the actions offered now, the one the case waits for (opened first), 受理并交办 with
the unit pre-filled from the top routing suggestion, and the line that says what the last action did.

Nothing here decides whether an action may be taken: `workflow.offered` (the table and the guards, as the services check
them) and `workflow.waiting_for` do; the units offered are the access policy's (`policy.assignable_units`, through
`forms.action_fields`), so a pre-filled unit is always one the accused-unit rule allows.
"""

from xinfang.petitions import combined, selectors, workflow
from xinfang.petitions.forms import action_fields

RESULT_SESSION_KEY = "petition_action_result"
ROUTED = ("assign", "forward")


def remember_result(session, reg_no: str, text: str, ok: bool, action: str = "") -> None:
    """What the last action did, for the page the clerk comes back to (shown once, where the action was taken; a refused
    action's form is opened again)."""
    session[RESULT_SESSION_KEY] = {"reg_no": reg_no, "text": text, "ok": ok, "action": action}


def take_result(session, reg_no: str) -> dict | None:
    result = session.get(RESULT_SESSION_KEY)
    if not isinstance(result, dict) or result.get("reg_no") != reg_no:
        return None
    session.pop(RESULT_SESSION_KEY, None)
    return result


def _prefill_unit(fields: list[dict], suggested: str) -> list[dict]:
    for f in fields:
        if f["name"] == "handling_unit" and suggested and any(v == suggested for v, _label in f.get("choices", ())):
            f["initial"] = suggested
            f["suggested"] = True
    return fields


def action_panel(*, actor, petition, now) -> dict:
    offered = selectors.available_actions(actor=actor, petition=petition)
    waiting = workflow.waiting_for(petition, actor, now, offered)
    accept_assign = waiting == "accept" and combined.may_accept_and_assign(actor, offered)
    routing, suggested = [], ""
    if accept_assign or any(a in ROUTED for a in offered):
        from xinfang.knowledge.selectors import suggest_routing

        # A 检举控告's suggestions already leave out the accused's units (knowledge.routing.for_petition); the unit list
        # is the policy's, so only a suggestion the list holds is pre-filled.
        routing = suggest_routing(petition.content, region=petition.region, petition=petition)
        suggested = routing[0]["unit"].code if routing else ""
    actions = [{"code": a, "label": workflow.label(a), "fields": action_fields(a, petition)} for a in offered]
    for a in actions:
        if a["code"] == "assign":
            _prefill_unit(a["fields"], suggested)
    actions.sort(key=lambda a: a["code"] != waiting)  # the step at hand first, the rest in the table's order
    assign_fields = _prefill_unit(action_fields("assign", petition), suggested) if accept_assign else []
    prefilled = next(
        (f for f in assign_fields or next((a["fields"] for a in actions if a["code"] == "assign"), []) if f.get("suggested")), None
    )
    return {
        "actions": actions,
        "waiting": "accept_assign" if accept_assign else waiting,
        "waiting_label": "受理并交办" if accept_assign else (workflow.label(waiting) if waiting else ""),
        "accept_assign_fields": assign_fields,
        "routing": routing,
        "prefilled_unit": routing[0]["unit"] if prefilled and routing else None,
    }
