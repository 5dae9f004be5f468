"""The pure deadline module: no database, dates worked out by hand from the State Council notices."""

from datetime import UTC, date, datetime, timedelta

import pytest
from chinese_calendar import constants

from xinfang.petitions.deadlines import (
    LOCAL_TZ,
    WEEKENDS_ONLY,
    Limit,
    WorkCalendar,
    add_limit,
    describe_remaining,
    due_at,
    due_soon_until,
    due_state,
    end_of_day,
    last_day,
    on_time,
    remaining,
)


def official(up_to: int = 2026, extra: WorkCalendar | None = None) -> WorkCalendar:
    """The real calendar of chinesecalendar for the years up to `up_to` (2027 unknown by default)."""
    holidays = {d for d in constants.holidays if d.year <= up_to}
    workdays = {d for d in constants.workdays if d.year <= up_to}
    known = set(range(2004, up_to + 1))
    if extra:
        holidays |= extra.holidays
        workdays |= extra.make_up_workdays
        known |= extra.known_years
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(known))


CAL = official()
# 2027's notice entered by hand (元旦 2027-01-01..03 off) — used to show that entering it changes due times.
CAL_2027 = official(extra=WorkCalendar(frozenset({date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}), frozenset(), frozenset({2027})))


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LOCAL_TZ)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=LOCAL_TZ)


# Also run with "today" moved (tests/petitions/conftest.py): pure functions must not care, and this proves they do not.
pytestmark = pytest.mark.usefixtures("moved_today")

DAYS15 = Limit(15)
WD = Limit(3, day_kind="workday")


# ------------------------------------------------------------------ calendar days


@pytest.mark.parametrize(
    "start, limit, expected",
    [
        # 15 days from Monday 2 March: the start day is not counted, the period ends at the end of 17 March.
        (at(2026, 3, 2), DAYS15, eod(2026, 3, 17)),
        # Received one second before midnight: still counted from the next day.
        (at(2026, 3, 2, 23, 59, 59), DAYS15, eod(2026, 3, 17)),
        # Received just after midnight: one day later.
        (at(2026, 3, 3, 0, 0, 1), DAYS15, eod(2026, 3, 18)),
        # Last day 5 Oct 2026 falls in National Day (1-7 Oct off) -> ends on Thursday 8 Oct.
        (at(2026, 9, 20), DAYS15, eod(2026, 10, 8)),
        # Last day 16 Feb 2026 falls in the Spring Festival (15-23 Feb off) -> ends on Tuesday 24 Feb.
        (at(2026, 2, 1), DAYS15, eod(2026, 2, 24)),
        # Last day Saturday 14 Feb 2026 is a make-up workday (调休上班) -> it stays.
        (at(2026, 1, 30), DAYS15, eod(2026, 2, 14)),
        # Last day an ordinary Saturday (7 Mar 2026) -> Monday 9 Mar.
        (at(2026, 2, 20, 9), Limit(15), eod(2026, 3, 9)),
        # Last day an ordinary Sunday (8 Mar 2026) -> Monday 9 Mar.
        (at(2026, 2, 21), Limit(15), eod(2026, 3, 9)),
        # 60 days of handling from 15 Jan: 16 Mar 2025 is a Sunday -> 17 Mar; 2024 is a leap year -> 15 Mar (Friday).
        (at(2025, 1, 15), Limit(60), eod(2025, 3, 17)),
        (at(2024, 1, 15), Limit(60), eod(2024, 3, 15)),
        # Leap day: 28 Feb 2028 + 1 = 29 Feb 2028 (Tuesday; 2028 is unknown -> weekends only).
        (at(2028, 2, 28), Limit(1), eod(2028, 2, 29)),
        (at(2027, 2, 26), Limit(3), eod(2027, 3, 1)),
        (at(2024, 2, 29), Limit(365), eod(2025, 2, 28)),
        # 0 days: the same day (当日), rolled to the next workday when that day is off.
        (at(2026, 3, 2), Limit(0), eod(2026, 3, 2)),
        (at(2026, 10, 3), Limit(0), eod(2026, 10, 8)),
        # Year end, 2027 unknown: 1 Jan 2027 (a Friday) counts as a workday.
        (at(2026, 12, 17), DAYS15, eod(2027, 1, 1)),
        (at(2026, 12, 20), DAYS15, eod(2027, 1, 4)),
    ],
)
def test_calendar_days(start, limit, expected):
    assert add_limit(start, limit, CAL) == expected
    assert due_at(start, limit, CAL) == expected


