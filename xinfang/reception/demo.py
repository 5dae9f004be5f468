"""Demo reception: Wednesdays for the coming weeks (one without a leader), the holiday duty roster
with one gap, an emergency group, urgent reports, meetings (one unit short of two). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from xinfang.org.models import Region, RegionLevel, Unit, User
from xinfang.reception import selectors, services
from xinfang.reception.models import (
    DutyShift,
    EmergencyGroup,
    EmergencyMember,
    EmergencyResource,
    ReceptionDay,
    ResponsePlan,
    UrgentReport,
    WorkMeeting,
)


def load(**_options) -> str:
    office = User.objects.filter(username="office").first()
    bureau = Unit.objects.filter(code="xfj").first()
    if office is None or bureau is None:
        return "接待值班：缺少演示单位或账号，跳过"
    leaders = list(User.objects.filter(username__in=["leader", "leader2"]).order_by("username"))
    today = timezone.localdate()
    notes = []

    if not ReceptionDay.objects.filter(unit=bureau, date__gte=today).exists():
        days = services.reception_days_generate(
            actor=office, unit=bureau, start=today, end=today + timedelta(weeks=8), place="县信访局一楼接待大厅"
        )
        for i, day in enumerate(days):
            leader = None if i == 2 else (leaders[i % len(leaders)] if leaders else None)  # the third Wednesday is left empty
            services.reception_day_update(actor=office, pk=day.pk, leader=leader, place=day.place, note="" if leader else "待安排")
        notes.append(f"接待日 {len(days)} 个（1个空岗）")

    if not DutyShift.objects.filter(date__gte=today).exists():
        holidays = selectors.holidays_between(today, today + timedelta(days=60))
        units = list(selectors.duty_units())
        duty_officer = User.objects.filter(username="clerk").first() or office
        n = 0
        for unit in units:
            officer = duty_officer if unit.pk == bureau.pk else (User.objects.filter(unit=unit).order_by("pk").first() or duty_officer)
            for i, day in enumerate(holidays):
                gap = unit.pk == bureau.pk and i == len(holidays) - 1  # one gap: the last rest day has no leader on call
                services.duty_shift_save(
                    actor=office,
                    unit=unit,
                    date_=day,
                    kind="holiday",
                    officer=officer,
                    phone=unit.duty_phone or "0000-12345",
                    leader_on_call=None if gap or not leaders else leaders[i % len(leaders)],
                )
                n += 1
        notes.append(f"节假日值班 {n} 班（信访局最后一个节假日缺带班领导）")

    if not EmergencyGroup.objects.exists():
        group = EmergencyGroup.objects.create(unit=bureau, name="县信访局应急处置工作组")
        for name, duty, username in (
            ("吴主任", "组长、现场指挥", "office"),
            ("周登记", "登记代表诉求", "clerk"),
            ("郑县长", "带班领导", "leader"),
        ):
            EmergencyMember.objects.create(group=group, name=name, duty=duty, user=User.objects.filter(username=username).first(), phone="")
        EmergencyResource.objects.create(group=group, kind="vehicle", name="应急保障车", quantity="2辆")
        EmergencyResource.objects.create(group=group, kind="supplies", name="饮用水、扩音器", quantity="若干")
        EmergencyResource.objects.create(group=group, kind="funds", name="应急处置经费", quantity="5万元")
        ResponsePlan.objects.create(
            unit=bureau,
            visit_type="欠薪集体访",
            title="农民工欠薪集体访处置预案",
            steps="先控制再化解：1.单位主要领导第一时间到场；2.引导推选不超过5名代表；3.人社、住建联合接谈；4.当日答复处理意见。",
            checklist="人社、住建联合接谈\n当日答复处理意见",
        )
        notes.append("应急处置工作组 1 个")

    if not UrgentReport.objects.exists():
        township = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code").first()
        handler = User.objects.filter(username="twp_handler").first() or office
        done = services.urgent_report_create(
            actor=handler,
            what="某工地约40名农民工聚集讨要工资",
            region=township,
            headcount=40,
            measures="乡镇干部已到场劝导，联系施工方负责人",
            discovered_at=timezone.now() - timedelta(minutes=6),
        )
        services.urgent_report_note(actor=handler, pk=done.pk, kind="counsel", text="向聚集群众宣传依法信访，引导推选代表到信访局反映")
        services.urgent_report_send(actor=handler, pk=done.pk, to_users=leaders[:1], to_units=[bureau], note="电话报告县信访局值班室")
        if leaders:
            services.urgent_report_acknowledge(actor=leaders[0], pk=done.pk)
        response = services.collective_response_record(
            actor=office,
            unit=bureau,
            report=done,
            plan=ResponsePlan.objects.first(),
            representatives="张某、李某、王某",
            outcome="当日达成分期支付方案",
        )
        now = timezone.now()
        services.arrival_record(
            actor=office, response_id=response.pk, name="乡镇党委书记", is_unit_leader=True, arrived_at=now - timedelta(minutes=40)
        )
        services.arrival_record(
            actor=office, response_id=response.pk, name="人社局信访科长", is_unit_leader=False, arrived_at=now - timedelta(minutes=25)
        )
        services.urgent_report_create(
            actor=office,
            what="县政府门口约10人聚集反映拆迁补偿",
            region=township,
            headcount=10,
            measures="已安排接待",
            discovered_at=timezone.now() - timedelta(minutes=3),
        )
        notes.append("紧急报告 2 份（1份待上报）")
    notes.append(_late_school_report(leaders))
    notes.append(_first_receipts())
    notes.append(_cross_level(office))
    notes.append(_collective(office))
    notes.append(_daily_duty(office))

    if not WorkMeeting.objects.filter(date__year=today.year).exists():
        n = 0
        for unit in Unit.objects.filter(active=True, kind__in=selectors.MEETING_UNIT_KINDS).order_by("code"):
            count = 1 if unit.code == "dept-land" else 2  # one unit short of two
            for k in range(count):
                services.meeting_record(
                    actor=office,
                    unit=unit,
                    date_=max(today.replace(month=1, day=15), today - timedelta(days=30 + 120 * k)),
                    chair="单位主要负责人",
                    attendees="领导班子成员、信访工作人员",
                    issues=["欠薪和社保接续问题", "征地补偿和宅基地纠纷"][k % 2],
                    decisions="明确专人包案，限期答复，月底前报进展",
                    follow_up_owners="信访工作分管领导",
                )
                n += 1
        notes.append(f"信访工作会议 {n} 次（县自然资源局仅1次）")
    return "接待值班：" + ("，".join(n for n in notes if n) if any(notes) else "已存在")


def _late_school_report(leaders) -> str:
    """A school's rule (局信访办 and its 教办, the seed's 紧急报告制度) and a report typed 20 minutes after discovery: late."""
    from xinfang.reception.models import ReportingRule

    school = Unit.objects.filter(kind="school", active=True).order_by("code").first()
    edu = Unit.objects.filter(code="dept-edu").first()
    if school is None or UrgentReport.objects.filter(unit=school).exists():
        return ""
    rule, _ = ReportingRule.objects.get_or_create(unit=school, defaults={"external_organs": f"{school.region.name}教育办公室（教办）"})
    if edu is not None:
        rule.organs.add(edu)
    raiser = User.objects.filter(unit=school, is_active=True).order_by("pk").first()
    if raiser is None:
        return ""
    now = timezone.now()
    late = services.urgent_report_create(
        actor=raiser,
        what="十余名学生家长聚集校门口，反映校车停运",
        region=school.region,
        headcount=12,
        measures="值班教干到场，门卫维持秩序",
        discovered_at=now - timedelta(minutes=20),
    )
    if edu is not None:
        services.urgent_report_tell(actor=raiser, pk=late.pk, organ=edu, told_at=now, method="phone", contact="局信访办值班员")
    services.urgent_report_note(actor=raiser, pk=late.pk, kind="counsel", text="校长向家长说明校车安排，劝解疏导")
    return f"{school.name}紧急报告 1 份（发现20分钟后才录入，记为超时）"


def _first_receipts() -> str:
    """首问责任: the department handler brought a visitor to the office (registered, he is the 首问责任人); a township
    handler brought another in a moment ago (waiting for the clerk)."""
    from xinfang.petitions.models import Category
    from xinfang.petitions.services import petition_register
    from xinfang.reception import first_receipts
    from xinfang.reception.models import FirstReceipt

    if FirstReceipt.objects.exists():
        return ""
    handler, clerk = User.objects.filter(username="unit_handler").first(), User.objects.filter(username="clerk").first()
    twp = User.objects.filter(username="twp_handler").first()
    category = Category.objects.filter(active=True).order_by("code").first()
    village = Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code").first()
    if not (handler and clerk and category and village):
        return ""
    now = timezone.now()
    done = first_receipts.first_receipt_log(
        actor=handler, brought_at=now - timedelta(minutes=50), place="局大门口", matter="养老保险待遇核定"
    )
    petition_register(
        actor=clerk,
        channel="visit",
        received_at=now - timedelta(minutes=45),
        petitioners=[{"name": "王某某", "phone": "13800000000"}],
        nature="request",
        category=category,
        content="反映养老保险待遇核定有误，请求重新核定（首问责任人引领来访）",
        region=village,
        first_receipt=done.pk,
    )
    if twp is not None:
        first_receipts.first_receipt_log(actor=twp, brought_at=now - timedelta(minutes=5), place="镇政府大厅", matter="宅基地纠纷")
    return "首问登记 2 条（1条已登记为信访件，1条待登记）"


def _cross_level(office) -> str:
    """越级访: the office's guidance and report upward for one cross-level petition (the others wait on the office's list)."""
    from xinfang.petitions.models import Petition
    from xinfang.reception.cross_level import cross_level_report
    from xinfang.reception.models import CrossLevelReport

    if CrossLevelReport.objects.exists():
        return ""
    petition = Petition.objects.filter(cross_level=True, office__code="xfj").order_by("received_at").first()
    if petition is None:  # the petitions demo has none: a visitor who went to the city first, registered here as usual
        from xinfang.petitions.models import Category
        from xinfang.petitions.services import petition_register

        clerk = User.objects.filter(username="clerk").first()
        category = Category.objects.filter(active=True).order_by("code").first()
        village = Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code").first()
        if not (clerk and category and village):
            return ""
        petition, _ = petition_register(
            actor=clerk,
            channel="visit",
            received_at=timezone.now() - timedelta(hours=2),
            petitioners=[{"name": "赵某某", "phone": "13800000001"}],
            nature="request",
            category=category,
            content="反映征地补偿款未足额发放，此前已到市信访局反映",
            region=village,
            cross_level=True,
        )
    leadership = Unit.objects.filter(kind="county_leadership").order_by("code").first()
    cross_level_report(
        actor=office,
        reg_no=petition.reg_no,
        guidance="向信访人讲解依法逐级反映的规定，说明本县已登记受理、办理时限和查询方式",
        reported_to_unit=leadership,
        situation="信访人此前已到市信访局反映，本县已登记，正在核实",
        responsible_unit=petition.handling_unit,
        measures="承办单位尽快核实并答复信访人",
    )
    return f"越级访疏导与报告 1 条（{petition.reg_no}）"


def _collective(office) -> str:
    """集体访: the collective visits the petitions demo registered opened their checklists; on the first the township's
    leader arrived 25 minutes in and the police were told; the others wait on the office's home."""
    from xinfang.reception import collective
    from xinfang.reception.models import CollectiveStep, CollectiveVisitResponse

    first = CollectiveVisitResponse.objects.filter(opened_at__isnull=False).order_by("opened_at").first()
    if first is None or first.arrivals.exists() or CollectiveStep.objects.exists():
        return ""
    now = timezone.now()
    at = min(now, first.opened_at + timedelta(minutes=25))
    collective.collective_leader_arrived(actor=office, pk=first.pk, name="乡镇党委书记", at=at)
    collective.collective_step_record(actor=office, pk=first.pk, kind="police_informed", person="城关派出所值班民警", at=at)
    collective.collective_representatives_set(actor=office, pk=first.pk, count=3)
    n = CollectiveVisitResponse.objects.filter(opened_at__isnull=False, closed_at__isnull=True).count()
    return f"集体访处置清单 {n} 份未完毕（第一份领导25分钟到场）"


