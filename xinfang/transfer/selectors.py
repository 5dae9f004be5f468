"""Reads of the transfer app. Import jobs are seen by the person who started them and by admins."""

from __future__ import annotations

from django.core.cache import cache

from xinfang.core.errors import NotFound
from xinfang.org.models import Role
from xinfang.transfer.models import ColumnMapping, ImportJob, JobStatus


def _jobs_for(actor):
    qs = ImportJob.objects.select_related("created_by")
    if actor.has_role(Role.ADMIN):
        return qs
    return qs.filter(created_by=actor)


def import_job_list(*, actor, limit: int = 20) -> list[ImportJob]:
    return list(_jobs_for(actor).order_by("-created_at", "-pk")[:limit])


def import_job_get(*, actor, job_id) -> ImportJob:
    try:
        return _jobs_for(actor).get(pk=int(job_id))
    except (ImportJob.DoesNotExist, TypeError, ValueError):
        raise NotFound("未找到该导入任务") from None


def import_job_progress(job: ImportJob) -> dict:
    """{processed, total, percent}: while importing, the count published in the cache (the rows are not committed yet)."""
    processed = job.processed_rows
    if job.status == JobStatus.IMPORTING:
        processed = cache.get(f"xinfang:transfer:job:{job.pk}:processed", 0) or 0
    total = job.total_rows or 0
    percent = 100 if job.status in (JobStatus.DONE,) else (int(processed * 100 / total) if total else 0)
    return {"processed": processed, "total": total, "percent": max(0, min(100, percent))}


def saved_mappings() -> list[ColumnMapping]:
    return list(ColumnMapping.objects.order_by("source"))