def test_year_end_with_next_years_notice_entered():
    # The same period once 2027's 元旦 is entered: 1-3 Jan 2027 off -> Monday 4 Jan.
    assert add_limit(at(2026, 12, 17), DAYS15, CAL) == eod(2027, 1, 1)
    assert add_limit(at(2026, 12, 17), DAYS15, CAL_2027) == eod(2027, 1, 4)
    assert not CAL.is_known(2027) and CAL_2027.is_known(2027)


def test_start_is_read_in_shanghai_time():
    # 17:00 UTC on 1 March is 01:00 on 2 March in Shanghai: counted from 3 March.
    start = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert add_limit(start, DAYS15, CAL) == eod(2026, 3, 17)
    # 15:59 UTC is still 1 March 23:59 in Shanghai.
    assert add_limit(datetime(2026, 3, 1, 15, 59, tzinfo=UTC), DAYS15, CAL) == eod(2026, 3, 16)
    # A naive datetime is taken as Shanghai local time.
    assert add_limit(datetime(2026, 3, 2, 10, 0), DAYS15, CAL) == eod(2026, 3, 17)


def test_due_is_the_last_second_of_the_day_in_shanghai():
    due = add_limit(at(2026, 3, 2), DAYS15, CAL)
    assert (due.hour, due.minute, due.second, due.microsecond) == (23, 59, 59, 0)
    assert due.utcoffset() == timedelta(hours=8)
    assert due.astimezone(UTC) == datetime(2026, 3, 17, 15, 59, 59, tzinfo=UTC)


# ------------------------------------------------------------------ workdays


@pytest.mark.parametrize(
    "start, limit, expected",
    [
        # Monday + 3 workdays = Thursday.
        (at(2026, 3, 2), WD, eod(2026, 3, 5)),
        # Thursday + 3 workdays = Tuesday (the weekend is skipped).
        (at(2026, 3, 5), WD, eod(2026, 3, 10)),
        # 30 Sep 2026 + 3 workdays: 1-7 Oct off, Thu 8, Fri 9, Sat 10 (make-up workday) -> 10 Oct.
        (at(2026, 9, 30), WD, eod(2026, 10, 10)),
        # Friday 13 Feb 2026 + 1 workday = Saturday 14 Feb (make-up workday).
        (at(2026, 2, 13), Limit(1, day_kind="workday"), eod(2026, 2, 14)),
        # 12 Feb + 2 workdays: Fri 13, Sat 14 (make-up) -> 14 Feb; + 3 -> after the Spring Festival, 24 Feb.
        (at(2026, 2, 12), Limit(2, day_kind="workday"), eod(2026, 2, 14)),
        (at(2026, 2, 12), Limit(3, day_kind="workday"), eod(2026, 2, 24)),
        # Starting on a holiday: the start day is never counted; first workday after it is day 1.
        (at(2026, 10, 2), Limit(1, day_kind="workday"), eod(2026, 10, 8)),
        # Year end with 2027 unknown: Thu 31 Dec, Fri 1 Jan, Mon 4 Jan.
        (at(2026, 12, 30), WD, eod(2027, 1, 4)),
        # 0 workdays: the same day, or the next workday when the start is a day off.
        (at(2026, 3, 7), Limit(0, day_kind="workday"), eod(2026, 3, 9)),
        # 15 workdays from Monday 2 March = Monday 23 March.
        (at(2026, 3, 2), Limit(15, day_kind="workday"), eod(2026, 3, 23)),
    ],
)
def test_workdays(start, limit, expected):
    assert add_limit(start, limit, CAL) == expected


def test_workdays_across_year_end_once_2027_is_known():
    # With 1-3 Jan 2027 entered as holidays: Thu 31 Dec, Mon 4 Jan, Tue 5 Jan.
    assert add_limit(at(2026, 12, 30), WD, CAL_2027) == eod(2027, 1, 5)