def _daily_duty(office) -> str:
    """每天一名副校级教干带班: each school's leader on every workday of the next 30 days (the last school misses its first
    Friday, a gap shown ahead); and the first school's principal away overnight, reported to the 教办."""
    from xinfang.org.models import LeadingGroupMember
    from xinfang.reception import duty
    from xinfang.reception.models import AwayReport

    today = timezone.localdate()
    schools = list(Unit.objects.filter(kind="school", active=True).order_by("code"))
    if not schools or DutyShift.objects.filter(kind="normal", unit__in=schools, date__gte=today).exists():
        return ""
    rest = set(selectors.holidays_between(today, today + timedelta(days=30)))
    n = 0
    for i, school in enumerate(schools):
        lead = User.objects.filter(unit=school, is_active=True).order_by("pk").first() or office
        first_friday = next((today + timedelta(days=k) for k in range(1, 8) if (today + timedelta(days=k)).weekday() == 4), None)
        for k in range(31):
            day = today + timedelta(days=k)
            if day in rest or (i == len(schools) - 1 and day == first_friday):
                continue
            services.duty_shift_save(actor=office, unit=school, date_=day, kind="normal", officer=None, phone="", leader_on_call=lead)
            n += 1
    note = f"学校每日带班 {n} 班（{schools[-1].name}缺一天）"
    from xinfang.org.demo import _user
    from xinfang.org.models import Role

    head = LeadingGroupMember.objects.filter(unit=schools[0], position="head").first()
    principal = _user("principal", head.name if head else "田校长", schools[0], Role.LEADER, "校长")  # demo login: principal
    if not AwayReport.objects.exists():
        duty.away_report(
            actor=principal,
            leaves_on=today,
            returns_on=today + timedelta(days=1),
            purpose="赴市教育局参加校长培训",
            acting="副校长（带班） 手机24小时开机",
        )
        note += "，校长外出报告 1 份"
    return note
