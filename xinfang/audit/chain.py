"""The keyed chains: petition events and the access log, one chain of each per petition.

Event n of a petition carries

    hash_n = HMAC-SHA256(chain key, "xinfang-event/2" | hash_{n-1} | canonical(event n) | state_n)

where canonical(event) is the JSON of every stored field of the event (timestamps in UTC to the
microsecond, `data` with numbers as the database hands them back) and state_n the SHA-256 of the
petition's key fields as they stand when the event is written (`STATE_FIELDS`, below). The key id and
state_n are kept in the event's `EventSeal`. A `ChainHead` per petition holds (last seq, last hash,
current state), signed with the same key; it is written in the transaction that writes the event, under
the petition's row lock (the caller's), so `seq` and `prev_hash` are taken without a race.

Access records (unmasked identity views) are chained the same way, per petition, with their own head:
the access log of a petition cannot lose, gain or change a record unseen.

Why each part: the HMAC means an insider who rewrites an event cannot recompute its hash (plain SHA-256
could be); the state digest means a petition edited behind the services' back no longer matches its
head; the signed head means deleting the last event (or all of them) leaves a head that says more;
the daily checkpoint (`xinfang.audit.checkpoints`) means replaying an old, validly signed head is found too.
`xinfang.audit.verify` checks all of it.

**The rule for writers:** every change to a petition's key fields goes through a service that calls
`record_event` after the change (the event is the last write): the state sealed is read back from the
database by `record_event` itself. Registration alone seals its first event from the rows it has just written
(`state_as_written`), because it does so while holding the office's counter row;
`test_the_register_event_seals_the_state_a_read_gives` checks that this equals the read-back. An event that changes
no key field (the SMS gateway's answers) seals the state its head holds (`changes_key_fields=False`).
"""

import hashlib
import json
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.audit.keys import ChainKey, current_key
from xinfang.audit.models import LEGACY_KEY_ID, Chain, ChainHead, EventSeal
from xinfang.core.errors import Conflict

# The petition's key fields (DESIGN.md: content, requests, identity hashes, status, due times), sealed
# with every event. Every DateTimeField named *_due_at is added (so a due time added later is covered),
# then the petitioners' keyed identity hashes and the respondents (who is accused, and their account:
# un-linking an accused account would let it read the case).
STATE_FIELDS = (
    "reg_no",
    "office_id",
    "status",
    "channel",
    "received_at",
    "nature",
    "confidential",
    "anonymous",
    "category_id",
    "region_id",
    "content",
    "requests",
    "handling_unit_id",
    "case_leader_id",
    "paused_at",
    "paused_seconds",
    "extended_days",
    "replied_at",
    "first_replied_at",
    "reply_text",
    "delivered_at",
    "archived_at",
)
PETITIONER_STATE_FIELDS = ("id_hash", "phone_hash", "name_hash", "is_representative")
RESPONDENT_STATE_FIELDS = ("name", "unit_name", "unit_id", "user_id")


class ChainError(Conflict):
    """The chain cannot be extended safely (its head is missing while events exist): 409, nothing written."""


# ------------------------------------------------------------------ canonical forms


def _utc(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo else value).isoformat(timespec="microseconds")


_PLAIN = frozenset((str, int, bool, type(None)))


