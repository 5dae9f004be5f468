"""Issuing notices once, at their decision: the 文号, the 成文日期, the signer and the files, kept (`IssuedDocument`).

- `stamp(action, petition, data)` runs in the deciding service before its event is written (`steps._finish`): it takes the
  next gap-free 文号 of the signing organ, kind and year and puts it on the event's data (`document`).
- `issue(event, petition)` right after, in the same transaction: composes the notice from that event
  (`documents.compose`), renders .docx and .pdf (`xinfang.core.gongwen`) and stores both with their SHA-256.
- `printed(kind, petition, actor)` serves the stored files; a decision made before issuing existed is issued on first
  print with the decision's date (`lazy`), never the print date. A reader who may not see the petitioner's identity gets
  the same notice (number, date, text) with the identity masked by the access policy, composed for them and not stored.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from xinfang.access import policy
from xinfang.core import gongwen
from xinfang.org.models import Region, RegionLevel, Unit, UnitKind
from xinfang.petitions import documents
from xinfang.petitions.models import DocumentCounter, IssuedDocument, Petition, PetitionEvent

# The 文号's word for each kind (one table): 安信受告〔2026〕12号 = the organ's short name + this + 〔year〕 + seq 号.
PREFIX = {
    "accept": "受告",
    "simple": "简告",
    "decline": "不受告",
    "forward": "转告",
    "extend": "延告",
    "opinion": "处意",
    "review": "复查",
    "rereview": "复核",
    "review_forward": "转复告",
    "ended": "不再告",
    "jiaoban": "交",
}
# Kinds issued without a 文号 (identified by the registration number).
UNNUMBERED = {"dengji"}
ISSUED = set(PREFIX) | UNNUMBERED


def _county(region: Region | None) -> Region | None:
    node = region
    while node is not None:
        if node.level == RegionLevel.COUNTY:
            return node
        node = node.parent
    return region


def organ_abbr(unit: Unit) -> str:
    """The organ's short name in a 文号: 安和县信访局 → 安信, 城关镇人民政府 → 安城关, 安和县人社局 → 安人社, 安和县人民政府 → 安政."""
    county = _county(unit.region)
    cname = county.name if county is not None else ""
    head = cname[:1]
    if unit.kind == UnitKind.PETITION_BUREAU:
        return f"{head}信"
    if unit.kind == UnitKind.COUNTY_LEADERSHIP:
        return f"{head}政"
    rest = unit.name.removeprefix(cname).removeprefix("县").removeprefix(cname.removesuffix("县"))
    for tail in ("人民政府", "政府", "委员会", "局", "办公室", "办"):
        rest = rest.removesuffix(tail)
    return head + (rest[:2] if rest else "政")


def signing_unit(kind: str, petition: Petition, data: dict) -> Unit:
    """The unit whose counter numbers the notice: the organ that signs it, when it is a unit of the deployment."""
    if kind == "opinion" and petition.handling_unit_id:
        return petition.handling_unit
    if kind in ("review", "rereview") and petition.review_unit_id:
        return petition.review_unit
    return petition.office


def _bump(unit_id: int, kind: str, year: int) -> int | None:
    table = DocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE unit_id = %s AND kind = %s AND year = %s RETURNING last", [unit_id, kind, year]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(unit: Unit, kind: str, year: int) -> tuple[int, str]:
    """The next gap-free 文号 (inside the issuing transaction: the counter row stays locked to the commit, a rollback
    gives the number back), as registration numbers are taken (`numbering.next_registration_number`)."""
    seq = _bump(unit.pk, kind, year)
    if seq is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(unit=unit, kind=kind, year=year, last=0)
        except IntegrityError:
            pass
        seq = _bump(unit.pk, kind, year)
    assert seq is not None
    return seq, f"{organ_abbr(unit)}{PREFIX[kind]}〔{year}〕{seq}号"


def _kind(action: str, data: dict) -> str:
    probe = PetitionEvent(action=action, data=data)
    return documents.kind_for_event(probe)


def stamp(action: str, petition: Petition, data: dict) -> dict:
    """The deciding event's data with the notice it issues (`document`: kind, title, number, unit, seq, next_organ)."""
    kind = _kind(action, data)
    if not kind:
        return data
    unit = signing_unit(kind, petition, data)
    year = timezone.localtime(timezone.now()).year
    seq, number = next_number(unit, kind, year)
    doc = {"kind": kind, "title": documents.DOCS[kind], "number": number, "unit": unit.pk, "seq": seq}
    if kind in ("opinion", "review"):
        doc["next_organ"] = documents._remedy_organ(petition, 1 if kind == "opinion" else 2, None)
    return {**data, "document": doc}


class _EventView:
    """The event as composing reads it, with the remedy organ kept at issue (`next_organ`) at the top of its data."""

    def __init__(self, event: PetitionEvent):
        self.seq, self.at, self.action = event.seq, event.at, event.action
        self.data = {
            **event.data,
            **({"next_organ": event.data["document"]["next_organ"]} if event.data.get("document", {}).get("next_organ") else {}),
        }


