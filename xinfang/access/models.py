"""Records of the access policy: identity grants, their revocations, confirmed respondent
matches and the access log. None of them is ever changed or deleted: a revocation is a new
record, a wrong match is answered by the office (never by deleting the record).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.models import NoDeleteModel


class IdentityField(models.TextChoices):
    NAME = "name", "姓名"
    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "电话"
    ADDRESS = "address", "住址"
    WORK_UNIT = "work_unit", "工作单位"


ALL_IDENTITY_FIELDS = tuple(IdentityField.values)


class IdentityGrant(NoDeleteModel):
    """The registering office lets one user (or one unit) see a confidential petition's identity.

    The grant never widens scope: the grantee must still be able to see the petition.
    """

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访件", on_delete=models.PROTECT, related_name="identity_grants")
    grantee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权给(人员)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identity_grants",
    )
    grantee_unit = models.ForeignKey(
        "org.Unit", verbose_name="授权给(单位)", null=True, blank=True, on_delete=models.PROTECT, related_name="identity_grants"
    )
    fields = models.JSONField("可见字段", default=list)
    reason = models.TextField("授权理由")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="授权人", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("授权时间")
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "身份信息授权"
        ordering = ["-granted_at", "-pk"]
        permissions = [("view_identity", "可查看保密信访件的信访人身份信息（限登记机关）")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grantee_user__isnull=False) & Q(grantee_unit__isnull=True))
                | (Q(grantee_user__isnull=True) & Q(grantee_unit__isnull=False)),
                name="identity_grant_one_grantee",
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "grantee_user"], name="grant_petition_user"),
            models.Index(fields=["petition", "grantee_unit"], name="grant_petition_unit"),
        ]

    def __str__(self):
        return f"{self.petition_id} → {self.grantee_user or self.grantee_unit}"

    @property
    def grantee_label(self) -> str:
        if self.grantee_user_id:
            user = self.grantee_user
            return f"{user.display_name}（{user.unit.name if user.unit_id else '无单位'}）"
        return f"{self.grantee_unit.name}（全单位）"

    @property
    def field_labels(self) -> list[str]:
        return [IdentityField(f).label for f in self.fields if f in ALL_IDENTITY_FIELDS]


class GrantRevocation(NoDeleteModel):
    """Revoking a grant is a new record; the grant itself stays as it was."""

    grant = models.OneToOneField(IdentityGrant, verbose_name="授权", on_delete=models.PROTECT, related_name="revocation")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField("撤销时间")
    reason = models.TextField("撤销理由")

    class Meta:
        verbose_name = verbose_name_plural = "身份信息授权撤销"


class RespondentMatch(NoDeleteModel):
    """A respondent (被反映人, recorded by name and unit) is this user: blocked from the petition exactly as a
    directly linked respondent.

    Two ways in: the office confirms it (`confirmed_by`), or registration presumes it (`presumed`, no
    `confirmed_by`) because the name and unit match a user's — DESIGN.md: such a respondent is treated as
    that user until the office clears the match (`RespondentMatchClearance`, with its own event).
    """

    respondent = models.ForeignKey("petitions.Respondent", verbose_name="被反映人", on_delete=models.PROTECT, related_name="matches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="对应账号", on_delete=models.PROTECT, related_name="respondent_matches")
    presumed = models.BooleanField("登记时按姓名与单位推定", default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "被反映人账号确认"
        constraints = [models.UniqueConstraint(fields=["respondent", "user"], name="respondent_match_unique")]
        indexes = [models.Index(fields=["user"], name="respondent_match_user")]


class RespondentMatchClearance(NoDeleteModel):
    """The office clears a presumed match (a namesake in the same unit): from then on the user is not blocked.

    A new record; the match itself is kept as it was."""

    match = models.OneToOneField(RespondentMatch, verbose_name="推定匹配", on_delete=models.PROTECT, related_name="clearance")
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="排除人", on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField("排除时间")
    reason = models.TextField("理由")

    class Meta:
        verbose_name = verbose_name_plural = "被反映人推定匹配排除"


class AccessRecord(NoDeleteModel):
    """One view of unmasked identity (or a protected file): who, when, which petition, which fields, why.

    Chained per petition like the events (`xinfang.audit.chain.append_access_records`: seq, prev_hash, an
    HMAC in `hash`, the key's id); the database refuses UPDATE, DELETE and TRUNCATE.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查看人", null=True, on_delete=models.PROTECT, related_name="access_records"
    )
    at = models.DateTimeField("时间")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访件", on_delete=models.PROTECT, related_name="access_records")
    fields = models.JSONField("字段", default=list)
    purpose = models.CharField("用途", max_length=200)
    path = models.CharField("页面/接口", max_length=300, blank=True)
    via_grant = models.ForeignKey(IdentityGrant, verbose_name="依据授权", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField("序号")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    key_id = models.CharField("签名密钥", max_length=16)

    class Meta:
        verbose_name = verbose_name_plural = "身份信息查看记录"
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["petition", "seq"], name="access_record_seq_unique")]
        indexes = [
            models.Index(fields=["at"], name="access_at"),
            models.Index(fields=["user", "at"], name="access_user_at"),
            models.Index(fields=["petition", "at"], name="access_petition_at"),
        ]

    @property
    def field_labels(self) -> list[str]:
        labels = dict(IdentityField.choices) | {"attachment": "附件"}
        return [labels.get(f, f) for f in self.fields]
