"""Reception days (接待日), the duty roster and log (值班), petition work meetings, urgent reports
(紧急报告), the emergency response group (应急处置工作组) and collective-visit responses (预案)."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from xinfang.core.models import NoDeleteModel

REPORT_LIMIT = timedelta(minutes=15)


class ReceptionDay(models.Model):
    """A leader's reception day of a unit (the seed: every Wednesday; 不许空岗)."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="reception_days")
    date = models.DateField("日期")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接访领导", null=True, blank=True, on_delete=models.PROTECT, related_name="reception_days"
    )
    place = models.CharField("地点", max_length=100)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "领导接待日"
        ordering = ["date", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="one_reception_day_per_unit_date")]
        indexes = [models.Index(fields=["date"], name="reception_day_date")]

    def __str__(self):
        return f"{self.date} {self.place}"


class ShiftKind(models.TextChoices):
    HOLIDAY = "holiday", "节假日"
    NORMAL = "normal", "工作日"


class DutyShift(models.Model):
    """One unit's duty for one day: the officer (24-hour phone) and the leader on call (带班领导)."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="duty_shifts")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=16, choices=ShiftKind.choices, default=ShiftKind.NORMAL)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="值班人员", null=True, blank=True, on_delete=models.PROTECT, related_name="duty_shifts"
    )
    phone = models.CharField("24小时值班电话", max_length=32, blank=True)
    leader_on_call = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="带班领导", null=True, blank=True, on_delete=models.PROTECT, related_name="duty_leads"
    )
    leader_phone = models.CharField("带班领导电话", max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "值班安排"
        ordering = ["date", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="one_duty_shift_per_unit_date")]
        indexes = [models.Index(fields=["date", "kind"], name="duty_date_kind")]

    def __str__(self):
        return f"{self.date} {self.unit}"


class DutyLogEntry(NoDeleteModel):
    class Kind(models.TextChoices):
        CALL = "call", "来电"
        VISIT = "visit", "来访"
        EVENT = "event", "突发事件"
        HANDOVER = "handover", "交接班"

    shift = models.ForeignKey(DutyShift, verbose_name="班次", on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    text = models.TextField("内容")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "值班日志"
        ordering = ["shift", "at", "pk"]
        indexes = [models.Index(fields=["shift", "at"], name="duty_log_shift_at")]


class WorkMeeting(NoDeleteModel):
    """信访工作会议 (the seed: at least two a year on hot and hard issues)."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="work_meetings")
    date = models.DateField("日期")
    chair = models.CharField("主持人", max_length=64)
    attendees = models.TextField("参会人员")
    issues = models.TextField("研究的热点难点问题")
    decisions = models.TextField("议定事项")
    follow_up_owners = models.TextField("落实责任人", blank=True)
    petitions = models.ManyToManyField("petitions.Petition", verbose_name="相关信访件", blank=True, related_name="work_meetings")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访工作会议"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["unit", "date"], name="meeting_unit_date"), models.Index(fields=["date"], name="meeting_date")]


