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

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models.signals import post_delete, post_save

from . import deadlines, policy_seed
from .deadlines import Limit, WorkCalendar
from .models import Holiday, PauseGround, TimeLimit

CACHE_SECONDS = 60


_SEED = policy_seed.TIME_LIMITS
_PAUSE_SEED = policy_seed.PAUSE_GROUNDS
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
post_save.connect(clear_cache, sender=PauseGround, dispatch_uid="timelimits-clear-pg-save")
post_delete.connect(clear_cache, sender=PauseGround, dispatch_uid="timelimits-clear-pg-delete")


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


# ---------------------------------------------------------------- pause grounds (听证, 鉴定/检验/检测)


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    max_days: int
    roles: tuple[str, ...]
    legal_bound: str


def pause_grounds() -> dict[str, Ground]:
    """The legal grounds for stopping the clock, from the policy table (one query, cached); the seed if the table is empty."""

    def build():
        rows = [Ground(r.code, r.label, r.max_days, tuple(r.role_codes), r.legal_bound) for r in PauseGround.objects.order_by("pk")]
        if not rows:
            rows = [Ground(c, label, days, tuple(x for x in roles.split(",") if x), bound) for c, label, days, roles, bound in _PAUSE_SEED]
        return {g.code: g for g in rows}

    return _cached("pause_grounds", build)


def pause_ground(code: str) -> Ground | None:
    return pause_grounds().get(code or "")


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


def notice_footnote(*moments: datetime | date | None, short: bool = False) -> str:
    """The sentence a notice to the petitioner prints under a date in a year whose holidays are not entered yet
    (`short` for a line of a one-page PDF)."""
    years = [y for y in sorted({(deadlines.to_local(m).year if isinstance(m, datetime) else m.year) for m in moments if m is not None})]
    unknown = [y for y in years if not work_calendar().is_known(y)]
    if not unknown:
        return ""
    names = "、".join(f"{y}年" for y in unknown)
    if short:
        return f"注：{names}节假日安排尚未录入，期限暂按周末计算，遇法定节假日依法顺延。"
    return f"注：{names}法定节假日安排尚未录入，上述期限暂按周末计算；期限最后一日为法定节假日的，依法顺延至节假日后的第一个工作日。"


# ---------------------------------------------------------------- due times


def due_for(step: str, start: datetime, *, paused_seconds: int = 0, extra_days: int = 0) -> datetime:
    """The due time of `step` for a period starting at `start` (aware), with paused time and any extension days added."""
    limit = limit_for(step)
    if extra_days:
        limit = limit.extended(extra_days)
    return deadlines.due_at(start, limit, work_calendar(), paused_seconds=paused_seconds)


# ---------------------------------------------------------------- settings (admin only)
#
# TimeLimit and Holiday are reference data, not petition material: they are updated in place, and
# every change made through these services is recorded with its user in Django's admin log
# (LogEntry), the same log the admin site writes.

# Limits fixed by 《信访工作条例》: the office may set them shorter, never longer; counted in calendar days.
LEGAL_MAXIMUM = {"dispatch": 15, "accept": 15, "handle": 60, "extend_max": 30, "review_answer": 30, "rereview_answer": 30}
# The petitioner's windows: never shorter than the law gives (nothing may keep anyone from petitioning).
LEGAL_MINIMUM = {"review_request": 30, "rereview_request": 30}
# Fixed by the law in both directions: a handling unit objects within 5 workdays of receiving a case (第二十三条).
LEGAL_FIXED = {"return_window": (5, "workday")}
# 简易办理: the national simple-handling rules give 10 workdays from acceptance; a county may shorten it, never lengthen it.
WORKDAY_MAXIMUM = {"simple_handle": 10}
MAX_DAYS = 366


def can_edit_settings(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role("admin")))


def _require_admin(actor) -> None:
    from xinfang.core.errors import NoPermission

    if not can_edit_settings(actor):
        raise NoPermission("只有系统管理员可以修改办理时限和节假日")


def _log(actor, obj, flag: int, message: str, *, model=None, object_id: str | None = None, object_repr: str = "") -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if actor is None:
        return
    LogEntry.objects.create(
        user=actor,
        content_type=ContentType.objects.get_for_model(model or type(obj)),
        object_id=object_id if obj is None else str(obj.pk),
        object_repr=(object_repr or str(obj))[:200],
        action_flag=flag,
        change_message=message,
    )


