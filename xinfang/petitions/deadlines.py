"""Deadline maths (期限计算): pure functions, no database, no clock.

All counting is done in Asia/Shanghai local time (the county's legal time):

* "N days from receipt" counts from the day after the start day (the start day itself is not
  counted) and the period ends at 23:59:59 local time of the last day, so anything done at any
  time on the last day is on time.
* Calendar-day periods whose last day is a day off (an official holiday, or a weekend that is not a
  make-up workday) end at the end of the first workday after it (《民法典》第二百零三条: 期间的最后一日
  是法定休假日的，以法定休假日结束的次日为期间的最后一日; 《信访工作条例》 counts its periods the same way).
* Workday periods count only workdays: official holidays are off, make-up workdays (调休上班) count.
* Hours and minutes are plain elapsed time (紧急报告 15 分钟).
* Paused time (a hearing 听证, an appraisal 鉴定) moves the due time by the whole days paused, then the rest-day rule
  (`shifted_due`); `due_at(..., paused_seconds=n)` is the older exact-seconds form, kept for the `time_limits` command.

`deadlines` never reads the database: `xinfang.petitions.timelimits` builds the `Limit` and the
`WorkCalendar` from the policy tables and calls these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)

UNITS = ("days", "hours", "minutes")
DAY_KINDS = ("calendar", "workday")

# due_state() codes and their labels (templates show the label, the database/API the code).
OVERDUE, DUE_TODAY, DUE_SOON, OK = "overdue", "due_today", "due_soon", "ok"
DUE_STATE_LABELS = {OVERDUE: "已超期", DUE_TODAY: "今日到期", DUE_SOON: "即将到期", OK: "正常", "": ""}

# A safety bound: no real limit needs more workdays than this (3 months ≈ 66 workdays).
_MAX_SCAN_DAYS = 3660


@dataclass(frozen=True)
class Limit:
    """A time limit: `amount` `unit`s; for days, calendar days or workdays."""

    amount: int
    unit: str = "days"  # "days" | "hours" | "minutes"
    day_kind: str = "calendar"  # "calendar" | "workday"

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 0:
            raise ValueError(f"时限必须是非负整数：{self.amount!r}")
        if self.unit not in UNITS:
            raise ValueError(f"未知的时限单位：{self.unit!r}")
        if self.day_kind not in DAY_KINDS:
            raise ValueError(f"未知的计日方式：{self.day_kind!r}")

    def extended(self, days: int) -> Limit:
        """The same limit made longer by `days` (延期): 60 days extended by 30 is a 90-day period from the same start."""
        if self.unit != "days":
            raise ValueError("只有以天计的时限可以延期")
        if days < 0:
            raise ValueError("延期天数不能为负数")
        return Limit(self.amount + days, self.unit, self.day_kind)

    def describe(self) -> str:
        """Chinese text for pages: "60 个自然日", "15 个工作日", "15 分钟"."""
        if self.unit == "minutes":
            return f"{self.amount} 分钟"
        if self.unit == "hours":
            return f"{self.amount} 小时"
        return f"{self.amount} 个{'工作日' if self.day_kind == 'workday' else '自然日'}"


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar: holidays (days off, incl. weekend days folded into a holiday) and make-up workdays.

    For a year not in `known_years` only weekends are days off (and pages say so, see
    `timelimits.calendar_notice`). An explicit entry always wins over the weekend rule.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    make_up_workdays: frozenset[date] = field(default_factory=frozenset)
    known_years: frozenset[int] = field(default_factory=frozenset)

    def is_workday(self, d: date) -> bool:
        if d in self.make_up_workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def is_known(self, year: int) -> bool:
        return year in self.known_years

    def next_workday(self, d: date) -> date:
        """The first workday on or after `d`."""
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(d):
                return d
            d += timedelta(days=1)
        raise ValueError("日历中找不到工作日")  # pragma: no cover - would need ten years of holidays

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th workday after `start` (start not counted); n == 0 gives the first workday on or after start."""
        if n == 0:
            return self.next_workday(start)
        d, counted = start, 0
        for _ in range(_MAX_SCAN_DAYS):
            d += timedelta(days=1)
            if self.is_workday(d):
                counted += 1
                if counted == n:
                    return d
        raise ValueError("时限过长，超出日历计算范围")


WEEKENDS_ONLY = WorkCalendar()


