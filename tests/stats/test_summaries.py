"""Summary rows (xinfang.stats.summaries): the same numbers as the live aggregate before and after a refresh, after a
write the refresh has not seen, and as time passes; the trigger marks the days; a bounded number of queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from xinfang.petitions.models import Petition
from xinfang.stats import breakdowns, kpis, selectors, summaries
from xinfang.stats.models import DimDay, DimMonth, KpiDay, KpiMonth, SummaryChange

from .fixtures import COUNTS_EXPECTED, END, KPI_EXPECTED, NOW, START, at

pytestmark = pytest.mark.django_db
DASH = ["channel", "category", "township", "nature", "handling_unit", "collective", "cross_level", "repeat"]


def figures(actor, **params):
    f = selectors.parse_filter(actor, {"start": START, "end": END, **params})
    got = selectors.kpi_summary(actor=actor, f=f, now=NOW)
    return {c: (k["numerator"], k["denominator"]) for c, k in got["kpis"].items()}, got["counts"]


def live(actor, **params):
    f = selectors.parse_filter(actor, {"start": START, "end": END, **params})
    got = kpis.compute(selectors.period_qs(f), now=NOW)
    return {c: (k["numerator"], k["denominator"]) for c, k in got["kpis"].items()}, got["counts"]


def test_every_write_marks_its_registration_day(kpi_world):
    days = set(SummaryChange.objects.values_list("day", flat=True))
    assert {date(2025, 12, 20), date(2026, 1, 15), date(2026, 1, 16)} <= days  # p1, p9 (23:30 local), p11
    SummaryChange.objects.all().delete()
    Petition.objects.filter(pk=kpi_world["p3"].pk).update(satisfaction="satisfied")
    assert set(SummaryChange.objects.values_list("day", flat=True)) == {date(2026, 1, 2)}


def test_summaries_give_the_live_figures_before_and_after_writes(kpi_world, make_user, county):
    office = make_user("office")
    assert figures(office) == (KPI_EXPECTED, COUNTS_EXPECTED)  # nothing summarised: all live
    with time_machine.travel(NOW, tick=False):
        assert summaries.refresh(everything=True) > 0
    assert not SummaryChange.objects.exists() and KpiDay.objects.exists()
    assert summaries.stale_days(date(2025, 12, 15), date(2026, 1, 15)) == (set(), True)
    assert figures(office) == (KPI_EXPECTED, COUNTS_EXPECTED)
    assert figures(office, region=county.townships[1].code) == live(office, region=county.townships[1].code)
    # A write the refresh has not seen: its day is counted live, the figures move at once.
    Petition.objects.filter(pk=kpi_world["p3"].pk).update(satisfaction="satisfied")
    assert figures(office)[0]["satisfaction_rate"] == (3, 3)
    assert figures(office) == live(office)
    summaries.refresh()
    assert figures(office) == live(office) and not SummaryChange.objects.exists()


def test_figures_that_grow_with_time_are_counted_live(kpi_world, make_user):
    office = make_user("office")
    summaries.refresh(everything=True)
    f = selectors.parse_filter(office, {"start": START, "end": END})
    # p9's decision falls due on 10 April: after that it joins 及时受理率's denominator without any refresh.
    later = at(2026, 4, 11)
    got = selectors.kpi_summary(actor=office, f=f, now=later)["kpis"]["timely_acceptance"]
    assert (got["numerator"], got["denominator"]) == (6, 9)
    assert got["denominator"] == kpis.compute(selectors.period_qs(f), now=later)["kpis"]["timely_acceptance"]["denominator"]


def test_breakdowns_and_series_match_the_live_ones(kpi_world, make_user):
    office = make_user("office")
    f = selectors.parse_filter(office, {"start": START, "end": END})
    expected = breakdowns.breakdowns_for(selectors.period_qs(f), DASH)
    expected_series = breakdowns.fill_gaps(breakdowns.by_period(selectors.period_qs(f), "week"), f.start, f.end, "week")
    summaries.refresh(everything=True)
    Petition.objects.filter(pk=kpi_world["p7"].pk).update(channel="phone")  # one day dirty again
    expected_dirty = breakdowns.breakdowns_for(selectors.period_qs(f), DASH)
    assert expected_dirty != expected
    assert selectors.stats_breakdowns(actor=office, f=f, dimensions=DASH) == expected_dirty
    assert selectors.stats_series(actor=office, f=f, grain="week")["rows"] == expected_series


def test_a_summarised_year_costs_a_few_queries(kpi_world, make_user, django_assert_max_num_queries):
    office = make_user("office")
    summaries.refresh(everything=True)
    f = selectors.parse_filter(office, {"start": START, "end": END})
    # Which days are clean, the summary sums, the live part (changed days and the figures that grow with time).
    with django_assert_max_num_queries(3):
        selectors.kpi_summary(actor=office, f=f, now=NOW)
    _refresh_autumn_to_spring()
    f = selectors.parse_filter(office, {"start": MONTHS_AND_DAYS[0], "end": MONTHS_AND_DAYS[1]})
    with django_assert_max_num_queries(4):  # the month rows' sums and the other days' sums: one more
        selectors.kpi_summary(actor=office, f=f, now=NOW)


@pytest.mark.django_db(transaction=True)
def test_a_write_during_a_refresh_leaves_its_day_dirty(kpi_world, monkeypatch):
    """The refresh reads the changes and the petitions in one snapshot and deletes only the changes it saw."""
    if connection.vendor != "postgresql":
        pytest.skip("并发写入需在 PostgreSQL 上验证（SQLite 的写事务串行）")
    import psycopg

    s = connection.settings_dict
    dsn = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    real = summaries.node_map

    def write_meanwhile():  # runs inside the refresh, after it has read the changes
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute("UPDATE petitions_petition SET satisfaction = 'dissatisfied' WHERE id = %s", [kpi_world["p1"].pk])
        return real()

    monkeypatch.setattr(summaries, "node_map", write_meanwhile)
    summaries.refresh(everything=True)
    assert SummaryChange.objects.filter(day=date(2025, 12, 20)).exists()  # p1's day: written after the snapshot
    assert date(2025, 12, 20) in summaries.stale_days(date(2025, 12, 20), date(2025, 12, 20))[0]
    monkeypatch.setattr(summaries, "node_map", real)
    office = Petition.objects.get(pk=kpi_world["p1"].pk).office
    assert office is not None
    summaries.refresh()
    assert not SummaryChange.objects.exists()
    assert KpiDay.objects.filter(day=date(2025, 12, 20)).get().satisfaction_rate_num == 0


WHOLE_MONTHS = ("2025-12-01", "2026-01-31")  # two calendar months, read from the month rows once every day is clean
MONTHS_AND_DAYS = ("2025-11-20", "2026-02-10")  # the same months and some days on either side


def _refresh_autumn_to_spring():
    first = date(2025, 11, 1)
    with time_machine.travel(NOW, tick=False):
        summaries.refresh(days=[first + timedelta(days=i) for i in range(151)], now=NOW)  # 2025-11-01 .. 2026-03-31


def _everything(actor, start, end, **params):
    f = selectors.parse_filter(actor, {"start": start, "end": end, **params})
    got = selectors.kpi_summary(actor=actor, f=f, now=NOW)
    return (
        {c: (k["numerator"], k["denominator"]) for c, k in got["kpis"].items()},
        got["counts"],
        selectors.stats_breakdowns(actor=actor, f=f, dimensions=DASH),
        selectors.stats_series(actor=actor, f=f, grain="month")["rows"],
    )


def _live_everything(start, end, actor, **params):
    f = selectors.parse_filter(actor, {"start": start, "end": end, **params})
    qs = selectors.period_qs(f)
    got = kpis.compute(qs, now=NOW)
    return (
        {c: (k["numerator"], k["denominator"]) for c, k in got["kpis"].items()},
        got["counts"],
        breakdowns.breakdowns_for(qs, DASH),
        breakdowns.fill_gaps(breakdowns.by_period(qs, "month"), f.start, f.end, "month"),
    )


def test_whole_clean_months_are_read_from_the_month_rows(kpi_world, make_user, county):
    office = make_user("office")
    _refresh_autumn_to_spring()
    assert summaries.clean_months(date(2025, 11, 20), date(2026, 2, 10), set()) == [date(2025, 12, 1), date(2026, 1, 1)]
    with CaptureQueriesContext(connection) as ctx:
        got = _everything(office, *WHOLE_MONTHS)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "stats_kpimonth" in sql and "stats_dimmonth" in sql and "stats_kpiday" not in sql and "stats_dimday" not in sql
    assert got == _live_everything(*WHOLE_MONTHS, office)
    assert _everything(office, *MONTHS_AND_DAYS) == _live_everything(*MONTHS_AND_DAYS, office)
    for township in county.townships[:2]:  # a township's scope: its own month rows (p12 is the second township's)
        region = {"region": township.code}
        assert _everything(office, *WHOLE_MONTHS, **region) == _live_everything(*WHOLE_MONTHS, office, **region)
        assert _everything(office, *MONTHS_AND_DAYS, **region) == _live_everything(*MONTHS_AND_DAYS, office, **region)


def test_a_month_with_a_dirty_day_is_read_from_its_days_until_the_refresh_rebuilds_it(kpi_world, make_user):
    office = make_user("office")
    _refresh_autumn_to_spring()
    Petition.objects.filter(pk=kpi_world["p3"].pk).update(satisfaction="satisfied", channel="phone")  # 2 January
    assert summaries.clean_months(date(2025, 12, 1), date(2026, 1, 31), {date(2026, 1, 2)}) == [date(2025, 12, 1)]
    assert _everything(office, *WHOLE_MONTHS)[0]["satisfaction_rate"] == (3, 3)
    assert _everything(office, *WHOLE_MONTHS) == _live_everything(*WHOLE_MONTHS, office)
    with time_machine.travel(NOW, tick=False):
        summaries.refresh(now=NOW)  # only 2 January; January's month rows are rebuilt with it
    assert not SummaryChange.objects.exists()
    assert _everything(office, *WHOLE_MONTHS) == _live_everything(*WHOLE_MONTHS, office)
    january = KpiMonth.objects.filter(month=date(2026, 1, 1)).aggregate(s=Sum("satisfaction_rate_num"), t=Sum("total"))
    days = KpiDay.objects.filter(day__year=2026, day__month=1).aggregate(s=Sum("satisfaction_rate_num"), t=Sum("total"))
    assert january == days and january["s"] == 1  # p3, satisfied now; p1 and p2 are December's
    phone = DimMonth.objects.filter(month=date(2026, 1, 1), dimension="channel", key="phone", node__isnull=True).get().n
    assert (
        phone
        == DimDay.objects.filter(day__year=2026, day__month=1, dimension="channel", key="phone", node__isnull=True).aggregate(n=Sum("n"))[
            "n"
        ]
    )


def test_the_migration_builds_month_rows_from_a_database_summarised_before_them(kpi_world):
    import importlib

    from django.db.migrations.loader import MigrationLoader

    _refresh_autumn_to_spring()
    kept = sorted(KpiMonth.objects.values_list("month", "node_id", "total", "satisfaction_rate_num", "repeat"))
    dims = sorted(DimMonth.objects.values_list("month", "node_id", "dimension", "key", "n"), key=str)
    KpiMonth.objects.all().delete()
    DimMonth.objects.all().delete()
    migration = importlib.import_module("xinfang.stats.migrations.0004_month_summaries")
    apps = MigrationLoader(connection).project_state(("stats", "0004_month_summaries")).apps
    migration.month_rows_from_day_rows(apps, None)
    assert kept and sorted(KpiMonth.objects.values_list("month", "node_id", "total", "satisfaction_rate_num", "repeat")) == kept
    assert dims and sorted(DimMonth.objects.values_list("month", "node_id", "dimension", "key", "n"), key=str) == dims