def validate_limit(step: str, amount, unit: str, day_kind: str) -> int:
    """Check a new amount/day kind for a step; returns the amount as int or raises InvalidInput (Chinese)."""
    from xinfang.core.errors import InvalidInput

    try:
        value = int(str(amount).strip())
    except (TypeError, ValueError):
        raise InvalidInput("时限必须是整数", fields={"amount": ["请输入整数，例如 15"]}) from None
    if day_kind not in ("calendar", "workday"):
        raise InvalidInput("计日方式只能是自然日或工作日", fields={"day_kind": ["请选择自然日或工作日"]})
    if unit != "days" and day_kind != "calendar":
        raise InvalidInput("以分钟、小时计的时限按实际经过时间计算，不区分工作日", fields={"day_kind": ["请选择自然日"]})
    if unit == "minutes" and not 1 <= value <= 24 * 60:
        raise InvalidInput("分钟时限应在 1 到 1440 之间", fields={"amount": ["应在 1 到 1440 之间"]})
    if unit == "hours" and not 1 <= value <= 24 * 30:
        raise InvalidInput("小时时限应在 1 到 720 之间", fields={"amount": ["应在 1 到 720 之间"]})
    if unit == "days" and not 0 <= value <= MAX_DAYS:
        raise InvalidInput(f"天数应在 0 到 {MAX_DAYS} 之间", fields={"amount": [f"应在 0 到 {MAX_DAYS} 之间"]})
    label = STEP_LABELS.get(step, step)
    if step in LEGAL_MAXIMUM:
        if day_kind != "calendar":
            raise InvalidInput(
                f"“{label}”是《信访工作条例》规定的法定期限，按自然日计算，不能改为工作日", fields={"day_kind": ["法定期限按自然日计算"]}
            )
        if value > LEGAL_MAXIMUM[step]:
            raise InvalidInput(
                f"“{label}”不得超过法定的 {LEGAL_MAXIMUM[step]} 日（可以缩短，不能延长）",
                fields={"amount": [f"不得超过 {LEGAL_MAXIMUM[step]} 日"]},
            )
    if step in LEGAL_MINIMUM:
        if day_kind != "calendar":
            raise InvalidInput(f"“{label}”是信访人的法定申请期限，按自然日计算", fields={"day_kind": ["法定期限按自然日计算"]})
        if value < LEGAL_MINIMUM[step]:
            raise InvalidInput(
                f"“{label}”是信访人的权利期限，不得短于法定的 {LEGAL_MINIMUM[step]} 日",
                fields={"amount": [f"不得少于 {LEGAL_MINIMUM[step]} 日"]},
            )
    if step in WORKDAY_MAXIMUM and (day_kind != "workday" or value > WORKDAY_MAXIMUM[step] or value == 0):
        cap = WORKDAY_MAXIMUM[step]
        raise InvalidInput(
            f"“{label}”按工作日计算，为 1 至 {cap} 个工作日（国家信访局简易办理规定：受理之日起{cap}个工作日内答复）",
            fields={"amount": [f"1 至 {cap} 个工作日"]},
        )
    if step in LEGAL_FIXED and (value, day_kind) != LEGAL_FIXED[step]:
        amount_fixed, kind_fixed = LEGAL_FIXED[step]
        kind_label = "工作日" if kind_fixed == "workday" else "自然日"
        raise InvalidInput(
            f"“{label}”是《信访工作条例》规定的 {amount_fixed} 个{kind_label}，不能修改",
            fields={"amount": [f"法定为 {amount_fixed} 个{kind_label}"]},
        )
    if step in ("handle", "review_answer", "rereview_answer", "dispatch", "accept") and value == 0:
        raise InvalidInput("该时限不能为 0", fields={"amount": ["请输入大于 0 的天数"]})
    return value


def time_limit_update(*, actor, step: str, amount, day_kind: str, expected_amount: int, expected_day_kind: str) -> TimeLimit:
    """Change a step's amount and day kind. `expected_*` are the values the editor saw (a stale page gets a Conflict)."""
    from django.contrib.admin.models import CHANGE
    from django.db import transaction

    from xinfang.core.errors import Conflict, NotFound

    _require_admin(actor)
    with transaction.atomic():
        row = TimeLimit.objects.select_for_update().filter(step=step).first()
        if row is None:
            raise NotFound(f"未知的时限环节：{step}")
        value = validate_limit(step, amount, row.unit, day_kind)
        if (row.amount, row.day_kind) != (int(expected_amount), expected_day_kind):
            raise Conflict(
                f"“{row.label}”已被他人修改为 {row.amount}{row.get_unit_display()}（{row.get_day_kind_display()}），请刷新后重试"
            )
        if (row.amount, row.day_kind) == (value, day_kind):
            return row
        before = f"{row.amount}{row.get_unit_display()}（{row.get_day_kind_display()}）"
        row.amount, row.day_kind = value, day_kind
        row.save(update_fields=["amount", "day_kind"])
        _log(
            actor,
            row,
            CHANGE,
            f"办理时限“{row.label}”由 {before} 改为 {row.amount}{row.get_unit_display()}（{row.get_day_kind_display()}）",
        )
    transaction.on_commit(clear_cache)
    clear_cache()
    return row


