"""SQLite's planner statistics are taken once the petitions are many enough and again when they have doubled
(xinfang.core.planner): without them SQLite walked a year of the date index for counts a small index answers."""

import pytest
from django.db import connection

from tests.petitions.conftest import category, register, users  # noqa: F401 - the petition fixtures
from xinfang.core import planner
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


def _analysed_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'petitions_petition' LIMIT 1")
        row = cursor.fetchone()
    return int(row[0].split()[0]) if row else 0


def test_the_planner_statistics_are_taken_when_the_petitions_are_many_and_again_when_they_double(register, monkeypatch):  # noqa: F811
    if connection.vendor != "sqlite":
        assert planner.analyze_if_grown() is False  # PostgreSQL's autovacuum analyses by itself
        return
    monkeypatch.setattr(planner, "MIN_ROWS", 3)
    register()
    register()
    assert planner.analyze_if_grown() is False  # two petitions: a scan is as good as any plan
    register()
    assert planner.analyze_if_grown() is True and _analysed_rows() == 3
    register()
    register()
    assert planner.analyze_if_grown() is False  # 5 < 2 × 3
    register()
    assert planner.analyze_if_grown() is True and _analysed_rows() == Petition.objects.count() == 6