def to_local(dt: datetime) -> datetime:
    """An aware datetime in Asia/Shanghai. A naive datetime is taken to be Asia/Shanghai local time."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=LOCAL_TZ)
    return dt.astimezone(LOCAL_TZ)


def end_of_day(d: date) -> datetime:
    """23:59:59 Asia/Shanghai of day `d`."""
    return datetime.combine(d, END_OF_DAY, tzinfo=LOCAL_TZ)


def last_day(start: datetime, limit: Limit, calendar: WorkCalendar) -> date:
    """The last local day of a day-based period (after the holiday roll-over)."""
    if limit.unit != "days":
        raise ValueError("last_day 只适用于以天计的时限")
    start_day = to_local(start).date()
    if limit.day_kind == "workday":
        return calendar.add_workdays(start_day, limit.amount)
    return calendar.next_workday(start_day + timedelta(days=limit.amount))


def add_limit(start: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """The due time of a period of `limit` that starts at `start` (an aware datetime in Asia/Shanghai)."""
    if limit.unit == "minutes":
        return to_local(start) + timedelta(minutes=limit.amount)
    if limit.unit == "hours":
        return to_local(start) + timedelta(hours=limit.amount)
    return end_of_day(last_day(start, limit, calendar))


def due_at(start: datetime, limit: Limit, calendar: WorkCalendar, *, paused_seconds: int = 0) -> datetime:
    """`add_limit`, pushed later by the time spent paused (a hearing is not counted)."""
    if paused_seconds < 0:
        raise ValueError("暂停时间不能为负数")
    return add_limit(start, limit, calendar) + timedelta(seconds=int(paused_seconds))


def shifted_due(due: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """A due time moved later by whole days, then the rest-day rule: the end of the first workday on or after due + days.

    Used for an extension (延期: the due in force plus the days granted) and for a pause (暂停: the days paused). Counting
    from the due in force, not re-rolling the original period, means N days added never move the due by fewer than N
    days: 60 days ending on a Saturday were rolled to Monday, and the N days count from Monday.
    """
    if days < 0:
        raise ValueError("天数不能为负数")
    return end_of_day(calendar.next_workday(to_local(due).date() + timedelta(days=days)))


def extended_due(due: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """The due time after an extension of `days` (延期): the due in force plus the days granted, then the rest-day rule."""
    if days < 0:
        raise ValueError("延期天数不能为负数")
    return shifted_due(due, days, calendar)


def paused_days(since: datetime, until: datetime) -> int:
    """The whole days a pause covered: local date of resuming minus local date of pausing.

    Days are the unit of every petition period, so a pause begun and ended on the same day adds none, and a hearing
    from Monday to the next Monday adds 7.
    """
    return max(0, (to_local(until).date() - to_local(since).date()).days)


def due_state(due: datetime | None, now: datetime, *, soon_days: int = 3) -> str:
    """ "overdue" after the due time; "due_today" when due later today; "due_soon" within `soon_days`
    local days; "ok" otherwise; "" when there is no due time. A due time equal to `now` is not overdue."""
    if due is None:
        return ""
    due_l, now_l = to_local(due), to_local(now)
    if not on_time(now_l, due_l):
        return OVERDUE
    days_left = (due_l.date() - now_l.date()).days
    if days_left == 0:
        return DUE_TODAY
    if days_left <= soon_days:
        return DUE_SOON
    return OK


def due_soon_until(now: datetime, *, soon_days: int = 3) -> datetime:
    """The latest due time that `due_state` calls "due_today"/"due_soon": the end of the local day `soon_days` after today.

    For worklist queries: ``Q(due_at__gte=now, due_at__lte=due_soon_until(now))`` matches due_state exactly.
    """
    return end_of_day(to_local(now).date() + timedelta(days=soon_days))


def on_time(done: datetime, due: datetime | None) -> bool:
    """Was something done at `done` within `due`? Compared to the second: 23:59:59.4 on the last day is on time."""
    if due is None:
        return True
    return to_local(done).replace(microsecond=0) <= to_local(due)


def remaining(due: datetime, now: datetime) -> timedelta:
    """Time left until `due` (negative when overdue)."""
    return to_local(due) - to_local(now)


def describe_remaining(due: datetime | None, now: datetime) -> str:
    """Chinese text for a due clock: "剩 3 天 4 小时", "剩 25 分钟", "超期 2 天"."""
    if due is None:
        return ""
    left = remaining(due, now)
    over = left < timedelta(0)
    secs = int(abs(left).total_seconds())
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} 天" + (f" {hours} 小时" if hours else "")
    elif hours:
        text = f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")
    else:
        text = f"{minutes} 分钟"
    return f"超期 {text}" if over else f"剩 {text}"