def holiday_set(*, actor, day: date, is_workday: bool, name: str = "") -> Holiday:
    """Enter a day off (is_workday=False) or a make-up workday (True) for a date; an existing row is updated.

    This is how next year's State Council notice is entered by hand. Returns the row.
    """
    from django.contrib.admin.models import ADDITION, CHANGE
    from django.db import IntegrityError, transaction

    from xinfang.core.errors import Conflict, InvalidInput

    _require_admin(actor)
    name = (name or "").strip()
    if not isinstance(day, date) or not 2000 <= day.year <= 2100:
        raise InvalidInput("请填写 2000 年到 2100 年之间的日期", fields={"date": ["日期无效"]})
    if len(name) > 32:
        raise InvalidInput("名称不超过 32 个字", fields={"name": ["不超过 32 个字"]})
    kind = "调休上班日" if is_workday else "节假日"
    try:
        with transaction.atomic():
            row = Holiday.objects.select_for_update().filter(date=day).first()
            if row is None:
                if is_workday and day.weekday() < 5 and not _chinesecalendar_off(day):
                    raise InvalidInput(f"{day:%Y-%m-%d} 是普通工作日，无需标记为调休上班日", fields={"date": ["该日本来就是工作日"]})
                if not is_workday and day.weekday() >= 5 and not name:
                    raise InvalidInput(
                        "周末本来就是休息日；录入放假安排中的周末请填写节日名称", fields={"name": ["请填写节日名称，如“国庆节”"]}
                    )
                row = Holiday.objects.create(date=day, is_workday=is_workday, name=name or ("调休上班" if is_workday else "节假日"))
                _log(actor, row, ADDITION, f"录入{kind} {day:%Y-%m-%d} {row.name}", object_repr=f"{day:%Y-%m-%d} {row.name}")
            else:
                if row.is_workday == is_workday and (not name or name == row.name):
                    raise InvalidInput(f"{day:%Y-%m-%d} 已是{kind}（{row.name}），无需重复录入", fields={"date": [f"已是{kind}"]})
                before = "调休上班日" if row.is_workday else "节假日"
                row.is_workday = is_workday
                if name:
                    row.name = name
                row.save(update_fields=["is_workday", "name"])
                _log(actor, row, CHANGE, f"{day:%Y-%m-%d} 由{before}改为{kind}（{row.name}）", object_repr=f"{day:%Y-%m-%d} {row.name}")
    except IntegrityError:
        raise Conflict(f"{day:%Y-%m-%d} 刚被他人录入，请刷新后重试") from None
    transaction.on_commit(clear_cache)
    clear_cache()
    return row


def _chinesecalendar_off(day: date) -> bool:
    holidays, _w, _y = _chinesecalendar_data()
    return day in holidays


def holidays_import(*, actor, year: int) -> tuple[int, int]:
    """Copy chinesecalendar's days off and make-up workdays of `year` into the Holiday table (idempotent).

    Rows already in the table (possibly edited by hand) are left as they are. Returns (created, kept).
    """
    from django.contrib.admin.models import ADDITION
    from django.db import transaction

    from xinfang.core.errors import InvalidInput

    if actor is not None:
        _require_admin(actor)
    days = chinesecalendar_days(year)
    if not days:
        known = sorted(chinesecalendar_years())
        raise InvalidInput(
            f"内置日历（chinesecalendar）没有 {year} 年的放假安排（只有 {known[0]}–{known[-1]} 年），请按国务院办公厅通知逐日录入",
            fields={"year": ["内置日历不含该年"]},
        )
    with transaction.atomic():
        existing = set(Holiday.objects.filter(date__year=year).values_list("date", flat=True))
        new = [Holiday(date=d, is_workday=w, name=n[:32]) for d, w, n in days if d not in existing]
        Holiday.objects.bulk_create(new, ignore_conflicts=True)
        if new and actor is not None:
            _log(actor, None, ADDITION, f"从内置日历导入 {year} 年节假日 {len(new)} 天", model=Holiday, object_repr=f"{year} 年节假日")
    transaction.on_commit(clear_cache)
    clear_cache()
    return len(new), len(days) - len(new)


def time_limits_seed() -> int:
    """Create any missing policy row (time limits and pause grounds) with the defaults the migrations write (for a flushed
    test database or a demo). Returns how many."""
    created = 0
    for step, label, amount, unit, day_kind, basis in _SEED:
        _row, new = TimeLimit.objects.get_or_create(
            step=step, defaults={"label": label, "amount": amount, "unit": unit, "day_kind": day_kind, "basis": basis}
        )
        created += new
    for code, label, max_days, roles, legal_bound in _PAUSE_SEED:
        _ground, new = PauseGround.objects.get_or_create(
            code=code, defaults={"label": label, "max_days": max_days, "roles": roles, "legal_bound": legal_bound}
        )
        created += new
    if created:
        clear_cache()
    return created


