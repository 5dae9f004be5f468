"""SQLite's query-planner statistics for the indexes that need them, kept current.

Without statistics SQLite guesses, and for a year's statistics it walked the registration-date index three times
over (20 ms a count at 50,000 petitions) where the small partial indexes of the undecided and overdue petitions
answer at once. Statistics of every index (a plain ANALYZE) were worse: the worklist and the home page went from 60
and 100 ms to 310 and 340 ms on plans chosen from them. So only ANALYZED_INDEXES are analysed (the statistics page,
150 → 100 ms; the other pages keep their plans), a few milliseconds each time, after every summary refresh (cron or
Celery beat, every five minutes: the open petitions change) and after the demo county is loaded. PostgreSQL's
autovacuum keeps its own statistics: nothing to do there.

The second concern is the partial indexes. SQLite uses one only where the query repeats the index's condition with
the same constants, and it plans a statement before its parameters are bound: a condition Django sends as
`status IN (?, ?, ?)` never matches the index's `status IN ('archived', 'declined', 'forwarded')`, so no ORM query can
use the six partial indexes of the petitions whose condition names a constant. `with_constants` writes the constants
into the count statements assembled from querysets (the worklist's bucket counts, the KPIs' live parts); the ORM's own
queries keep their parameters. `Unindexed` keeps a test that holds for most rows out of index choice.
"""

from django.db import connections
from django.db.models import Func

MIN_ROWS = 1000  # below this a scan is as fast as any plan: not worth the write lock
# The partial indexes of the statistics' live counts (stats.kpis.live_figures): 及时受理率's undecided petitions and
# the overdue ones. Both are small (the open petitions), so analysing them reads a few thousand index entries.
# petition_undecided_dispatched is the third: without statistics SQLite took the period's date range over it.
ANALYZED_INDEXES = ("petition_pending_decision", "petition_open_due", "petition_undecided_dispatched")
# What ANALYZE leaves for an empty index is no row at all, which reads as "no statistics" (the guess that walked the
# date index); "1 1" (one row, one per key) is the nearest figure the table takes. SQLite documents sqlite_stat1 as
# writable by applications for this purpose.
EMPTY_INDEX_STAT = "1 1"


def analyze_indexes(using: str = "default") -> bool:
    """ANALYZE each of ANALYZED_INDEXES on SQLite once the petitions are MIN_ROWS or more; True if it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM petitions_petition")
        if cursor.fetchone()[0] < MIN_ROWS:
            return False
        for index in ANALYZED_INDEXES:
            cursor.execute(f"ANALYZE {index}")
            cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE idx = %s", [index])
            if cursor.fetchone() is None:
                cursor.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('petitions_petition', %s, %s)", [index, EMPTY_INDEX_STAT])
    return True


class Unindexed(Func):
    """A column tested without its index on SQLite (`+column`, SQLite's documented way to take a term out of index
    choice); the column itself elsewhere. For a test that holds for most rows, where SQLite without statistics takes
    an index on it for a selective one: `case_leader IS NULL` (待包案) walked the case-leader index over nearly every
    open petition (22 ms at 50,000) instead of the small index of the open ones (3 ms)."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def with_constants(connection, sql: str, params) -> tuple[str, list | None]:
    """(sql, params) to execute, on SQLite with the parameters written into the statement as the literals Django
    writes into an index's condition (the schema editor's own quoting: quotes doubled, so no value can end the
    literal), so that the planner sees the constants a partial index's condition names; as given elsewhere. For the
    count statements assembled from querysets (worklist buckets, the KPIs' live parts), whose values come from the
    code, the actor's scope and the clock."""
    if connection.vendor != "sqlite" or not params:
        return sql, list(params)
    editor = connection.schema_editor()  # only its quoting: never entered, so no schema change and no FK toggling
    return sql % tuple(editor.quote_value(p) for p in params), None