def test_every_start_day_of_2025_and_2026_obeys_the_rules():
    """Exhaustive over two known years, for both day kinds and the common amounts."""
    d = date(2025, 1, 1)
    while d <= date(2026, 12, 31):
        start = at(d.year, d.month, d.day, 9)
        for amount in (1, 2, 15, 30, 60):
            # Calendar days: the last day is the first workday on or after start + amount.
            last = last_day(start, Limit(amount), CAL)
            nominal = d + timedelta(days=amount)
            assert last >= nominal and CAL.is_workday(last)
            assert all(not CAL.is_workday(nominal + timedelta(days=i)) for i in range((last - nominal).days))
            # Workdays: exactly `amount` workdays in (start day, last day], the last one a workday.
            wlast = last_day(start, Limit(amount, day_kind="workday"), CAL)
            between = [d + timedelta(days=i) for i in range(1, (wlast - d).days + 1)]
            assert sum(CAL.is_workday(x) for x in between) == amount and CAL.is_workday(wlast)
        d += timedelta(days=1)


# ------------------------------------------------------------------ hours, minutes, extension, pause


def test_minutes_and_hours_are_elapsed_time_even_over_holidays():
    assert add_limit(at(2026, 10, 1, 23, 50), Limit(15, "minutes"), CAL) == at(2026, 10, 2, 0, 5)
    assert add_limit(at(2026, 10, 1, 9), Limit(48, "hours"), CAL) == at(2026, 10, 3, 9)
    # An aware UTC start keeps its instant.
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert add_limit(start, Limit(15, "minutes"), CAL) == start + timedelta(minutes=15)


def test_extension_is_a_longer_period_from_the_same_start():
    handle = Limit(60)
    assert handle.extended(30) == Limit(90)
    # 2 March + 60 = 1 May (Labour Day, 1-5 May off) -> 6 May; + 30 more: 31 May is a Sunday -> 1 June.
    assert add_limit(at(2026, 3, 2), handle, CAL) == eod(2026, 5, 6)
    assert add_limit(at(2026, 3, 2), handle.extended(30), CAL) == eod(2026, 6, 1)
    assert Limit(5, day_kind="workday").extended(2) == Limit(7, day_kind="workday")
    with pytest.raises(ValueError):
        Limit(15, "minutes").extended(1)
    with pytest.raises(ValueError):
        handle.extended(-1)


def test_pause_pushes_the_due_time_by_the_paused_seconds():
    start = at(2026, 3, 2)
    base = due_at(start, DAYS15, CAL)
    assert due_at(start, DAYS15, CAL, paused_seconds=0) == base == eod(2026, 3, 17)
    assert due_at(start, DAYS15, CAL, paused_seconds=3 * 86400) == eod(2026, 3, 20)
    assert due_at(start, DAYS15, CAL, paused_seconds=90) == base + timedelta(seconds=90)
    assert due_at(at(2026, 3, 2, 9), Limit(15, "minutes"), CAL, paused_seconds=600) == at(2026, 3, 2, 9, 25)
    with pytest.raises(ValueError):
        due_at(start, DAYS15, CAL, paused_seconds=-1)


# ------------------------------------------------------------------ due_state, remaining


def test_due_state_thresholds():
    due = eod(2026, 3, 17)
    assert due_state(None, at(2026, 3, 17)) == ""
    assert due_state(due, due + timedelta(seconds=1)) == "overdue"
    assert due_state(due, due) == "due_today"  # done exactly at 23:59:59 of the last day is on time
    assert due_state(due, due + timedelta(microseconds=999_999)) == "due_today"  # still within 23:59:59
    assert on_time(due + timedelta(microseconds=999_999), due) and not on_time(due + timedelta(seconds=1), due)
    assert on_time(at(2026, 3, 1), None)
    assert due_state(due, at(2026, 3, 17, 0, 0)) == "due_today"
    assert due_state(due, at(2026, 3, 16, 23, 59, 59)) == "due_soon"
    assert due_state(due, at(2026, 3, 14, 0, 0)) == "due_soon"  # 3 days left
    assert due_state(due, at(2026, 3, 13, 23, 59)) == "ok"  # 4 days left
    assert due_state(due, at(2026, 3, 13, 12), soon_days=4) == "due_soon"
    assert due_state(due, at(2026, 3, 16), soon_days=0) == "ok"
    # Hours/minutes: a due later today is "due_today".
    assert due_state(at(2026, 3, 2, 10, 15), at(2026, 3, 2, 10, 0)) == "due_today"
    assert due_state(at(2026, 3, 2, 10, 15), at(2026, 3, 2, 10, 16)) == "overdue"


