"""Assessment (考核): configurable schemes, and period score sheets that keep every point.

A scheme targets either units (承办单位) or one network role (督查员, 信息员, 安全信息员 ...).
Its rules give points per counted event (positive = award, negative = deduction), with an
optional cap. A score sheet is computed once for a period and stored line by line (subject ×
rule: count, points each, points), so the breakdown of every point can be shown and exported
later exactly as it was. Sheets and lines are never deleted; a recomputation is a new sheet.
"""

from django.conf import settings
from django.db import models

from xinfang.core.models import NoDeleteModel
from xinfang.org.models import PostRole


class Target(models.TextChoices):
    UNIT = "unit", "单位"
    NETWORK = "network", "网络岗位"


class Metric(models.TextChoices):
    # units: figures of the petitions registered in the period and handled by the unit
    UNIT_ASSIGNED = "unit_assigned", "交办件数"
    UNIT_ON_TIME = "unit_on_time", "按期答复件"
    UNIT_REPLIED_LATE = "unit_replied_late", "超期答复件"
    UNIT_OVERDUE_OPEN = "unit_overdue_open", "超期未办结件"
    UNIT_RETURNED = "unit_returned", "退回次数"
    UNIT_SATISFIED = "unit_satisfied", "满意/基本满意件"
    UNIT_DISSATISFIED = "unit_dissatisfied", "不满意件"
    UNIT_SUPERVISION_ORDERS = "unit_supervision_orders", "收到督办单"
    UNIT_ACCOUNTABILITY = "unit_accountability", "责任追究记录"
    # network posts: events in the period
    POST_INFO_REPORTS = "post_info_reports", "报送信息条数"
    POST_INSPECTIONS = "post_inspections", "督查记录条数"
    POST_SAFETY_REPORTS = "post_safety_reports", "报送安全信息条数"
    POST_SAFETY_QUOTA_MISSED = "post_safety_quota_missed", "安全信息未完成月度条数的月数"
    POST_REPORTING_FAILURES = "post_reporting_failures", "未报告不安全因素/事故次数"


UNIT_METRICS = [m for m in Metric if m.value.startswith("unit_")]
POST_METRICS = [m for m in Metric if m.value.startswith("post_")]


class AssessmentScheme(models.Model):
    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    target = models.CharField("考核对象", max_length=16, choices=Target.choices)
    post_role = models.CharField("网络岗位", max_length=32, choices=PostRole.choices, blank=True)
    base_points = models.DecimalField("基础分", max_digits=7, decimal_places=2, default=100)
    active = models.BooleanField("在用", default=True)
    note = models.TextField("说明", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def current_rules(self):
        return self.rules.filter(scheme_version=self.version).order_by("position", "pk")


class AssessmentRule(NoDeleteModel):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name="方案", on_delete=models.PROTECT, related_name="rules")
    # Rules are never deleted: editing a scheme bumps its version and writes a new set of rules.
    scheme_version = models.PositiveIntegerField("方案版本", default=1)
    metric = models.CharField("计分事项", max_length=40, choices=Metric.choices)
    points = models.DecimalField("每次分值", max_digits=7, decimal_places=2, help_text="正数加分，负数扣分")
    cap = models.DecimalField("封顶(绝对值)", max_digits=7, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "计分规则"
        ordering = ["scheme", "scheme_version", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "scheme_version", "metric"], name="one_rule_per_metric")]


