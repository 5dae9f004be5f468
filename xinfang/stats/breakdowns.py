"""Breakdowns of a petition queryset: each one `values().annotate(Count)` query.

The region breakdowns group by `region_id` in the database and then fold the (few hundred at
most) grouped rows up to their township or village through `Region.path` — a loop over
aggregate rows, never over petitions.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone

from xinfang.org.models import Region
from xinfang.petitions.models import Channel, Nature, Petition, Status

from .kpis import _repeat, _replied_on_time

TRUNCS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
GRAIN_LABELS = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "year": "年"}
DIMENSIONS = {
    "channel": "渠道",
    "category": "问题类别",
    "nature": "性质",
    "township": "乡镇",
    "village": "村(社区)",
    "handling_unit": "承办单位",
    "collective": "集体访",
    "cross_level": "越级访",
    "repeat": "重复信访",
    "decline_route": "不予受理途径",
}


def _rows(pairs, total: int) -> list[dict]:
    rows = [{"key": k, "label": label, "count": n, "share": round(n / total, 4) if total else None} for k, label, n in pairs]
    rows.sort(key=lambda r: (-r["count"], str(r["key"])))
    return rows


def by_choice(qs: QuerySet[Petition], field: str, choices) -> list[dict]:
    labels = dict(choices)
    data = list(qs.order_by().values(field).annotate(n=Count("pk")))
    total = sum(r["n"] for r in data)
    return _rows([(r[field], labels.get(r[field], r[field] or "未填"), r["n"]) for r in data], total)


def by_category(qs: QuerySet[Petition]) -> list[dict]:
    data = list(qs.order_by().values("category__code", "category__name").annotate(n=Count("pk")))
    total = sum(r["n"] for r in data)
    return _rows([(r["category__code"], r["category__name"], r["n"]) for r in data], total)


def by_handling_unit(qs: QuerySet[Petition]) -> list[dict]:
    data = list(qs.order_by().values("handling_unit__code", "handling_unit__name").annotate(n=Count("pk")))
    total = sum(r["n"] for r in data)
    return _rows([(r["handling_unit__code"] or "", r["handling_unit__name"] or "未交办", r["n"]) for r in data], total)


def by_decline_route(qs: QuerySet[Petition]) -> list[dict]:
    """Declines by their route (依法分类处理): litigation, arbitration, … one grouped query over the declined petitions."""
    from xinfang.petitions.action_inputs import DeclineRoute

    return by_choice(
        qs.filter(status=Status.DECLINED),
        "decline_route",
        [*DeclineRoute.choices, ("matter_ended", "已复核终结，不再受理"), ("", "未注明途径")],
    )


def by_flag(qs: QuerySet[Petition], q: Q, yes: str, no: str) -> list[dict]:
    row = qs.order_by().aggregate(yes=Count("pk", filter=q), n=Count("pk"))
    return _rows([("yes", yes, row["yes"]), ("no", no, row["n"] - row["yes"])], row["n"])


def region_counts(qs: QuerySet[Petition]) -> list[tuple[int, int]]:
    return list(qs.order_by().values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))


def fold_regions(data: list[tuple[int, int]], depth: int) -> list[dict]:
    """depth 2 = township, 3 = village (segments of Region.path "/county/township/village/...")."""
    paths = dict(Region.objects.filter(pk__in=[rid for rid, _ in data]).values_list("pk", "path"))
    folded: dict[str, int] = {}
    for rid, n in data:
        segments = paths[rid].strip("/").split("/")
        key = segments[depth - 1] if len(segments) >= depth else ""
        folded[key] = folded.get(key, 0) + n
    names = dict(Region.objects.filter(code__in=[k for k in folded if k]).values_list("code", "name"))
    total = sum(folded.values())
    label_missing = "县级(未到乡镇)" if depth == 2 else "乡镇级(未到村)"
    return _rows([(k, names.get(k, label_missing), n) for k, n in folded.items()], total)


def by_region_level(qs: QuerySet[Petition], depth: int) -> list[dict]:
    return fold_regions(region_counts(qs), depth)


CHOICE_DIMS = {"channel", "nature", "collective", "cross_level", "repeat"}
FLAGS = {
    "collective": (lambda: Q(collective=True), "集体访", "非集体访"),
    "cross_level": (lambda: Q(cross_level=True), "越级访", "非越级访"),
    "repeat": (_repeat, "重复信访", "初信初访"),
}


def choice_family(qs: QuerySet[Petition]) -> dict[str, list[dict]]:
    """Channel, nature and the three flags in ONE aggregate (conditional counts)."""
    aggs = {"n": Count("pk")}
    for value, _ in Channel.choices:
        aggs[f"channel__{value}"] = Count("pk", filter=Q(channel=value))
    for value, _ in Nature.choices:
        aggs[f"nature__{value}"] = Count("pk", filter=Q(nature=value))
    for flag, (q, _, _) in FLAGS.items():
        aggs[f"flag__{flag}"] = Count("pk", filter=q())
    row = qs.order_by().aggregate(**aggs)
    total = row["n"]
    out = {}
    for dim, choices in (("channel", Channel.choices), ("nature", Nature.choices)):
        out[dim] = _rows([(v, label, row[f"{dim}__{v}"]) for v, label in choices if row[f"{dim}__{v}"]], total)
    for flag, (_, yes, no) in FLAGS.items():
        out[flag] = _rows([("yes", yes, row[f"flag__{flag}"]), ("no", no, total - row[f"flag__{flag}"])], total)
    return out


def breakdowns_for(qs: QuerySet[Petition], dimensions) -> dict[str, list[dict]]:
    """Several dimensions with shared queries: choices+flags one query, regions one grouped query."""
    dims = list(dimensions)
    out: dict[str, list[dict]] = {}
    if CHOICE_DIMS & set(dims):
        family = choice_family(qs)
        out.update({d: family[d] for d in dims if d in CHOICE_DIMS})
    if {"township", "village"} & set(dims):
        data = region_counts(qs)
        for d, depth in (("township", 2), ("village", 3)):
            if d in dims:
                out[d] = fold_regions(data, depth)
    if "category" in dims:
        out["category"] = by_category(qs)
    if "handling_unit" in dims:
        out["handling_unit"] = by_handling_unit(qs)
    if "decline_route" in dims:
        out["decline_route"] = by_decline_route(qs)
    unknown = [d for d in dims if d not in out]
    if unknown:
        raise KeyError(unknown[0])
    return {d: out[d] for d in dims}


def breakdown(qs: QuerySet[Petition], dimension: str) -> list[dict]:
    """One dimension, one query of its own (the reference the shared-query path is tested against)."""
    if dimension == "channel":
        return by_choice(qs, "channel", Channel.choices)
    if dimension == "nature":
        return by_choice(qs, "nature", Nature.choices)
    if dimension == "category":
        return by_category(qs)
    if dimension == "township":
        return by_region_level(qs, 2)
    if dimension == "village":
        return by_region_level(qs, 3)
    if dimension == "handling_unit":
        return by_handling_unit(qs)
    if dimension == "decline_route":
        return by_decline_route(qs)
    if dimension in FLAGS:
        q, yes, no = FLAGS[dimension]
        return by_flag(qs, q(), yes, no)
    raise KeyError(dimension)


def by_period(qs: QuerySet[Petition], grain: str) -> list[dict]:
    """Counts per day/week/month/quarter/year (in the site's zone): total, replied, on time, repeat."""
    trunc = TRUNCS[grain]("registered_at", tzinfo=timezone.get_default_timezone())
    data = (
        qs.order_by()
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(
            total=Count("pk"),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
            on_time=Count("pk", filter=Q(replied_at__isnull=False) & _replied_on_time()),
            repeat=Count("pk", filter=_repeat()),
        )
        .order_by("bucket")
    )
    rows = []
    for r in data:
        bucket = r["bucket"]
        day = timezone.localtime(bucket).date() if hasattr(bucket, "hour") else bucket
        rows.append(
            {
                "bucket": day.isoformat(),
                "label": bucket_label(day, grain),
                "total": r["total"],
                "replied": r["replied"],
                "on_time": r["on_time"],
                "repeat": r["repeat"],
            }
        )
    return rows


def bucket_start(day: date, grain: str) -> date:
    """The first day of the bucket holding `day` (as Trunc* gives it in the site's zone)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def bucket_starts(start: date, end: date, grain: str) -> list[date]:
    """Every bucket start from the one holding `start` to the one holding `end` (for gap filling)."""
    out, d = [], bucket_start(start, grain)
    while d <= end:
        out.append(d)
        if grain == "day":
            d += timedelta(days=1)
        elif grain == "week":
            d += timedelta(days=7)
        else:
            months = {"month": 1, "quarter": 3, "year": 12}[grain]
            m = d.month - 1 + months
            d = date(d.year + m // 12, m % 12 + 1, 1)
    return out


def fill_gaps(rows: list[dict], start: date, end: date, grain: str) -> list[dict]:
    have = {r["bucket"]: r for r in rows}
    return [
        have.get(
            d.isoformat(), {"bucket": d.isoformat(), "label": bucket_label(d, grain), "total": 0, "replied": 0, "on_time": 0, "repeat": 0}
        )
        for d in bucket_starts(start, end, grain)
    ]


def bucket_label(day: date, grain: str) -> str:
    if grain == "year":
        return f"{day.year}年"
    if grain == "quarter":
        return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
    if grain == "month":
        return f"{day.year}年{day.month}月"
    if grain == "week":
        return f"{day.isoformat()}周"
    return day.isoformat()


def pick_grain(start: date, end: date) -> str:
    span = (end - start).days
    if span <= 45:
        return "day"
    if span <= 200:
        return "week"
    if span <= 1100:
        return "month"
    return "quarter"


def shifted_periods(start: date, end: date) -> dict[str, tuple[date, date]]:
    """The previous period and the same dates a year before.

    A period of whole calendar months (a month, a quarter, a year) is followed by the same number of whole months
    before it (上期 of March is February, not 29 January–28 February); any other period by as many days."""
    months = _whole_months(start, end)
    if months:
        prev_start = _add_months(start, -months)
        previous = (prev_start, _add_months(prev_start, months) - timedelta(days=1))
    else:
        length = (end - start).days + 1
        prev_end = start - timedelta(days=1)
        previous = (prev_end - timedelta(days=length - 1), prev_end)
    return {"current": (start, end), "previous": previous, "last_year": (_minus_year(start), _minus_year(end))}


def _add_months(d: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `d` (d is a first of a month)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _whole_months(start: date, end: date) -> int:
    """How many whole calendar months [start, end] covers exactly, or 0."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1 or end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)
