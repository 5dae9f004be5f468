"""受理并交办: the office accepts a registered petition and assigns it in one step.

Two actions, each its own service (its checks, its guard, its event), in one transaction: either both are recorded or
neither (an assignment the accused-unit rule refuses leaves the petition registered, as it was).
"""

from django.db import transaction

from xinfang.petitions import workflow
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import Action


def may_accept_and_assign(actor, offered_now: list[str]) -> bool:
    """Offered when accepting is offered now and the actor's role may also assign (the table; assign's own guard is the
    service's, once the petition is accepted)."""
    return Action.ACCEPT in offered_now and workflow.role_may(Action.ASSIGN, actor.role_codes)


@transaction.atomic
def petition_accept_and_assign(*, actor, petition_or_reg_no, version: int, accept_note: str = "", **assign_inputs) -> Petition:
    from xinfang.petitions.services import petition_accept, petition_assign

    accepted = petition_accept(actor=actor, petition_or_reg_no=petition_or_reg_no, version=version, note=accept_note)
    return petition_assign(actor=actor, petition_or_reg_no=accepted.reg_no, version=accepted.version, **assign_inputs)
