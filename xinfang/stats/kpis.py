"""The KPIs of DESIGN.md, as ORM aggregates on the petition's stored fields.

Each KPI is a pair of Q objects (numerator ⊆ denominator) evaluated in one `aggregate()`
over the period's petitions, so the whole family is one query. The same Q objects select
the petitions behind a figure for the drill-down list, so a figure and its list never
disagree.

Period: `registered_at` in [start 00:00, end+1 00:00) Asia/Shanghai (the indexed column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from xinfang.petitions.models import CLOSED_STATUSES, Petition, Satisfaction, Status


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    numerator_label: str
    denominator_label: str
    numerator: Q
    denominator: Q  # the part that does not change with the time of asking (summary rows keep it)
    # Amber between `amber` and 100% (exclusive); red below. Repeat rate is "lower is better".
    amber: float = 0.9
    lower_is_better: bool = False
    # The part of the denominator that grows as time passes (due, not yet decided), as disjoint parts each found
    # through its own index: counted live, disjoint from `denominator`; the numerator never needs it.
    live_parts: tuple[Q, ...] = ()
    # Which answer the KPI counts (the petitioner may evaluate every answer; 复查/复核 replies never overwrite the first).
    answer: str = ""

    @property
    def answer_label(self) -> str:
        return ANSWER_LABELS.get(self.answer, "")

    @property
    def live_denominator(self) -> Q | None:
        if not self.live_parts:
            return None
        q = self.live_parts[0]
        for part in self.live_parts[1:]:
            q |= part
        return q

    @property
    def full_denominator(self) -> Q:
        return self.denominator | self.live_denominator if self.live_parts else self.denominator


def _replied_on_time() -> Q:
    return Q(first_replied_at__isnull=False, handle_due_at__isnull=False, first_replied_at__lte=F("handle_due_at"))


def _decided() -> Q:
    """An accept or decline decision was taken (the decline time is the dispatch time)."""
    return Q(accepted_at__isnull=False) | Q(status=Status.DECLINED, dispatched_at__isnull=False)


def _decided_on_time() -> Q:
    return Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at")) | Q(
        accepted_at__isnull=True, status=Status.DECLINED, dispatched_at__lte=F("accept_due_at")
    )


ANSWER_LABELS = {
    "first": "计首次答复（处理意见书）；复查、复核意见及其评价不计入",
    "first_evaluation": "计信访人对首次答复（处理意见书）的评价；对复查、复核意见的评价另行记录，不计入",
}


def _repeat() -> Q:
    return Q(repeat_of__isnull=False) | Q(first_time=False)


# Historical records (Petition.historical: rows of a legacy register) sit in the period of their own registration date,
# so a register of past years never touches the current period. Within a period a KPI counts them only where the
# register gives the dates and facts the KPI needs (docs/stats.md): a register has no acceptance, dispatch or
# delivery dates, does not say whether a matter repeats, and an empty evaluation cell does not say that none was asked.
LIVE = Q(historical=False)


def kpi_definitions(now: datetime) -> dict[str, Kpi]:
    replied = Q(replied_at__isnull=False)
    evaluated = Q(evaluated_at__isnull=False, replied_at__isnull=False)
    # 按期办结率 needs the handling due time, i.e. an acceptance date: a historical record counts only with one.
    replied_timed = replied & (LIVE | Q(handle_due_at__isnull=False))
    # Forwarded petitions go to the competent authority, whose decision is not ours to time. Due for a decision:
    # decided (fixed once decided), or not decided and past its accept-by time (grows with `now`).
    decided = _decided() & ~Q(status=Status.FORWARDED)
    # Not decided = no acceptance, and not a decline (a decline's time is its dispatch time): written as its two
    # disjoint halves (never dispatched / dispatched but neither declined nor forwarded) so each is one partial index
    # (petition_pending_decision, petition_undecided_dispatched). A register gives no decision date: live work only.
    not_dispatched = Q(accepted_at__isnull=True, dispatched_at__isnull=True) & ~Q(status=Status.FORWARDED)
    dispatched_undecided = Q(accepted_at__isnull=True, dispatched_at__isnull=False) & ~Q(status__in=[Status.DECLINED, Status.FORWARDED])
    due = Q(accept_due_at__lte=now)
    undecided_due = (not_dispatched & due & LIVE, dispatched_undecided & due & LIVE)
    accepted_first = Q(first_time=True, accepted_at__isnull=False)
    kpis = [
        Kpi(
            "first_time_resolution",
            "初信初访办结率",
            "按期答复的初信初访件",
            "已受理的初信初访件",
            accepted_first & _replied_on_time(),
            accepted_first,
            answer="first",
        ),
        Kpi(
            "on_time_completion", "按期办结率", "按期答复件", "已答复件", replied_timed & _replied_on_time(), replied_timed, answer="first"
        ),
        Kpi(
            "timely_dispatch",
            "及时交办率",
            "15日内转送/交办/不予受理件",
            "已转送/交办/不予受理件",
            Q(dispatched_at__isnull=False, dispatched_at__lte=F("dispatch_due_at")),
            Q(dispatched_at__isnull=False),
        ),
        Kpi(
            "timely_acceptance",
            "及时受理率",
            "15日内作出受理/不予受理决定件",
            "应作出受理决定件",
            _decided_on_time(),
            decided,
            live_parts=undecided_due,
        ),
        Kpi(
            "evaluation_rate",
            "参评率",
            "已评价件",
            "已答复件",
            replied & evaluated & LIVE,
            replied & LIVE,
            amber=0.6,
            answer="first_evaluation",
        ),
        Kpi(
            "satisfaction_rate",
            "满意率",
            "满意和基本满意件",
            "已评价件",
            evaluated & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
            evaluated,
            amber=0.8,
            answer="first_evaluation",
        ),
        Kpi("repeat_rate", "重复信访率", "重复信访件", "全部信访件", _repeat() & LIVE, LIVE, amber=0.1, lower_is_better=True),
    ]
    return {k.code: k for k in kpis}


COUNT_LABELS = {
    "total": "信访总量",
    "collective": "集体访",
    "cross_level": "越级访",
    "overdue": "当前超期件",
    "repeat": "重复信访",
    "first_time": "初信初访",
    "reopened": "重新办理件",
}


def count_filters(now: datetime) -> dict[str, Q]:
    return {
        "total": Q(),
        "collective": Q(collective=True),
        "cross_level": Q(cross_level=True),
        "overdue": Q(due_at__lt=now) & ~Q(status__in=CLOSED_STATUSES),
        "reopened": Q(reopened_count__gt=0),  # 回访 found the matter unresolved: handled again on the same reg_no
        "repeat": _repeat() & LIVE,
        "first_time": Q(first_time=True) & LIVE,
    }


def figure_filter(code: str, part: str, now: datetime) -> Q:
    """The Q selecting the petitions behind a figure: part = den (denominator), num, or miss (den - num)."""
    kpis = kpi_definitions(now)
    if code in kpis:
        k = kpis[code]
        if part == "num":
            return k.denominator & k.numerator
        if part == "miss":
            return k.full_denominator & ~(k.denominator & k.numerator)
        return k.full_denominator
    counts = count_filters(now)
    if code in counts:
        return counts[code]
    raise KeyError(code)


# ---- periods ---------------------------------------------------------------------------


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware [start 00:00, end+1 00:00) in the site's zone."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def period_queryset(qs: QuerySet[Petition], start: date, end: date) -> QuerySet[Petition]:
    lo, hi = day_bounds(start, end)
    return qs.filter(registered_at__gte=lo, registered_at__lt=hi)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def light(kpi: Kpi, value: float | None) -> str:
    """Traffic light against the 100% target (0% for the repeat rate)."""
    if value is None:
        return "none"
    if kpi.lower_is_better:
        return "green" if value == 0 else ("amber" if value <= kpi.amber else "red")
    return "green" if value >= 1 else ("amber" if value >= kpi.amber else "red")


# Counts that change with the time of asking: counted live, never summarised.
# `reopened` too: a reopening changes a petition of a past day, so it is counted live rather than kept in the day rows.
LIVE_COUNTS = ("overdue", "reopened")


def static_figures(now: datetime) -> dict[str, Q]:
    """{column: Q} of every figure that depends only on the stored fields: each KPI's numerator and the fixed part of
    its denominator, and the counts but `overdue`. The summary rows (stats.KpiDay) hold exactly these columns."""
    out = {}
    for code, k in kpi_definitions(now).items():
        out[f"{code}_num"] = k.denominator & k.numerator
        out[f"{code}_den"] = k.denominator
    for code, q in count_filters(now).items():
        if code not in LIVE_COUNTS:
            out[code] = q
    return out


def live_figures(now: datetime) -> dict[str, tuple[Q, ...]]:
    """{name: disjoint parts} of the figures that grow as time passes: the due-but-undecided denominators, and
    `overdue`. Each part is selective and has its own index, so the summary path counts each on its own."""
    out = {f"{code}_den_live": k.live_parts for code, k in kpi_definitions(now).items() if k.live_parts}
    counts = count_filters(now)
    out.update({code: (counts[code],) for code in LIVE_COUNTS})
    return out


def any_of(parts) -> Q:
    q = Q(pk__in=[])
    for part in parts:
        q |= part
    return q


def counted(q: Q, also: Q | None = None) -> Count:
    """Count("pk") filtered by q (and `also`), plain Count for an empty Q."""
    if also is not None:
        q = q & also
    return Count("pk", filter=q) if q != Q() else Count("pk")


def compute(qs: QuerySet[Petition], *, now: datetime | None = None) -> dict:
    """All KPIs and the simple counts over `qs` (already restricted to period and scope): one query."""
    now = now or timezone.now()
    figures = {**static_figures(now), **{name: any_of(parts) for name, parts in live_figures(now).items()}}
    row = qs.order_by().aggregate(**{name: counted(q) for name, q in figures.items()})
    return assemble(row, now=now)


def assemble(row: dict, *, now: datetime) -> dict:
    """The KPI result from the figures (static and live columns summed from wherever they came)."""
    kpis = kpi_definitions(now)
    out = {"kpis": {}, "counts": {}}
    for code, k in kpis.items():
        num = row[f"{code}_num"]
        den = row[f"{code}_den"] + (row.get(f"{code}_den_live") or 0)
        value = rate(num, den)
        out["kpis"][code] = {
            "code": code,
            "label": k.label,
            "value": value,
            "numerator": num,
            "denominator": den,
            "numerator_label": k.numerator_label,
            "denominator_label": k.denominator_label,
            "target": 0.0 if k.lower_is_better else 1.0,
            "light": light(k, value),
            "lower_is_better": k.lower_is_better,
            "answer": k.answer,
            "answer_label": k.answer_label,
        }
    for code in count_filters(now):
        out["counts"][code] = row[code]
    return out
