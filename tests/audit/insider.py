"""Playing the insider who gets past the triggers, as a DBA could: on PostgreSQL
`session_replication_role = replica` (superuser), on SQLite dropping the triggers (the file's owner can)."""

from contextlib import contextmanager

from django.db import connection

from xinfang.audit import immutability


@contextmanager
def as_insider():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
            yield cursor
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            immutability.uninstall(connection)
            yield cursor
            immutability.install(connection)
