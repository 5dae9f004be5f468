"""Messages to the petitioner (短信告知) and their refusal.

One `PetitionerMessage` per petition, legal step and phone: the text (the same one the portal shows), the phone
(encrypted), the gateway's message id and where delivery stands. Its attempts and the gateway's answers are written on
the petition's timeline too (event types `message_*`), so the office sees them on the petition page.
Nothing is deleted: a message that failed stays with its last error.
"""

from django.db import models

from xinfang.core.crypto import EncryptedTextField
from xinfang.core.models import NoDeleteModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    RETRYING = "retrying", "发送失败，等待重试"
    SENT = "sent", "网关已接收，待送达回执"
    DELIVERED = "delivered", "已送达"
    REJECTED = "rejected", "网关拒收"
    FAILED = "failed", "未能送达"
    SKIPPED = "skipped", "仅网上告知（未发短信）"


FINAL_STATUSES = {MessageStatus.DELIVERED, MessageStatus.REJECTED, MessageStatus.FAILED, MessageStatus.SKIPPED}


class PetitionerMessage(NoDeleteModel):
    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="petitioner_messages")
    event = models.ForeignKey("petitions.PetitionEvent", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    step = models.CharField("告知事项", max_length=40)
    text = models.TextField("短信内容")
    phone = EncryptedTextField("手机号码")
    status = models.CharField("状态", max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次重试", null=True, blank=True, db_index=True)
    gateway_id = models.CharField("网关消息编号", max_length=100, blank=True, db_index=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("网关接收时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访人短信"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.petition_id}:{self.step}"

    @property
    def step_label(self) -> str:
        from xinfang.messaging.texts import STEP_LABELS

        return STEP_LABELS.get(self.step, self.step)


class MessagePreference(models.Model):
    """不接收短信: the petitioner's refusal, set at online registration or from the portal (its change is an event)."""

    petition = models.OneToOneField("petitions.Petition", on_delete=models.PROTECT, related_name="message_preference")
    refused = models.BooleanField("不接收短信告知", default=False)
    changed_at = models.DateTimeField("更改时间")
    via = models.CharField("来源", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信告知意愿"