class AssessmentSheet(NoDeleteModel):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name="方案", on_delete=models.PROTECT, related_name="sheets")
    scheme_version = models.PositiveIntegerField("方案版本", default=1)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    scope_path = models.CharField("统计范围", max_length=255)
    base_points = models.DecimalField("基础分", max_digits=7, decimal_places=2)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    notes = models.JSONField("数据说明", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核评分表"
        ordering = ["-generated_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "-generated_at"], name="sheet_scheme_generated")]


class AssessmentLine(NoDeleteModel):
    sheet = models.ForeignKey(AssessmentSheet, on_delete=models.PROTECT, related_name="lines")
    subject_key = models.CharField("对象代码", max_length=64)
    subject_name = models.CharField("考核对象", max_length=100)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey("org.NetworkPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    metric = models.CharField("计分事项", max_length=40, choices=Metric.choices)
    count = models.PositiveIntegerField("次数")
    points_each = models.DecimalField("每次分值", max_digits=7, decimal_places=2)
    points = models.DecimalField("得分", max_digits=9, decimal_places=2)
    capped = models.BooleanField("已封顶", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "考核得分明细"
        ordering = ["sheet", "subject_key", "pk"]
        indexes = [models.Index(fields=["sheet", "subject_key"], name="line_sheet_subject")]


# ---- summaries (xinfang.stats.summaries): derived rows, rebuilt from the petitions, never the record ----------------


class SummaryDay(models.Model):
    """A registration day whose summary rows were built (at `refreshed_at`). The day is used from the summary only
    while it has no change marked after that (SummaryChange)."""

    day = models.DateField("登记日", primary_key=True)
    refreshed_at = models.DateTimeField("汇总时间")

    class Meta:
        verbose_name = verbose_name_plural = "统计汇总日"


class SummaryChange(models.Model):
    """A day some petition of which was written since its summary (a database trigger on the petitions table adds
    one row per statement and day, whoever writes: services, imports, loaders, raw SQL)."""

    day = models.DateField("登记日", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计待汇总日"


class KpiFigures(models.Model):
    """The parts of every KPI that do not depend on when they are asked (kpis.static_figures), counted with the same Q
    objects as the live aggregate: one day's (KpiDay) or one calendar month's (KpiMonth) in one summary region."""

    total = models.PositiveIntegerField(default=0)
    collective = models.PositiveIntegerField(default=0)
    cross_level = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    first_time = models.PositiveIntegerField(default=0)
    first_time_resolution_num = models.PositiveIntegerField(default=0)
    first_time_resolution_den = models.PositiveIntegerField(default=0)
    on_time_completion_num = models.PositiveIntegerField(default=0)
    on_time_completion_den = models.PositiveIntegerField(default=0)
    timely_dispatch_num = models.PositiveIntegerField(default=0)
    timely_dispatch_den = models.PositiveIntegerField(default=0)
    timely_acceptance_num = models.PositiveIntegerField(default=0)
    timely_acceptance_den = models.PositiveIntegerField(default=0)
    evaluation_rate_num = models.PositiveIntegerField(default=0)
    evaluation_rate_den = models.PositiveIntegerField(default=0)
    satisfaction_rate_num = models.PositiveIntegerField(default=0)
    satisfaction_rate_den = models.PositiveIntegerField(default=0)
    repeat_rate_num = models.PositiveIntegerField(default=0)
    repeat_rate_den = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class KpiDay(KpiFigures):
    """One registration day × one summary region (the petition's region at `summaries.DEPTH`, the township)."""

    day = models.DateField("登记日")
    node = models.ForeignKey("org.Region", verbose_name="汇总区域", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考核指标日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "node"], name="kpiday_unique")]


class KpiMonth(KpiFigures):
    """One calendar month × one summary region: the sum of that month's KpiDay rows, rebuilt with them, so a year sums
    twelve rows a township instead of 365. Read only for a month every day of which is clean (summaries)."""

    month = models.DateField("月份（首日）")
    node = models.ForeignKey("org.Region", verbose_name="汇总区域", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考核指标月汇总"
        constraints = [models.UniqueConstraint(fields=["month", "node"], name="kpimonth_unique")]


class DimDay(models.Model):
    """One registration day × summary region × dimension value: the counts behind the dashboard's breakdowns
    (channel, nature, category, handling unit). Rows without a region hold the whole day (a year of the whole scope
    reads 48 rows a day, not 48 per township)."""

    day = models.DateField("登记日")
    node = models.ForeignKey("org.Region", verbose_name="汇总区域", null=True, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField("维度", max_length=16)
    key = models.CharField("取值", max_length=64)  # a choice code, or the category / unit id ("" = none)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "分类统计日汇总"
        indexes = [
            models.Index(fields=["day", "dimension"], name="dimday_day_dim"),
            models.Index(fields=["node", "day"], name="dimday_node_day"),
        ]


class DimMonth(models.Model):
    """One calendar month × summary region × dimension value: the sum of the month's DimDay rows (node NULL: the whole
    month), rebuilt with them."""

    month = models.DateField("月份（首日）")
    node = models.ForeignKey("org.Region", verbose_name="汇总区域", null=True, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField("维度", max_length=16)
    key = models.CharField("取值", max_length=64)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "分类统计月汇总"
        indexes = [models.Index(fields=["month", "dimension"], name="dimmonth_month_dim")]
