"""Signed daily checkpoints over every chain head (`manage.py checkpoint`, from cron).

A checkpoint lists (petition, last seq) of every head of both chains, a SHA-256 over every head
(chain | petition id | reg_no | seq | hash, in order) and the counts, chained to the previous checkpoint
and signed with the chain key. It is refused (nothing written) when a head's signature is wrong or a head
has gone back or vanished since the previous checkpoint: a head only ever moves forward.

The office files it outside the system: `--export DIR` writes `checkpoint-<n>.json` (every head, so a
superior office can check it) and `checkpoint-<n>.pdf` / `.txt` (one printable page: the digest and
signature to sign, stamp and file). `verify_chain` compares the chains with the latest checkpoint.
"""

import hashlib
import io
import json
import zlib
from array import array
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.audit import chain as ch
from xinfang.audit.keys import current_key, key_by_id, macs_equal
from xinfang.audit.models import Chain, ChainHead, Checkpoint

MAGIC = b"XCP1"
CHAINS = (Chain.EVENTS, Chain.ACCESS)
STALE_AFTER = timedelta(hours=36)  # daily from cron; a day and a half without one is worth saying


class CheckpointRefused(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems[:5]) + (f" 等 {len(problems)} 处" if len(problems) > 5 else ""))


# ------------------------------------------------------------------ entries


def encode_entries(entries: dict) -> bytes:
    """{chain: (pids ascending, seqs)} → compact bytes: pid deltas (uint64) and seqs (uint32), zlib-compressed."""
    out = io.BytesIO()
    out.write(MAGIC)
    for chain_code in CHAINS:
        pids, seqs = entries.get(chain_code, ([], []))
        deltas, last = array("Q"), 0
        for pid in pids:
            deltas.append(pid - last)
            last = pid
        seq_arr = array("I", seqs)
        out.write(len(pids).to_bytes(8, "little"))
        out.write(deltas.tobytes())
        out.write(seq_arr.tobytes())
    return zlib.compress(out.getvalue(), 6)


def decode_entries(blob) -> dict:
    raw = zlib.decompress(bytes(blob))
    if raw[:4] != MAGIC:
        raise ValueError("不是检查点清单")
    pos, entries = 4, {}
    for chain_code in CHAINS:
        n = int.from_bytes(raw[pos : pos + 8], "little")
        pos += 8
        deltas = array("Q")
        deltas.frombytes(raw[pos : pos + 8 * n])
        pos += 8 * n
        seqs = array("I")
        seqs.frombytes(raw[pos : pos + 4 * n])
        pos += 4 * n
        pids, total = array("Q"), 0
        for d in deltas:
            total += d
            pids.append(total)
        entries[chain_code] = (pids, seqs)
    return entries


def entry_seq(entries: dict, chain_code: str, pid: int):
    from bisect import bisect_left

    pids, seqs = entries[chain_code]
    i = bisect_left(pids, pid)
    return seqs[i] if i < len(pids) and pids[i] == pid else None


def heads_digest(events_hex: str, access_hex: str) -> str:
    return hashlib.sha256(f"xinfang-checkpoint-heads/1\n{events_hex}\n{access_hex}".encode()).hexdigest()


# ------------------------------------------------------------------ signing


def body(cp: Checkpoint) -> dict:
    return {
        "format": "xinfang-checkpoint/1",
        "number": cp.number,
        "created_at": ch.canon(cp.created_at),
        "created_by": cp.created_by,
        "key_id": cp.key_id,
        "prev_mac": cp.prev_mac,
        "petitions": cp.petitions,
        "event_heads": cp.event_heads,
        "events": cp.events,
        "access_heads": cp.access_heads,
        "access_records": cp.access_records,
        "digest": cp.digest,
        "entries_sha256": hashlib.sha256(bytes(cp.entries)).hexdigest(),
    }


