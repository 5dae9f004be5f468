"""Summary rows (xinfang.stats.summaries): the same numbers as the live aggregate before and after a refresh, after a
write the refresh has not seen, and as time passes; the trigger marks the days; a bounded number of queries."""

from datetime import date

import pytest
import time_machine
from django.db import connection

from xinfang.petitions.models import Petition
from xinfang.stats import breakdowns, kpis, selectors, summaries
from xinfang.stats.models import KpiDay, SummaryChange

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
