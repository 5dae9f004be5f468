"""Writes of grassroots work. Every function takes `actor`, checks the right, the input and the
version, and writes its record plus one timeline row in one transaction. Nothing is deleted."""

import hashlib
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.grassroots import selectors
from xinfang.grassroots.models import (
    LEVEL_NEXT,
    Dispute,
    DisputeEvent,
    DisputeKind,
    DisputeLevel,
    DisputeParty,
    DisputePolicy,
    DisputeStatus,
    InfoReport,
    InfoReportNote,
    MediationSession,
    PublicityForm,
    PublicityRecord,
    ReportKind,
    ReportStatus,
    RiskLevel,
    ScreeningRound,
    Urgency,
)
from xinfang.org.models import Region, RegionLevel

PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


# ---- helpers ---------------------------------------------------------------------------


def _place(region: Region) -> tuple[Region, Region]:
    """(village, township) of a village or villager group."""
    if region.level == RegionLevel.GROUP:
        village = region.parent
    elif region.level == RegionLevel.VILLAGE:
        village = region
    else:
        raise InvalidInput("地点请选择到村或村民小组", fields={"region": ["请选择村或村民小组"]})
    return village, village.parent


def _township_of(region: Region) -> Region:
    if region.level == RegionLevel.TOWNSHIP:
        return region
    if region.level == RegionLevel.VILLAGE:
        return region.parent
    if region.level == RegionLevel.GROUP:
        return region.parent.parent
    raise InvalidInput("请选择乡镇、村或村民小组", fields={"region": ["请选择乡镇、村或村民小组"]})


def _region_in_scope(actor, region) -> Region:
    if isinstance(region, str):
        region = Region.objects.select_related("parent__parent").filter(code=region).first()
    if region is None:
        raise InvalidInput("地点不存在", fields={"region": ["请选择地点"]})
    if not selectors.actor_scope(actor).covers(region):
        raise NoPermission("该地点不在您的工作范围内")
    return region


def _not_future(d: date, field: str, label: str) -> date:
    if d is None:
        raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if d > timezone.localdate():
        raise InvalidInput(f"{label}不能晚于今天", fields={field: ["不能晚于今天"]})
    return d


def _lock_dispute(dispute_id: int, version: int | None, actor) -> Dispute:
    if not selectors.dispute_list(actor=actor).filter(pk=dispute_id).exists():
        raise NotFound("未找到该矛盾纠纷，或不在您的工作范围内")
    dispute = Dispute.objects.select_for_update().select_related("village", "township").get(pk=dispute_id)
    if version is not None and int(version) != dispute.version:
        raise StaleVersion("该纠纷已被他人更新，请刷新后重试")
    return dispute


def _event(dispute: Dispute, *, action: str, actor, note: str = "", from_level: str = "", to_level: str = "", data=None, at=None):
    seq = (dispute.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    return DisputeEvent.objects.create(
        dispute=dispute,
        seq=seq,
        action=action,
        actor=actor,
        at=at or timezone.now(),
        from_level=from_level,
        to_level=to_level,
        note=note,
        data=data or {},
    )


def _due(level: str, start: datetime) -> datetime:
    return start + timedelta(days=DisputePolicy.current().days_for(level))


def _bump(dispute: Dispute, fields: list[str]):
    dispute.version += 1
    dispute.save(update_fields=[*fields, "version"])


# ---- screening -------------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *, actor, region, held_on: date, conducted_by: str, places: str, none_found: bool = False, note: str = ""
) -> ScreeningRound:
    if not selectors.can_record_dispute(actor):
        raise NoPermission("只有乡镇、驻村承办员、联络员和信访办可以登记排查")
    region = _region_in_scope(actor, region)
    if region.level not in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        raise InvalidInput("排查区域请选择乡镇或村", fields={"region": ["请选择乡镇或村"]})
    return ScreeningRound.objects.create(
        region=region,
        township=_township_of(region),
        held_on=_not_future(held_on, "held_on", "排查日期"),
        conducted_by=inputs.text(conducted_by, "conducted_by", "排查人员", max_len=200),
        places=inputs.text(places, "places", "排查范围", max_len=300),
        none_found=bool(none_found),
        note=inputs.text(note, "note", "备注", max_len=300, required=False),
        recorded_by=actor,
    )


# ---- disputes --------------------------------------------------------------------------