def _store(kind: str, petition: Petition, notice: gongwen.Notice, *, event, unit, seq, lazy: bool, masked: bool) -> IssuedDocument:
    files = gongwen.render(notice)
    return IssuedDocument.objects.create(
        petition=petition,
        event=event,
        source_seq=event.seq if event is not None else 0,
        kind=kind,
        title=notice.title,
        number=notice.number,
        unit=unit,
        seq=seq,
        signer=notice.signer,
        issued_at=notice.issued_at,
        issued_on=notice.issued_on,
        lazy=lazy,
        masked=masked,
        docx=files["docx"],
        pdf=files["pdf"],
        docx_sha256=hashlib.sha256(files["docx"]).hexdigest(),
        pdf_sha256=hashlib.sha256(files["pdf"]).hexdigest(),
    )


def issue(event: PetitionEvent, petition: Petition) -> IssuedDocument | None:
    """Compose, render and keep the notice the event's data names (call right after `record_event`, same transaction)."""
    doc = event.data.get("document")
    if not doc:
        return None
    kind = doc["kind"]
    notice = documents.compose(kind, petition, actor=None, event=_EventView(event), number=doc["number"])
    return _store(
        kind,
        petition,
        notice,
        event=event,
        unit=Unit.objects.filter(pk=doc.get("unit")).first(),
        seq=doc.get("seq"),
        lazy=False,
        masked=False,
    )


def _issued(kind: str, petition: Petition, event) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(petition=petition, kind=kind, source_seq=event.seq if event is not None else 0).first()


@transaction.atomic
def _issue_late(kind: str, petition: Petition, event) -> IssuedDocument:
    """A decision made before issuing existed (demo and old data): issue now, dated by the decision, numbered in its year."""
    Petition.objects.select_for_update().filter(pk=petition.pk).first()
    found = _issued(kind, petition, event)
    if found is not None:
        return found
    at = event.at if event is not None else (petition.registered_at or petition.received_at)
    number, unit, seq = "", None, None
    if kind not in UNNUMBERED:
        unit = signing_unit(kind, petition, event.data if event is not None else {})
        seq, number = next_number(unit, kind, timezone.localtime(at).year)
    notice = documents.compose(kind, petition, actor=None, event=event, number=number, issued_at=at)
    return _store(kind, petition, notice, event=event, unit=unit, seq=seq, lazy=True, masked=False)


def issued_at_event(petition: Petition, event: PetitionEvent) -> IssuedDocument | None:
    """The notice issued at this event (the portal's copy of a public step), issuing it now for an older decision."""
    kind = documents.kind_for_event(event)
    if not kind:
        return None
    return _issued(kind, petition, event) or _issue_late(kind, petition, event)


def issued(kind: str, petition: Petition) -> IssuedDocument | None:
    """The stored notice of `kind` for its latest decision, issuing it now if that decision predates issuing."""
    if kind not in ISSUED:
        return None
    event = documents.source_event(kind, petition)
    if event is None and kind not in UNNUMBERED:
        return None
    return _issued(kind, petition, event) or _issue_late(kind, petition, event)


def _sees_all(actor, petition: Petition, path: str) -> bool:
    """Whether the reader sees every petitioner as the stored notice names them (the policy's view; an unmasked export is
    logged by it)."""
    shown = policy.identity_for_display(actor, petition, purpose="导出文书", path=path)
    return not any(p["masked"] for p in shown)


def printed(kind: str, petition: Petition, *, actor, path: str = "", fmt: str = "docx") -> tuple[bytes, str]:
    """(file bytes, Chinese file name) of a document as this reader may have it.

    An issued notice: its stored bytes when the reader may see the identity (the access is logged), else the same notice
    composed with the identity masked. A live form (呈阅表, 送达回证): composed from its events, dated by them."""
    doc = issued(kind, petition)
    name = f"{documents.DOCS[kind]}-{petition.reg_no}.{fmt}"
    if doc is not None:
        if actor is None or _sees_all(actor, petition, path):
            return bytes(doc.docx if fmt == "docx" else doc.pdf), name
        event = doc.event if doc.event_id else None
        view = _EventView(event) if event is not None else None
        notice = documents.compose(kind, petition, actor=actor, path=path, event=view, number=doc.number, issued_at=doc.issued_at)
    else:
        notice = documents.compose(kind, petition, actor=actor, path=path)
    return (gongwen.to_docx(notice) if fmt == "docx" else gongwen.to_pdf(notice)), name


def listing(petition: Petition) -> list[dict]:
    """What was issued for the petition (the documents endpoint), oldest first."""
    return [
        {
            "code": d.kind,
            "title": d.title,
            "number": d.number,
            "issued_at": d.issued_at,
            "issued_on": gongwen.cn_date(d.issued_on),
            "signer": d.signer,
            "docx_sha256": d.docx_sha256,
            "pdf_sha256": d.pdf_sha256,
            "lazy": d.lazy,
        }
        for d in IssuedDocument.objects.filter(petition=petition).order_by("source_seq", "pk")
    ]
