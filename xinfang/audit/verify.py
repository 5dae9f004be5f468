"""Checking every chain, against its head, the petition as it stands, and the latest checkpoint.

O(events): petitions are read in primary-key order, 2,000 at a time; for each batch one query each
for the petitions, petitioners, respondents, events (with their seals), heads and access records,
each a range scan on an indexed petition_id. On PostgreSQL the whole run reads one snapshot
(REPEATABLE READ, read only); on SQLite (no long read transaction: it would hold the write lock)
a petition found broken is checked again on its own before it is reported, so a write that landed
between two queries is not taken for tampering.

What is found, and how it is named (`BrokenLink`: petition, chain, seq, problem):
- an event changed, or changed and its plain SHA-256 recomputed: its HMAC no longer matches;
- an event removed from the middle: a gap in seq; inserted: a seal missing or a wrong prev_hash;
- the last event(s) deleted: the signed head says more; all deleted: a head with no events, or a
  petition with neither; a head replayed from an earlier copy: the latest checkpoint says more;
- the petition's key fields edited behind the services: the state digest of the head differs;
- a petition deleted with all its records: a gap in its office's gap-free registration numbers,
  and its entry in the checkpoint;
- the same for each petition's access-log chain.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from xinfang.audit import chain as ch
from xinfang.audit.keys import key_by_id, macs_equal
from xinfang.audit.models import LEGACY_KEY_ID, Chain, ChainHead, Checkpoint

BATCH = 2000


@dataclass(frozen=True)
class BrokenLink:
    reg_no: str
    seq: int | None
    event_id: int | None
    problem: str
    chain: str = Chain.EVENTS

    def __str__(self):
        what = "事件" if self.chain == Chain.EVENTS else "身份信息查看记录"
        where = f" 第{self.seq}条{what}" if self.seq else f"（{what}链）"
        return f"{self.reg_no}{where}：{self.problem}"


@dataclass
class Report:
    petitions: int = 0
    events: int = 0
    access_records: int = 0
    seconds: float = 0.0
    checkpoint: int | None = None
    broken: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class _Keys:
    def __init__(self):
        self._cache = {}

    def get(self, kid):
        if kid not in self._cache:
            self._cache[kid] = key_by_id(kid)
        return self._cache[kid]


# ------------------------------------------------------------------ one petition


def _check_events(reg_no, events, head, state_now, cp_seq, cp_number, keys) -> BrokenLink | None:
    """The first problem of one petition's event chain, or None. `events` are value tuples in seq order."""
    if not events:
        if head is not None:
            return BrokenLink(reg_no, 1, None, f"事件全部缺失：链头记录到第{head['last_seq']}条，现无任何事件（事件被删除）")
        if cp_seq:
            return BrokenLink(reg_no, 1, None, f"事件与链头全部缺失：检查点 #{cp_number} 记录本件至第{cp_seq}条")
        return BrokenLink(reg_no, None, None, "没有任何事件，也没有链头（在系统之外写入，或事件与链头都被删除）")
    expected, prev, keyed_seen = 1, "", False
    for e in events:
        (eid, seq, action, actor_id, actor_label, at, from_s, to_s, data, public, imported, prev_hash, digest, kid, state) = e
        if seq != expected:
            return BrokenLink(reg_no, expected, None, f"第{expected}条事件缺失（序号跳到第{seq}条：事件被删除或插入）")
        if prev_hash != prev:
            return BrokenLink(reg_no, seq, eid, "前一事件哈希不符（前一事件被改动、删除或替换）")
        if kid is None:
            return BrokenLink(reg_no, seq, eid, "缺少封记（事件在系统之外写入或被替换）")
        if kid == LEGACY_KEY_ID:
            if keyed_seen:
                return BrokenLink(reg_no, seq, eid, "旧格式封记出现在签名事件之后（事件被替换）")
            payload = ch.legacy_event_payload(
                reg_no=reg_no,
                seq=seq,
                action=action,
                actor_id=actor_id,
                actor_label=actor_label,
                at=at,
                from_status=from_s,
                to_status=to_s,
                data=data,
            )
            if ch.legacy_link(prev_hash, payload) != digest:
                return BrokenLink(reg_no, seq, eid, "内容哈希不符（事件被改动）")
        else:
            key = keys.get(kid)
            if key is None:
                return BrokenLink(reg_no, seq, eid, f"签名密钥 {kid} 不在 XINFANG_CHAIN_KEY 中（旧密钥不可移除）")
            payload = ch.event_payload(
                reg_no=reg_no,
                seq=seq,
                action=action,
                actor_id=actor_id,
                actor_label=actor_label,
                at=at,
                from_status=from_s,
                to_status=to_s,
                data=data,
                public=public,
                imported=imported,
            )
            if not macs_equal(ch.event_mac(key, prev_hash, payload, state), digest):
                return BrokenLink(reg_no, seq, eid, "事件内容与签名不符（事件被改动，或哈希被重新计算）")
            keyed_seen = True
        prev = digest
        expected += 1
    last = events[-1]
    last_seq, last_id, last_hash, last_kid, last_state = last[1], last[0], last[12], last[13], last[14]
    if head is None:
        return BrokenLink(reg_no, last_seq, last_id, "缺少链头记录（链头被删除）")
    if head["last_seq"] > last_seq:
        return BrokenLink(reg_no, last_seq + 1, None, f"链头记录到第{head['last_seq']}条，现存最后一条为第{last_seq}条（最后的事件被删除）")
    if head["last_seq"] < last_seq:
        return BrokenLink(reg_no, head["last_seq"] + 1, None, f"第{head['last_seq'] + 1}条起的事件不在链头记录内（在系统之外追加）")
    if head["last_hash"] != last_hash:
        return BrokenLink(reg_no, last_seq, last_id, "链头哈希与最后一条事件不符（事件被替换）")
    head_problem = _head_problem(Chain.EVENTS, reg_no, head, keys)
    if head_problem:
        return BrokenLink(reg_no, last_seq, last_id, head_problem)
    if last_kid != LEGACY_KEY_ID and last_state != head["state"]:
        return BrokenLink(reg_no, last_seq, last_id, "链头与最后一条事件记录的关键字段摘要不符（链头被替换）")
    if head["state"] != state_now:
        return BrokenLink(
            reg_no, last_seq, last_id, "信访件的关键字段与最后一次记录时不符（在系统之外被修改，如主要问题、状态、期限、信访人或被反映人）"
        )
    if cp_seq and cp_seq > last_seq:
        return BrokenLink(
            reg_no, last_seq + 1, None, f"检查点 #{cp_number} 记录本件事件链至第{cp_seq}条，现仅有{last_seq}条（事件被删除，链头被回退）"
        )
    return None


