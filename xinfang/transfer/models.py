"""Import jobs for legacy petition registers, and the column mapping saved per source.

An `ImportJob` is never deleted: it is the record of who imported what file (by SHA-256),
with which mapping, and what came of it (row errors of the dry run, the petitions made).
"""

from django.conf import settings
from django.db import models

from xinfang.core.models import NoDeleteModel


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", "待映射"
    VALIDATING = "validating", "校验中"
    INVALID = "invalid", "校验未通过"
    VALIDATED = "validated", "校验通过，待导入"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已导入"
    FAILED = "failed", "导入失败（未写入任何数据）"


RUNNING_STATUSES = {JobStatus.VALIDATING, JobStatus.IMPORTING}


class ColumnMapping(models.Model):
    """The last mapping used for a source (e.g. "2019-2023 县信访局台账"): our field -> the file's header."""

    source = models.CharField("来源名称", max_length=100, unique=True)
    mapping = models.JSONField("列映射", default=dict)
    header_row = models.PositiveIntegerField("表头行", default=0)  # 0: detect
    values = models.JSONField("取值对应", default=dict)  # {field: {the register's word: our code}}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入列映射"
        ordering = ["source"]

    def __str__(self):
        return self.source


def import_file_path(instance, filename):
    return f"imports/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ImportJob(NoDeleteModel):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源名称", max_length=100)
    file = models.FileField(upload_to=import_file_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    extension = models.CharField(max_length=8)
    sha256 = models.CharField(max_length=64, db_index=True)
    header_row = models.PositiveIntegerField("表头行", default=1)
    headers = models.JSONField("表头", default=list)
    mapping = models.JSONField("列映射", default=dict)
    values = models.JSONField("取值对应", default=dict)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.UPLOADED)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list)  # [{row, column, reason}], the first MAX_ERRORS
    message = models.CharField("说明", max_length=500, blank=True)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    warnings = models.JSONField("提示明细", default=list)  # [{row, column, reason}]: imported as read, e.g. no place given
    skipped = models.JSONField("跳过的行", default=list)  # [[row, why]]: subtotal rows, notes
    preview = models.JSONField("导入影响预览", default=dict)  # what the import will do to the worklists and figures
    imported_count = models.PositiveIntegerField("导入件数", default=0)
    first_reg_no = models.CharField(max_length=40, blank=True)
    last_reg_no = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "created_at"], name="importjob_user_created"),
            models.Index(fields=["created_at"], name="importjob_created"),
        ]

    def __str__(self):
        return f"{self.source} · {self.original_name}"

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES


class LegacyRecord(NoDeleteModel):
    """A petition that came from a register: its source, the register's own number (unique within the source: two
    registers numbered 1, 2, 3… do not collide), the row and the job."""

    source = models.CharField("来源名称", max_length=100)
    legacy_reg_no = models.CharField("原登记编号", max_length=64)
    petition = models.OneToOneField("petitions.Petition", on_delete=models.PROTECT, related_name="legacy_record")
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="records")
    row = models.PositiveIntegerField("原表行号")

    class Meta:
        verbose_name = verbose_name_plural = "历史台账记录"
        constraints = [models.UniqueConstraint(fields=["source", "legacy_reg_no"], name="legacy_no_unique_per_source")]
