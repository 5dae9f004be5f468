"""SQLite (the default database of `make run`) with its writers queued on a lock file instead of polling.

SQLite lets one transaction write at a time. A `BEGIN IMMEDIATE` that finds the file taken does not wait for it to
be free: its busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … 100 ms between tries, so with two gunicorn workers a
registration that waited for another's 5 ms of writing could sleep 10–25 ms more, the cores idle. Here each write
transaction first takes an exclusive `flock` on `<database>-writer.lock` (POSIX, as gunicorn is), trying every
millisecond, so the next writer starts within a millisecond of the holder's commit or rollback. Reads (WAL) never
take it. A writer that has waited the database's `timeout` for it tries SQLite's lock once, without waiting again,
and fails with SQLite's "database is locked" as before: a hung holder makes others fail after `timeout`, not hang.

The file is opened read-only (`flock` needs no more), created readable by all, so a management command run as
another user (root's cron) never leaves a lock file the service cannot open; a lock file that cannot be opened all
the same turns the queue off for that connection, with a warning in the log, and SQLite's own lock serves alone.

Whoever does not go through this backend (a `sqlite3` shell, a management command of an older release) is still
handled by SQLite's own lock and busy timeout, so the lock file is a queue, never the guard. An in-memory database
(the tests) has one connection and no file to queue on.
"""

import fcntl
import logging
import os
import time

from django.db.backends.sqlite3 import base

log = logging.getLogger(__name__)
POLL_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_pid: int | None = None  # a descriptor inherited through fork() shares its lock: opened again
    _writer_locked = False

    def _timeout(self) -> float:
        """Seconds a writer waits: the `timeout` SQLite's busy handler is given (settings/base.py)."""
        return float(self.settings_dict["OPTIONS"].get("timeout", 5))

    def _writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-writer.lock"

    def _take_writer_lock(self) -> bool:
        """Whether the lock is held or not needed; False when `timeout` passed waiting for it."""
        path = self._writer_lock_path()
        if path is None:
            return True
        if self._writer_fd is None or self._writer_pid != os.getpid():
            try:
                self._writer_fd, self._writer_pid = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644), os.getpid()
            except OSError as exc:
                log.warning("SQLite 写入排队锁文件无法打开（%s），本连接改由 SQLite 自身的锁排队: %s", path, exc)
                return True
        deadline = time.monotonic() + self._timeout()
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_SECONDS)
            else:
                self._writer_locked = True
                return True

    def _release_writer_lock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        if self._take_writer_lock():
            try:
                super()._start_transaction_under_autocommit()
            except BaseException:
                self._release_writer_lock()
                raise
            return
        # The holder has written for longer than `timeout`: one try, not another `timeout` of SQLite's busy handler.
        with self.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")
            try:
                super()._start_transaction_under_autocommit()
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(self._timeout() * 1000)}")

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
