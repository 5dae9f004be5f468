"""Demo grassroots work: screening rounds, disputes at every stage (some past their level's
target), information reports in every state, publicity records. Idempotent; written through
the services, then dated back (demo only) so the figures show a few months of work."""

from datetime import date, timedelta

from django.db.models import F
from django.utils import timezone

from xinfang.core.errors import DomainError
from xinfang.grassroots import services
from xinfang.grassroots.models import Dispute, DisputeEvent, InfoReport, InfoReportNote, MediationSession, PublicityRecord
from xinfang.org.demo import demo_name, demo_phone
from xinfang.org.models import Region, RegionLevel, User

DESCRIPTIONS = {
    "land": "两户因承包地边界和界桩位置发生争执，双方多次到村委会反映。",
    "neighbours": "邻里因排水沟改道导致雨水倒灌，双方言语冲突。",
    "family": "兄弟三人因老人赡养费用分担意见不一。",
    "labour": "本村十余名务工人员反映建筑工地拖欠工资约八万元。",
    "environment": "村民反映养殖场异味和污水影响周边农田。",
    "demolition": "道路拓宽涉及三户院墙，补偿标准存在分歧。",
    "contract": "村民与收购商因苗木款结算发生纠纷。",
    "other": "村集体林地承包收益分配存在争议。",
}
# (kind, stage, age in days): stage is how far the dispute has gone.
PLAN = [
    ("land", "open", 3),
    ("neighbours", "open", 12),
    ("family", "village_resolved", 20),
    ("labour", "township", 9),
    ("environment", "township", 25),
    ("demolition", "county", 40),
    ("contract", "village_resolved", 35),
    ("land", "township_resolved", 50),
    ("neighbours", "village_resolved", 60),
    ("family", "open", 2),
    ("other", "county", 70),
    ("land", "petitioned", 30),
    ("labour", "township_resolved", 80),
    ("neighbours", "open", 8),
    ("environment", "village_resolved", 15),
    ("family", "township", 5),
    ("land", "village_resolved", 90),
    ("contract", "open", 1),
    ("demolition", "township_resolved", 45),
    ("neighbours", "village_resolved", 100),
    ("labour", "county_resolved", 75),
    ("land", "open", 20),
    ("family", "village_resolved", 11),
    ("other", "township", 18),
]


def _shift(dispute: Dispute, days: int):
    delta = timedelta(days=days)
    Dispute.objects.filter(pk=dispute.pk).update(
        found_at=F("found_at") - delta,
        level_started_at=F("level_started_at") - delta,
        due_at=F("due_at") - delta,
        resolved_at=F("resolved_at") - delta,
    )
    DisputeEvent.objects.filter(dispute=dispute).update(at=F("at") - delta)
    MediationSession.objects.filter(dispute=dispute).update(held_on=F("held_on") - delta)


def _parties(i: int) -> list[dict]:
    return [
        {"side": "applicant", "name": demo_name(7000 + i), "phone": demo_phone(7000 + i), "address": "本村"},
        {"side": "respondent", "name": demo_name(7100 + i), "phone": demo_phone(7100 + i), "address": "本村"},
    ]