def canon(value):
    """JSON-simple value in one form, whatever the database hands back: floats that are whole become
    ints (PostgreSQL's jsonb returns 1e16 as 10000000000000000), datetimes become UTC ISO strings."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, dict):
        return {str(k): canon(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    return str(value)


def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_payload(
    *,
    reg_no: str,
    seq: int,
    action: str,
    actor_id,
    actor_label: str,
    at,
    from_status: str,
    to_status: str,
    data: dict,
    public: bool = False,
    imported: bool = False,
) -> str:
    return _dumps(
        {
            "reg_no": reg_no,
            "seq": seq,
            "action": action,
            "actor": actor_id,
            "actor_label": actor_label,
            "at": _utc(at),
            "from": from_status,
            "to": to_status,
            "data": canon(data or {}),
            "public": bool(public),
            "imported": bool(imported),
        }
    )


def event_mac(key: ChainKey, prev_hash: str, payload: str, state: str) -> str:
    return key.mac("\n".join(("xinfang-event/2", prev_hash, payload, state)))


def head_mac(key: ChainKey, *, chain: str, reg_no: str, last_seq: int, last_hash: str, state: str) -> str:
    return key.mac("\n".join(("xinfang-head/1", chain, reg_no, str(last_seq), last_hash, state)))


def access_payload(*, reg_no: str, seq: int, user_id, at, fields, purpose: str, path: str, via_grant_id) -> str:
    return _dumps(
        {
            "reg_no": reg_no,
            "seq": seq,
            "user": user_id,
            "at": _utc(at),
            "fields": canon(list(fields or [])),
            "purpose": purpose,
            "path": path,
            "via_grant": via_grant_id,
        }
    )


def access_mac(key: ChainKey, prev_hash: str, payload: str) -> str:
    return key.mac("\n".join(("xinfang-access/1", prev_hash, payload)))


# The chain as written before it was keyed: kept only to check events sealed as legacy (LEGACY_KEY_ID).
def legacy_event_payload(*, reg_no, seq, action, actor_id, actor_label, at, from_status, to_status, data) -> str:
    return json.dumps(
        {
            "reg_no": reg_no,
            "seq": seq,
            "action": action,
            "actor": actor_id,
            "actor_label": actor_label,
            "at": _utc(at),
            "from": from_status,
            "to": to_status,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def legacy_link(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + payload).encode()).hexdigest()


# ------------------------------------------------------------------ the petition's state


def state_field_names(model) -> list[str]:
    """STATE_FIELDS that the model has, plus every *_due_at DateTimeField (historical models in migrations too)."""
    from django.db import models

    names = {f.attname for f in model._meta.concrete_fields}
    due = sorted(f.attname for f in model._meta.concrete_fields if f.name.endswith("_due_at") and isinstance(f, models.DateTimeField))
    return [n for n in STATE_FIELDS if n in names] + [n for n in due if n not in STATE_FIELDS]


def state_digest(values: dict, people: list, respondents: list) -> str:
    """sha256 of the key fields. Empty values (None, "", 0, False) are left out, so a field added to the model
    later with an empty default does not change the digest of petitions written before it."""
    body = {
        "p": {k: (v if type(v) in _PLAIN else canon(v)) for k, v in values.items() if v not in (None, "", 0, False)},
        "people": [canon(list(p)) for p in people],
        "respondents": [canon(list(r)) for r in respondents],
    }
    return hashlib.sha256(("xinfang-state/1\n" + _dumps(body)).encode()).hexdigest()


def states_for(petition_ids, *, models=None) -> dict[int, str]:
    """{petition id: state digest} for these petitions, in three queries (pass `models` in migrations)."""
    if models is None:
        from xinfang.petitions.models import Petition, Petitioner, Respondent
    else:
        Petition, Petitioner, Respondent = models
    ids = list(petition_ids)
    if not ids:
        return {}
    fields = state_field_names(Petition)
    out = {}
    people: dict[int, list] = {}
    resp: dict[int, list] = {}
    for row in (
        Petitioner.objects.filter(petition_id__in=ids).order_by("petition_id", "pk").values_list("petition_id", *PETITIONER_STATE_FIELDS)
    ):
        people.setdefault(row[0], []).append(row[1:])
    for row in (
        Respondent.objects.filter(petition_id__in=ids).order_by("petition_id", "pk").values_list("petition_id", *RESPONDENT_STATE_FIELDS)
    ):
        resp.setdefault(row[0], []).append(row[1:])
    for row in Petition.objects.filter(pk__in=ids).values("pk", *fields):
        pk = row.pop("pk")
        out[pk] = state_digest(row, people.get(pk, []), resp.get(pk, []))
    return out


def petition_state(petition_id: int) -> str:
    return states_for([petition_id])[petition_id]


def state_as_written(petition, people, respondents) -> str:
    """The state digest of a petition written in this transaction, from the rows as the service wrote them: what
    `petition_state` reads back (the same fields; petitioners and respondents in pk order, as the read orders them).
    For a petition's first event only (registration), so the chain starts without reading its own writes back."""
    values = {name: getattr(petition, name) for name in state_field_names(type(petition))}
    return state_digest(
        values,
        [tuple(getattr(p, f) for f in PETITIONER_STATE_FIELDS) for p in sorted(people, key=lambda r: r.pk)],
        [tuple(getattr(r, f) for f in RESPONDENT_STATE_FIELDS) for r in sorted(respondents, key=lambda r: r.pk)],
    )


