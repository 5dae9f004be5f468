"""Summary rows for the KPIs and the dashboard at province scale, exact by construction.

A year at ten million petitions is three million rows; every KPI over them is a scan of seconds. So the figures that
depend only on the stored fields (`kpis.static_figures`: each numerator and the fixed part of each denominator, the
counts) are kept per registration day and summary region (`KpiDay`), and the dashboard's breakdowns per day, region
and value (`DimDay`), built from the petitions by `refresh()` with the very Q objects the live aggregate uses.

Exactness. A day is read from its summary only while it is *clean*: summarised (`SummaryDay`) and with no
`SummaryChange` row, which a database trigger adds whenever any petition of that day is written (services, imports,
loaders, raw SQL alike: migration stats 0002). Every other day of the period (today, a day whose petition was just
answered, a day never summarised) is counted live from the petitions, and so are the figures that grow with time
(`kpis.live_figures`: overdue now, due-but-undecided). Summary + live = the live aggregate, always; the refresh only
moves work from the second to the first. `refresh()` reads the changes and the petitions in one REPEATABLE READ
snapshot and deletes only the changes it saw, so a write that lands while it runs leaves its day dirty.

Region. The summary region of a petition is its region's ancestor at DEPTH (default 2: the township under a county;
a province deployment sets XINFANG_STATS_SUMMARY_DEPTH to its township depth). A scope at DEPTH or above is answered
from the summary; a deeper one (a village) is small and counted live.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinfang.core import planner
from xinfang.org.models import Region
from xinfang.petitions.models import Category, Channel, Nature, Petition

from . import breakdowns, kpis
from .models import DimDay, DimMonth, KpiDay, KpiMonth, SummaryChange, SummaryDay

DEPTH = getattr(settings, "XINFANG_STATS_SUMMARY_DEPTH", 2)
DIMENSIONS = ("channel", "nature", "category", "handling_unit")  # DimDay; the region and flag breakdowns come from KpiDay
_DIM_FIELD = {"channel": "channel", "nature": "nature", "category": "category_id", "handling_unit": "handling_unit_id"}
BATCH_DAYS = 31


def _depth(path: str) -> int:
    return len([s for s in path.split("/") if s])


def usable(path: str) -> bool:
    """Whether a scope (region path, "/" = everything) can be answered from summary rows."""
    return path == "/" or _depth(path) <= DEPTH


# ---- which days are clean -----------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return kpis.day_bounds(day, day)


def stale_days(start: date, end: date) -> tuple[set[date], bool]:
    """(days of [start, end] that must be counted live, whether any day of it is summarised) — one query."""
    with connections[router.db_for_read(SummaryDay)].cursor() as cursor:
        cursor.execute(
            f"SELECT day, 1 FROM {SummaryDay._meta.db_table} WHERE day BETWEEN %s AND %s "
            f"UNION ALL SELECT DISTINCT day, 0 FROM {SummaryChange._meta.db_table} WHERE day BETWEEN %s AND %s",
            [start, end, start, end],
        )
        rows = cursor.fetchall()
    covered = {_as_date(d) for d, flag in rows if flag}
    changed = {_as_date(d) for d, flag in rows if not flag}
    every = {start + timedelta(days=i) for i in range((end - start).days + 1)}
    return (every - covered) | (changed & every), bool(covered - changed)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _days_q(days: set[date]) -> Q:
    """registered_at within any of these local days (consecutive days merged into one range)."""
    q = Q(pk__in=[])
    for first, last in _runs(sorted(days)):
        lo, hi = kpis.day_bounds(first, last)
        q |= Q(registered_at__gte=lo, registered_at__lt=hi)
    return q


def _runs(days: list[date], step=lambda d: d + timedelta(days=1)):
    """(first, last) of each run of consecutive items (`step` gives the item after one)."""
    run: list[date] = []
    for d in days:
        if run and d != step(run[-1]):
            yield run[0], run[-1]
            run = []
        run.append(d)
    if run:
        yield run[0], run[-1]


def _summary_scope(qs: QuerySet, path: str, start: date, end: date, stale: set[date]) -> QuerySet:
    qs = qs.filter(day__gte=start, day__lte=end).exclude(day__in=sorted(stale))
    return qs if path == "/" else qs.filter(node__path__startswith=path)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def clean_months(start: date, end: date, stale: set[date]) -> list[date]:
    """First days of the calendar months wholly inside [start, end] none of whose days is counted live: these are
    read from the month rows (a month row is the sum of its day rows, rebuilt with them)."""
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    months = []
    while month_end(first) <= end:
        last = month_end(first)
        if not any(first <= d <= last for d in stale):
            months.append(first)
        first = last + timedelta(days=1)
    return months


def _summary_parts(day_rows: QuerySet, month_rows: QuerySet | None, path: str, start: date, end: date, stale: set[date]) -> list[QuerySet]:
    """The clean part of [start, end] in scope, as the querysets to sum: the month rows of the clean whole months and
    the day rows of the other clean days (a part that holds no day is left out). `month_rows` None: days only."""
    if month_rows is None or not (months := clean_months(start, end, stale)):
        return [_summary_scope(day_rows, path, start, end, stale)]
    parts = []
    # The stale days lie in the period and in none of the clean months: what remains are the clean days outside them.
    month_days = sum(month_end(first).day for first in months)
    if (end - start).days + 1 - len(stale) - month_days > 0:
        days = _summary_scope(day_rows, path, start, end, stale)
        for first, last in _runs(months, step=lambda m: month_end(m) + timedelta(days=1)):
            days = days.exclude(day__gte=first, day__lte=month_end(last))
        parts.append(days)
    rows = month_rows.filter(month__in=months)
    parts.append(rows if path == "/" else rows.filter(node__path__startswith=path))
    return parts


# ---- reading -------------------------------------------------------------------------------------------------------


def kpi_figures(petitions: QuerySet[Petition], *, path: str, start: date, end: date, now: datetime) -> dict:
    """kpis.compute over `petitions` (the period's, in scope `path`), with clean days read from KpiDay."""
    if not usable(path):
        return kpis.compute(petitions, now=now)
    stale, any_clean = stale_days(start, end)
    if not any_clean:
        return kpis.compute(petitions, now=now)
    static, live = kpis.static_figures(now), kpis.live_figures(now)
    row = dict.fromkeys(static, 0)
    if stale:
        row.update(petitions.filter(_days_q(stale)).order_by().aggregate(**{name: kpis.counted(q) for name, q in static.items()}))
    for part in _summary_parts(KpiDay.objects.all(), KpiMonth.objects.all(), path, start, end, stale):
        summed = part.aggregate(**{c: Sum(c) for c in static})
        for name in static:
            row[name] = (row[name] or 0) + (summed[name] or 0)
    row.update(_live_counts(petitions, live))
    return kpis.assemble(row, now=now)


def _live_counts(petitions: QuerySet[Petition], live: dict) -> dict[str, int]:
    """Every live part counted on its own (each is selective and has its own index: planned together the parts were
    factored into one condition no index serves), in one statement of scalar subqueries; parts of a figure summed."""
    parts, params, names = [], [], []
    for name, qs_parts in live.items():
        for q in qs_parts:
            sql, p = petitions.filter(q).order_by().values("pk").query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")
            params.extend(p)
            names.append(name)
    db = connections[petitions.db]
    with db.cursor() as cursor:
        cursor.execute(*planner.with_constants(db, "SELECT " + ", ".join(parts), params))
        values = cursor.fetchone()
    out = dict.fromkeys(live, 0)
    for name, n in zip(names, values, strict=True):
        out[name] += n
    return out


def breakdown_figures(petitions: QuerySet[Petition], dims, *, path: str, start: date, end: date) -> dict[str, list[dict]]:
    """breakdowns.breakdowns_for over `petitions`, with clean days read from DimDay / KpiDay."""
    dims = list(dims)
    if "decline_route" in dims:  # declines by route: one small grouped query over the declined ones, never summarised
        rest = (
            breakdown_figures(petitions, [d for d in dims if d != "decline_route"], path=path, start=start, end=end)
            if len(dims) > 1
            else {}
        )
        rest["decline_route"] = breakdowns.by_decline_route(petitions)
        return {d: rest[d] for d in dims}
    summable = {"channel", "nature", "category", "handling_unit", "township", "collective", "cross_level", "repeat"}
    if not usable(path) or not set(dims) <= summable or (DEPTH < 2 and "township" in dims):
        return breakdowns.breakdowns_for(petitions, dims)
    stale, any_clean = stale_days(start, end)
    if not any_clean:
        return breakdowns.breakdowns_for(petitions, dims)
    live = breakdowns.breakdowns_for(petitions.filter(_days_q(stale)), dims) if stale else {d: [] for d in dims}
    counts: dict[str, dict[str, int]] = {d: {} for d in dims}
    wanted = [d for d in dims if d in DIMENSIONS]
    if wanted:
        whole = path == "/"  # the rows without a region hold the whole day (month)
        day_rows = DimDay.objects.filter(dimension__in=wanted, node__isnull=whole)
        month_rows = DimMonth.objects.filter(dimension__in=wanted, node__isnull=whole)
        for part in _summary_parts(day_rows, month_rows, path, start, end, stale):
            for r in part.values("dimension", "key").annotate(n=Sum("n")):
                by_key = counts[r["dimension"]]
                by_key[r["key"]] = by_key.get(r["key"], 0) + r["n"]
    flags = [d for d in dims if d in ("collective", "cross_level", "repeat", "township")]
    if flags:
        sums = dict.fromkeys(("total", "collective", "cross_level", "repeat"), 0)
        for part in _summary_parts(KpiDay.objects.all(), KpiMonth.objects.all(), path, start, end, stale):
            for r in part.values("node_id").annotate(**{f: Sum(f) for f in sums}):  # one row a township
                if "township" in dims:
                    counts["township"][str(r["node_id"])] = counts["township"].get(str(r["node_id"]), 0) + r["total"]
                for f in sums:
                    sums[f] += r[f] or 0
        for flag in ("collective", "cross_level", "repeat"):
            if flag in dims:
                counts[flag] = {"yes": sums[flag], "no": sums["total"] - sums[flag]}
    return {d: _merge(d, counts[d], live[d]) for d in dims}


def _labels(dim: str, keys) -> dict[str, tuple[str, str]]:
    """{summary key: (the live breakdown's key, label)}."""
    keys = [k for k in keys]
    if dim == "channel":
        return {k: (k, dict(Channel.choices).get(k, k or "未填")) for k in keys}
    if dim == "nature":
        return {k: (k, dict(Nature.choices).get(k, k or "未填")) for k in keys}
    if dim == "category":
        found = {str(c.pk): (c.code, c.name) for c in Category.objects.filter(pk__in=[int(k) for k in keys if k])}
        return {k: found.get(k, (k, k)) for k in keys}
    if dim == "handling_unit":
        from xinfang.org.models import Unit

        found = {str(u.pk): (u.code, u.name) for u in Unit.objects.filter(pk__in=[int(k) for k in keys if k])}
        return {k: found.get(k, ("", "未交办")) for k in keys}
    if dim == "township":
        paths = dict(Region.objects.filter(pk__in=[int(k) for k in keys]).values_list("pk", "path"))
        codes = {}
        for k in keys:
            segments = paths[int(k)].strip("/").split("/")
            codes[k] = segments[1] if len(segments) >= 2 else ""
        names = dict(Region.objects.filter(code__in=[c for c in codes.values() if c]).values_list("code", "name"))
        return {k: (c, names.get(c, "县级(未到乡镇)")) for k, c in codes.items()}
    flags = breakdowns.FLAGS[dim]
    return {"yes": ("yes", flags[1]), "no": ("no", flags[2])}


def _merge(dim: str, summary: dict[str, int], live_rows: list[dict]) -> list[dict]:
    merged: dict[str, list] = {}
    for k, (key, label) in _labels(dim, summary).items():
        entry = merged.setdefault(key, [label, 0])
        entry[1] += summary[k]
    for r in live_rows:
        entry = merged.setdefault(r["key"], [r["label"], 0])
        entry[1] += r["count"]
    drop_zero = dim in ("channel", "nature")  # the live family leaves out absent choices
    pairs = [(key, label, n) for key, (label, n) in merged.items() if n or not drop_zero]
    return breakdowns._rows(pairs, sum(n for _k, _l, n in pairs))


def series_figures(petitions: QuerySet[Petition], grain: str, *, path: str, start: date, end: date) -> list[dict]:
    """breakdowns.by_period (then gap-filled by the caller), with clean days read from KpiDay."""
    if not usable(path):
        return breakdowns.by_period(petitions, grain)
    stale, any_clean = stale_days(start, end)
    if not any_clean:
        return breakdowns.by_period(petitions, grain)
    buckets: dict[str, dict] = {}
    for r in breakdowns.by_period(petitions.filter(_days_q(stale)), grain) if stale else []:
        buckets[r["bucket"]] = dict(r)
    sums = {
        "total": Sum("total"),
        "replied": Sum("on_time_completion_den"),
        "on_time": Sum("on_time_completion_num"),
        "repeat": Sum("repeat"),
    }
    # A month lies wholly in one bucket of a month's grain or coarser: those read the month rows, days and weeks the days.
    month_rows = KpiMonth.objects.all() if grain in ("month", "quarter", "year") else None
    rows = []
    for part in _summary_parts(KpiDay.objects.all(), month_rows, path, start, end, stale):
        field = "month" if part.model is KpiMonth else "day"
        rows.extend({"day": r[field], **r} for r in part.values(field).annotate(**sums))
    for r in rows:
        first = breakdowns.bucket_start(_as_date(r["day"]), grain)
        entry = buckets.setdefault(
            first.isoformat(),
            {
                "bucket": first.isoformat(),
                "label": breakdowns.bucket_label(first, grain),
                "total": 0,
                "replied": 0,
                "on_time": 0,
                "repeat": 0,
            },
        )
        for key in ("total", "replied", "on_time", "repeat"):
            entry[key] += r[key] or 0
    return [buckets[k] for k in sorted(buckets)]


# ---- building ------------------------------------------------------------------------------------------------------


def node_map() -> dict[int, int]:
    """{region id: summary region id} (the ancestor at DEPTH, or the region itself when shallower)."""
    by_path = dict(Region.objects.values_list("path", "pk"))
    out = {}
    for path, pk in by_path.items():
        segments = [s for s in path.split("/") if s]
        out[pk] = by_path["/" + "/".join(segments[:DEPTH]) + "/"] if len(segments) > DEPTH else pk
    return out


def refresh(*, days: list[date] | None = None, everything: bool = False, now: datetime | None = None) -> int:
    """Rebuild the summaries of the changed days (or `days`, or every day with petitions); returns days rebuilt.
    Safe to run in several copies (one at a time per database: an advisory lock on PostgreSQL, SQLite's writer lock)."""
    now = now or timezone.now()
    if days is None:
        days = sorted({_as_date(d) for d in SummaryChange.objects.values_list("day", flat=True).distinct()})
        if everything:
            first = Petition.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
            if first is not None:
                start = timezone.localtime(first).date()
                days = sorted(set(days) | {start + timedelta(days=i) for i in range((timezone.localdate(now) - start).days + 1)})
    done = 0
    for first, last in _runs(sorted(set(days))):  # contiguous runs: each batch reads only its own days' petitions
        run = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for k in range(0, len(run), BATCH_DAYS):
            done += _refresh_batch(run[k : k + BATCH_DAYS], now)
    return done


def _refresh_batch(days: list[date], now: datetime) -> int:
    if not days:
        return 0
    outermost = not connection.in_atomic_block  # inside a caller's transaction (a test) its snapshot rules
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('xinfang.stats.summaries'))")
                if not cursor.fetchone()[0]:
                    return 0  # another refresh is running; the days stay marked for the next
        seen = list(SummaryChange.objects.filter(day__in=days).values_list("pk", flat=True))
        nodes = node_map()
        lo, _ = kpis.day_bounds(days[0], days[0])
        _, hi = kpis.day_bounds(days[-1], days[-1])
        petitions = Petition.objects.filter(registered_at__gte=lo, registered_at__lt=hi).annotate(
            day=TruncDate("registered_at", tzinfo=timezone.get_default_timezone())
        )
        static = kpis.static_figures(now)
        kpi_rows: dict[tuple, dict] = {}
        grouped = petitions.order_by().values("day", "region_id").annotate(**{name: kpis.counted(q) for name, q in static.items()})
        for r in grouped:
            entry = kpi_rows.setdefault((r["day"], nodes[r["region_id"]]), dict.fromkeys(static, 0))
            for name in static:
                entry[name] += r[name]
        dim_rows: dict[tuple, int] = {}
        for dim in DIMENSIONS:
            field = _DIM_FIELD[dim]
            for r in petitions.order_by().values("day", "region_id", field).annotate(n=Count("pk")):
                value = "" if r[field] is None else str(r[field])
                for node in (nodes[r["region_id"]], None):  # the township's row and the whole day's
                    key = (r["day"], node, dim, value)
                    dim_rows[key] = dim_rows.get(key, 0) + r["n"]
        KpiDay.objects.filter(day__in=days).delete()
        DimDay.objects.filter(day__in=days).delete()
        KpiDay.objects.bulk_create([KpiDay(day=d, node_id=n, **figures) for (d, n), figures in kpi_rows.items()], batch_size=2000)
        DimDay.objects.bulk_create(
            [DimDay(day=d, node_id=n, dimension=dim, key=key, n=v) for (d, n, dim, key), v in dim_rows.items()], batch_size=2000
        )
        _rebuild_months(sorted({d.replace(day=1) for d in days}), list(static))
        SummaryDay.objects.filter(day__in=days).delete()
        SummaryDay.objects.bulk_create([SummaryDay(day=d, refreshed_at=now) for d in days])
        SummaryChange.objects.filter(pk__in=seen).delete()
    return len(days)


def _rebuild_months(months: list[date], figures: list[str]) -> None:
    """Each month's rows again from its day rows, in the transaction that rewrote the days: a month row is always the
    sum of its day rows, and is read only while every day of the month is clean."""
    KpiMonth.objects.filter(month__in=months).delete()
    DimMonth.objects.filter(month__in=months).delete()
    kpi_rows, dim_rows = [], []
    for first in months:
        days = {"day__gte": first, "day__lte": month_end(first)}
        for r in KpiDay.objects.filter(**days).values("node_id").annotate(**{f: Sum(f) for f in figures}).order_by():
            kpi_rows.append(KpiMonth(month=first, **r))
        for r in DimDay.objects.filter(**days).values("node_id", "dimension", "key").annotate(n=Sum("n")).order_by():
            dim_rows.append(DimMonth(month=first, **r))
    KpiMonth.objects.bulk_create(kpi_rows, batch_size=2000)
    DimMonth.objects.bulk_create(dim_rows, batch_size=2000)