def _message(cp: Checkpoint) -> str:
    return "xinfang-checkpoint/1\n" + json.dumps(body(cp), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def signature_problem(cp: Checkpoint) -> str:
    key = key_by_id(cp.key_id)
    if key is None:
        return f"签名密钥 {cp.key_id} 不在 XINFANG_CHAIN_KEY 中"
    if not macs_equal(key.mac(_message(cp)), cp.mac):
        return "签名不符（检查点被改动）"
    prev = Checkpoint.objects.filter(number=cp.number - 1).first() if cp.number > 1 else None
    if cp.number > 1 and (prev is None or prev.mac != cp.prev_mac):
        return f"与上一检查点 #{cp.number - 1} 衔接不上（检查点被删除或替换）"
    return ""


def age_notes(cp: Checkpoint) -> list[str]:
    age = timezone.now() - cp.created_at
    if age > STALE_AFTER:
        return [f"最近的检查点 #{cp.number} 已是 {age.days} 天 {age.seconds // 3600} 小时前生成，请检查每日任务（manage.py checkpoint）"]
    return []


# ------------------------------------------------------------------ creating


def create(*, created_by: str = "") -> Checkpoint:
    """Sign a snapshot of every head. Refuses (CheckpointRefused, nothing written) when a head is not as signed
    or has gone back / vanished since the previous checkpoint."""
    from xinfang.access.models import AccessRecord
    from xinfang.audit.verify import _head_problem, _Keys, _snapshot
    from xinfang.petitions.models import Petition, PetitionEvent

    key = current_key()
    keys = _Keys()
    with _snapshot():
        previous = Checkpoint.objects.order_by("-number").first()
        prev_entries = decode_entries(previous.entries) if previous else None
        problems, entries, hashers = [], {}, {}
        counts = {}
        for chain_code in CHAINS:
            pids, seqs = array("Q"), array("I")
            hasher = hashlib.sha256()
            rows = (
                ChainHead.objects.filter(chain=chain_code)
                .order_by("petition_id")
                .values_list("petition_id", "petition__reg_no", "last_seq", "last_hash", "state", "key_id", "mac")
                .iterator(chunk_size=10_000)
            )
            old_pids, old_seqs = prev_entries[chain_code] if prev_entries else (array("Q"), array("I"))
            j = 0
            for pid, reg_no, seq, last_hash, state, kid, mac in rows:
                head = {"last_seq": seq, "last_hash": last_hash, "state": state, "key_id": kid, "mac": mac}
                problem = _head_problem(chain_code, reg_no, head, keys)
                if problem:
                    problems.append(f"{reg_no}：{problem}")
                while j < len(old_pids) and old_pids[j] < pid:
                    problems.append(f"信访件 id={old_pids[j]}：检查点 #{previous.number} 中有其{_chain_label(chain_code)}链头，现已不存在")
                    j += 1
                if j < len(old_pids) and old_pids[j] == pid:
                    if old_seqs[j] > seq:
                        problems.append(
                            f"{reg_no}：{_chain_label(chain_code)}链头从第{old_seqs[j]}条退回到第{seq}条（检查点 #{previous.number} 之后有记录被删除）"
                        )
                    j += 1
                pids.append(pid)
                seqs.append(seq)
                hasher.update(f"{chain_code}|{pid}|{reg_no}|{seq}|{last_hash}\n".encode())
            while j < len(old_pids):
                problems.append(f"信访件 id={old_pids[j]}：检查点 #{previous.number} 中有其{_chain_label(chain_code)}链头，现已不存在")
                j += 1
            entries[chain_code] = (pids, seqs)
            hashers[chain_code] = hasher
        if problems:
            raise CheckpointRefused(problems)
        counts = {
            "petitions": Petition.objects.count(),
            "events": PetitionEvent.objects.count(),
            "access_records": AccessRecord.objects.count(),
        }
    with transaction.atomic():
        cp = Checkpoint(
            number=(previous.number + 1) if previous else 1,
            created_at=timezone.now(),
            created_by=created_by[:64],
            key_id=key.id,
            prev_mac=previous.mac if previous else "",
            petitions=counts["petitions"],
            event_heads=len(entries[Chain.EVENTS][0]),
            events=counts["events"],
            access_heads=len(entries[Chain.ACCESS][0]),
            access_records=counts["access_records"],
            digest=heads_digest(hashers[Chain.EVENTS].hexdigest(), hashers[Chain.ACCESS].hexdigest()),
            entries=encode_entries(entries),
        )
        cp.mac = key.mac(_message(cp))
        cp.save(force_insert=True)
    return cp


def _chain_label(chain_code: str) -> str:
    return "事件" if chain_code == Chain.EVENTS else "查看记录"


# ------------------------------------------------------------------ exports


def fingerprint(value: str) -> str:
    """A hex string in groups of four, to be read aloud or compared on paper."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def export_json(cp: Checkpoint, out) -> None:
    """The checkpoint and every head (reg_no, seq, hash), streamed to a text file object."""
    from xinfang.petitions.models import PetitionEvent

    data = body(cp)
    data["mac"] = cp.mac
    head = json.dumps(data, ensure_ascii=False, indent=1)
    out.write(head[:-2] + ',\n "heads": [\n')
    entries = decode_entries(cp.entries)
    first = True
    for chain_code in CHAINS:
        pids, seqs = entries[chain_code]
        for k in range(0, len(pids), 5000):
            chunk = dict(zip(pids[k : k + 5000], seqs[k : k + 5000], strict=True))
            if chain_code == Chain.EVENTS:
                rows = PetitionEvent.objects.filter(petition_id__in=list(chunk)).values_list(
                    "petition_id", "petition__reg_no", "seq", "hash"
                )
            else:
                from xinfang.access.models import AccessRecord

                rows = AccessRecord.objects.filter(petition_id__in=list(chunk)).values_list(
                    "petition_id", "petition__reg_no", "seq", "hash"
                )
            found = {pid: (reg_no, h) for pid, reg_no, seq, h in rows.iterator(chunk_size=5000) if chunk.get(pid) == seq}
            for pid in sorted(chunk):
                reg_no, h = found.get(pid, ("", ""))
                line = json.dumps(
                    {"chain": chain_code, "petition": pid, "reg_no": reg_no, "seq": chunk[pid], "hash": h}, ensure_ascii=False
                )
                out.write(("   " if first else ",\n   ") + line)
                first = False
    out.write("\n ]\n}\n")


def text_lines(cp: Checkpoint) -> list[str]:
    local = timezone.localtime(cp.created_at)
    return [
        "信访事件链检查点",
        f"编号：第 {cp.number} 号",
        f"生成时间：{local:%Y年%m月%d日 %H:%M:%S}",
        f"信访件：{cp.petitions:,} 件；事件：{cp.events:,} 条（{cp.event_heads:,} 条链）；身份信息查看记录：{cp.access_records:,} 条（{cp.access_heads:,} 条链）",
        f"链头摘要（SHA-256）：{fingerprint(cp.digest)}",
        f"检查点签名（HMAC-SHA256，密钥 {cp.key_id}）：{fingerprint(cp.mac)}",
        f"上一检查点签名：{fingerprint(cp.prev_mac) if cp.prev_mac else '（无，首个检查点）'}",
        "",
        "用途：本页记录生成时每件信访件事件链的终点。日后如有事件被删除、链头被回退或检查点被替换，",
        "运行 manage.py verify_chain 即与系统中最新检查点比对；纸质件上的签名可与系统导出的检查点逐字核对。",
        "",
        "经办人（签字）：____________    审核人（签字）：____________    日期：____________    （盖章）",
    ]


def export_text(cp: Checkpoint) -> str:
    return "\n".join(text_lines(cp)) + "\n"


def export_pdf(cp: Checkpoint) -> bytes:
    """One A4 page for filing (reportlab, the embedded font and document options of xinfang/core/pdf.py: its Latin
    letters are half-width, so the digests line up like a typewriter's without an unembedded Courier)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from xinfang.core.pdf import cjk_font, doc_options

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=30, alignment=1, spaceAfter=8 * mm)
    text = ParagraphStyle("b", fontName=font, fontSize=12, leading=22, wordWrap="CJK")
    mono = ParagraphStyle("m", fontName=font, fontSize=11, leading=18, leftIndent=8 * mm)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        title=f"事件链检查点 {cp.number}",
        **doc_options(),
    )
    local = timezone.localtime(cp.created_at)

    def digits(value: str) -> str:  # 8 groups of 4 a line: two even lines to copy or compare by hand
        groups = escape(fingerprint(value)).split(" ")
        return "<br/>".join(" ".join(groups[i : i + 8]) for i in range(0, len(groups), 8))

    story = [
        Paragraph("信访事件链检查点", title),
        Paragraph(f"编号：第 {cp.number} 号", text),
        Paragraph(f"生成时间：{local:%Y年%m月%d日 %H:%M:%S}", text),
        Paragraph(
            f"信访件 {cp.petitions:,} 件；事件 {cp.events:,} 条（{cp.event_heads:,} 条链）；"
            f"身份信息查看记录 {cp.access_records:,} 条（{cp.access_heads:,} 条链）",
            text,
        ),
        Spacer(1, 4 * mm),
        Paragraph("链头摘要（SHA-256）：", text),
        Paragraph(digits(cp.digest), mono),
        Paragraph(f"检查点签名（HMAC-SHA256，密钥编号 {escape(cp.key_id)}）：", text),
        Paragraph(digits(cp.mac), mono),
        Paragraph("上一检查点签名：", text),
        Paragraph(digits(cp.prev_mac) if cp.prev_mac else "（无，首个检查点）", mono if cp.prev_mac else text),
        Spacer(1, 6 * mm),
        Paragraph(
            "本页记录生成时每件信访件事件链的终点。日后如有事件被删除、链头被回退或检查点被替换，"
            "运行 manage.py verify_chain 即与系统中最新检查点比对；本页上的签名可与系统导出的检查点逐字核对。",
            text,
        ),
        Spacer(1, 14 * mm),
        Paragraph("经办人（签字）：______________　　审核人（签字）：______________", text),
        Spacer(1, 6 * mm),
        Paragraph("日期：____年____月____日　　　　　　　　（盖章）", text),
    ]
    doc.build(story)
    return buf.getvalue()
