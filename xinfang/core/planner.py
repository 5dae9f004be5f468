"""SQLite's query-planner statistics for the indexes that need them, kept current.

Without statistics SQLite guesses, and for a year's statistics it walked the registration-date index three times
over (20 ms a count at 50,000 petitions) where the small partial indexes of the undecided and overdue petitions
answer at once. Statistics of every index (a plain ANALYZE) were worse: the worklist and the home page went from 60
and 100 ms to 310 and 340 ms on plans chosen from them. So only ANALYZED_INDEXES are analysed (the statistics page,
150 → 100 ms; the other pages keep their plans), a few milliseconds each time, after every summary refresh (cron or
Celery beat, every five minutes: the open petitions change) and after the demo county is loaded. PostgreSQL's
autovacuum keeps its own statistics: nothing to do there.
"""

from django.db import connections

MIN_ROWS = 1000  # below this a scan is as fast as any plan: not worth the write lock
# The partial indexes of the statistics' live counts (stats.kpis.live_figures): 及时受理率's undecided petitions and
# the overdue ones. Both are small (the open petitions), so analysing them reads a few thousand index entries.
ANALYZED_INDEXES = ("petition_pending_decision", "petition_open_due")


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
    return True
