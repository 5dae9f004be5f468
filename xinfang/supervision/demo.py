"""Demo supervision: a few orders (one answered), urging, accountability records and inspections. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from xinfang.access.policy import supervised_township_paths
from xinfang.org.models import LeadingGroupMember, Region, RegionLevel, Unit, User
from xinfang.petitions.models import OPEN_STATUSES, Petition
from xinfang.supervision import services
from xinfang.supervision.models import AccountabilityRecord, InspectionRecord, Matter, SupervisionOrder


def load(**_options) -> str:
    office = User.objects.filter(username="office").first()
    if office is None:
        return "督办：缺少演示账号，跳过"
    notes = []
    dept = Unit.objects.filter(code="dept-hr").first()
    head = User.objects.filter(username="leader2").first()
    if dept and head and not LeadingGroupMember.objects.filter(unit=dept, position="head").exists():
        LeadingGroupMember.objects.create(unit=dept, user=None, name="刘局长", post="局长", position=LeadingGroupMember.Position.HEAD)

    if not SupervisionOrder.objects.exists():
        petitions = list(
            Petition.objects.filter(status__in=OPEN_STATUSES, handling_unit__isnull=False, due_at__isnull=False).order_by("due_at")[:3]
        )
        now = timezone.now()
        for i, p in enumerate(petitions):
            order = services.order_issue(
                actor=office,
                reg_no=p.reg_no,
                form=["written", "interview", "on_site"][i],
                requirements="请核实情况，于期限内书面报告办理进展和办结时间。",
                answer_due_at=now + timedelta(days=2 + i),
            )
            handler = User.objects.filter(unit=order.unit, groups__name="unit_handler", is_active=True).first()
            if i == 0 and handler is not None:
                services.order_answer(actor=handler, pk=order.pk, answer="已组织核实，约定下周三前答复信访人。")
            if i == 1:
                services.petition_urge(actor=office, reg_no=p.reg_no, note="电话催办：请加快办理进度。", order_id=order.pk)
        notes.append(f"督办单 {len(petitions)} 张")

    if not AccountabilityRecord.objects.exists():
        units = {u.code: u for u in Unit.objects.filter(code__in=["dept-hr", "dept-land", "dept-housing"])}
        rows = [
            ("dept-hr", "王某某", Matter.OVERDUE, "交办件超期12天未报结，经两次催办仍未办理。", "通报批评，限期办结"),
            ("dept-land", "李某某", Matter.LOST, "来信原件未按规定登记移交，造成材料遗失。", "诫勉谈话，补齐登记"),
            ("dept-hr", "赵某某", Matter.OVERDUE, "督办单逾期未答复。", "书面检查"),
            ("dept-housing", "钱某某", Matter.LEAKED, "将检举材料转给被反映人所在单位。", "移送纪检监察机关处理"),
        ]
        for code, person, matter, facts, decision in rows:
            if code in units:
                services.accountability_record(
                    actor=office,
                    unit=units[code],
                    person_name=person,
                    matter=matter,
                    facts=facts,
                    decision=decision,
                    decided_at=timezone.now() - timedelta(days=20),
                )
        notes.append("责任追究记录 4 条")

    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor and not InspectionRecord.objects.filter(supervisor=supervisor).exists():
        paths = supervised_township_paths(supervisor)
        townships = list(Region.objects.filter(path__in=paths, level=RegionLevel.TOWNSHIP).order_by("code")[:2])
        today = timezone.localdate()
        for i, t in enumerate(townships):
            services.inspection_record(
                actor=supervisor,
                township=t,
                date_=today - timedelta(days=3 + i * 4),
                findings="抽查在办信访件5件，1件未按期回复信访人。",
                follow_up="已告知乡镇信访办，三日内回复并报督查组。",
            )
        notes.append(f"督查记录 {len(townships)} 条")
    return "督办：" + ("，".join(notes) if notes else "已存在")
