"""The record that proves itself (DESIGN.md, "The record proves itself").

- `EventSeal`: one per petition event — the key that signed it and the digest of the petition's key
  fields right after it. The event's own `hash` column holds the HMAC (`xinfang.audit.chain`).
- `ChainHead`: one per petition and chain (events, access log) — last seq, last hash, the petition's
  state digest, signed; written in the transaction that appends to the chain.
- `Checkpoint`: a signed snapshot of every head (`manage.py checkpoint`, daily), exported and filed
  outside the system, so deleting the newest events or replaying an old head is found later.

Seals and checkpoints are never changed or deleted, heads never deleted: the database refuses it
(`xinfang.audit.immutability`, triggers on PostgreSQL and SQLite).
"""

from django.db import models


class Chain(models.TextChoices):
    EVENTS = "event", "信访件事件"
    ACCESS = "access", "身份信息查看记录"


# Seals of events written before the chain was keyed (plain SHA-256 links). They are checked as they
# were written and anchored by the signed head and the first keyed event after them.
LEGACY_KEY_ID = "sha256"


class EventSeal(models.Model):
    event = models.OneToOneField(
        "petitions.PetitionEvent", verbose_name="事件", primary_key=True, on_delete=models.PROTECT, related_name="seal"
    )
    key_id = models.CharField("签名密钥", max_length=16)
    # sha256 of the petition's key fields as they stood when the event was written ("" for legacy events).
    state = models.CharField("关键字段摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件封记"


class ChainHead(models.Model):
    chain = models.CharField("链", max_length=16, choices=Chain.choices)
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访件", on_delete=models.PROTECT, related_name="chain_heads")
    last_seq = models.PositiveIntegerField("最后序号")
    last_hash = models.CharField("最后哈希", max_length=64)
    state = models.CharField("关键字段摘要", max_length=64, blank=True)
    key_id = models.CharField("签名密钥", max_length=16)
    mac = models.CharField("链头签名", max_length=64)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "链头"
        constraints = [models.UniqueConstraint(fields=["chain", "petition"], name="chain_head_unique")]

    def __str__(self):
        return f"{self.chain}:{self.petition_id}@{self.last_seq}"


class Checkpoint(models.Model):
    number = models.PositiveIntegerField("编号", unique=True)
    created_at = models.DateTimeField("时间")
    created_by = models.CharField("生成人", max_length=64, blank=True)
    key_id = models.CharField("签名密钥", max_length=16)
    prev_mac = models.CharField("上一检查点签名", max_length=64, blank=True)
    petitions = models.PositiveIntegerField("信访件数")
    event_heads = models.PositiveIntegerField("事件链数")
    events = models.PositiveBigIntegerField("事件数")
    access_heads = models.PositiveIntegerField("查看记录链数")
    access_records = models.PositiveBigIntegerField("查看记录数")
    # sha256 over every head (chain, petition id, reg_no, seq, hash), in order.
    digest = models.CharField("链头摘要", max_length=64)
    # (petition id, seq) of every head, compressed (`xinfang.audit.checkpoints.encode_entries`).
    entries = models.BinaryField("链头清单")
    mac = models.CharField("签名", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "事件链检查点"
        ordering = ["-number"]

    def __str__(self):
        return f"检查点 #{self.number}"
