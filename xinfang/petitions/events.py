"""Writing petition events: one function, called inside the service's transaction.

The caller holds the petition row lock (select_for_update), so `seq` and `prev_hash` are
read and written without a race.
"""

from django.utils import timezone

from xinfang.audit.chain import chain_hash, event_payload
from xinfang.petitions.models import Petition, PetitionEvent


def record_event(
    *,
    petition: Petition,
    action: str,
    actor=None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    public: bool = False,
    at=None,
    imported: bool = False,
) -> PetitionEvent:
    data = data or {}
    at = at or timezone.now()
    # Round-trip the timestamp through the database precision (microseconds) so the hash recomputes.
    at = at.replace(microsecond=at.microsecond)
    last = PetitionEvent.objects.filter(petition=petition).order_by("-seq").values("seq", "hash").first()
    seq = (last["seq"] + 1) if last else 1
    prev_hash = last["hash"] if last else ""
    label = actor_label or (actor.display_name if actor is not None else "")
    payload = event_payload(
        reg_no=petition.reg_no,
        seq=seq,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        actor_label=label,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
    return PetitionEvent.objects.create(
        petition=petition,
        seq=seq,
        action=action,
        actor=actor,
        actor_label=label,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
        public=public,
        imported=imported,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, payload),
    )
