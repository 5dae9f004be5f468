"""SQLite's planner statistics for the statistics' partial indexes (xinfang.core.planner): without them SQLite walked a
year of the date index for counts those small indexes answer; with statistics of every index the worklist slowed."""

import pytest
from django.db import connection

from tests.petitions.conftest import category, register, users  # noqa: F401 - the petition fixtures
from xinfang.core import planner

pytestmark = pytest.mark.django_db


def _analysed() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return {}
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'petitions_petition'")
        return dict(cursor.fetchall())


def test_only_the_statistics_indexes_are_analysed_once_the_petitions_are_many(register, monkeypatch):  # noqa: F811
    if connection.vendor != "sqlite":
        assert planner.analyze_indexes() is False  # PostgreSQL's autovacuum analyses by itself
        return
    monkeypatch.setattr(planner, "MIN_ROWS", 3)
    register()
    register()
    assert planner.analyze_indexes() is False and _analysed() == {}  # two petitions: a scan is as good as any plan
    register()
    assert planner.analyze_indexes() is True
    analysed = _analysed()
    assert set(analysed) == set(planner.ANALYZED_INDEXES), analysed  # no other index: the worklist keeps its plans
    assert analysed["petition_pending_decision"].split()[0] == "3"  # three undecided petitions in the index
