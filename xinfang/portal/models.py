"""The petitioner's side: published summaries (with consent), Open311 clients, idempotency, lockouts.

Consent itself is `Petition.public_consent` (可否公开, asked at registration); a summary can only
be published for a petition that carries it. Nothing here is deleted: a summary is withdrawn
(`withdrawn_at`), a lockout is cleared (`cleared_at`), a client is deactivated.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.crypto import EncryptedTextField
from xinfang.core.models import NoDeleteModel


def hash_api_key(raw: str) -> str:
    """API keys are stored as a keyed SHA-256 (the key is long and random, so no slow hash is needed)."""
    return hashlib.sha256((settings.SECRET_KEY + "|open311|" + raw).encode()).hexdigest()


class PublishedSummary(NoDeleteModel):
    """An anonymised summary of a petition and its result, shown on the portal (公开)."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="published_summaries")
    title = models.CharField("标题", max_length=100)
    summary = models.TextField("事项摘要(已去除身份信息)")
    result = models.TextField("处理结果")
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开事项摘要"
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(withdrawn_at__isnull=True), name="one_live_summary_per_petition")
        ]
        indexes = [models.Index(fields=["published_at"], condition=Q(withdrawn_at__isnull=True), name="summary_live_published")]

    def __str__(self):
        return self.title


class Open311Client(models.Model):
    """An external channel (12345 hotline, WeChat mini-program, county website) with its own API key."""

    name = models.CharField("名称", max_length=64)
    channel_code = models.CharField("渠道代码", max_length=64, unique=True)
    api_key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField("密钥末四位", max_length=8, blank=True, editable=False)
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 接入渠道"
        ordering = ["channel_code"]

    def __str__(self):
        return f"{self.name}（{self.channel_code}）"

    def set_api_key(self, raw: str | None = None) -> str:
        raw = raw or secrets.token_urlsafe(32)
        self.api_key_hash = hash_api_key(raw)
        self.key_hint = raw[-4:]
        return raw


class IdempotencyRecord(models.Model):
    """One accepted POST per (client, key): a retry returns the same petition, never a second one.

    `response` is the first answer's body (the query code in it), encrypted with the field keys, so a client whose
    first response was lost gets the identical body on a retry; it is emptied once `replay_until` (24 h) has passed
    (`manage.py open311_drop_replays`, from cron), and until then never answered after that time either."""

    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="idempotency_records")
    key = models.CharField(max_length=200)
    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    response = EncryptedTextField("首次应答（加密）", blank=True)
    replay_until = models.DateTimeField("重放截止", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="one_petition_per_idempotency_key")]
        indexes = [models.Index(fields=["replay_until"], condition=~Q(response=""), name="idem_replay_until")]


class Open311Request(NoDeleteModel):
    """What a GeoReport v2 POST said about where and from what (lat/long in WGS84, the address as sent, the media
    URL, the client's account and device ids), returned as sent by the request reads."""

    petition = models.OneToOneField("petitions.Petition", on_delete=models.PROTECT, related_name="open311")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    address_string = models.CharField("地址（原文）", max_length=500, blank=True)
    address_id = models.CharField("地址编号", max_length=64, blank=True)
    media_url = models.URLField("媒体链接", max_length=1000, blank=True)
    account_id = models.CharField("账户编号", max_length=100, blank=True)
    device_id = models.CharField("设备编号", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 请求位置与来源"


class QueryLockout(models.Model):
    """Wrong query codes per registration number. Locked after too many; the office can clear it.

    It only ever slows down guessing a code: submitting a new petition is never blocked.
    """

    reg_no = models.CharField("登记编号", max_length=40, unique=True)
    failures = models.PositiveIntegerField("错误次数", default=0)
    window_started_at = models.DateTimeField("计数起始")
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "查询锁定"
        indexes = [models.Index(fields=["locked_until"], name="lockout_locked_until")]


class LookupLockoutLog(NoDeleteModel):
    """What the office reads about query-code guessing and the petitioners' ways back (/portal/office/).

    A row when a number or a client enters a delay, at every 25th wrong code after that, and when
    a petitioner recovers (SMS code) or the office issues a new query code. The client is kept only
    as a short keyed hash (to see that one source is at work), never as an address.
    """

    class Kind(models.TextChoices):
        NUMBER_DELAY = "number_delay", "登记编号查询延时"
        CLIENT_DELAY = "client_delay", "同一来源查询延时"
        SMS_SENT = "sms_sent", "已向登记手机发送验证码"
        SMS_RECOVERED = "sms_recovered", "信访人凭短信验证码恢复查询"
        REISSUED = "reissued", "信访局重新发放查询码"

    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    reg_no = models.CharField("登记编号", max_length=40, blank=True)
    failures = models.PositiveIntegerField("错误次数", default=0)
    delay_seconds = models.PositiveIntegerField("延时（秒）", default=0)
    client_ref = models.CharField("来源（哈希）", max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "查询码安全记录"
        ordering = ["-at"]
