"""Reads of the statistics app. Every function takes the actor.

Aggregates are scoped to the actor's jurisdiction (the region of their unit); lists of
individual petitions (drill-downs) go through `xinfang.access.policy.visible_petitions` and
are refused to viewers (aggregates only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from xinfang.access.policy import visible_petitions
from xinfang.core.db_router import reporting
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Region, Role
from xinfang.petitions.models import Petition

from . import breakdowns, kpis, summaries
from .hot_issues import hot_issues
from .league import league_table

STATS_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.VIEWER)
DRILL_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)
MAX_SPAN_DAYS = 366 * 10


def can_view_stats(actor) -> bool:
    return bool(actor and actor.is_authenticated and (actor.is_superuser or actor.has_role(*STATS_ROLES)))


def can_drill_down(actor) -> bool:
    return bool(actor and actor.is_authenticated and (actor.is_superuser or actor.has_role(*DRILL_ROLES)))


def require_stats(actor) -> None:
    if not can_view_stats(actor):
        raise NoPermission("无权查看统计数据")


def scope_path(actor) -> str:
    """The region path the actor's aggregates cover ("/" = everything, for a superuser without a unit)."""
    if actor.unit_id is None:
        if actor.is_superuser:
            return "/"
        raise NoPermission("账号未设置所属单位，无法查看统计")
    return actor.unit.region.path


@dataclass(frozen=True)
class StatsFilter:
    start: date
    end: date
    region: Region | None
    path: str  # the effective region path (filter region, or the actor's scope)
    whole: bool = False  # the path covers every region: no filter needed

    def params(self) -> dict:
        p = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.region is not None:
            p["region"] = self.region.code
        return p

    def bounds(self) -> tuple[datetime, datetime]:
        return kpis.day_bounds(self.start, self.end)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


