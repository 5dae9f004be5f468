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


def import_effects(job: ImportJob) -> dict | None:
    """What the import will do (from the dry run's preview), in the page's words: where the records land, what
    changes in the worklists, and which figures of which years count them (the rules of stats.kpis)."""
    pv = job.preview or {}
    if not pv.get("rows"):
        return None
    year = pv.get("current_year")
    this_year = pv.get("this_year", 0)
    years = ", ".join(f"{y}年 {n} 件" for y, n in pv.get("years", []))
    figures = [
        ("信访总量、按渠道/类别/地区统计", f"按各件原登记日期计入所在年份（{years}）"),
        ("满意率", f"计入 {pv.get('with_satisfaction', 0)} 件（台账写有答复日期和满意度的）"),
        ("按期办结率、及时受理率、及时交办率、初信初访办结率", "不计入：台账没有受理、交办日期，无法判断是否按期"),
        ("参评率、重复信访率", "不计入：台账空着的评价栏不说明没有评价，也不记载是否重复信访"),
        ("当前超期件", "不计入：历史记录没有当前期限"),
    ]
    return {
        "rows": pv["rows"],
        "archived": pv.get("archived", 0),
        "closed_other": pv.get("closed_other", 0),
        "open": pv.get("open", 0),
        "worklists": [
            ("今日待阅办、待受理、待交办、办理中、已超期、3日内到期等现有待办", "不变"),
            ("历史待办（信访办）", f"增加 {pv.get('open', 0)} 件未办结的历史记录，信访办逐件接续办理后进入正常待办"),
            ("首页待办数、定时提醒和超期催办", "不变"),
        ],
        "current_year": year,
        "this_year": this_year,
        "current_unchanged": this_year == 0,
        "figures": figures,
    }
