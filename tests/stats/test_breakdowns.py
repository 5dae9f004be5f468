"""Breakdowns and series on the hand-built fixture."""

from datetime import date

import pytest

from xinfang.stats import breakdowns, selectors

from .fixtures import END, NOW, START


@pytest.fixture
def f(kpi_world, make_user):
    actor = make_user("office")
    return actor, selectors.parse_filter(actor, {"start": START, "end": END})


def as_map(rows):
    return {r["key"]: r["count"] for r in rows}


@pytest.mark.django_db
def test_breakdowns(f, county):
    actor, flt = f
    b = selectors.stats_breakdowns(actor=actor, f=flt)
    assert as_map(b["channel"]) == {"letter": 6, "visit": 2, "online": 1, "phone": 1}
    assert as_map(b["category"]) == {"labour": 8, "land": 2}
    assert as_map(b["township"]) == {county.townships[0].code: 9, county.townships[1].code: 1}
    assert as_map(b["village"]) == {county.villages[0].code: 9, county.villages[2].code: 1}
    assert as_map(b["handling_unit"]) == {"dept-hr": 4, "dept-land": 1, "twp-2": 1, "": 4}
    assert as_map(b["collective"]) == {"yes": 1, "no": 9}
    assert as_map(b["repeat"]) == {"yes": 1, "no": 9}
    assert as_map(b["nature"]) == {"request": 10}
    assert b["channel"][0]["label"] == "来信" and b["channel"][0]["share"] == 0.6


@pytest.mark.django_db
def test_each_breakdown_is_a_bounded_number_of_queries(f, django_assert_max_num_queries):
    actor, flt = f
    with django_assert_max_num_queries(9):  # choices+flags 1, category 1, unit 1, regions 1 (+2 × paths and names), decline routes 1
        selectors.stats_breakdowns(actor=actor, f=flt)


@pytest.mark.django_db
def test_series_month_and_gap_filling(f):
    actor, flt = f
    s = selectors.stats_series(actor=actor, f=flt, grain="month")
    assert [(r["bucket"], r["total"]) for r in s["rows"]] == [("2025-12-01", 2), ("2026-01-01", 8)]
    days = selectors.stats_series(actor=actor, f=flt, grain="day")["rows"]
    assert len(days) == 32 and days[0]["bucket"] == "2025-12-15" and days[-1]["bucket"] == "2026-01-15"
    assert sum(r["total"] for r in days) == 10
    # the petition registered at 23:30 on 15 January (Beijing time) falls on that day, not the 16th (UTC would differ)
    assert days[-1]["total"] == 1
    year = selectors.stats_series(actor=actor, f=flt, grain="year")["rows"]
    assert [(r["bucket"], r["total"], r["on_time"]) for r in year] == [("2025-01-01", 2, 2), ("2026-01-01", 8, 1)]


def test_bucket_starts():
    assert breakdowns.bucket_starts(date(2025, 11, 15), date(2026, 2, 1), "quarter") == [date(2025, 10, 1), date(2026, 1, 1)]
    assert breakdowns.bucket_starts(date(2026, 1, 1), date(2026, 1, 14), "week") == [
        date(2025, 12, 29),
        date(2026, 1, 5),
        date(2026, 1, 12),
    ]


@pytest.mark.django_db
def test_league(f, county, kpi_world):
    actor, flt = f
    league = selectors.stats_league(actor=actor, f=flt, now=NOW)
    rows = {r["unit"]: r for r in league["rows"]}
    hr = rows["dept-hr"]
    assert (hr["assigned"], hr["replied"], hr["on_time"], hr["evaluated"], hr["satisfied"], hr["returned"]) == (4, 4, 3, 3, 2, 1)
    assert rows["dept-land"]["overdue"] == 1 and rows["dept-land"]["returned"] == 0
    assert rows["twp-2"]["on_time_rate"] == 0.0
    assert [r["rank"] for r in league["rows"]] == [1, 2, 3]


@pytest.mark.django_db
def test_hot_issues(f):
    actor, flt = f
    hot = selectors.stats_hot_issues(actor=actor, f=flt)
    terms = {t["term"]: t["count"] for t in hot["terms"]}
    assert terms["征地补偿"] == 4  # p1 (twice in one text counts once), p2, p4, p7
    assert "反映" not in terms and "问题" not in terms  # stop words
    assert any(r["term"] == "征地补偿" for r in hot["rising"])
    assert hot["clusters"][0]["count"] == 8 and hot["clusters"][0]["category"] == "labour"


@pytest.mark.django_db
def test_shared_query_breakdowns_equal_one_query_per_dimension(f):
    actor, flt = f
    qs = selectors.period_qs(flt)
    combined = breakdowns.breakdowns_for(qs, breakdowns.DIMENSIONS)
    for dim in breakdowns.DIMENSIONS:
        assert combined[dim] == breakdowns.breakdown(qs, dim), dim


@pytest.mark.django_db
def test_hot_words_leave_out_place_names(f, county):
    """QA: village names (光明村 → 光明) crowded the word cloud; places are counted by the clusters instead."""
    from xinfang.org.models import Region, RegionLevel
    from xinfang.petitions.models import Petition
    from xinfang.stats.hot_issues import place_words

    actor, flt = f
    Region.objects.create(code="T0019", name="光明村", level=RegionLevel.VILLAGE, parent=county.townships[0])
    assert {"光明村", "光明"} <= place_words()
    qs = selectors.period_qs(flt)
    Petition.objects.filter(pk__in=list(qs.values_list("pk", flat=True)[:3])).update(content="光明村征地补偿款未发放")
    terms = {t["term"] for t in selectors.stats_hot_issues(actor=actor, f=flt)["terms"]}
    assert "征地补偿" in terms
    assert "光明" not in terms and "光明村" not in terms
