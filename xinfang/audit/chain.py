"""The hash chain of petition events: each event's hash covers its content and the previous hash."""

import hashlib
import json


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
            "at": at.isoformat(timespec="microseconds"),
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
