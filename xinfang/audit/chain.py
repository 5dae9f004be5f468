"""The hash chain of petition events: each event's hash covers its content and the previous hash.

`verify_petition_chain` / `verify_chains` recompute every link (seq order, prev_hash, hash)
and report the first broken link of each petition; `manage.py verify_chain` prints them.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC


def event_payload(
    *, reg_no: str, seq: int, action: str, actor_id, actor_label: str, at, from_status: str, to_status: str, data: dict
) -> str:
    return json.dumps(
        {
            "reg_no": reg_no,
            "seq": seq,
            "action": action,
            "actor": actor_id,
            "actor_label": actor_label,
            # Normalised to UTC: the database hands datetimes back in UTC whatever zone they were written in.
            "at": (at.astimezone(UTC) if at.tzinfo else at).isoformat(timespec="microseconds"),
            "from": from_status,
            "to": to_status,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + payload).encode()).hexdigest()


def event_hash(event, reg_no: str) -> str:
    """Recompute a stored event's hash from its fields (used by verify_chain)."""
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
    )
    return chain_hash(event.prev_hash, payload)


@dataclass(frozen=True)
class BrokenLink:
    reg_no: str
    seq: int
    event_id: int | None
    problem: str

    def __str__(self):
        return f"{self.reg_no} 第{self.seq}条事件：{self.problem}"


def _check_events(reg_no: str, events) -> BrokenLink | None:
    """The first broken link in a petition's events (ordered by seq), or None."""
    prev_hash = ""
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return BrokenLink(reg_no, event.seq, event.pk, f"序号不连续：应为 {expected_seq}（事件缺失或被插入）")
        if event.prev_hash != prev_hash:
            return BrokenLink(reg_no, event.seq, event.pk, "前一事件哈希不符（链被截断或前一事件被改动）")
        if event_hash(event, reg_no) != event.hash:
            return BrokenLink(reg_no, event.seq, event.pk, "内容哈希不符（事件内容被改动）")
        prev_hash = event.hash
        expected_seq += 1
    return None


def verify_petition_chain(petition) -> BrokenLink | None:
    from xinfang.petitions.models import PetitionEvent

    return _check_events(petition.reg_no, PetitionEvent.objects.filter(petition=petition).order_by("seq").iterator(chunk_size=500))


def verify_chains(petitions=None, *, chunk_size: int = 2000):
    """Yield (petitions checked so far, BrokenLink) for every petition whose chain is broken.

    Streams events ordered by (petition, seq): one query per chunk of events, whatever the number of petitions.
    """
    from xinfang.petitions.models import Petition, PetitionEvent

    qs = PetitionEvent.objects.order_by("petition_id", "seq").select_related(None)
    if petitions is not None:
        qs = qs.filter(petition__in=petitions)
    reg_nos = dict((petitions if petitions is not None else Petition.objects.all()).values_list("pk", "reg_no"))
    current, batch = None, []
    for event in qs.iterator(chunk_size=chunk_size):
        if event.petition_id != current:
            if batch:
                broken = _check_events(reg_nos.get(current, str(current)), batch)
                if broken:
                    yield broken
            current, batch = event.petition_id, []
        batch.append(event)
    if batch:
        broken = _check_events(reg_nos.get(current, str(current)), batch)
        if broken:
            yield broken
