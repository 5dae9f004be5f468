"""Send report reads to a read replica when one is configured (`DATABASE_REPLICA_URL`).

Reports and statistics wrap their reads in `reporting()`; everything else reads and writes
the primary, so a user always sees their own writes. Without a replica, `reporting()` is a
no-op and everything uses `default`.
"""

import threading
from contextlib import contextmanager

from django.conf import settings

_state = threading.local()


def replica_alias() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"


@contextmanager
def reporting():
    previous = getattr(_state, "reporting", False)
    _state.reporting = True
    try:
        yield replica_alias()
    finally:
        _state.reporting = previous


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if getattr(_state, "reporting", False) and "replica" in settings.DATABASES:
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
