"""School safety information (安全信息): reports by safety information officers, the monthly
record, year-end recognition and failures to report. Nothing is deleted."""

from django.conf import settings
from django.db import models

from xinfang.core.models import NoDeleteModel


class SafetyCategory(models.TextChoices):
    """The seed's five kinds of safety information."""

    SUGGESTION = "suggestion", "安全工作意见建议"
    MEASURES = "measures", "部门会议、活动及措施"
    INCIDENT = "incident", "近期安全事故和事件"
    HAZARD = "hazard", "气候等因素火灾/交通事故提醒"
    ACCIDENT_REPORT = "accident_report", "安全事故举报"


class SafetyChannel(models.TextChoices):
    WRITTEN = "written", "文字"
    PHONE = "phone", "电话"
    SMS = "sms", "手机短信"
    ORAL = "oral", "口头"


class Importance(models.TextChoices):
    NORMAL = "normal", "一般"
    IMPORTANT = "important", "重要"
    MAJOR = "major", "重大(立即处理)"


class ValueRating(models.TextChoices):
    HIGH = "high", "价值高"
    MEDIUM = "medium", "有价值"
    LOW = "low", "价值一般"


class SafetyReport(NoDeleteModel):
    post = models.ForeignKey("org.NetworkPost", verbose_name="安全信息员", on_delete=models.PROTECT, related_name="safety_reports")
    school = models.ForeignKey("org.Unit", verbose_name="学校", on_delete=models.PROTECT, related_name="safety_reports")
    # The officer's own account when filed in the system; empty for items passed on by phone or
    # orally to the school and entered for an officer without an account.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送账号", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("信息类别", max_length=20, choices=SafetyCategory.choices)
    channel = models.CharField("传递方式", max_length=10, choices=SafetyChannel.choices)
    content = models.TextField("内容")
    importance = models.CharField("重要程度", max_length=10, choices=Importance.choices, default=Importance.NORMAL)
    reported_at = models.DateTimeField("报送时间")
    # The calendar month (Asia/Shanghai) the report counts for: the first day of that month.
    month = models.DateField("所属月份")
    value_rating = models.CharField("学校评定价值", max_length=10, choices=ValueRating.choices, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attended_at = models.DateTimeField("处理时间", null=True, blank=True)
    attention_note = models.CharField("处理情况", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "安全信息"
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "month"], name="safety_school_month"),
            models.Index(fields=["post", "month"], name="safety_post_month"),
            models.Index(fields=["importance", "attended_at"], name="safety_major_open"),
        ]

    @property
    def is_major(self) -> bool:
        return self.importance == Importance.MAJOR


class Recognition(NoDeleteModel):
    """Year-end advanced individual (1–2 per school and year), or a reward for a report that
    prevented an accident (重奖 for a major one)."""

    class Kind(models.TextChoices):
        ADVANCED = "advanced", "年度安全工作先进个人"
        REWARD = "reward", "奖励(预防事故)"
        MAJOR_REWARD = "major_reward", "重奖(预防重大事故)"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    school = models.ForeignKey("org.Unit", verbose_name="学校", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey("org.NetworkPost", verbose_name="安全信息员", on_delete=models.PROTECT, related_name="recognitions")
    report = models.ForeignKey(SafetyReport, verbose_name="相关信息", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("事由", max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("决定日期")

    class Meta:
        verbose_name = verbose_name_plural = "表彰奖励"
        ordering = ["-year", "school", "kind"]
        indexes = [models.Index(fields=["school", "year", "kind"], name="recognition_school_year")]


class ReportingFailure(NoDeleteModel):
    """A known hazard or accident the officer did not report, with the school's decision."""

    class Decision(models.TextChoices):
        CRITICISM = "criticism", "批评教育"
        DISCIPLINE = "discipline", "纪律处分"
        REVOKE = "revoke", "纪律处分并解聘信息员资格"

    school = models.ForeignKey("org.Unit", verbose_name="学校", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey("org.NetworkPost", verbose_name="安全信息员", on_delete=models.PROTECT, related_name="reporting_failures")
    hazard = models.TextField("未报告的不安全因素/事故")
    known_on = models.DateField("知悉日期")
    decision = models.CharField("学校决定", max_length=12, choices=Decision.choices)
    decision_text = models.CharField("决定说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("决定日期")

    class Meta:
        verbose_name = verbose_name_plural = "未报告记录"
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["school", "decided_on"], name="failure_school_decided")]
