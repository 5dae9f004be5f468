"""简易办理: the simple track a clear, simple first-time matter is accepted on, and the switch back to the standard track.

The simple track has its own limit in the policy table (`simple_handle`: the national simple-handling rules, 国家信访局
《信访事项简易办理办法（试行）》, an answer within 10 workdays of acceptance; the county may shorten it). A matter found not
simple after all goes back to the standard track as its own event: from then on the standard limit applies, counted from
the same acceptance (60 days, 《信访工作条例》), and the petitioner is told.
"""

from django.db import transaction

from xinfang.core.errors import InvalidInput
from xinfang.petitions.action_inputs import clean
from xinfang.petitions.models import Petition, Track
from xinfang.petitions.steps import _begin, _finish
from xinfang.petitions.timelimits import due_for
from xinfang.petitions.workflow import Action

STEP = {Track.STANDARD: "handle", Track.SIMPLE: "simple_handle"}


def handle_due(track: str, accepted_at):
    """The handling due time of a matter accepted at `accepted_at` on `track`."""
    return due_for(STEP[Track(track)], accepted_at, paused_seconds=0)


def check_simple(p: Petition, track: str) -> None:
    """The simple track is for first-time matters (初信初访) only: a repeat petition is handled on the standard track."""
    if track == Track.SIMPLE and not p.first_time:
        msg = "重复信访不适用简易办理，请按普通程序受理"
        raise InvalidInput(msg, fields={"track": [msg]})


@transaction.atomic
def petition_switch_to_standard(*, actor, petition_or_reg_no, version: int, reason: str = "") -> Petition:
    """转为普通程序: the standard limit from the same acceptance replaces the simple one (an extension already granted and
    the days of a finished pause are not carried over: the standard period is counted afresh from acceptance)."""
    p = _begin(actor, petition_or_reg_no, Action.SWITCH_TO_STANDARD, version)
    reason = clean(Action.SWITCH_TO_STANDARD, reason=reason)["reason"]
    old = p.handle_due_at
    p.track = Track.STANDARD
    p.handle_due_at = handle_due(Track.STANDARD, p.accepted_at)
    if p.internal_due_at is not None and p.internal_due_at == old:
        p.internal_due_at = p.handle_due_at
    return _finish(
        p,
        actor=actor,
        action=Action.SWITCH_TO_STANDARD,
        fields=["track", "handle_due_at", "internal_due_at"],
        data={"reason": reason, "track_label": Track.STANDARD.label, "old_due_at": old, "handle_due_at": p.handle_due_at},
        public=True,
    )
