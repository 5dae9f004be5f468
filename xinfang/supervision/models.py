"""Supervision (督办), urging (催办), accountability (问责), inspections (督查记录), the inbox and reminder marks.

Orders, urgings and accountability records are kept forever (`NoDeleteModel`). A supervision
step is also written onto the petition's timeline as an event, without changing its status.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.models import NoDeleteModel


class OrderForm(models.TextChoices):
    WRITTEN = "written", "书面督办"
    INTERVIEW = "interview", "约谈督办"
    ON_SITE = "on_site", "现场督办"
    JOINT = "joint", "联合督办"


class OrderStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class SupervisionOrder(NoDeleteModel):
    """督办单: the office (or a supervisor) asks the handling unit to answer by a date."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访件", on_delete=models.PROTECT, related_name="supervision_orders")
    unit = models.ForeignKey("org.Unit", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="supervision_orders")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("督办时间")
    form = models.CharField("督办方式", max_length=16, choices=OrderForm.choices, default=OrderForm.WRITTEN)
    requirements = models.TextField("督办要求")
    answer_due_at = models.DateTimeField("答复期限")
    status = models.CharField("状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    version = models.PositiveIntegerField("版本", default=1)
    answer = models.TextField("单位答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    close_note = models.TextField("办结意见", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # Set by the sweep when it claims the "answer overdue" reminder (conditional update: once).
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["unit", "status", "answer_due_at"], name="sup_order_unit_status"),
            models.Index(fields=["status", "answer_due_at"], name="sup_order_status_due"),
            models.Index(fields=["petition", "issued_at"], name="sup_order_petition"),
        ]

    def __str__(self):
        return f"督办单 {self.pk}"


class Urging(NoDeleteModel):
    """催办: a recorded push on the handling unit (by phone, notice, on site)."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访件", on_delete=models.PROTECT, related_name="urgings")
    unit = models.ForeignKey("org.Unit", verbose_name="被催办单位", on_delete=models.PROTECT, related_name="urgings")
    order = models.ForeignKey(
        SupervisionOrder, verbose_name="督办单", null=True, blank=True, on_delete=models.PROTECT, related_name="urgings"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催办人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("催办时间")
    note = models.TextField("催办内容")

    class Meta:
        verbose_name = verbose_name_plural = "催办记录"
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["unit", "at"], name="urging_unit_at"),
            models.Index(fields=["petition", "at"], name="urging_petition_at"),
        ]


class Matter(models.TextChoices):
    OVERDUE = "overdue", "超期未办结"
    LOST = "lost", "丢失信访材料"
    LEAKED = "leaked", "泄露信访人信息"
    OTHER = "other", "其他失职"


class AccountabilityRecord(NoDeleteModel):
    """问责: who is held responsible for what, and the decision."""

    petition = models.ForeignKey(
        "petitions.Petition", verbose_name="信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="accountability_records"
    )
    unit = models.ForeignKey("org.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="accountability_records")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    person_name = models.CharField("责任人", max_length=64)
    matter = models.CharField("事由", max_length=16, choices=Matter.choices)
    facts = models.TextField("事实经过")
    decision = models.TextField("处理决定")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = verbose_name_plural = "责任追究记录"
        ordering = ["-decided_at"]
        indexes = [
            models.Index(fields=["decided_at"], name="acc_decided_at"),
            models.Index(fields=["unit", "decided_at"], name="acc_unit_decided"),
            models.Index(fields=["person_name", "decided_at"], name="acc_person_decided"),
        ]


class InspectionRecord(NoDeleteModel):
    """督查记录 of a supervisor in a township of their group."""

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督查员", on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField("督查日期")
    township = models.ForeignKey("org.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="inspections")
    findings = models.TextField("发现问题")
    follow_up = models.TextField("跟进措施", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督查记录"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["supervisor", "date"], name="insp_supervisor_date"),
            models.Index(fields=["township", "date"], name="insp_township_date"),
        ]


class Notification(models.Model):
    """One message in a user's inbox. `dedupe_key` is unique: the same reminder is never written twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    kind = models.CharField("类型", max_length=40)
    dedupe_key = models.CharField(max_length=200, unique=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread"),
        ]


class Threshold(models.TextChoices):
    DUE_3D = "due_3d", "3天内到期"
    DUE_TODAY = "due_today", "今日到期"
    OVERDUE = "overdue", "已超期(承办单位负责人)"
    OVERDUE_3D = "overdue_3d", "超期3天(督查组)"
    OVERDUE_7D = "overdue_7d", "超期7天(包案领导)"


class ReminderMark(models.Model):
    """Claim of one reminder: once per petition, step, due time and threshold (the unique insert is the claim)."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="reminder_marks")
    step = models.CharField("环节", max_length=32)
    threshold = models.CharField("提醒档次", max_length=16, choices=Threshold.choices)
    due_at = models.DateTimeField("期限")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒记录"
        constraints = [models.UniqueConstraint(fields=["petition", "step", "threshold", "due_at"], name="reminder_once_per_step_threshold")]