def _clean_parties(parties) -> list[dict]:
    cleaned = []
    for i, p in enumerate(parties or []):
        name = (p.get("name") or "").strip()
        if not name:
            continue
        side = p.get("side") or DisputeParty.Side.APPLICANT
        if side not in DisputeParty.Side.values:
            raise InvalidInput("当事方无效", fields={f"parties.{i}.side": ["请选择当事方"]})
        phone = inputs.phone(p.get("phone"), f"parties.{i}.phone")
        id_number = inputs.id_number(p.get("id_number"), f"parties.{i}.id_number")  # GB 11643, the birth date too
        cleaned.append(
            {
                "side": side,
                "name": name[:64],
                "phone": phone,
                "id_number": id_number,
                "address": (p.get("address") or "").strip()[:200],
            }
        )
    if not cleaned:
        raise InvalidInput("请至少填写一名当事人", fields={"parties": ["请至少填写一名当事人"]})
    return cleaned


@transaction.atomic
def dispute_record(
    *,
    actor,
    kind: str,
    region,
    description: str,
    parties: list[dict],
    risk: str = RiskLevel.LOW,
    mediator: str = "",
    level: str = DisputeLevel.VILLAGE,
    found_at: datetime | None = None,
    screening: ScreeningRound | None = None,
    source_report: InfoReport | None = None,
) -> Dispute:
    """Record a dispute found by screening, by a report or brought in by a party."""
    if not selectors.can_record_dispute(actor):
        raise NoPermission("只有乡镇、驻村承办员、联络员和信访办可以登记矛盾纠纷")
    region = _region_in_scope(actor, region)
    village, township = _place(region)
    level = inputs.choice(level, DisputeLevel, "level", "受理层级")
    if level == DisputeLevel.COUNTY and not selectors.is_office(actor):
        raise NoPermission("县级受理的纠纷由信访办登记")
    if level == DisputeLevel.TOWNSHIP and not (selectors.is_office(actor) or selectors.is_township_handler(actor)):
        raise NoPermission("乡镇级受理的纠纷由乡镇登记")
    now = timezone.now()
    found_at = found_at or now
    if found_at > now:
        raise InvalidInput("发现时间不能晚于现在", fields={"found_at": ["不能晚于现在"]})
    cleaned = _clean_parties(parties)
    dispute = Dispute.objects.create(
        number=f"tmp-{hashlib.sha256(f'{now.isoformat()}-{actor.pk}-{id(cleaned)}'.encode()).hexdigest()[:20]}",
        kind=inputs.choice(kind, DisputeKind, "kind", "纠纷类型"),
        region=region,
        village=village,
        township=township,
        description=inputs.text(description, "description", "纠纷简要情况", max_len=4000),
        risk=inputs.choice(risk, RiskLevel, "risk", "风险等级"),
        mediator=inputs.text(mediator, "mediator", "调解人", max_len=64, required=False),
        level=level,
        level_started_at=now,
        due_at=_due(level, now),
        found_at=found_at,
        screening=screening,
        source_report=source_report,
        created_by=actor,
    )
    dispute.number = f"JF{timezone.localtime(found_at).year}{dispute.pk:06d}"
    dispute.save(update_fields=["number"])
    DisputeParty.objects.bulk_create([DisputeParty(dispute=dispute, position=i, **p) for i, p in enumerate(cleaned)])
    _event(
        dispute, action="record", actor=actor, to_level=level, data={"kind": dispute.kind, "risk": dispute.risk, "parties": len(cleaned)}
    )
    return dispute


@transaction.atomic
def dispute_add_session(
    *,
    actor,
    dispute_id: int,
    version: int | None,
    held_on: date,
    mediator: str,
    participants: str,
    summary: str,
    place: str = "",
    agreement_reached: bool = False,
    agreement_terms: str = "",
) -> MediationSession:
    """Record one mediation session. An agreement resolves the dispute at the current level."""
    dispute = _lock_dispute(dispute_id, version, actor)
    if dispute.status != DisputeStatus.OPEN:
        raise InvalidTransition("该纠纷已办结，不能再登记调解")
    if not selectors.can_act_on_dispute(actor, dispute):
        raise NoPermission("该纠纷当前由上一级调处，您不能登记调解")
    terms = inputs.text(agreement_terms, "agreement_terms", "协议内容", max_len=4000, required=bool(agreement_reached))
    session = MediationSession.objects.create(
        dispute=dispute,
        level=dispute.level,
        held_on=_not_future(held_on, "held_on", "调解日期"),
        place=inputs.text(place, "place", "地点", max_len=100, required=False),
        mediator=inputs.text(mediator, "mediator", "调解人", max_len=64),
        participants=inputs.text(participants, "participants", "参加人员", max_len=300),
        summary=inputs.text(summary, "summary", "调解情况", max_len=4000),
        agreement_reached=bool(agreement_reached),
        agreement_terms=terms if agreement_reached else "",
        recorded_by=actor,
    )
    fields = []
    if not dispute.mediator:
        dispute.mediator = session.mediator
        fields.append("mediator")
    _event(
        dispute, action="mediate", actor=actor, note=session.summary, data={"session": session.pk, "agreement": session.agreement_reached}
    )
    if session.agreement_reached:
        _resolve(dispute, actor=actor, note="调解达成协议", fields=fields)
    else:
        _bump(dispute, fields)
    return session


