"""SQLite's planner and the partial indexes (xinfang.core.planner): statistics for the statistics' partial indexes
(without them SQLite walked a year of the date index for counts those small indexes answer; with statistics of every
index the worklist slowed), and the constants a partial index's condition names, which SQLite must see written in the
statement to use the index."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.petitions.conftest import category, register, users  # noqa: F401 - the petition fixtures
from xinfang.core import planner
from xinfang.petitions import selectors
from xinfang.petitions.models import CLOSED_STATUSES, Petition

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
    # None was dispatched: the empty index is given "about one row", not left without statistics (which SQLite reads
    # as "unknown" and answered by walking the date index).
    assert analysed["petition_undecided_dispatched"] == planner.EMPTY_INDEX_STAT
    assert planner.analyze_indexes() is True and _analysed() == analysed  # again: the same rows, none added


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(*planner.with_constants(connection, "EXPLAIN QUERY PLAN " + sql, params))
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL proves conditions itself")


@sqlite_only
def test_the_case_leader_bucket_is_counted_over_the_open_petitions_index(users):  # noqa: F811
    """待包案: with the constants written in, SQLite matches petition_open_registered's condition; `case_leader IS NULL`
    (true of most open petitions) is kept out of index choice, where SQLite took it for a selective test."""
    qs = Petition.objects.filter(selectors.bucket_q("needs_case_leader", users.office, timezone.now())).order_by().values("pk")
    assert "petition_open_registered" in _plan(qs)


@sqlite_only
def test_the_open_cross_level_petitions_are_read_from_their_own_index(users):  # noqa: F811
    from xinfang.reception.cross_level import open_cross_level

    assert "petition_cross_level_received" in _plan(open_cross_level(users.office))


def test_the_closed_statuses_keep_the_order_the_open_petitions_index_names_them():
    """A set's order changes with the process's hash seed; the index's condition lists them sorted."""
    assert list(CLOSED_STATUSES) == sorted(CLOSED_STATUSES)


def test_written_constants_are_quoted_as_the_schema_editor_quotes_them(register):  # noqa: F811
    """No value can end its literal: a quote is doubled, a percent sign stays a character, and the rows found are the
    rows the bound statement finds. PostgreSQL keeps its parameters."""
    p, _ = register(content="王某's 工资 100% 未发，已两次来信")
    register(content="工资 100 元未发")
    qs = Petition.objects.filter(content__icontains="'s 工资 100%").values_list("pk", flat=True)
    sql, params = qs.query.sql_with_params()
    written, rest = planner.with_constants(connection, sql, params)
    if connection.vendor != "sqlite":
        assert (written, rest) == (sql, list(params))
        return
    assert rest is None and "''s" in written
    with connection.cursor() as cursor:
        cursor.execute(written)
        assert [row[0] for row in cursor.fetchall()] == [p.pk] == list(qs)