# ------------------------------------------------------------------ writing


def _lock_head(chain: str, petition_id: int) -> ChainHead | None:
    return ChainHead.objects.select_for_update().filter(chain=chain, petition_id=petition_id).first()


def _save_head(head, *, chain, petition, last_seq, last_hash, state, key: ChainKey) -> ChainHead:
    mac = head_mac(key, chain=chain, reg_no=petition.reg_no, last_seq=last_seq, last_hash=last_hash, state=state)
    now = timezone.now()
    if head is None:
        return ChainHead.objects.create(
            chain=chain, petition=petition, last_seq=last_seq, last_hash=last_hash, state=state, key_id=key.id, mac=mac, updated_at=now
        )
    head.last_seq, head.last_hash, head.state, head.key_id, head.mac, head.updated_at = last_seq, last_hash, state, key.id, mac, now
    head.save(update_fields=["last_seq", "last_hash", "state", "key_id", "mac", "updated_at"])
    return head


def _event_row(
    key: ChainKey, *, petition, seq, prev, state, action, actor, actor_label, at, from_status, to_status, data, public, imported
):
    """The unsaved event `seq` of the petition's chain, after `prev`, sealing `state`: its hash set."""
    from xinfang.petitions.models import PetitionEvent

    payload = event_payload(
        reg_no=petition.reg_no,
        seq=seq,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
        public=public,
        imported=imported,
    )
    return PetitionEvent(
        petition=petition,
        seq=seq,
        action=action,
        actor=actor,
        actor_label=actor_label,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
        public=public,
        imported=imported,
        prev_hash=prev,
        hash=event_mac(key, prev, payload, state),
    )


def first_event_rows(*, petition, state: str, ids: tuple[int | None, int | None] = (None, None), **event):
    """The unsaved rows that start a petition's chain: event 1 (no predecessor), its seal and the head, for a
    petition written in this very transaction (registration), its state from `state_as_written`. No head to lock
    (nobody else can see the petition before the commit; a head that did exist would fail the head's unique key, and
    the caller's transaction rolls back), nothing read back. `ids` are the event's and the head's ids when the caller
    has taken them from their sequences (registration writes the three rows in one statement with the petition)."""
    key = current_key()
    row = _event_row(key, petition=petition, seq=1, prev="", state=state, **{**event, "data": canon(event.get("data") or {})})
    row.pk = ids[0]
    seal = EventSeal(event=row, key_id=key.id, state=state)
    head = ChainHead(
        pk=ids[1],
        chain=Chain.EVENTS,
        petition=petition,
        last_seq=1,
        last_hash=row.hash,
        state=state,
        key_id=key.id,
        mac=head_mac(key, chain=Chain.EVENTS, reg_no=petition.reg_no, last_seq=1, last_hash=row.hash, state=state),
        updated_at=timezone.now(),
    )
    return row, seal, head