def load(**_options) -> str:
    if Dispute.objects.exists():
        return f"{Dispute.objects.count()} 件矛盾纠纷（已存在）"
    users = {
        u.username: u for u in User.objects.filter(username__in=["office", "clerk", "twp_handler", "liaison", "info_officer", "supervisor"])
    }
    office, twp, liaison, info = users.get("office"), users.get("twp_handler"), users.get("liaison"), users.get("info_officer")
    if office is None:
        return "缺少演示账号，跳过"
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")[:6])
    villages = {t.pk: list(Region.objects.filter(parent=t).order_by("code")[:4]) for t in townships}
    today = timezone.localdate()

    rounds = []
    for t_i, township in enumerate(townships):
        actor = twp if (t_i == 0 and twp) else office
        for m in range(3):
            region = township if m != 1 else villages[township.pk][m % 4]
            r = services.screening_record(
                actor=actor,
                region=region,
                held_on=today - timedelta(days=5 + 30 * m),
                conducted_by=f"{demo_name(300 + t_i)}等3人",
                places="、".join(v.name for v in villages[township.pk][:3]),
                none_found=(m == 2 and t_i % 2 == 0),
            )
            rounds.append(r)

    from xinfang.petitions.models import Category

    category = Category.objects.filter(code="land").first()
    clerk = users.get("clerk")
    made = 0
    for i, (kind, stage, age) in enumerate(PLAN):
        township = townships[i % len(townships)]
        village = villages[township.pk][i % 4]
        first = township == townships[0]
        recorder = liaison if (first and village == villages[township.pk][0] and liaison) else (twp if first and twp else office)
        worker = twp if (first and twp) else office
        d = services.dispute_record(
            actor=recorder,
            kind=kind,
            region=village,
            description=DESCRIPTIONS[kind],
            parties=_parties(i),
            risk=["low", "low", "medium", "high"][i % 4],
            mediator=demo_name(400 + i),
            screening=next((r for r in rounds if r.township_id == township.pk and not r.none_found), None),
        )
        if stage == "village_resolved":
            services.dispute_add_session(
                actor=worker,
                dispute_id=d.pk,
                version=d.version,
                held_on=today,
                place="村委会",
                mediator=demo_name(400 + i),
                participants="双方当事人、村调委会委员",
                summary="讲清政策，双方各让一步",
                agreement_reached=True,
                agreement_terms="一、双方按村调委会确认的界线执行。\n二、自本协议签订之日起互不追究。",
            )
        if stage in ("township", "township_resolved", "county", "county_resolved", "petitioned"):
            services.dispute_add_session(
                actor=worker,
                dispute_id=d.pk,
                version=d.version,
                held_on=today,
                mediator=demo_name(400 + i),
                participants="双方当事人",
                summary="双方分歧较大，未达成一致",
            )
            d.refresh_from_db()
            d = services.dispute_escalate(actor=worker, dispute_id=d.pk, version=d.version, reason="村级调解未果，需乡镇协调相关部门")
        if stage in ("county", "county_resolved"):
            d = services.dispute_escalate(actor=worker, dispute_id=d.pk, version=d.version, reason="涉及县直部门政策，乡镇无法解决")
        if stage in ("township_resolved", "county_resolved"):
            services.dispute_resolve(
                actor=office if stage == "county_resolved" else worker,
                dispute_id=d.pk,
                version=d.version,
                note="协调部门落实政策后双方接受",
            )
        if stage == "petitioned" and clerk and category:
            try:
                services.dispute_to_petition(
                    actor=clerk,
                    dispute_id=d.pk,
                    version=d.version,
                    channel="visit",
                    nature="request",
                    category=category,
                    requests="请求确认承包地边界",
                )
            except DomainError:
                pass
        _shift(d, age)
        made += 1

    texts = [
        ("concern", "normal", "村民反映村道路灯损坏多日，夜间出行不便。", 0),
        ("dispute", "prompt", "两户因宅基地界墙发生争吵，有激化苗头。", 2),
        ("suggestion", "normal", "群众建议在村委会公开低保评定结果。", 0),
        ("event", "normal", "村里组织了信访条例宣传活动，群众反响较好。", 0),
        ("concern", "prompt", "十余名务工人员反映工地拖欠工资。", 12),
        ("dispute", "normal", "养殖场异味问题周边村民意见较大。", 8),
        ("concern", "normal", "山塘灌溉用水分配有意见。", 5),
        ("event", "urgent", "约二十名群众因征地补偿聚集在村委会，情绪激动，已劝导。", 20),
    ]
    reports = []
    group = Region.objects.filter(parent=villages[townships[0].pk][0]).order_by("code").first()
    for j in range(20):
        kind, urgency, text, head = texts[j % len(texts)]
        if j % 3 == 0 and info and group:
            actor, region = info, group
        elif j % 3 == 1 and liaison:
            actor, region = liaison, villages[townships[0].pk][0]
        else:
            actor, region = users.get("supervisor") or office, villages[townships[j % 4].pk][j % 4]
        if urgency == "urgent" and j > 8:
            urgency = "prompt"
        try:
            reports.append(services.report_file(actor=actor, region=region, text=text, kind=kind, urgency=urgency, headcount=head))
        except DomainError:
            reports.append(services.report_file(actor=office, region=region, text=text, kind=kind, urgency=urgency, headcount=head))
    for j, r in enumerate(reports):
        handler = twp if (twp and r.township_id == townships[0].pk) else office
        if j % 4 == 0:
            continue  # left waiting for acknowledgement
        r = services.report_acknowledge(actor=handler, report_id=r.pk, version=r.version)
        if j % 4 == 2:
            services.report_follow_up(actor=handler, report_id=r.pk, version=r.version, text="已安排驻村干部上门了解情况")
        if j == 5:
            services.report_to_dispute(
                actor=handler, report_id=r.pk, version=r.version, kind="environment", description="", parties=_parties(90)
            )
        days = 40 - j * 2
        InfoReport.objects.filter(pk=r.pk).update(created_at=F("created_at") - timedelta(days=days))
        InfoReportNote.objects.filter(report=r).update(at=F("at") - timedelta(days=max(0, days - 1)))

    forms = ["meeting", "leaflet", "banner", "broadcast", "door"]
    for k in range(36):
        township = townships[k % len(townships)]
        village = villages[township.pk][k % 4]
        actor = (
            liaison if (liaison and village == villages[townships[0].pk][0]) else (twp if (twp and township == townships[0]) else office)
        )
        services.publicity_record(
            actor=actor,
            village=village,
            held_on=max(date(today.year, 1, 1), today - timedelta(days=7 * k + 1)),
            form=forms[k % 5],
            audience=20 + (k * 17) % 120,
            materials="《信访工作条例》宣传册、法律明白纸",
            place="村文化广场",
        )
    return f"{len(rounds)} 次排查, {made} 件矛盾纠纷, {len(reports)} 条信息, {PublicityRecord.objects.count()} 次宣传"
