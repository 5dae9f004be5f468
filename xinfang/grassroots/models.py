"""Grassroots work: screening rounds, disputes and their mediation, information reports, publicity.

Everything here is about matters and places, never files on residents: there are no
person-tracking fields (no "重点人", no watch lists). Dispute parties are stored only as the
parties of one matter, encrypted at rest and masked for roles without the right
(`selectors.can_view_dispute_identity`). Nothing is deleted (`NoDeleteModel`): corrections
are new events.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.crypto import EncryptedTextField
from xinfang.core.models import NoDeleteModel


class DisputeLevel(models.TextChoices):
    VILLAGE = "village", "村级"
    TOWNSHIP = "township", "乡镇级"
    COUNTY = "county", "县级"


LEVEL_NEXT = {DisputeLevel.VILLAGE: DisputeLevel.TOWNSHIP, DisputeLevel.TOWNSHIP: DisputeLevel.COUNTY}


class DisputeKind(models.TextChoices):
    LAND = "land", "土地山林"
    NEIGHBOURS = "neighbours", "邻里纠纷"
    FAMILY = "family", "婚姻家庭"
    LABOUR = "labour", "劳资纠纷"
    ENVIRONMENT = "environment", "环境污染"
    DEMOLITION = "demolition", "征地拆迁"
    CONTRACT = "contract", "合同债务"
    OTHER = "other", "其他"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "调处中"
    RESOLVED = "resolved", "已化解"
    PETITIONED = "petitioned", "已转信访"


class RiskLevel(models.TextChoices):
    """The risk of the matter (escalation, harm), never a rating of a person."""

    LOW = "low", "一般"
    MEDIUM = "medium", "较大"
    HIGH = "high", "重大"


class DisputePolicy(models.Model):
    """Time targets per level (one row; `DisputePolicy.current()`), editable by the admin."""

    village_days = models.PositiveSmallIntegerField("村级调处时限(天)", default=7)
    township_days = models.PositiveSmallIntegerField("乡镇级调处时限(天)", default=15)
    county_days = models.PositiveSmallIntegerField("县级调处时限(天)", default=30)

    class Meta:
        verbose_name = verbose_name_plural = "纠纷调处时限"

    def __str__(self):
        return f"村{self.village_days}天/乡镇{self.township_days}天/县{self.county_days}天"

    @classmethod
    def current(cls) -> "DisputePolicy":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def days_for(self, level: str) -> int:
        return {DisputeLevel.VILLAGE: self.village_days, DisputeLevel.TOWNSHIP: self.township_days}.get(level, self.county_days)


class ScreeningRound(NoDeleteModel):
    """排查: one round in a township or village: when, who, which places; disputes found or none."""

    region = models.ForeignKey("org.Region", verbose_name="排查区域", on_delete=models.PROTECT, related_name="screening_rounds")
    township = models.ForeignKey("org.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("排查日期")
    conducted_by = models.CharField("排查人员", max_length=200)
    places = models.CharField("排查范围", max_length=300)
    none_found = models.BooleanField("未发现矛盾纠纷", default=False)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "排查记录"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["township", "held_on"], name="screening_twp_held")]

    def __str__(self):
        return f"{self.region} {self.held_on} 排查"


class Dispute(NoDeleteModel):
    """矛盾纠纷: one record from screening to resolution, whatever level it reaches."""

    number = models.CharField("编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=20, choices=DisputeKind.choices)
    region = models.ForeignKey("org.Region", verbose_name="发生地", on_delete=models.PROTECT, related_name="disputes")
    village = models.ForeignKey("org.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("org.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    description = models.TextField("纠纷简要情况")
    risk = models.CharField("事项风险等级", max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    mediator = models.CharField("调解人", max_length=64, blank=True)
    level = models.CharField("当前层级", max_length=10, choices=DisputeLevel.choices, default=DisputeLevel.VILLAGE)
    status = models.CharField("状态", max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    level_started_at = models.DateTimeField("本级开始时间")
    due_at = models.DateTimeField("本级调处期限", null=True, blank=True)
    escalations = models.PositiveSmallIntegerField("上报次数", default=0)
    resolved_level = models.CharField("化解层级", max_length=10, choices=DisputeLevel.choices, blank=True)
    resolved_at = models.DateTimeField("化解时间", null=True, blank=True)
    found_at = models.DateTimeField("发现时间")
    screening = models.ForeignKey(
        ScreeningRound, verbose_name="排查记录", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    source_report = models.ForeignKey(
        "grassroots.InfoReport", verbose_name="来源信息", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    petition = models.ForeignKey(
        "petitions.Petition", verbose_name="转为信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷"
        ordering = ["-found_at", "-pk"]
        indexes = [
            models.Index(fields=["township", "status"], name="dispute_twp_status"),
            models.Index(fields=["village", "status"], name="dispute_village_status"),
            models.Index(fields=["due_at"], condition=Q(status="open"), name="dispute_open_due"),
            models.Index(fields=["found_at"], name="dispute_found"),
        ]

    def __str__(self):
        return self.number


class DisputeParty(NoDeleteModel):
    """A party to one dispute. Identity encrypted at rest; masked for roles without the right."""

    class Side(models.TextChoices):
        APPLICANT = "applicant", "申请方"
        RESPONDENT = "respondent", "被申请方"
        OTHER = "other", "其他当事人"

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="parties")
    side = models.CharField("当事方", max_length=12, choices=Side.choices, default=Side.APPLICANT)
    name = EncryptedTextField("姓名")
    phone = EncryptedTextField("电话", blank=True)
    id_number = EncryptedTextField("身份证号", blank=True)
    address = EncryptedTextField("住址", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "纠纷当事人"
        ordering = ["dispute", "position", "pk"]


class MediationSession(NoDeleteModel):
    """调处: one mediation session; when agreement is reached its terms print as 调解协议书."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="sessions")
    level = models.CharField("层级", max_length=10, choices=DisputeLevel.choices)
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=100, blank=True)
    mediator = models.CharField("调解人", max_length=64)
    participants = models.CharField("参加人员", max_length=300)
    summary = models.TextField("调解情况")
    agreement_reached = models.BooleanField("达成协议", default=False)
    agreement_terms = models.TextField("协议内容", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解记录"
        ordering = ["dispute", "held_on", "pk"]


class DisputeEvent(NoDeleteModel):
    """One step in a dispute's timeline (found, session, escalate, resolve, petition...)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    from_level = models.CharField(max_length=10, blank=True)
    to_level = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dispute", "seq"]
        constraints = [models.UniqueConstraint(fields=["dispute", "seq"], name="dispute_event_seq_unique")]


class ReportKind(models.TextChoices):
    CONCERN = "concern", "群众诉求"
    DISPUTE = "dispute", "矛盾苗头"
    SUGGESTION = "suggestion", "意见建议"
    EVENT = "event", "突发事件"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    PROMPT = "prompt", "较急"
    URGENT = "urgent", "紧急"


class ReportStatus(models.TextChoices):
    NEW = "new", "待签收"
    ACKNOWLEDGED = "acknowledged", "已签收"
    FOLLOWED = "followed", "跟进中"
    CONVERTED = "converted", "已转纠纷/信访"


def report_photo_path(instance, filename):
    return f"grassroots/reports/{instance.sha256[:2]}/{instance.sha256}"


class InfoReport(NoDeleteModel):
    """信息报送: a short report of what residents raise in a place. No person-tracking fields."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name="地点", on_delete=models.PROTECT, related_name="info_reports")
    township = models.ForeignKey("org.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=ReportKind.choices, default=ReportKind.CONCERN)
    text = models.TextField("内容")
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    headcount = models.PositiveIntegerField("涉及人数", default=0)
    status = models.CharField("状态", max_length=14, choices=ReportStatus.choices, default=ReportStatus.NEW)
    photo = models.FileField("照片", upload_to=report_photo_path, max_length=255, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    photo_size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    urgent_ref = models.CharField("紧急报告编号", max_length=64, blank=True)
    petition = models.ForeignKey(
        "petitions.Petition", verbose_name="转为信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息报送"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["township", "created_at"], name="inforeport_twp_created"),
            models.Index(fields=["reporter", "created_at"], name="inforeport_reporter_created"),
            models.Index(fields=["status", "created_at"], name="inforeport_status_created"),
        ]


class InfoReportNote(NoDeleteModel):
    """A step on a report: acknowledged, followed up (with a note), converted."""

    report = models.ForeignKey(InfoReport, on_delete=models.PROTECT, related_name="notes")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "at", "pk"]


class PublicityForm(models.TextChoices):
    MEETING = "meeting", "村民会议/宣讲"
    LEAFLET = "leaflet", "发放资料"
    BANNER = "banner", "横幅标语/展板"
    BROADCAST = "broadcast", "广播/微信群"
    DOOR = "door", "入户宣传"
    OTHER = "other", "其他"


class PublicityRecord(NoDeleteModel):
    """宣传: publicity of the petition regulations and laws in a village."""

    held_on = models.DateField("日期")
    village = models.ForeignKey("org.Region", verbose_name="村", on_delete=models.PROTECT, related_name="publicity_records")
    township = models.ForeignKey("org.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    place = models.CharField("地点", max_length=100, blank=True)
    form = models.CharField("形式", max_length=12, choices=PublicityForm.choices)
    audience = models.PositiveIntegerField("受众人数", default=0)
    materials = models.CharField("资料/内容", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "宣传记录"
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["township", "held_on"], name="publicity_twp_held"),
            models.Index(fields=["village", "held_on"], name="publicity_village_held"),
        ]