class UrgentReport(NoDeleteModel):
    """紧急报告: the seed's 紧急报告制度, "在15分钟以内向局信访办和教办报告". The 15 minutes run from when the matter was
    found (`discovered_at`), not from when someone typed it in (`raised_at`). Late is computed from stored times."""

    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="urgent_reports")
    unit = models.ForeignKey(
        "org.Unit", verbose_name="报告单位", null=True, blank=True, on_delete=models.PROTECT, related_name="urgent_reports"
    )
    discovered_at = models.DateTimeField("发现时间")
    raised_at = models.DateTimeField("录入时间")
    what = models.TextField("事由")
    region = models.ForeignKey("org.Region", verbose_name="地点", on_delete=models.PROTECT, related_name="urgent_reports")
    headcount = models.PositiveIntegerField("人数", default=0)
    measures = models.TextField("已采取措施", blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上报人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_to_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="报告对象(人员)", blank=True, related_name="urgent_reports_received"
    )
    reported_to_units = models.ManyToManyField(
        "org.Unit", verbose_name="报告对象(单位)", blank=True, related_name="urgent_reports_received"
    )
    report_note = models.TextField("报告内容", blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    # 0 none, 1 the 5-minute reminder was claimed, 2 the 10-minute one (conditional update in the sweep).
    reminder_level = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "紧急报告"
        ordering = ["-raised_at"]
        indexes = [
            models.Index(fields=["raised_at"], name="urgent_raised_at"),
            models.Index(fields=["reported_at", "raised_at"], name="urgent_pending"),
            models.Index(fields=["reported_at", "discovered_at"], name="urgent_pending_discovered"),
        ]

    def __str__(self):
        return f"紧急报告 {self.pk}"

    @property
    def deadline(self):
        """15 minutes from discovery (the seed's clock), whenever the report was typed in."""
        return self.discovered_at + REPORT_LIMIT

    @property
    def typed_late(self) -> bool:
        """Typed in more than 15 minutes after the matter was found (the clock had already run out)."""
        return self.raised_at - self.discovered_at > REPORT_LIMIT

    @property
    def late(self) -> bool:
        """Reported upward more than 15 minutes after the matter was found (from stored times)."""
        return self.reported_at is not None and self.reported_at - self.discovered_at > REPORT_LIMIT

    def overdue_at(self, now) -> bool:
        return self.reported_at is None and now - self.discovered_at > REPORT_LIMIT


class ReportingRule(models.Model):
    """The organs a unit tells of an urgent matter (the seed, for a school: 局信访办 and 教办). Units in the tree and, for
    organs outside it, their names. A unit without a rule tells its superior unit and the county petition bureau."""

    unit = models.OneToOneField("org.Unit", verbose_name="报告单位", on_delete=models.PROTECT, related_name="reporting_rule")
    organs = models.ManyToManyField("org.Unit", verbose_name="报告对象（系统内单位）", blank=True, related_name="+")
    external_organs = models.TextField("报告对象（系统外，每行一个）", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "紧急报告对象"

    def external_names(self) -> list[str]:
        return [line.strip() for line in self.external_organs.splitlines() if line.strip()]


class NoticeMethod(models.TextChoices):
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    IN_PERSON = "in_person", "当面"
    WRITTEN = "written", "书面"
    SYSTEM = "system", "系统报送"


class UrgentNotice(NoDeleteModel):
    """One organ told of an urgent report: which organ, when, how, and who took it. Each is its own record."""

    report = models.ForeignKey(UrgentReport, on_delete=models.PROTECT, related_name="notices")
    organ = models.ForeignKey("org.Unit", verbose_name="报告对象单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organ_name = models.CharField("报告对象", max_length=100)
    told_at = models.DateTimeField("报告时间")
    method = models.CharField("方式", max_length=16, choices=NoticeMethod.choices)
    contact = models.CharField("接报人", max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "紧急报告报告记录"
        ordering = ["report", "told_at", "pk"]

    @property
    def late(self) -> bool:
        return self.told_at - self.report.discovered_at > REPORT_LIMIT


class UrgentNote(NoDeleteModel):
    """What was done on the spot: 临时紧急防控措施, 劝解疏导, 安抚 (the seed's 紧急报告制度), each its own record."""

    class Kind(models.TextChoices):
        MEASURE = "measure", "临时紧急防控措施"
        COUNSEL = "counsel", "劝解疏导"
        COMFORT = "comfort", "安抚工作"

    report = models.ForeignKey(UrgentReport, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    text = models.TextField("内容")
    at = models.DateTimeField("时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "紧急报告处置记录"
        ordering = ["report", "at", "pk"]


class EmergencyGroup(models.Model):
    """应急处置工作组 of a unit."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="emergency_groups")
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "应急处置工作组"
        ordering = ["unit", "name"]

    def __str__(self):
        return self.name


class EmergencyMember(models.Model):
    group = models.ForeignKey(EmergencyGroup, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=64)
    duty = models.CharField("分工", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    active = models.BooleanField("在组", default=True)

    class Meta:
        ordering = ["group", "pk"]

    def __str__(self):
        return self.name


class EmergencyResource(models.Model):
    class Kind(models.TextChoices):
        VEHICLE = "vehicle", "车辆"
        SUPPLIES = "supplies", "物资"
        FUNDS = "funds", "经费"

    group = models.ForeignKey(EmergencyGroup, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    quantity = models.CharField("数量", max_length=32, blank=True)
    keeper = models.CharField("保管人/联系方式", max_length=64, blank=True)
    active = models.BooleanField("可用", default=True)

    class Meta:
        ordering = ["group", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class Mobilisation(NoDeleteModel):
    """A report mobilises members and resources of an emergency group (recorded)."""

    report = models.ForeignKey(UrgentReport, on_delete=models.PROTECT, related_name="mobilisations")
    group = models.ForeignKey(EmergencyGroup, on_delete=models.PROTECT, related_name="mobilisations")
    members = models.ManyToManyField(EmergencyMember, blank=True, related_name="+")
    resources = models.ManyToManyField(EmergencyResource, blank=True, related_name="+")
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("调度时间")

    class Meta:
        ordering = ["report", "at"]


class ResponsePlan(models.Model):
    """预案 for a type of collective visit (the seed: 先控制再化解)."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="response_plans")
    visit_type = models.CharField("类型", max_length=64)
    title = models.CharField("预案名称", max_length=100)
    steps = models.TextField("处置步骤")
    checklist = models.TextField("处置清单（每行一项，登记集体访时逐项落实）", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "集体访处置预案"
        ordering = ["unit", "visit_type"]

    def __str__(self):
        return self.title


class CollectiveVisitResponse(NoDeleteModel):
    """The response to one collective visit: plan used, representatives, arrivals on site, outcome."""

    report = models.ForeignKey(UrgentReport, null=True, blank=True, on_delete=models.PROTECT, related_name="collective_responses")
    petition = models.ForeignKey("petitions.Petition", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ResponsePlan, verbose_name="预案", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    representatives = models.TextField("代表(不超过5人)", blank=True)
    outcome = models.TextField("处置结果", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The checklist opened by registering a collective visit (先控制再化解): from when, the plan's items as they were then.
    opened_at = models.DateTimeField("开始处置时间", null=True, blank=True)
    checklist = models.TextField("预案清单", blank=True)
    # How many representatives were chosen (≤ 5); who they are is on the petition (its identity rules apply there).
    representatives_count = models.PositiveSmallIntegerField("推选代表人数", null=True, blank=True)
    closed_at = models.DateTimeField("处置完毕时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["closed_at", "opened_at"], name="collective_open")]

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class CollectiveStep(NoDeleteModel):
    """One thing done for a collective visit, with who and when: the superior leader told (信访办及时报告上级主管领导), the
    police informed (知会公安、武警等部门派人到现场维持秩序), or a step of the unit's 预案."""

    class Kind(models.TextChoices):
        SUPERIOR_TOLD = "superior_told", "报告上级主管领导"
        POLICE_INFORMED = "police_informed", "知会公安"
        PLAN_STEP = "plan_step", "预案步骤"

    response = models.ForeignKey(CollectiveVisitResponse, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    label = models.CharField("事项", max_length=200, blank=True)
    person = models.CharField("对象/人员", max_length=100)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "集体访处置记录"
        ordering = ["response", "at", "pk"]


class Arrival(NoDeleteModel):
    """Who arrived on site and when; the unit's leader must be there first."""

    response = models.ForeignKey(CollectiveVisitResponse, on_delete=models.PROTECT, related_name="arrivals")
    name = models.CharField("姓名", max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_unit_leader = models.BooleanField("单位主要领导", default=False)
    arrived_at = models.DateTimeField("到场时间")

    class Meta:
        ordering = ["response", "arrived_at", "pk"]


class FirstReceipt(NoDeleteModel):
    """首问责任 (the seed: 本单位工作人员均有责任将上访人引领到信访办公室): a staff member who was first asked logs that they
    brought a visitor to the petition office, and when. The clerk's registration links it; the petition's 首问责任人 is
    then this staff member. Nothing here describes the visitor beyond what they came about: no identity, no profile."""

    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="首问责任人", on_delete=models.PROTECT, related_name="first_receipts"
    )
    unit = models.ForeignKey("org.Unit", verbose_name="首问责任人单位", on_delete=models.PROTECT, related_name="first_receipts")
    brought_at = models.DateTimeField("引领到信访办的时间")
    place = models.CharField("在何处被问到", max_length=100, blank=True)
    matter = models.CharField("来访事由（简要）", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("来访人数", default=1)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    petition = models.OneToOneField(
        "petitions.Petition", verbose_name="登记的信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="first_receipt"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField("关联时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "首问登记"
        ordering = ["-brought_at", "-pk"]
        indexes = [
            models.Index(fields=["petition", "brought_at"], name="first_receipt_open"),
            models.Index(fields=["unit", "brought_at"], name="first_receipt_unit"),
        ]

    def __str__(self):
        return f"首问登记 {self.pk}"


class CrossLevelReport(NoDeleteModel):
    """越级访 (the seed: 做好宣传和疏导工作，及时准确向上一级领导和主管部门报告情况，并明确责成有关部门和责任主体单位采取积极措施).
    What was explained to the petitioner, to whom above it was reported and when, and which unit was asked to act on the
    matter. It records the office's work on the matter, never anything against the petitioner: petitioning any level
    is their right, and nothing here blocks, scores or follows them."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="cross_level_reports")
    guidance = models.TextField("宣传疏导（向信访人说明的政策和渠道）")
    reported_to_unit = models.ForeignKey(
        "org.Unit", verbose_name="报告对象（单位）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_to = models.CharField("报告对象", max_length=100)
    reported_at = models.DateTimeField("报告时间")
    situation = models.TextField("报告情况")
    responsible_unit = models.ForeignKey(
        "org.Unit", verbose_name="责成单位（责任主体）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measures = models.TextField("责成采取的措施", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "越级访疏导与报告"
        ordering = ["petition", "reported_at", "pk"]


class DutyRule(models.Model):
    """What duty a unit must keep (the seed): a school's 每天一名副校级教干带班 (`daily_leader`: a leader on every day),
    and 节假日值班 (`holiday_duty`: on every rest day an officer with a 24-hour phone and a leader on call). A unit without
    a row follows its kind: schools both, the petition bureau holiday duty."""

    unit = models.OneToOneField("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="duty_rule")
    daily_leader = models.BooleanField("每天安排带班领导", default=False)
    holiday_duty = models.BooleanField("节假日值班（值班人员、24小时电话、带班领导）", default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "值班规则"


class AwayReport(NoDeleteModel):
    """校长外出办事当日不能返校的向教办报告: a principal away overnight, reported to the 教办 (or the unit's superior)."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="away_reports")
    principal = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="外出人", on_delete=models.PROTECT, related_name="away_reports")
    leaves_on = models.DateField("外出日期")
    returns_on = models.DateField("返校日期")
    purpose = models.CharField("外出事由及去向", max_length=200)
    acting = models.CharField("外出期间负责人及电话", max_length=100)
    reported_to = models.CharField("报告对象", max_length=100)
    reported_at = models.DateTimeField("报告时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "外出报告"
        ordering = ["-leaves_on", "-pk"]
        indexes = [models.Index(fields=["unit", "leaves_on"], name="away_unit_leaves")]
