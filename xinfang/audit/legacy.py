"""Events written before the chain was keyed (plain SHA-256 links, no seal, no head).

They are never rewritten (the database refuses it, and rewriting would erase the proof they carry).
Instead each petition's legacy chain is checked as it was written and, when intact, sealed as it
stands: a `LEGACY_KEY_ID` seal per event and a signed head over its last hash and the petition's
current state. From then on the signed head and the first keyed event after them (whose HMAC covers
the last legacy hash) anchor them: changing a legacy event, even recomputing its plain SHA-256, no
longer matches. A legacy chain that does not verify is left unsealed and `verify_chain` names it.

Run by `manage.py seal_legacy_chains`, and automatically after `migrate` while the database has
events but no seal and no checkpoint yet (an upgraded database: once anything is sealed it never runs
again, so it cannot be used to re-seal a chain later).
"""

from django.db import transaction
from django.utils import timezone

from xinfang.audit import chain as ch
from xinfang.audit.keys import current_key
from xinfang.audit.models import LEGACY_KEY_ID, Chain, ChainHead, Checkpoint, EventSeal


def needed() -> bool:
    from xinfang.petitions.models import PetitionEvent

    return PetitionEvent.objects.exists() and not EventSeal.objects.exists() and not Checkpoint.objects.exists()


@transaction.atomic
def seal_legacy(batch: int = 2000) -> tuple[int, list[str]]:
    """Seal every unsealed petition chain that verifies as written. Returns (petitions sealed, reg_nos left broken)."""
    from xinfang.petitions.models import Petition, PetitionEvent

    key = current_key()
    sealed, broken = 0, []
    todo = Petition.objects.exclude(chain_heads__chain=Chain.EVENTS).filter(events__isnull=False).distinct().order_by("pk")
    ids = list(todo.values_list("pk", flat=True))
    for k in range(0, len(ids), batch):
        chunk = ids[k : k + batch]
        reg_nos = dict(Petition.objects.filter(pk__in=chunk).values_list("pk", "reg_no"))
        states = ch.states_for(chunk)
        events: dict[int, list] = {}
        for e in PetitionEvent.objects.filter(petition_id__in=chunk, seal__isnull=True).order_by("petition_id", "seq"):
            events.setdefault(e.petition_id, []).append(e)
        seals, heads = [], []
        for pid in chunk:
            evs = events.get(pid, [])
            if not evs or not _intact(reg_nos[pid], evs):
                broken.append(reg_nos[pid])
                continue
            seals += [EventSeal(event=e, key_id=LEGACY_KEY_ID, state="") for e in evs]
            last = evs[-1]
            mac = ch.head_mac(key, chain=Chain.EVENTS, reg_no=reg_nos[pid], last_seq=last.seq, last_hash=last.hash, state=states[pid])
            heads.append(
                ChainHead(
                    chain=Chain.EVENTS,
                    petition_id=pid,
                    last_seq=last.seq,
                    last_hash=last.hash,
                    state=states[pid],
                    key_id=key.id,
                    mac=mac,
                    updated_at=timezone.now(),
                )
            )
            sealed += 1
        EventSeal.objects.bulk_create(seals, batch_size=1000)
        ChainHead.objects.bulk_create(heads, batch_size=1000)
    return sealed, broken


def _intact(reg_no: str, events) -> bool:
    prev = ""
    for expected, e in enumerate(events, start=1):
        payload = ch.legacy_event_payload(
            reg_no=reg_no,
            seq=e.seq,
            action=e.action,
            actor_id=e.actor_id,
            actor_label=e.actor_label,
            at=e.at,
            from_status=e.from_status,
            to_status=e.to_status,
            data=e.data,
        )
        if e.seq != expected or e.prev_hash != prev or ch.legacy_link(prev, payload) != e.hash:
            return False
        prev = e.hash
    return True