def _head_problem(chain, reg_no, head, keys) -> str:
    key = keys.get(head["key_id"])
    if key is None:
        return f"链头签名密钥 {head['key_id']} 不在 XINFANG_CHAIN_KEY 中"
    expected = ch.head_mac(key, chain=chain, reg_no=reg_no, last_seq=head["last_seq"], last_hash=head["last_hash"], state=head["state"])
    return "" if macs_equal(expected, head["mac"]) else "链头签名不符（链头被改动）"


def _check_access(reg_no, records, head, cp_seq, cp_number, keys) -> BrokenLink | None:
    A = Chain.ACCESS
    if not records:
        if head is not None:
            return BrokenLink(reg_no, 1, None, f"查看记录全部缺失：链头记录到第{head['last_seq']}条（记录被删除）", A)
        if cp_seq:
            return BrokenLink(reg_no, 1, None, f"查看记录与链头全部缺失：检查点 #{cp_number} 记录本件至第{cp_seq}条", A)
        return None
    expected, prev = 1, ""
    for rid, seq, user_id, at, fields, purpose, path, grant_id, prev_hash, digest, kid in records:
        if seq != expected:
            return BrokenLink(reg_no, expected, None, f"第{expected}条查看记录缺失（序号跳到第{seq}条）", A)
        if prev_hash != prev:
            return BrokenLink(reg_no, seq, rid, "前一记录哈希不符（前一记录被改动或替换）", A)
        key = keys.get(kid)
        if key is None:
            return BrokenLink(reg_no, seq, rid, f"签名密钥 {kid or '（无）'} 不在 XINFANG_CHAIN_KEY 中", A)
        payload = ch.access_payload(
            reg_no=reg_no, seq=seq, user_id=user_id, at=at, fields=fields, purpose=purpose, path=path, via_grant_id=grant_id
        )
        if not macs_equal(ch.access_mac(key, prev_hash, payload), digest):
            return BrokenLink(reg_no, seq, rid, "查看记录与签名不符（记录被改动，如查看人、时间或字段）", A)
        prev = digest
        expected += 1
    last_seq, last_id, last_hash = records[-1][1], records[-1][0], records[-1][9]
    if head is None:
        return BrokenLink(reg_no, last_seq, last_id, "缺少查看记录链头（链头被删除）", A)
    if head["last_seq"] > last_seq:
        return BrokenLink(
            reg_no, last_seq + 1, None, f"链头记录到第{head['last_seq']}条，现存最后一条为第{last_seq}条（最后的记录被删除）", A
        )
    if head["last_seq"] < last_seq or head["last_hash"] != last_hash:
        return BrokenLink(reg_no, last_seq, last_id, "查看记录与链头不符（记录在系统之外追加或替换）", A)
    head_problem = _head_problem(A, reg_no, head, keys)
    if head_problem:
        return BrokenLink(reg_no, last_seq, last_id, head_problem, A)
    if cp_seq and cp_seq > last_seq:
        return BrokenLink(
            reg_no, last_seq + 1, None, f"检查点 #{cp_number} 记录本件查看记录至第{cp_seq}条，现仅有{last_seq}条（记录被删除）", A
        )
    return None