def parse_filter(actor, params) -> StatsFilter:
    """Validate ?start=&end=&region= (dates YYYY-MM-DD, region code within the actor's scope)."""
    require_stats(actor)
    errors = {}
    d_start, d_end = default_period()
    start, end = d_start, d_end
    raw_start, raw_end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if raw_start:
        start = _date(raw_start)
        if start is None:
            errors["start"] = ["开始日期格式应为 YYYY-MM-DD"]
    if raw_end:
        end = _date(raw_end)
        if end is None:
            errors["end"] = ["结束日期格式应为 YYYY-MM-DD"]
    if not errors and end < start:
        errors["end"] = ["结束日期不能早于开始日期"]
    if not errors and (end - start).days > MAX_SPAN_DAYS:
        errors["end"] = ["统计区间不能超过十年"]
    path = scope_path(actor)
    region = None
    code = (params.get("region") or "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not region.path.startswith(path):
            errors["region"] = ["区域不存在或不在您的管辖范围内"]
            region = None
    if errors:
        raise InvalidInput("统计条件有误：" + "；".join(m for ms in errors.values() for m in ms), fields=errors)
    effective = region.path if region else path
    return StatsFilter(start=start, end=end, region=region, path=effective, whole=covers_everything(effective))


def _date(raw: str) -> date | None:
    try:
        return parse_date(raw)
    except ValueError:
        return None


def covers_everything(path: str) -> bool:
    """True when `path` is the only root of the region tree (then the scope filter is a no-op and is skipped)."""
    if path == "/":
        return True
    if path.count("/") != 2:
        return False
    roots = list(Region.objects.filter(parent__isnull=True).values_list("path", flat=True)[:2])
    return roots == [path]


def scoped_queryset(f: StatsFilter, base: QuerySet[Petition] | None = None) -> QuerySet[Petition]:
    qs = base if base is not None else Petition.objects.all()
    if not f.whole:
        qs = qs.filter(region__path__startswith=f.path)
    return qs


def period_qs(f: StatsFilter, start: date | None = None, end: date | None = None, base=None) -> QuerySet[Petition]:
    return kpis.period_queryset(scoped_queryset(f, base), start or f.start, end or f.end)


# Aggregates read the replica when one is configured (xinfang.core.db_router.reporting) and, over the whole scope
# or a township, the summary rows of clean days (xinfang.stats.summaries; exact: the other days are counted live).
# A caller's own `base` queryset is counted live as given.


def _path(f: StatsFilter) -> str:
    return "/" if f.whole else f.path


def _kpis(f: StatsFilter, start: date, end: date, now: datetime | None, base) -> dict:
    now = now or timezone.now()
    qs = period_qs(f, start, end, base=base)
    if base is not None:
        return kpis.compute(qs, now=now)
    return summaries.kpi_figures(qs, path=_path(f), start=start, end=end, now=now)


def kpi_summary(*, actor, f: StatsFilter, now: datetime | None = None, base=None) -> dict:
    with reporting():
        result = _kpis(f, f.start, f.end, now, base)
    result["period"] = {"start": f.start.isoformat(), "end": f.end.isoformat(), "region": f.region.code if f.region else None}
    return result


def kpi_trends(*, actor, f: StatsFilter, now: datetime | None = None, base=None, periods: dict | None = None) -> dict:
    """The KPIs of the period, of the previous period, and of the same dates last year (breakdowns.shifted_periods),
    or of the named `periods` {key: (start, end)} a report compares with."""
    out = {}
    with reporting():
        for key, (s, e) in (periods or breakdowns.shifted_periods(f.start, f.end)).items():
            out[key] = {"start": s.isoformat(), "end": e.isoformat(), **_kpis(f, s, e, now, base)}
    return out


def stats_breakdowns(*, actor, f: StatsFilter, dimensions=None, base=None) -> dict:
    dims = dimensions or breakdowns.DIMENSIONS
    with reporting():
        qs = period_qs(f, base=base)
        if base is not None:
            return breakdowns.breakdowns_for(qs, dims)
        return summaries.breakdown_figures(qs, dims, path=_path(f), start=f.start, end=f.end)


def stats_series(*, actor, f: StatsFilter, grain: str | None = None, base=None) -> dict:
    grain = grain or breakdowns.pick_grain(f.start, f.end)
    if grain not in breakdowns.TRUNCS:
        raise InvalidInput("统计粒度应为 day/week/month/quarter/year", fields={"grain": ["无效的统计粒度"]})
    with reporting():
        qs = period_qs(f, base=base)
        if base is not None:
            rows = breakdowns.by_period(qs, grain)
        else:
            rows = summaries.series_figures(qs, grain, path=_path(f), start=f.start, end=f.end)
    return {"grain": grain, "rows": breakdowns.fill_gaps(rows, f.start, f.end, grain)}


def stats_league(*, actor, f: StatsFilter, now: datetime | None = None, base=None) -> dict:
    lo, hi = f.bounds()
    with reporting():
        return league_table(period_qs(f, base=base), lo=lo, hi=hi, now=now)


def stats_hot_issues(*, actor, f: StatsFilter, base=None) -> dict:
    prev_start, prev_end = breakdowns.shifted_periods(f.start, f.end)["previous"]
    with reporting():
        return hot_issues(period_qs(f, base=base), period_qs(f, prev_start, prev_end, base=base))


def dashboard(*, actor, f: StatsFilter, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    trends = kpi_trends(actor=actor, f=f, now=now)
    current = trends["current"]
    for code, k in current["kpis"].items():
        k["previous"] = trends["previous"]["kpis"][code]["value"]
        k["last_year"] = trends["last_year"]["kpis"][code]["value"]
    return {
        "kpis": current["kpis"],
        "counts": current["counts"],
        "previous_counts": trends["previous"]["counts"],
        "last_year_counts": trends["last_year"]["counts"],
        "periods": {k: (v["start"], v["end"]) for k, v in trends.items()},
        "breakdowns": stats_breakdowns(
            actor=actor, f=f, dimensions=["channel", "category", "township", "nature", "handling_unit", "decline_route"]
        ),
        "series": stats_series(actor=actor, f=f),
    }


DRILL_PARTS = {"den": "分母", "num": "分子", "miss": "未达标"}


def drill_down(*, actor, f: StatsFilter, code: str, part: str = "den", now: datetime | None = None) -> QuerySet[Petition]:
    """The petitions behind one figure, as the actor may see them (no identity fields)."""
    if not can_drill_down(actor):
        raise NoPermission("查看者仅可查看汇总数据，不能查看信访件明细")
    if part not in DRILL_PARTS:
        raise InvalidInput("明细类型应为 den/num/miss", fields={"part": ["无效的明细类型"]})
    try:
        q = kpis.figure_filter(code, part, now or timezone.now())
    except KeyError:
        raise InvalidInput("未知的统计指标", fields={"code": ["未知的统计指标"]}) from None
    qs = period_qs(f).filter(q)
    return (
        visible_petitions(actor, qs)
        .select_related("category", "region", "handling_unit")
        .only(
            "reg_no",
            "status",
            "channel",
            "registered_at",
            "received_at",
            "replied_at",
            "due_at",
            "handle_due_at",
            "category__name",
            "region__name",
            "handling_unit__name",
        )
        .order_by("-registered_at", "-pk")
    )


# ---- assessment ------------------------------------------------------------------------


def assessment_schemes(*, actor):
    from .models import AssessmentScheme

    require_stats(actor)
    return AssessmentScheme.objects.filter(active=True).prefetch_related("rules").order_by("code")


def assessment_sheets(*, actor, limit: int = 20):
    from .models import AssessmentSheet

    require_stats(actor)
    qs = AssessmentSheet.objects.select_related("scheme", "generated_by").order_by("-generated_at", "-pk")
    path = scope_path(actor)
    if path != "/":
        qs = qs.filter(scope_path__startswith=path)
    return qs[:limit]


def assessment_sheet(*, actor, pk: int) -> dict:
    """A sheet with its subjects ranked by total, each with the lines behind every point."""
    from django.db.models import Sum

    from xinfang.core.errors import NotFound

    from .models import AssessmentSheet, Metric

    require_stats(actor)
    path = scope_path(actor)
    sheet = AssessmentSheet.objects.select_related("scheme", "generated_by").filter(pk=pk).first()
    if sheet is None or not sheet.scope_path.startswith(path):
        raise NotFound("未找到该考核评分表")
    totals = {
        r["subject_key"]: r["s"] for r in sheet.lines.order_by().values("subject_key").annotate(s=Sum("points")).values("subject_key", "s")
    }
    labels = dict(Metric.choices)
    subjects: dict[str, dict] = {}
    for line in sheet.lines.order_by("subject_key", "pk"):
        s = subjects.setdefault(
            line.subject_key,
            {
                "key": line.subject_key,
                "name": line.subject_name,
                "total": sheet.base_points + (totals.get(line.subject_key) or 0),
                "lines": [],
            },
        )
        s["lines"].append(
            {
                "metric": line.metric,
                "label": labels.get(line.metric, line.metric),
                "count": line.count,
                "points_each": line.points_each,
                "points": line.points,
                "capped": line.capped,
            }
        )
    ranked = sorted(subjects.values(), key=lambda s: (-s["total"], s["key"]))
    for i, s in enumerate(ranked, 1):
        s["rank"] = i
    return {"sheet": sheet, "subjects": ranked}
