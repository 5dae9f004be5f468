"""SQLite's query-planner statistics, kept current.

SQLite plans without statistics until ANALYZE has run, and then guesses: for a year's statistics it walked the
registration-date index three times over (20 ms a count at 50,000 petitions) where the small partial indexes of the
undecided and overdue petitions answer at once — the statistics page went from 150 to 90 ms once the tables were
analysed. ANALYZE is re-run when the petitions have doubled since it last ran (0.1 s at 50,000 petitions), from the
summary refresh (cron or Celery beat, every five minutes) and after the demo county is loaded. PostgreSQL's
autovacuum keeps its own statistics: nothing to do there.
"""

from django.db import OperationalError, connections

GROWTH = 2  # analyse again once the petitions are this many times as many as at the last analysis
MIN_ROWS = 1000  # below this a scan is as fast as any plan: not worth the write lock


def analyze_if_grown(using: str = "default") -> bool:
    """ANALYZE on SQLite when the petitions table was never analysed or has grown GROWTH times; True if it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM petitions_petition")
        rows = cursor.fetchone()[0]
        if rows < MIN_ROWS:
            return False
        try:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'petitions_petition' LIMIT 1")
            row = cursor.fetchone()
        except OperationalError:  # no sqlite_stat1 table: never analysed
            row = None
        analysed = int(row[0].split()[0]) if row else 0
        if analysed and rows < analysed * GROWTH:
            return False
        cursor.execute("ANALYZE")
    return True