# ------------------------------------------------------------------ batches

EVENT_COLUMNS = (
    "id",
    "seq",
    "action",
    "actor_id",
    "actor_label",
    "at",
    "from_status",
    "to_status",
    "data",
    "public",
    "imported",
    "prev_hash",
    "hash",
    "seal__key_id",
    "seal__state",
)
ACCESS_COLUMNS = ("id", "seq", "user_id", "at", "fields", "purpose", "path", "via_grant_id", "prev_hash", "hash", "key_id")
HEAD_COLUMNS = ("chain", "petition_id", "last_seq", "last_hash", "state", "key_id", "mac")


def _load_batch(where: dict):
    """Everything needed to check the petitions selected by `where` (a petition_id filter): 6 queries."""
    from xinfang.access.models import AccessRecord
    from xinfang.petitions.models import Petition, Petitioner, PetitionEvent, Respondent

    fields = ch.state_field_names(Petition)
    pwhere = {k.replace("petition_id", "pk"): v for k, v in where.items()}
    petitions = list(Petition.objects.filter(**pwhere).order_by("pk").values("pk", "year", "seq", *fields))
    people, resp, events, access, heads = {}, {}, {}, {}, {}
    for row in Petitioner.objects.filter(**where).order_by("petition_id", "pk").values_list("petition_id", *ch.PETITIONER_STATE_FIELDS):
        people.setdefault(row[0], []).append(row[1:])
    for row in Respondent.objects.filter(**where).order_by("petition_id", "pk").values_list("petition_id", *ch.RESPONDENT_STATE_FIELDS):
        resp.setdefault(row[0], []).append(row[1:])
    for row in PetitionEvent.objects.filter(**where).order_by("petition_id", "seq").values_list("petition_id", *EVENT_COLUMNS):
        events.setdefault(row[0], []).append(row[1:])
    for row in AccessRecord.objects.filter(**where).order_by("petition_id", "seq").values_list("petition_id", *ACCESS_COLUMNS):
        access.setdefault(row[0], []).append(row[1:])
    for row in ChainHead.objects.filter(**where).values(*HEAD_COLUMNS):
        heads[(row["chain"], row["petition_id"])] = row
    return fields, petitions, people, resp, events, access, heads