def _resolve(dispute: Dispute, *, actor, note: str, fields: list[str]):
    now = timezone.now()
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolved_level = dispute.level
    dispute.resolved_at = now
    dispute.due_at = None
    _bump(dispute, [*fields, "status", "resolved_level", "resolved_at", "due_at"])
    _event(dispute, action="resolve", actor=actor, note=note, from_level=dispute.level, data={"level": dispute.level})


@transaction.atomic
def dispute_resolve(*, actor, dispute_id: int, version: int | None, note: str) -> Dispute:
    """Close the dispute as resolved at its current level (e.g. settled without a written agreement)."""
    dispute = _lock_dispute(dispute_id, version, actor)
    if dispute.status != DisputeStatus.OPEN:
        raise InvalidTransition("该纠纷已办结")
    if not selectors.can_act_on_dispute(actor, dispute):
        raise NoPermission("该纠纷当前由上一级调处，您不能办结")
    _resolve(dispute, actor=actor, note=inputs.text(note, "note", "化解情况", max_len=1000), fields=[])
    return dispute


@transaction.atomic
def dispute_escalate(*, actor, dispute_id: int, version: int | None, reason: str) -> Dispute:
    """Village → township → county, with a reason; the new level's own time target starts now."""
    dispute = _lock_dispute(dispute_id, version, actor)
    if dispute.status != DisputeStatus.OPEN:
        raise InvalidTransition("该纠纷已办结，不能上报")
    if dispute.level not in LEVEL_NEXT:
        raise InvalidTransition("县级是最高调处层级，不能再上报；如当事人信访，请转为信访件")
    if not selectors.can_act_on_dispute(actor, dispute):
        raise NoPermission("您不能上报该纠纷")
    reason = inputs.text(reason, "reason", "上报理由", max_len=1000)
    old, new = dispute.level, LEVEL_NEXT[dispute.level]
    now = timezone.now()
    dispute.level = new
    dispute.level_started_at = now
    dispute.due_at = _due(new, now)
    dispute.escalations += 1
    _bump(dispute, ["level", "level_started_at", "due_at", "escalations"])
    _event(dispute, action="escalate", actor=actor, note=reason, from_level=old, to_level=new, at=now)
    return dispute


@transaction.atomic
def dispute_to_petition(
    *,
    actor,
    dispute_id: int,
    version: int | None,
    channel: str,
    nature: str,
    category,
    content: str = "",
    requests: str = "",
    party_ids: list[int] | None = None,
    received_at: datetime | None = None,
):
    """A party petitions: register a petition from the dispute (parties as petitioners) and link
    both ways (Dispute.petition, and `selectors.disputes_for_petition`). Returns (dispute, petition, query_code)."""
    dispute = _lock_dispute(dispute_id, version, actor)
    if dispute.petition_id:
        raise InvalidTransition("该纠纷已转为信访件")
    if not selectors.can_register_petition(actor):
        raise NoPermission("转为信访件由信访办登记员或信访办登记")
    parties = list(dispute.parties.all())
    if party_ids:
        parties = [p for p in parties if p.pk in set(map(int, party_ids))]
    if not parties:
        raise InvalidInput("请选择信访的当事人", fields={"party_ids": ["请选择当事人"]})
    from xinfang.petitions.services import petition_register as register  # petitions read disputes: imported here

    petition, query_code = register(
        actor=actor,
        channel=channel,
        received_at=received_at or timezone.now(),
        petitioners=[{"name": p.name, "id_number": p.id_number, "phone": p.phone, "address": p.address} for p in parties],
        nature=nature,
        category=category,
        content=(content or "").strip() or f"矛盾纠纷{dispute.number}：{dispute.description}",
        region=dispute.region,
        requests=requests,
        headcount=len(parties),
    )
    from_status = dispute.status
    dispute.petition = petition
    fields = ["petition"]
    if dispute.status == DisputeStatus.OPEN:
        dispute.status = DisputeStatus.PETITIONED
        dispute.due_at = None
        fields += ["status", "due_at"]
    _bump(dispute, fields)
    _event(dispute, action="petition", actor=actor, from_level=dispute.level, data={"reg_no": petition.reg_no, "from_status": from_status})
    return dispute, petition, query_code


