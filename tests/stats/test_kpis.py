"""KPIs on the hand-built fixture: every numerator and denominator known by construction."""

from datetime import date

import pytest

from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.stats import kpis, selectors

from .fixtures import COUNTS_EXPECTED, END, KPI_EXPECTED, NOW, START


def summary(actor, **params):
    f = selectors.parse_filter(actor, {"start": START, "end": END, **params})
    return selectors.kpi_summary(actor=actor, f=f, now=NOW)


@pytest.mark.django_db
def test_every_kpi_numerator_and_denominator(kpi_world, make_user):
    result = summary(make_user("office"))
    got = {code: (k["numerator"], k["denominator"]) for code, k in result["kpis"].items()}
    assert got == KPI_EXPECTED
    assert result["counts"] == COUNTS_EXPECTED
    assert result["kpis"]["on_time_completion"]["value"] == 0.6
    assert result["kpis"]["satisfaction_rate"]["value"] == round(2 / 3, 4)


@pytest.mark.django_db
def test_all_kpis_are_one_query(kpi_world, make_user, django_assert_num_queries):
    actor = make_user("office")
    f = selectors.parse_filter(actor, {"start": START, "end": END})
    # Which days have summary rows (none here: stats.summaries), then every KPI and count in one aggregate.
    with django_assert_num_queries(2):
        selectors.kpi_summary(actor=actor, f=f, now=NOW)


@pytest.mark.django_db
def test_reply_exactly_at_due_is_on_time_and_one_second_later_is_not(kpi_world):
    from xinfang.petitions.models import Petition

    on_time = Petition.objects.filter(kpis.figure_filter("on_time_completion", "num", NOW))
    late = Petition.objects.filter(kpis.figure_filter("on_time_completion", "miss", NOW))
    assert kpi_world["p1"] in on_time and kpi_world["p2"] in on_time  # at due; extended
    assert kpi_world["p3"] in late and kpi_world["p12"] in late


@pytest.mark.django_db
def test_period_only_january_drops_december_rows(kpi_world, make_user):
    result = summary(make_user("office"), start="2026-01-01", end="2026-01-31")
    # p1 p2 (December) drop out; p11 (16 January 00:00) comes in.
    assert result["counts"]["total"] == 9
    assert (result["kpis"]["first_time_resolution"]["numerator"], result["kpis"]["first_time_resolution"]["denominator"]) == (0, 3)


@pytest.mark.django_db
def test_region_filter_and_empty_denominator_gives_null(kpi_world, make_user, county):
    result = summary(make_user("office"), region=county.townships[1].code)
    assert result["counts"]["total"] == 1
    assert result["kpis"]["satisfaction_rate"] == {**result["kpis"]["satisfaction_rate"], "numerator": 0, "denominator": 0, "value": None}


@pytest.mark.django_db
def test_township_user_sees_only_its_township_aggregates(kpi_world, make_user, county):
    viewer = make_user("viewer", unit=county.township_unit)
    result = summary(viewer)
    assert result["counts"]["total"] == 9  # p12 is in the second township
    with pytest.raises(InvalidInput):
        summary(viewer, region=county.townships[1].code)


@pytest.mark.django_db
def test_bad_input_and_no_permission(make_user):
    office = make_user("office")
    with pytest.raises(InvalidInput) as e:
        selectors.parse_filter(office, {"start": "2026-13-01"})
    assert "start" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        selectors.parse_filter(office, {"start": "2026-02-01", "end": "2026-01-01"})
    assert "end" in e.value.fields
    with pytest.raises(NoPermission):
        selectors.parse_filter(make_user("unit_handler"), {})


@pytest.mark.django_db
def test_trends_previous_period_and_last_year(kpi_world, make_user, make_petition):
    from .fixtures import at

    make_petition(at(2025, 1, 3), status="registered")  # same dates last year
    make_petition(at(2024, 12, 20), status="registered")
    make_petition(at(2025, 12, 1), status="registered")  # previous period (2025-11-13 .. 2025-12-14)
    actor = make_user("office")
    f = selectors.parse_filter(actor, {"start": START, "end": END})
    trends = selectors.kpi_trends(actor=actor, f=f, now=NOW)
    assert trends["previous"]["start"] == "2025-11-13" and trends["previous"]["end"] == "2025-12-14"
    assert trends["previous"]["counts"]["total"] == 2  # 2025-12-01 and p10 (14 December 23:59)
    assert trends["last_year"]["start"] == "2024-12-15" and trends["last_year"]["counts"]["total"] == 2
    assert trends["current"]["counts"]["total"] == 10


def test_lights():
    k = kpis.kpi_definitions(NOW)
    assert kpis.light(k["on_time_completion"], 1.0) == "green"
    assert kpis.light(k["on_time_completion"], 0.95) == "amber"
    assert kpis.light(k["on_time_completion"], 0.5) == "red"
    assert kpis.light(k["repeat_rate"], 0.0) == "green"
    assert kpis.light(k["repeat_rate"], 0.5) == "red"
    assert kpis.light(k["repeat_rate"], None) == "none"


def test_shifted_periods_leap_day():
    from xinfang.stats.breakdowns import shifted_periods

    p = shifted_periods(date(2028, 2, 1), date(2028, 2, 29))
    assert p["previous"] == (date(2028, 1, 1), date(2028, 1, 31))  # a whole month: the month before
    assert p["last_year"] == (date(2027, 2, 1), date(2027, 2, 28))
    p = shifted_periods(date(2028, 2, 3), date(2028, 2, 29))  # not whole months: as many days before
    assert p["previous"] == (date(2028, 1, 7), date(2028, 2, 2))


def test_shifted_periods_of_calendar_months_quarters_and_years():
    from xinfang.stats.breakdowns import shifted_periods

    assert shifted_periods(date(2026, 3, 1), date(2026, 3, 31))["previous"] == (date(2026, 2, 1), date(2026, 2, 28))
    assert shifted_periods(date(2026, 1, 1), date(2026, 1, 31))["previous"] == (date(2025, 12, 1), date(2025, 12, 31))
    assert shifted_periods(date(2026, 4, 1), date(2026, 6, 30))["previous"] == (date(2026, 1, 1), date(2026, 3, 31))
    assert shifted_periods(date(2025, 1, 1), date(2025, 3, 31))["previous"] == (date(2024, 10, 1), date(2024, 12, 31))
    assert shifted_periods(date(2025, 1, 1), date(2025, 12, 31))["previous"] == (date(2024, 1, 1), date(2024, 12, 31))
