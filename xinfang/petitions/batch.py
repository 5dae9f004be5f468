"""Batch actions on the worklist's selected rows: 交办, 签收, 催办, 归档.

Each row is still one service call writing its own event (the same service as on the petition page, with its own
permission, state, guard and version checks); the batch is all-or-nothing: one refused row rolls back the whole batch
and every refusal is reported by its registration number.
"""

from django.db import transaction

from xinfang.core.errors import DomainError, InvalidInput
from xinfang.petitions import workflow

BATCH_ACTIONS = {"assign": "交办", "acknowledge": "签收", "urge": "催办", "archive": "归档"}
MAX_ROWS = 100
URGE_ROLES = ("office", "leader", "supervisor", "admin")


class BatchRefused(InvalidInput):
    """Nothing was done; `fields` holds {reg_no: [why]} for every refused row."""


def offered_batch_actions(actor) -> list[tuple[str, str]]:
    """The batch actions the actor's roles may take at all (the workflow table; urging is the supervision app's). A review
    organ's staff (reviewer) take none of them: they answer the reviews asked of them one by one."""
    out = []
    for code, label in BATCH_ACTIONS.items():
        if code == "urge":
            if actor.is_superuser or actor.has_role(*URGE_ROLES):
                out.append((code, label))
        elif workflow.role_may(code, actor.role_codes):
            out.append((code, label))
    return out


def _one(actor, action: str, reg_no: str, version, inputs: dict):
    if action == "urge":
        from xinfang.supervision.services import petition_urge

        return petition_urge(actor=actor, reg_no=reg_no, note=inputs.get("note", ""))
    from xinfang.petitions.services import petition_act

    return petition_act(actor=actor, petition_or_reg_no=reg_no, action=action, version=version, **inputs)


@transaction.atomic
def petitions_batch(*, actor, action: str, rows: list[tuple[str, object]], inputs: dict) -> list[str]:
    """Take `action` on every (reg_no, version) with the same inputs; returns the registration numbers done."""
    if action not in BATCH_ACTIONS:
        raise InvalidInput("不支持的批量操作", fields={"action": ["请选择交办、签收、催办或归档"]})
    if not rows:
        raise InvalidInput("请先勾选信访件", fields={"rows": ["未勾选信访件"]})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"一次最多批量办理{MAX_ROWS}件", fields={"rows": [f"最多{MAX_ROWS}件"]})
    errors: dict[str, list[str]] = {}
    done = []
    for reg_no, version in rows:
        try:
            with transaction.atomic():
                _one(actor, action, reg_no, version, inputs)
        except DomainError as exc:
            detail = "；".join(str(v[0] if isinstance(v, list) else v) for v in (exc.fields or {}).values())
            errors[reg_no] = [exc.message + (f"（{detail}）" if detail and detail not in exc.message else "")]
        else:
            done.append(reg_no)
    if errors:
        raise BatchRefused(f"批量{BATCH_ACTIONS[action]}未执行：{len(errors)}件不能{BATCH_ACTIONS[action]}，全部未做更改", fields=errors)
    return done