# ---- information reports -----------------------------------------------------------------


def _check_photo(photo) -> tuple[bytes, str]:
    if photo.size > PHOTO_MAX_BYTES:
        raise InvalidInput("照片不能超过5MB", fields={"photo": ["照片不能超过5MB"]})
    data = photo.read()
    ctype = next((t for magic, t in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if ctype is None:
        raise InvalidInput("照片只能是 JPG 或 PNG 图片", fields={"photo": ["只能上传 JPG 或 PNG 图片"]})
    try:
        from io import BytesIO

        from PIL import Image

        Image.open(BytesIO(data)).verify()
    except Exception as exc:
        raise InvalidInput("照片文件已损坏，无法识别", fields={"photo": ["图片无法识别"]}) from exc
    return data, ctype


@transaction.atomic
def report_file(*, actor, region, text: str, kind: str = ReportKind.CONCERN, urgency: str = Urgency.NORMAL, headcount: int = 0, photo=None):
    """File a short report of what residents raise. Urgent ones also go to the urgent-report path."""
    if not selectors.can_file_report(actor):
        raise NoPermission("您没有报送信息的权限")
    region = _region_in_scope(actor, region)
    text = inputs.text(text, "text", "信息内容", max_len=2000)
    try:
        headcount = int(headcount or 0)
    except (TypeError, ValueError):
        raise InvalidInput("涉及人数应为数字", fields={"headcount": ["请填写数字"]}) from None
    if headcount < 0 or headcount > 100000:
        raise InvalidInput("涉及人数不合理", fields={"headcount": ["请填写0至100000之间的数字"]})
    report = InfoReport(
        reporter=actor,
        region=region,
        township=_township_of(region),
        kind=inputs.choice(kind, ReportKind, "kind", "信息类型"),
        text=text,
        urgency=inputs.choice(urgency, Urgency, "urgency", "紧急程度"),
        headcount=headcount,
    )
    if photo:
        from django.core.files.base import ContentFile

        data, ctype = _check_photo(photo)
        report.sha256 = hashlib.sha256(data).hexdigest()
        report.photo_type = ctype
        report.photo_size = len(data)
        report.photo.save(report.sha256, ContentFile(data), save=False)
    report.save()
    InfoReportNote.objects.create(report=report, action="file", actor=actor, at=report.created_at)
    if report.urgency == Urgency.URGENT:
        report.urgent_ref = _send_urgent(report, actor)
        if report.urgent_ref:
            report.save(update_fields=["urgent_ref"])
    return report


def _send_urgent(report: InfoReport, actor) -> str:
    """Hand an urgent report to the reception app's urgent-report path, if it is there."""
    try:
        from xinfang.reception.services import urgent_report_create
    except ImportError:
        return ""  # the reception app is absent: the report stays flagged urgent here
    urgent = urgent_report_create(
        actor=actor,
        what=report.text,
        region=report.region,
        headcount=report.headcount,
        measures="基层信息员报送，待乡镇核实处置",
        discovered_at=report.created_at,  # the information officer's filing is the earliest time the system knows of it
        source=f"信息报送#{report.pk}",
    )
    return f"紧急报告#{urgent.pk}"


def _lock_report(actor, report_id: int, version: int | None) -> InfoReport:
    if not selectors.report_list(actor=actor).filter(pk=report_id).exists():
        raise NotFound("未找到该信息，或不在您的工作范围内")
    report = InfoReport.objects.select_for_update().select_related("township", "region").get(pk=report_id)
    if not selectors.can_manage_reports(actor, report):
        raise NoPermission("只有乡镇、包联督查员和信访办可以处理报送的信息")
    if version is not None and int(version) != report.version:
        raise StaleVersion("该信息已被他人处理，请刷新后重试")
    return report


@transaction.atomic
def report_acknowledge(*, actor, report_id: int, version: int | None) -> InfoReport:
    report = _lock_report(actor, report_id, version)
    if report.status != ReportStatus.NEW:
        raise InvalidTransition("该信息已签收")
    report.status = ReportStatus.ACKNOWLEDGED
    report.acknowledged_by = actor
    report.acknowledged_at = timezone.now()
    report.version += 1
    report.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "version"])
    InfoReportNote.objects.create(report=report, action="acknowledge", actor=actor, at=report.acknowledged_at)
    return report


