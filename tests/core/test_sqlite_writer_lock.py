"""SQLite's writers queue on a lock file (xinfang/core/sqlite/base.py): held from BEGIN to COMMIT or ROLLBACK, never
the only guard, and never for an in-memory database."""

import fcntl
import os

import pytest
from django.db import OperationalError, connection, connections

from xinfang.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.django_db  # lets these wrappers connect; each opens a file of its own


def _wrapper(path, timeout=5.0) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "ENGINE": "xinfang.core.sqlite", "NAME": str(path), "TEST": {}}
    settings["OPTIONS"] = {"timeout": timeout, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    db = DatabaseWrapper(settings, alias=f"lock-{os.getpid()}-{id(settings)}")
    db.ensure_connection()
    return db


def _held(path) -> bool:
    """Whether another open file description can take the lock now."""
    fd = os.open(f"{path}-writer.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "writers.sqlite3"
    setup = _wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    setup.close()
    return path


def test_a_write_transaction_holds_the_lock_until_it_commits(db_file):
    db = _wrapper(db_file)
    db._start_transaction_under_autocommit()
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    assert _held(db_file)
    db.commit()
    assert not _held(db_file)
    with db.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (1,)
    db.close()


def test_a_rollback_and_a_close_release_it(db_file):
    db = _wrapper(db_file)
    db._start_transaction_under_autocommit()
    db.rollback()
    assert not _held(db_file)
    db._start_transaction_under_autocommit()
    db.close()
    assert not _held(db_file)


def test_a_writer_that_waited_its_timeout_tries_sqlites_lock_once_and_gets_its_error(db_file):
    holder, waiter = _wrapper(db_file), _wrapper(db_file, timeout=0.05)
    holder._start_transaction_under_autocommit()
    with holder.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(OperationalError, match="locked"):
        waiter._start_transaction_under_autocommit()
    assert not waiter._writer_locked
    with waiter.cursor() as cursor:  # one try without waiting again, then SQLite's own wait is back for later
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (50,)
    holder.commit()
    waiter._start_transaction_under_autocommit()  # free again: the waiter writes
    assert waiter._writer_locked
    waiter.rollback()
    holder.close()
    waiter.close()


def test_a_lock_file_that_cannot_be_opened_leaves_the_writing_to_sqlites_own_lock(db_file, monkeypatch, caplog):
    db = _wrapper(db_file)
    monkeypatch.setattr(db, "_writer_lock_path", lambda: str(db_file.parent / "no-such-folder" / "x-writer.lock"))
    db._start_transaction_under_autocommit()
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    db.commit()
    assert not db._writer_locked and "写入排队锁文件无法打开" in caplog.text
    db.close()


def test_the_lock_file_is_readable_by_all_so_another_user_can_queue_on_it(tmp_path):
    previous = os.umask(0o022)  # the usual umask of a service and of a shell
    try:
        db = _wrapper(tmp_path / "fresh.sqlite3")
        db._start_transaction_under_autocommit()
        db.rollback()
        assert os.stat(tmp_path / "fresh.sqlite3-writer.lock").st_mode & 0o777 == 0o644
        db.close()
    finally:
        os.umask(previous)


def test_an_in_memory_database_has_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = _wrapper(":memory:")
    db._start_transaction_under_autocommit()
    assert not db._writer_locked
    db.rollback()
    assert not any(p.name.endswith("-writer.lock") for p in tmp_path.iterdir())
    db.close()


def test_the_default_sqlite_database_uses_it():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has row locks and a queue of its own")
    assert isinstance(connections["default"], DatabaseWrapper)