def _check_batch(batch, cp, report, keys, digests, numbers):
    fields, petitions, people, resp, events, access, heads = batch
    for p in petitions:
        pid = p["pk"]
        reg_no = p["reg_no"]
        state_now = ch.state_digest({k: p[k] for k in fields}, people.get(pid, []), resp.get(pid, []))
        evs, recs = events.get(pid, []), access.get(pid, [])
        report.petitions += 1
        report.events += len(evs)
        report.access_records += len(recs)
        if numbers is not None:
            numbers.setdefault((p["office_id"], p["year"]), []).append(p["seq"])
        ev_cp = cp.seq(Chain.EVENTS, pid) if cp else None
        ac_cp = cp.seq(Chain.ACCESS, pid) if cp else None
        number = cp.number if cp else None
        broken = _check_events(reg_no, evs, heads.get((Chain.EVENTS, pid)), state_now, ev_cp, number, keys)
        if broken:
            report.broken.append((pid, broken))
        broken = _check_access(reg_no, recs, heads.get((Chain.ACCESS, pid)), ac_cp, number, keys)
        if broken:
            report.broken.append((pid, broken))
        if digests is not None:
            for chain_code, seq, rows, hash_index in ((Chain.EVENTS, ev_cp, evs, 12), (Chain.ACCESS, ac_cp, recs, 9)):
                if seq:
                    found = rows[seq - 1][hash_index] if len(rows) >= seq and rows[seq - 1][1] == seq else ""
                    digests[chain_code].update(f"{chain_code}|{pid}|{reg_no}|{seq}|{found}\n".encode())


# ------------------------------------------------------------------ the run


@dataclass
class _CheckpointView:
    """The latest checkpoint's entries, walked in petition order (no dict of a million entries)."""

    number: int
    entries: dict  # chain -> (pids array, seqs array)
    pos: dict = field(default_factory=lambda: {Chain.EVENTS: 0, Chain.ACCESS: 0})
    current: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)

    def seq(self, chain_code, pid):
        pids, seqs = self.entries[chain_code]
        i = self.pos[chain_code]
        while i < len(pids) and pids[i] < pid:
            self.missing.append((chain_code, pids[i], seqs[i]))  # in the checkpoint, no longer a petition
            i += 1
        found = None
        if i < len(pids) and pids[i] == pid:
            found = seqs[i]
            i += 1
        self.pos[chain_code] = i
        return found

    def finish(self):
        for chain_code, (pids, seqs) in self.entries.items():
            for i in range(self.pos[chain_code], len(pids)):
                self.missing.append((chain_code, pids[i], seqs[i]))
            self.pos[chain_code] = len(pids)


def verify(petitions=None, *, use_checkpoint: bool = True, batch: int = BATCH) -> Report:
    """Check the chains of every petition (or of the given queryset/list of petitions)."""
    from xinfang.audit import checkpoints
    from xinfang.petitions.models import Petition

    started = time.monotonic()
    report = Report()
    keys = _Keys()
    full = petitions is None
    with _snapshot():
        latest = Checkpoint.objects.order_by("-number").first() if use_checkpoint else None
        cp = None
        if latest is not None:
            report.checkpoint = latest.number
            problem = checkpoints.signature_problem(latest)
            if problem:
                report.broken.append((None, BrokenLink("—", None, None, f"检查点 #{latest.number}：{problem}")))
            cp = _CheckpointView(latest.number, checkpoints.decode_entries(latest.entries))
        digests = {Chain.EVENTS: hashlib.sha256(), Chain.ACCESS: hashlib.sha256()} if (full and cp) else None
        numbers = {} if full else None
        if full:
            ids = Petition.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
        else:
            ids = iter(sorted(petitions.values_list("pk", flat=True) if hasattr(petitions, "values_list") else [p.pk for p in petitions]))
        chunk = []
        for pid in ids:
            chunk.append(pid)
            if len(chunk) >= batch:
                _run_chunk(chunk, full, cp, report, keys, digests, numbers)
                chunk = []
        if chunk:
            _run_chunk(chunk, full, cp, report, keys, digests, numbers)
        if full and cp:
            cp.finish()
            for chain_code, pid, seq in cp.missing:
                report.broken.append(
                    (
                        pid,
                        BrokenLink(
                            f"信访件 id={pid}", seq, None, f"检查点 #{cp.number} 中的这件信访件已不存在（信访件被删除）", chain_code
                        ),
                    )
                )
            recomputed = checkpoints.heads_digest(digests[Chain.EVENTS].hexdigest(), digests[Chain.ACCESS].hexdigest())
            if recomputed != latest.digest and not any(pid for pid, _b in report.broken):
                report.broken.append((None, BrokenLink("—", None, None, f"检查点 #{cp.number} 的链头摘要与现存事件不符")))
        if numbers is not None:
            report.broken.extend((None, b) for b in _number_gaps(numbers))
        if latest is not None:
            report.notes.extend(checkpoints.age_notes(latest))
    report.broken = _recheck(report.broken, cp_number=cp.number if cp else None, use_checkpoint=use_checkpoint)
    report.seconds = time.monotonic() - started
    return report