def append_event(
    *,
    petition,
    action,
    actor,
    actor_label,
    at,
    from_status,
    to_status,
    data,
    public,
    imported,
    first_state: str | None = None,
    changes_key_fields: bool = True,
):
    """Write one event at the end of the petition's chain, its seal and the new head (inside the caller's transaction).

    `first_state` starts the chain of a petition written in this very transaction (`first_event_rows`): no head to
    lock, no state to read back, no savepoint. An event that changes none of the key fields (`changes_key_fields`
    False: a gateway's answer about a message) seals the state its head holds: nothing is read back, and an edit made
    behind the services' back since the last event stays visible to verification (the head's state no longer matches
    the petition) instead of being sealed as if a service had made it."""
    event = {
        "action": action,
        "actor": actor,
        "actor_label": actor_label,
        "at": at,
        "from_status": from_status,
        "to_status": to_status,
        "data": canon(data or {}),
        "public": public,
        "imported": imported,
    }
    if first_state is not None:
        rows = first_event_rows(petition=petition, state=first_state, **event)
        for row in rows:
            row.save(force_insert=True)
        return rows[0]
    key = current_key()
    with transaction.atomic():
        head = _lock_head(Chain.EVENTS, petition.pk)
        seq, prev = (head.last_seq + 1, head.last_hash) if head is not None else (1, "")
        state = head.state if not changes_key_fields and head is not None and head.state else petition_state(petition.pk)
        row = _event_row(key, petition=petition, seq=seq, prev=prev, state=state, **event)
        try:
            row.save(force_insert=True)
        except IntegrityError:  # the enclosing atomic block rolls everything back
            # seq taken already: events exist that no head covers (the head was deleted).
            raise ChainError(f"{petition.reg_no} 的事件链头缺失，已停止写入；请系统管理员运行 manage.py verify_chain 核查") from None
        EventSeal.objects.create(event=row, key_id=key.id, state=state)
        _save_head(head, chain=Chain.EVENTS, petition=petition, last_seq=seq, last_hash=row.hash, state=state, key=key)
    return row


def seal_new_petitions(items) -> None:
    """Bulk path (legacy import): `items` = [(petition already saved, [unsaved PetitionEvent, oldest first])]
    for petitions that have no event yet. Sets seq, prev_hash and hash, writes events, seals and heads
    in bulk. Every event carries the petition's state as written (the import writes the final state first)."""
    from xinfang.petitions.models import PetitionEvent

    key = current_key()
    states = states_for([p.pk for p, _events in items])
    events, heads = [], []
    for petition, rows in items:
        prev, state = "", states[petition.pk]
        for seq, e in enumerate(rows, start=1):
            e.petition, e.seq, e.prev_hash, e.data = petition, seq, prev, canon(e.data or {})
            payload = event_payload(
                reg_no=petition.reg_no,
                seq=seq,
                action=e.action,
                actor_id=e.actor_id,
                actor_label=e.actor_label,
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                data=e.data,
                public=e.public,
                imported=e.imported,
            )
            e.hash = prev = event_mac(key, e.prev_hash, payload, state)
            events.append(e)
        if rows:
            mac = head_mac(key, chain=Chain.EVENTS, reg_no=petition.reg_no, last_seq=len(rows), last_hash=prev, state=state)
            heads.append(
                ChainHead(
                    chain=Chain.EVENTS,
                    petition=petition,
                    last_seq=len(rows),
                    last_hash=prev,
                    state=state,
                    key_id=key.id,
                    mac=mac,
                    updated_at=timezone.now(),
                )
            )
    PetitionEvent.objects.bulk_create(events, batch_size=1000)
    EventSeal.objects.bulk_create([EventSeal(event=e, key_id=key.id, state=states[e.petition_id]) for e in events], batch_size=1000)
    ChainHead.objects.bulk_create(heads, batch_size=1000)


