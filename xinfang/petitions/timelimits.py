"""Time limits from the database: the policy table (TimeLimit) and the holiday calendar (Holiday).

`deadlines.py` holds the maths; this module only turns table rows into a `Limit` and a
`WorkCalendar` and caches them per process. The caches are dropped when a TimeLimit or Holiday
row is saved in this process, and expire after `CACHE_SECONDS` so other worker processes pick
up an admin's change within a minute.

The holiday calendar is the Holiday table laid over `chinesecalendar` (which knows the State
Council notices up to 2026). A row in the table always wins over chinesecalendar for its date.
A year is "known" when chinesecalendar knows it or the table has at least one row in it; for
other years only weekends are days off and `calendar_notice(year)` gives the warning to show.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models.signals import post_delete, post_save

from . import deadlines
from .deadlines import Limit, WorkCalendar
from .models import Holiday, TimeLimit

CACHE_SECONDS = 60

# The defaults of DESIGN.md as seeded by migration 0002, used only if a row is missing.
_SEED = importlib.import_module("xinfang.petitions.migrations.0002_time_limits").LIMITS
DEFAULT_LIMITS: dict[str, Limit] = {step: Limit(amount, unit, day_kind) for step, _l, amount, unit, day_kind, _b in _SEED}
STEP_LABELS: dict[str, str] = {step: label for step, label, *_ in _SEED}

_lock = threading.Lock()
_cache: dict[str, tuple[float, object]] = {}


class UnknownStep(LookupError):
    pass


def clear_cache(**_kwargs) -> None:
    with _lock:
        _cache.clear()


def _cached(key: str, build):
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = build()
    with _lock:
        _cache[key] = (now, value)
    return value


post_save.connect(clear_cache, sender=TimeLimit, dispatch_uid="timelimits-clear-tl-save")
post_delete.connect(clear_cache, sender=TimeLimit, dispatch_uid="timelimits-clear-tl-delete")
post_save.connect(clear_cache, sender=Holiday, dispatch_uid="timelimits-clear-hd-save")
post_delete.connect(clear_cache, sender=Holiday, dispatch_uid="timelimits-clear-hd-delete")


# ---------------------------------------------------------------- limits


def all_limits() -> dict[str, Limit]:
    """Every step's limit (one query, cached)."""

    def build():
        limits = dict(DEFAULT_LIMITS)
        for row in TimeLimit.objects.only("step", "amount", "unit", "day_kind"):
            limits[row.step] = Limit(row.amount, row.unit, row.day_kind)
        return limits

    return _cached("limits", build)


def limit_for(step: str) -> Limit:
    """The limit of a step (triage, dispatch, accept, handle, extend_max, internal_general, ...)."""
    try:
        return all_limits()[step]
    except KeyError:
        raise UnknownStep(f"未知的时限环节：{step}") from None


# ---------------------------------------------------------------- calendar


def _chinesecalendar_data() -> tuple[dict[date, str], set[date], frozenset[int]]:
    from chinese_calendar import constants

    holidays = dict(constants.holidays)
    workdays = set(constants.workdays)
    years = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    return holidays, workdays, years


def chinesecalendar_years() -> frozenset[int]:
    return _chinesecalendar_data()[2]


def chinesecalendar_days(year: int) -> list[tuple[date, bool, str]]:
    """(date, is_workday, name) of the year's official days off and make-up workdays, as chinesecalendar knows them."""
    from chinese_calendar import constants

    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    holidays, workdays, known = _chinesecalendar_data()
    if year not in known:
        return []
    out = [(d, False, names.get(n, n)) for d, n in holidays.items() if d.year == year]
    out += [(d, True, names.get(constants.workdays.get(d, ""), "") + "调休上班") for d in workdays if d.year == year]
    return sorted(out)


def _build_calendar(years: frozenset[int] | None) -> WorkCalendar:
    cc_holidays, cc_workdays, cc_years = _chinesecalendar_data()
    off = {d for d in cc_holidays if years is None or d.year in years}
    on = {d for d in cc_workdays if years is None or d.year in years}
    known = set(cc_years if years is None else cc_years & years)
    qs = Holiday.objects.values_list("date", "is_workday")
    if years is not None:
        qs = qs.filter(date__gte=date(min(years), 1, 1), date__lte=date(max(years), 12, 31)) if years else qs.none()
    for d, is_workday in qs:  # one query
        if years is not None and d.year not in years:
            continue
        known.add(d.year)
        if is_workday:
            on.add(d)
            off.discard(d)
        else:
            off.add(d)
            on.discard(d)
    return WorkCalendar(holidays=frozenset(off), make_up_workdays=frozenset(on), known_years=frozenset(known))


def work_calendar(years: Iterable[int] | None = None) -> WorkCalendar:
    """The official calendar: Holiday rows laid over chinesecalendar; all years, or only `years`. One query, cached."""
    wanted = None if years is None else frozenset(int(y) for y in years)
    key = "calendar" if wanted is None else "calendar:" + ",".join(str(y) for y in sorted(wanted))
    return _cached(key, lambda: _build_calendar(wanted))


def calendar_notice(year: int) -> str | None:
    """A Chinese warning for pages when the year's official holidays are not known (weekends only)."""
    if work_calendar().is_known(year):
        return None
    return f"{year} 年节假日尚未录入，按周末计算"


def calendar_notices(*moments: datetime | date | None) -> list[str]:
    """Warnings for every year the given times fall in (e.g. a petition's start and due time)."""
    years = sorted({(deadlines.to_local(m).year if isinstance(m, datetime) else m.year) for m in moments if m is not None})
    return [n for n in (calendar_notice(y) for y in years) if n]


# ---------------------------------------------------------------- due times


def due_for(step: str, start: datetime, *, paused_seconds: int = 0, extra_days: int = 0) -> datetime:
    """The due time of `step` for a period starting at `start` (aware), with paused time and any extension days added."""
    limit = limit_for(step)
    if extra_days:
        limit = limit.extended(extra_days)
    return deadlines.due_at(start, limit, work_calendar(), paused_seconds=paused_seconds)