# ---------------------------------------------------------------- pause policy (admin only)

# Roles that may be given the right to pause; the workflow table allows these, the policy narrows it per ground.
PAUSE_ROLES = {"office": "信访办", "leader": "领导", "unit_handler": "承办单位"}
MAX_PAUSE_DAYS = 366


def pause_ground_update(*, actor, code: str, max_days, roles, expected_max_days, expected_roles: str) -> PauseGround:
    """Change who may pause on a ground and its cap. `expected_*` are the values the editor saw (stale page: Conflict)."""
    from django.contrib.admin.models import CHANGE
    from django.db import transaction

    from xinfang.core.errors import Conflict, InvalidInput, NotFound

    _require_admin(actor)
    try:
        days = int(str(max_days).strip())
    except (TypeError, ValueError):
        raise InvalidInput("最长暂停天数必须是整数", fields={"max_days": ["请输入整数，例如 30"]}) from None
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise InvalidInput(f"最长暂停天数应在 1 到 {MAX_PAUSE_DAYS} 之间", fields={"max_days": [f"应在 1 到 {MAX_PAUSE_DAYS} 之间"]})
    chosen = [r for r in (roles or []) if r]
    unknown = [r for r in chosen if r not in PAUSE_ROLES]
    if unknown or not chosen:
        raise InvalidInput("请至少选择一个可暂停计时的角色（信访办、领导、承办单位）", fields={"roles": ["请选择角色"]})
    value = ",".join(r for r in PAUSE_ROLES if r in chosen)
    with transaction.atomic():
        row = PauseGround.objects.select_for_update().filter(code=code).first()
        if row is None:
            raise NotFound(f"未知的暂停事由：{code}")
        try:
            expected = int(expected_max_days)
        except (TypeError, ValueError):
            raise InvalidInput("页面数据不完整，请刷新后重试") from None
        if (row.max_days, row.roles) != (expected, expected_roles):
            raise Conflict(f"“{row.label}”已被他人修改为最长 {row.max_days} 日（{_role_names(row.roles)}），请刷新后重试")
        if (row.max_days, row.roles) == (days, value):
            return row
        before = f"最长 {row.max_days} 日（{_role_names(row.roles)}）"
        row.max_days, row.roles = days, value
        row.save(update_fields=["max_days", "roles"])
        _log(actor, row, CHANGE, f"暂停事由“{row.label}”由 {before} 改为 最长 {days} 日（{_role_names(value)}）")
    transaction.on_commit(clear_cache)
    clear_cache()
    return row


def _role_names(roles: str) -> str:
    return "、".join(PAUSE_ROLES.get(r, r) for r in roles.split(",") if r)


# ---------------------------------------------------------------- reads for the settings page


def limits_table() -> list[TimeLimit]:
    return list(TimeLimit.objects.order_by("pk"))


def pause_ground_rows() -> list[PauseGround]:
    return list(PauseGround.objects.order_by("pk"))


def holidays_of_year(year: int) -> list[dict]:
    """The year's effective days off and make-up workdays: table rows, and chinesecalendar days not in the table."""
    rows = {h.date: h for h in Holiday.objects.filter(date__year=year)}
    out = [{"date": h.date, "is_workday": h.is_workday, "name": h.name, "source": "table"} for h in rows.values()]
    out += [{"date": d, "is_workday": w, "name": n, "source": "builtin"} for d, w, n in chinesecalendar_days(year) if d not in rows]
    return sorted(out, key=lambda r: r["date"])


def group_days(days: list[dict]) -> list[dict]:
    """Consecutive days with the same name and kind as one group (how the State Council notice reads: 春节 2月15日至23日 放假)."""
    groups: list[dict] = []
    for d in days:
        last = groups[-1] if groups else None
        if last and last["is_workday"] == d["is_workday"] and last["name"] == d["name"] and (d["date"] - last["end"]).days == 1:
            last["end"] = d["date"]
            last["days"].append(d)
        else:
            groups.append({"name": d["name"], "is_workday": d["is_workday"], "start": d["date"], "end": d["date"], "days": [d]})
    for g in groups:
        g["count"] = len(g["days"])
        g["sources"] = sorted({d["source"] for d in g["days"]})
    return groups


def recent_changes(limit: int = 10):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    types = list(ContentType.objects.get_for_models(TimeLimit, Holiday, PauseGround).values())  # one query
    return list(LogEntry.objects.filter(content_type__in=types).select_related("user").order_by("-action_time")[:limit])