def append_access_records(records) -> list:
    """Chain and write unsaved AccessRecords (one, or a page's worth): a constant number of queries whatever
    the number of petitions. Heads are locked in petition order (two pages never deadlock), seq/prev_hash/hash
    set, one bulk insert, heads created or advanced in bulk."""
    from xinfang.access.models import AccessRecord
    from xinfang.petitions.models import Petition

    records = list(records)
    if not records:
        return records
    key = current_key()
    by_petition: dict[int, list] = {}
    for r in records:
        by_petition.setdefault(r.petition_id, []).append(r)
    pids = sorted(by_petition)
    with transaction.atomic():
        heads = {
            h.petition_id: h
            for h in ChainHead.objects.select_for_update().filter(chain=Chain.ACCESS, petition_id__in=pids).order_by("petition_id")
        }
        petition_field = AccessRecord._meta.get_field("petition")
        reg_nos = {r.petition_id: r.petition.reg_no for r in records if petition_field.is_cached(r)}
        if len(reg_nos) < len(pids):
            reg_nos = dict(Petition.objects.filter(pk__in=pids).values_list("pk", "reg_no"))
        now = timezone.now()
        new_heads, changed = [], []
        for pid in pids:
            head = heads.get(pid)
            seq, prev = (head.last_seq, head.last_hash) if head is not None else (0, "")
            for r in by_petition[pid]:
                seq += 1
                r.seq, r.prev_hash, r.key_id = seq, prev, key.id
                r.fields = canon(list(r.fields or []))
                payload = access_payload(
                    reg_no=reg_nos[pid],
                    seq=seq,
                    user_id=r.user_id,
                    at=r.at,
                    fields=r.fields,
                    purpose=r.purpose,
                    path=r.path,
                    via_grant_id=r.via_grant_id,
                )
                r.hash = prev = access_mac(key, r.prev_hash, payload)
            mac = head_mac(key, chain=Chain.ACCESS, reg_no=reg_nos[pid], last_seq=seq, last_hash=prev, state="")
            if head is None:
                new_heads.append(
                    ChainHead(
                        chain=Chain.ACCESS, petition_id=pid, last_seq=seq, last_hash=prev, state="", key_id=key.id, mac=mac, updated_at=now
                    )
                )
            else:
                head.last_seq, head.last_hash, head.key_id, head.mac, head.updated_at = seq, prev, key.id, mac, now
                changed.append(head)
        try:
            AccessRecord.objects.bulk_create(records)
        except IntegrityError:  # the enclosing atomic block rolls everything back
            # seq taken already: records exist that no head covers (the head was deleted).
            raise ChainError("查看记录链头缺失，已停止写入；请系统管理员运行 manage.py verify_chain 核查") from None
        if new_heads:
            ChainHead.objects.bulk_create(new_heads)
        if changed:
            ChainHead.objects.bulk_update(changed, ["last_seq", "last_hash", "key_id", "mac", "updated_at"])
    return records


# ------------------------------------------------------------------ re-checking one stored event


def event_hash(event, reg_no: str) -> str:
    """Recompute a stored event's hash from its fields and its seal (as the verifier does)."""
    seal = EventSeal.objects.filter(event_id=event.pk).first()
    if seal is None or seal.key_id == LEGACY_KEY_ID:
        payload = legacy_event_payload(
            reg_no=reg_no,
            seq=event.seq,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            at=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            data=event.data,
        )
        return legacy_link(event.prev_hash, payload)
    from xinfang.audit.keys import key_by_id

    key = key_by_id(seal.key_id)
    if key is None:
        return ""
    payload = event_payload(
        reg_no=reg_no,
        seq=event.seq,
        action=event.action,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        at=event.at,
        from_status=event.from_status,
        to_status=event.to_status,
        data=event.data,
        public=event.public,
        imported=event.imported,
    )
    return event_mac(key, event.prev_hash, payload, seal.state)


def verify_petition_chain(petition):
    """The first broken link of one petition (both chains, its head, its state, the latest checkpoint), or None."""
    from xinfang.audit.verify import verify_petition_chain as check

    return check(petition)


def verify_chains(petitions=None):
    """Every broken link (xinfang.audit.verify.verify)."""
    from xinfang.audit.verify import verify

    yield from verify(petitions).broken
