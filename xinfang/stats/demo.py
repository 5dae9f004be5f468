"""Demo data for statistics: the default assessment schemes, and two years of history.

The history is a set of imported (历史导入) anonymous petitions with known outcomes spread
over the last 24 months, so the dashboard, the reports and the league table have something
to show in the demo county. Numbers are taken from the registration counter like any other
petition. Idempotent: nothing is added when the history is already there.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Category, Channel, Nature, Petition, Satisfaction, Status

from .services import ensure_default_schemes

MARK = "STATS-DEMO"
TEXTS = {
    "labour": ["某建筑公司拖欠农民工工资三个月未发放", "企业未为职工缴纳养老保险", "工伤认定迟迟没有结果"],
    "land": ["村里征地补偿款一直没有发放", "宅基地确权纠纷，要求重新丈量", "土地承包合同到期后被收回"],
    "housing": ["房屋拆迁安置房迟迟不能交房", "小区物业管理混乱，物业费乱收", "违章建筑影响采光"],
    "education": ["孩子入学被要求交纳额外费用", "校车安全隐患需要整改"],
    "civil": ["低保资格被取消，要求重新审核", "残疾人补贴未按时发放"],
    "agriculture": ["种粮补贴发放不到位", "村务公开不及时，集体经济账目不清"],
    "environment": ["养殖场污水排放污染河道", "工厂噪声扰民，夜间施工", "粉尘污染严重"],
    "transport": ["村道损坏多年未修", "客运班车停运影响出行"],
    "other": ["对政策有疑问，请求解释"],
}


def load(**options) -> str:
    admin = User.objects.filter(groups__name__in=[Role.ADMIN, Role.OFFICE]).order_by("pk").first()
    made = ensure_default_schemes(actor=admin) if admin else 0
    if Petition.objects.filter(legacy_reg_no__startswith=MARK).exists():
        return f"{made} 个考核方案；历史数据已存在"
    office = Unit.objects.filter(kind=UnitKind.PETITION_BUREAU).order_by("pk").first()
    places = list(Region.objects.filter(level__in=[RegionLevel.VILLAGE, RegionLevel.GROUP]).order_by("code"))
    categories = {c.code: c for c in Category.objects.select_related("default_unit")}
    if office is None or not places or not categories:
        return f"{made} 个考核方案；缺少单位、区划或问题类别，未生成历史数据"
    fallback_units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]).order_by("code"))
    n = int(options.get("petitions") or 300)
    rng = random.Random(20260101)
    now = timezone.now()
    codes = [c for c in TEXTS if c in categories] or list(categories)
    weights = [6 if c in ("labour", "land", "housing") else 2 for c in codes]
    from xinfang.petitions.numbering import next_registration_number

    for i in range(n):
        received = now - timedelta(days=rng.uniform(3, 730), hours=rng.uniform(0, 9))
        cat = categories[rng.choices(codes, weights)[0]]
        unit = cat.default_unit or rng.choice(fallback_units)
        first_time = rng.random() > 0.12
        fields = dict(
            channel=rng.choices([c.value for c in Channel], [30, 25, 12, 25, 3, 2, 3])[0],
            received_at=received,
            nature=rng.choices([c.value for c in Nature], [10, 8, 60, 12, 10])[0],
            category=cat,
            content=rng.choice(TEXTS.get(cat.code, TEXTS["other"])),
            region=rng.choice(places),
            anonymous=True,
            first_time=first_time,
            collective=rng.random() < 0.05,
            cross_level=rng.random() < 0.03,
            accept_due_at=received + timedelta(days=15),
            dispatch_due_at=received + timedelta(days=15),
            imported=True,
            legacy_reg_no=f"{MARK}-{i:05d}",
        )
        fields["headcount"] = rng.randint(5, 30) if fields["collective"] else 1
        roll = rng.random()
        if roll < 0.06:
            fields.update(status=Status.DECLINED, dispatched_at=received + timedelta(days=rng.uniform(1, 17)))
        elif roll < 0.12:
            fields.update(status=Status.FORWARDED, dispatched_at=received + timedelta(days=rng.uniform(1, 18)))
        else:
            accepted = received + timedelta(days=rng.uniform(0.5, 16))
            handle_due = accepted + timedelta(days=60 + (30 if rng.random() < 0.08 else 0))
            fields.update(
                accepted_at=accepted,
                dispatched_at=accepted + timedelta(days=rng.uniform(0, 2)),
                assigned_at=accepted + timedelta(days=1),
                handling_unit=unit,
                handle_due_at=handle_due,
                complexity="general",
            )
            replied = accepted + timedelta(days=rng.uniform(10, 75))
            if replied < now - timedelta(days=1):
                fields.update(replied_at=replied, reply_method="letter", status=Status.REPLIED)
                if rng.random() < 0.75:
                    fields.update(
                        evaluated_at=replied + timedelta(days=3),
                        satisfaction=rng.choices([s.value for s in Satisfaction], [70, 20, 10])[0],
                        status=Status.EVALUATED,
                    )
                if replied < now - timedelta(days=60):
                    fields.update(status=Status.ARCHIVED, archived_at=replied + timedelta(days=45))
            else:
                fields.update(status=Status.IN_PROGRESS, due_at=handle_due)
        year = timezone.localtime(received).year
        seq, reg_no = next_registration_number(office, year)
        p = Petition.objects.create(reg_no=reg_no, office=office, year=year, seq=seq, query_code_hash="!", **fields)
        Petition.objects.filter(pk=p.pk).update(registered_at=received + timedelta(minutes=rng.uniform(5, 240)))
        record_event(
            petition=p,
            action=EventType.IMPORT,
            actor_label="历史导入",
            to_status=p.status,
            data={"legacy_reg_no": p.legacy_reg_no},
            imported=True,
            at=now,
        )
    return f"{made} 个考核方案；{n} 件历史信访件（统计演示）"
