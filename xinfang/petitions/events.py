"""Writing petition events: one function, called inside the service's transaction, as its last write.

The caller holds the petition row lock (select_for_update). `record_event` locks the chain head too,
takes the next seq and the previous hash from it, reads the petition's key fields back from the
database (so the state sealed is what was written, including this service's own change), and writes the
event, its seal and the new head together (`xinfang.audit.chain.append_event`). The one exception is a petition's
first event, written by registration in the transaction that wrote the petition: it passes `first_state`
(`chain.state_as_written`, from the rows it holds) and nothing is read back. An event that changes no key field
(`changes_key_fields=False`: the SMS gateway's answers) seals the state the head already holds.
"""

from django.utils import timezone

from xinfang.audit import chain
from xinfang.petitions.event_types import EventType
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
    first_state: str | None = None,
    changes_key_fields: bool = True,
) -> PetitionEvent:
    return chain.append_event(
        petition=petition,
        first_state=first_state,
        changes_key_fields=changes_key_fields,
        **_event_fields(action, actor, actor_label, from_status, to_status, data, public, at, imported),
    )


def first_event_rows(
    *,
    petition: Petition,
    state: str,
    ids: tuple[int, int],
    action: str,
    actor=None,
    actor_label: str = "",
    to_status: str = "",
    data=None,
    public=False,
    at=None,
    imported=False,
):
    """Registration on PostgreSQL: the petition's first event, its seal and the chain head as unsaved rows with their
    ids (`chain.first_event_rows`), written with the petition in one statement (`registration`)."""
    fields = _event_fields(action, actor, actor_label, "", to_status, data, public, at, imported)
    return chain.first_event_rows(petition=petition, state=state, ids=ids, **fields)


def _event_fields(action, actor, actor_label, from_status, to_status, data, public, at, imported) -> dict:
    if action not in EventType.values:  # every entry on the timeline has its Chinese name (event_types.py)
        raise ValueError(f"unknown event type {action!r}: add it to xinfang/petitions/event_types.py")
    return {
        "action": action,
        "actor": actor,
        "actor_label": actor_label or (actor.display_name if actor is not None else ""),
        "at": at or timezone.now(),
        "from_status": from_status,
        "to_status": to_status,
        "data": data or {},
        "public": public,
        "imported": imported,
    }