def _run_chunk(chunk, full, cp, report, keys, digests, numbers):
    where = {"petition_id__gte": chunk[0], "petition_id__lte": chunk[-1]} if full else {"petition_id__in": chunk}
    _check_batch(_load_batch(where), cp, report, keys, digests, numbers)


def _number_gaps(numbers):
    """Registration numbers are gap-free per office and year (taken under the counter's lock): a missing one is a deleted petition."""
    from xinfang.org.models import Unit
    from xinfang.petitions.models import RegistrationCounter

    out = []
    counters = {(c.office_id, c.year): c.last for c in RegistrationCounter.objects.all()}
    codes = dict(Unit.objects.filter(pk__in={o for o, _y in counters}).values_list("pk", "code"))
    for (office_id, year), last in counters.items():
        seen = bytearray(last + 1)
        for s in numbers.get((office_id, year), ()):
            if 0 < s <= last:
                seen[s] = 1
        for s in range(1, last + 1):
            if not seen[s]:
                reg_no = f"{codes.get(office_id, office_id)}".upper() + f"-{year}-{s:06d}"
                out.append(BrokenLink(reg_no, None, None, "登记编号缺失：该号已发出，但信访件不存在（信访件被删除）"))
    return out


def _recheck(found, *, cp_number, use_checkpoint):
    """Check each petition reported broken again on its own (fresh reads): a write between two reads of the
    batch is not tampering. Links not tied to one petition (checkpoint, numbering) stand as found."""
    from xinfang.audit import checkpoints

    out = []
    keys = _Keys()
    latest = Checkpoint.objects.filter(number=cp_number).first() if (use_checkpoint and cp_number) else None
    entries = checkpoints.decode_entries(latest.entries) if latest else None
    for pid, link in found:
        if pid is None or link.reg_no.startswith("信访件 id="):
            out.append(link)
            continue
        with _snapshot():
            fields, petitions, people, resp, events, access, heads = _load_batch({"petition_id__in": [pid]})
        if not petitions:
            out.append(link)
            continue
        p = petitions[0]
        cp_seq = checkpoints.entry_seq(entries, link.chain, pid) if entries else None
        if link.chain == Chain.EVENTS:
            state_now = ch.state_digest({k: p[k] for k in fields}, people.get(pid, []), resp.get(pid, []))
            again = _check_events(p["reg_no"], events.get(pid, []), heads.get((Chain.EVENTS, pid)), state_now, cp_seq, cp_number, keys)
        else:
            again = _check_access(p["reg_no"], access.get(pid, []), heads.get((Chain.ACCESS, pid)), cp_seq, cp_number, keys)
        if again:
            out.append(again)
    return out


class _snapshot:
    """One consistent read on PostgreSQL when we own the transaction; nothing on SQLite (see the module doc)."""

    def __enter__(self):
        self._atomic = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            connection.ensure_connection()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc):
        if self._atomic is not None:
            return self._atomic.__exit__(*exc)
        return False


# Kept for callers of the first version.
def verify_petition_chain(petition) -> BrokenLink | None:
    report = verify([petition], use_checkpoint=True)
    return report.broken[0] if report.broken else None


def verify_chains(petitions=None):
    yield from verify(petitions).broken
