"""复查 and 复核 by the organ the law names, and what follows the 复核.

《信访工作条例》: a 复查 is asked of the organ above the one that handled the matter (原办理机关、单位的上一级机关、单位);
a 复核 of the organ above the review organ (复查机关、单位的上一级机关、单位); after the 复核, a petition on the same facts
and reasons is not accepted again (不再受理). Article numbers are not printed (one copy of the text gives them; see
docs/review.md).

The organ of a review is a unit of this deployment (县人民政府 above 县人社局; 市人社局 when the city is held in the
deployment: `Unit.superior`) or an external organ (`org.ExternalOrgan`: 省人社厅, 省人民政府 …). `candidates` lists the
lawful organs for a stage, the suggestion first: the handling unit's same-level government in the deployment, then its
superior department (in the deployment, then outside it). An in-deployment
organ answers the review itself (`reply`, signed in its name); an external one gets the request forwarded
(`forward_review`, 转送 with a notice to the petitioner) and its opinion is entered as received
(`record_review_opinion {text, decided_at}` and a scan among the petition's attachments).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinfang.core.errors import InvalidInput
from xinfang.org.models import GOVERNMENT_KINDS, ExternalOrgan, OrganKind, Unit
from xinfang.petitions.action_inputs import clean
from xinfang.petitions.models import Attachment, Petition
from xinfang.petitions.steps import _begin, _finish
from xinfang.petitions.timelimits import due_for
from xinfang.petitions.workflow import Action

STAGE_LABELS = {1: "复查", 2: "复核"}
GOVERNMENTS: tuple[str, ...] = GOVERNMENT_KINDS


@dataclass(frozen=True)
class Organ:
    code: str
    name: str
    external: bool
    obj: Unit | ExternalOrgan

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "external": self.external}


def _organ(obj: Unit | ExternalOrgan) -> Organ:
    return Organ(obj.code, obj.name if isinstance(obj, ExternalOrgan) else obj.organ_name, isinstance(obj, ExternalOrgan), obj)


def current(p: Petition) -> Organ | None:
    """The organ of the review asked or under way (after its opinion: the last review's organ)."""
    if p.review_external is not None:
        return _organ(p.review_external)
    if p.review_unit is not None:
        return _organ(p.review_unit)
    return None


def _above_unit(unit: Unit) -> list[Organ]:
    """The organs above a unit of the deployment: its same-level government in the deployment (a department's, a township's
    county government; the county government's city government), then its superior department in the deployment
    (`Unit.superior`: 市人社局 above 县人社局), then the external organs recorded as above it (省人社厅 above 市人社局)."""
    out: list[Organ] = []
    parent = unit.parent if unit.parent is not None and unit.parent.active else None
    if parent is not None and parent.kind in GOVERNMENTS:
        out.append(_organ(parent))
    if unit.superior is not None and unit.superior.active:
        out.append(_organ(unit.superior))
    externals = list(unit.superior_organs.filter(active=True))
    out += [_organ(o) for o in externals if o.kind != OrganKind.GOVERNMENT]
    out += [_organ(o) for o in externals if o.kind == OrganKind.GOVERNMENT]
    if parent is not None and parent.kind not in GOVERNMENTS:
        out.append(_organ(parent))
    return out


def _above_external(organ: ExternalOrgan) -> list[Organ]:
    """Above an external organ: its same-level government (for a department), then the organ one level up."""
    out: list[Organ] = []
    if organ.kind != OrganKind.GOVERNMENT:
        out += [_organ(g) for g in ExternalOrgan.objects.filter(active=True, kind=OrganKind.GOVERNMENT, level=organ.level)]
    if organ.parent is not None and organ.parent.active:
        out.append(_organ(organ.parent))
    return out


def candidates(p: Petition, stage: int) -> list[Organ]:
    """The lawful organs for 复查 (stage 1) or 复核 (stage 2), the suggestion first. When the records say nothing (no organ
    above is recorded) every active external organ may be chosen, so a review is never blocked by missing data."""
    if stage == 1:
        found = _above_unit(p.handling_unit or p.office)
    else:
        below = current(p)
        if below is None:  # a 复查 answered before review organs were recorded: above the suggested 复查 organ
            first = candidates(p, 1)
            below = first[0] if first else None
        found = []
        if below is not None:
            found = _above_external(below.obj) if isinstance(below.obj, ExternalOrgan) else _above_unit(below.obj)
    seen: set[tuple[bool, str]] = set()
    unique = []
    for o in found:
        if (o.external, o.code) not in seen:
            seen.add((o.external, o.code))
            unique.append(o)
    if not unique:
        unique = [_organ(o) for o in ExternalOrgan.objects.filter(active=True)]
    return unique


def stage_of(action: str) -> int:
    return 2 if action in (Action.REQUEST_REREVIEW, "rereview") else 1


def resolve(p: Petition, stage: int, code: str) -> Organ | None:
    """The chosen organ (by code) among the lawful ones, or the suggestion when none is chosen."""
    lawful = candidates(p, stage)
    if not code:
        return lawful[0] if lawful else None
    for o in lawful:
        if o.code == code:
            return o
    names = "、".join(o.name for o in lawful)
    msg = f"依法应由原办理机关的上一级机关{STAGE_LABELS[stage]}，可选：{names}"
    raise InvalidInput(msg, fields={"review_organ": [msg]})


def assign_organ(p: Petition, organ: Organ | None) -> list[str]:
    """Put the organ on the petition; the fields written."""
    p.review_unit = organ.obj if organ is not None and not organ.external else None  # type: ignore[assignment]
    p.review_external = organ.obj if organ is not None and organ.external else None  # type: ignore[assignment]
    p.review_forwarded_at = None
    return ["review_unit", "review_external", "review_forwarded_at"]


def organ_choices(p: Petition, action: str) -> list[tuple[str, str]]:
    """The page's choices for the organ of this action's stage, the suggestion first (marked)."""
    if action == Action.FORWARD_REVIEW:  # only the organs outside the deployment, the one asked first
        lawful = [o for o in candidates(p, 2 if p.status == "under_rereview" else 1) if o.external]
        asked = current(p)
        if asked is not None and asked.external:
            lawful.sort(key=lambda o: o.code != asked.code)
        return [(o.code, o.name) for o in lawful]
    lawful = candidates(p, stage_of(action))
    return [(o.code, f"{o.name}{'（系统外）' if o.external else ''}{'（建议）' if i == 0 else ''}") for i, o in enumerate(lawful)]


def attachment_choices(p: Petition) -> list[tuple[str, str]]:
    return [("", "暂无扫描件")] + [(str(a.pk), a.original_name) for a in p.attachments.order_by("-pk")[:50]]


def _review_request(actor, petition_or_reg_no, version, reason, action, step, actor_label, review_organ=""):
    # Level and window: workflow.review_refusal, checked by _begin (open until the answer's delivery is recorded).
    # The organ: the lawful one chosen, or the suggestion (review.candidates); the petitioner's own request gets the suggestion.
    p = _begin(actor, petition_or_reg_no, action, version)
    now = timezone.now()
    v = clean(action, reason=reason, review_organ=review_organ if actor is not None else "")
    organ = resolve(p, stage_of(action), v["review_organ"])
    fields = assign_organ(p, organ)
    p.review_due_at = due_for(step, now)
    return _finish(
        p,
        actor=actor,
        action=action,
        fields=["review_due_at", *fields],
        data={
            "reason": v["reason"],
            "review_due_at": p.review_due_at,
            "organ": organ.code if organ else "",
            "organ_name": organ.name if organ else "",
            "organ_external": bool(organ and organ.external),
        },
        public=True,
        actor_label=actor_label or ("" if actor else "信访人"),
    )


@transaction.atomic
def petition_request_review(
    *, actor, petition_or_reg_no, version: int, reason: str = "", review_organ: str = "", actor_label=""
) -> Petition:
    return _review_request(actor, petition_or_reg_no, version, reason, Action.REQUEST_REVIEW, "review_answer", actor_label, review_organ)


@transaction.atomic
def petition_request_rereview(
    *, actor, petition_or_reg_no, version: int, reason: str = "", review_organ: str = "", actor_label=""
) -> Petition:
    return _review_request(
        actor, petition_or_reg_no, version, reason, Action.REQUEST_REREVIEW, "rereview_answer", actor_label, review_organ
    )


@transaction.atomic
def petition_forward_review(*, actor, petition_or_reg_no, version: int, review_organ: str = "", note: str = "") -> Petition:
    """转送 the 复查/复核 request to an external review organ (the office may choose the other lawful organ here); the
    petitioner is told (复查（复核）请求转送告知书)."""
    p = _begin(actor, petition_or_reg_no, Action.FORWARD_REVIEW, version)
    v = clean(Action.FORWARD_REVIEW, review_organ=review_organ, note=note)
    stage = 2 if p.status == "under_rereview" else 1
    organ = resolve(p, stage, v["review_organ"]) if v["review_organ"] else current(p) or resolve(p, stage, "")
    if organ is None or not organ.external:
        msg = "本系统内的复查/复核机关直接受理办理，无需转送"
        raise InvalidInput(msg, fields={"review_organ": [msg]})
    fields = assign_organ(p, organ)
    p.review_forwarded_at = timezone.now()
    ext = organ.obj
    return _finish(
        p,
        actor=actor,
        action=Action.FORWARD_REVIEW,
        fields=fields,
        data={
            "stage": "rereview" if stage == 2 else "review",
            "organ": organ.code,
            "organ_name": organ.name,
            "organ_address": getattr(ext, "address", ""),
            "note": v["note"],
        },
        public=True,
    )


@transaction.atomic
def petition_record_review_opinion(
    *, actor, petition_or_reg_no, version: int, text: str = "", decided_at=None, scan=None, note: str = ""
) -> Petition:
    """The opinion of an external review organ, entered as received: its text, the day it was decided, and the scan (an
    attachment of the petition). It is the answer of that stage: a 复核 opinion ends the matter (三级终结). The petitioner's
    next window runs from its delivery (record_delivery), open until then."""
    p = _begin(actor, petition_or_reg_no, Action.RECORD_REVIEW_OPINION, version)
    v = clean(Action.RECORD_REVIEW_OPINION, text=text, decided_at=decided_at, scan=scan, note=note)
    decided = v["decided_at"]
    asked = p.events.filter(action__in=[Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW]).order_by("-seq").first()
    day = timezone.localtime(decided).date()
    if day > timezone.localdate():
        raise InvalidInput("作出意见的日期不能晚于今天", fields={"decided_at": ["不能晚于今天"]})
    if asked is not None and day < timezone.localtime(asked.at).date():
        msg = f"作出意见的日期不能早于申请日期（{timezone.localtime(asked.at):%Y-%m-%d}）"
        raise InvalidInput(msg, fields={"decided_at": [msg]})
    attachment = None
    if v["scan"]:
        attachment = Attachment.objects.filter(petition=p, pk=v["scan"]).first()
        if attachment is None:
            raise InvalidInput("扫描件须是本件已上传的附件", fields={"scan": ["请先在“附件”中上传扫描件"]})
    organ = current(p)
    assert organ is not None  # workflow.record_review_opinion_refusal: an external organ the request was forwarded to
    stage = 2 if p.status == "under_rereview" else 1
    p.review_level = stage
    if stage == 2:
        p.matter_ended = True  # 三级终结
    p.reply_text = v["text"]
    p.reply_method = "letter"  # the organ's written opinion (复查/复核意见书)
    p.replied_at = decided
    p.review_due_at = None
    p.delivered_at, p.delivery_method, p.review_request_due_at = None, "", None
    p.last_satisfaction, p.follow_up_outcome = "", ""  # a new answer, to be evaluated and followed up on its own
    return _finish(
        p,
        actor=actor,
        action=Action.RECORD_REVIEW_OPINION,
        to_status="replied",
        fields=[
            "review_level",
            "matter_ended",
            "reply_text",
            "reply_method",
            "replied_at",
            "review_due_at",
            "delivered_at",
            "delivery_method",
            "review_request_due_at",
            "last_satisfaction",
            "follow_up_outcome",
        ],
        data={
            "stage": "rereview" if stage == 2 else "review",
            "text": v["text"],
            "decided_at": decided,
            "organ": organ.code,
            "organ_name": organ.name,
            "scan": attachment.pk if attachment else None,
            "scan_name": attachment.original_name if attachment else "",
            "note": v["note"],
        },
        public=True,
    )


def ended_by(p: Petition):
    """The 复核 that ended the matter this petition is linked to: (the petition reviewed, the 复核 opinion's event)."""
    seen = set()
    node = p.repeat_of
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.review_level >= 2:
            ev = (
                node.events.filter(action__in=[Action.REPLY, Action.RECORD_REVIEW_OPINION], data__stage="rereview").order_by("-seq").first()
            )
            return node, ev
        node = node.repeat_of
    return None, None


@transaction.atomic
def petition_answer_ended(*, actor, petition_or_reg_no, version: int, note: str = "") -> Petition:
    """不再受理: a petition on a matter ended by its 复核 is registered and linked (never refused at the window) and answered
    in writing that it is not accepted again, citing the 复核 (organ, date, the original's number). New facts or reasons are
    accepted as a new matter instead (accept)."""
    p = _begin(actor, petition_or_reg_no, Action.ANSWER_ENDED, version)
    v = clean(Action.ANSWER_ENDED, note=note)
    original, ev = ended_by(p)
    assert original is not None  # workflow.answer_ended_refusal
    p.dispatched_at = timezone.now()
    p.decline_route = "matter_ended"
    at = (ev.data.get("decided_at") or ev.at.isoformat()) if ev is not None else None
    return _finish(
        p,
        actor=actor,
        action=Action.ANSWER_ENDED,
        fields=["dispatched_at", "decline_route"],
        data={
            "repeat_of": original.reg_no,
            "rereview_organ": (ev.data.get("organ_name") if ev is not None else "") or original.office.name,
            "rereview_at": at,
            "note": v["note"],
        },
        public=True,
    )