@transaction.atomic
def report_follow_up(*, actor, report_id: int, version: int | None, text: str) -> InfoReport:
    report = _lock_report(actor, report_id, version)
    text = inputs.text(text, "text", "跟进情况", max_len=2000)
    now = timezone.now()
    fields = ["version"]
    if report.status in (ReportStatus.NEW, ReportStatus.ACKNOWLEDGED):
        if report.acknowledged_at is None:
            report.acknowledged_by, report.acknowledged_at = actor, now
            fields += ["acknowledged_by", "acknowledged_at"]
        report.status = ReportStatus.FOLLOWED
        fields.append("status")
    report.version += 1
    report.save(update_fields=fields)
    InfoReportNote.objects.create(report=report, action="follow_up", actor=actor, at=now, text=text)
    return report


@transaction.atomic
def report_to_dispute(
    *, actor, report_id: int, version: int | None, kind: str, description: str, parties: list[dict], risk: str = RiskLevel.LOW
) -> Dispute:
    report = _lock_report(actor, report_id, version)
    if report.status == ReportStatus.CONVERTED:
        raise InvalidTransition("该信息已转为纠纷或信访件")
    if report.region.level not in (RegionLevel.VILLAGE, RegionLevel.GROUP):
        raise InvalidInput("该信息的地点是乡镇，请先在纠纷登记中选择村")
    level = DisputeLevel.VILLAGE if not selectors.is_office(actor) else DisputeLevel.TOWNSHIP
    if selectors.is_township_handler(actor):
        level = DisputeLevel.TOWNSHIP
    dispute = dispute_record(
        actor=actor,
        kind=kind,
        region=report.region,
        description=description or report.text,
        parties=parties,
        risk=risk,
        level=level,
        found_at=report.created_at,
        source_report=report,
    )
    now = timezone.now()
    report.status = ReportStatus.CONVERTED
    report.version += 1
    report.save(update_fields=["status", "version"])
    InfoReportNote.objects.create(report=report, action="to_dispute", actor=actor, at=now, text=dispute.number)
    return dispute


@transaction.atomic
def report_to_petition(
    *, actor, report_id: int, version: int | None, channel: str, nature: str, category, petitioners: list[dict], content=""
):
    """When residents petition about the reported matter: register it and link the report."""
    report = _lock_report(actor, report_id, version)
    if report.status == ReportStatus.CONVERTED:
        raise InvalidTransition("该信息已转为纠纷或信访件")
    if not selectors.can_register_petition(actor):
        raise NoPermission("转为信访件由信访办登记员或信访办登记")
    from xinfang.petitions.services import petition_register as register  # petitions read disputes: imported here

    petition, query_code = register(
        actor=actor,
        channel=channel,
        received_at=timezone.now(),
        petitioners=petitioners,
        nature=nature,
        category=category,
        content=(content or "").strip() or report.text,
        region=report.region,
        headcount=max(1, report.headcount or len(petitioners)),
    )
    report.status = ReportStatus.CONVERTED
    report.petition = petition
    report.version += 1
    report.save(update_fields=["status", "petition", "version"])
    InfoReportNote.objects.create(report=report, action="to_petition", actor=actor, at=timezone.now(), text=petition.reg_no)
    return report, petition, query_code


# ---- publicity -------------------------------------------------------------------------


@transaction.atomic
def publicity_record(*, actor, village, held_on: date, form: str, audience: int, materials: str = "", place: str = "") -> PublicityRecord:
    if not selectors.can_record_dispute(actor) and not selectors.can_file_report(actor):
        raise NoPermission("您没有登记宣传活动的权限")
    region = _region_in_scope(actor, village)
    village_region, township = _place(region)
    try:
        audience = int(audience)
    except (TypeError, ValueError):
        raise InvalidInput("受众人数应为数字", fields={"audience": ["请填写数字"]}) from None
    if audience < 0 or audience > 100000:
        raise InvalidInput("受众人数不合理", fields={"audience": ["请填写0至100000之间的数字"]})
    return PublicityRecord.objects.create(
        held_on=_not_future(held_on, "held_on", "宣传日期"),
        village=village_region,
        township=township,
        place=inputs.text(place, "place", "地点", max_len=100, required=False),
        form=inputs.choice(form, PublicityForm, "form", "宣传形式"),
        audience=audience,
        materials=inputs.text(materials, "materials", "资料/内容", max_len=300, required=False),
        recorded_by=actor,
    )