def test_due_soon_until_matches_due_state():
    now = at(2026, 3, 2, 10)
    bound = due_soon_until(now)
    assert bound == eod(2026, 3, 5)
    assert due_state(bound, now) == "due_soon" and due_state(bound + timedelta(seconds=1), now) == "ok"
    assert due_soon_until(now, soon_days=0) == eod(2026, 3, 2)
    # 23:30 UTC on 1 March is already 2 March in Shanghai.
    assert due_soon_until(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == eod(2026, 3, 5)


def test_due_state_uses_shanghai_dates():
    due = eod(2026, 3, 17)
    # 16:30 UTC on 17 March is 00:30 on 18 March in Shanghai: overdue.
    assert due_state(due, datetime(2026, 3, 17, 16, 30, tzinfo=UTC)) == "overdue"
    # 16:00 UTC on 16 March is 00:00 on 17 March in Shanghai: due today.
    assert due_state(due, datetime(2026, 3, 16, 16, 0, tzinfo=UTC)) == "due_today"


def test_remaining_and_its_chinese_text():
    due = eod(2026, 3, 17)
    assert remaining(due, at(2026, 3, 17, 23, 0)) == timedelta(minutes=59, seconds=59)
    assert remaining(due, due + timedelta(days=2)) == timedelta(days=-2)
    assert describe_remaining(due, at(2026, 3, 14, 19, 59, 59)) == "剩 3 天 4 小时"
    assert describe_remaining(due, at(2026, 3, 17, 22, 0)) == "剩 1 小时 59 分钟"
    assert describe_remaining(due, at(2026, 3, 17, 23, 30)) == "剩 29 分钟"
    assert describe_remaining(due, due + timedelta(days=2)) == "超期 2 天"
    assert describe_remaining(None, due) == ""


# ------------------------------------------------------------------ calendar and limit objects


def test_work_calendar_rules():
    assert CAL.is_workday(date(2026, 3, 2))  # Monday
    assert not CAL.is_workday(date(2026, 3, 7))  # Saturday
    assert not CAL.is_workday(date(2026, 10, 2))  # National Day (a Friday)
    assert CAL.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert CAL.is_workday(date(2027, 1, 1)) and not CAL_2027.is_workday(date(2027, 1, 1))
    assert CAL.is_known(2026) and not CAL.is_known(2027)
    assert WEEKENDS_ONLY.is_workday(date(2026, 10, 2)) and not WEEKENDS_ONLY.is_known(2026)
    # An explicit entry wins over the weekend rule, both ways.
    cal = WorkCalendar(frozenset({date(2030, 5, 1)}), frozenset({date(2030, 5, 4)}), frozenset({2030}))
    assert not cal.is_workday(date(2030, 5, 1)) and cal.is_workday(date(2030, 5, 4))
    assert cal.next_workday(date(2030, 5, 1)) == date(2030, 5, 2)


@pytest.mark.parametrize(
    "kwargs",
    [{"amount": -1}, {"amount": 1.5}, {"amount": True}, {"amount": 1, "unit": "weeks"}, {"amount": 1, "day_kind": "lunar"}],
)
def test_limit_refuses_nonsense(kwargs):
    with pytest.raises(ValueError):
        Limit(**kwargs)


def test_limit_describe_and_end_of_day():
    assert Limit(60).describe() == "60 个自然日"
    assert Limit(15, day_kind="workday").describe() == "15 个工作日"
    assert Limit(15, "minutes").describe() == "15 分钟"
    assert Limit(2, "hours").describe() == "2 小时"
    assert end_of_day(date(2026, 3, 2)) == eod(2026, 3, 2)
    with pytest.raises(ValueError):
        last_day(at(2026, 3, 2), Limit(15, "minutes"), CAL)
