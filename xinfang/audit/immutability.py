"""The database itself refuses to change history, on PostgreSQL and on SQLite alike.

| table | refused |
|---|---|
| petitions_petitionevent, audit_eventseal, access_accessrecord, audit_checkpoint | UPDATE, DELETE, TRUNCATE |
| petitions_petition, petitions_petitioner, petitions_attachment, audit_chainhead | DELETE, TRUNCATE (rows are updated by the lifecycle) |

PostgreSQL: row triggers BEFORE UPDATE/DELETE and a statement trigger BEFORE TRUNCATE, all calling
`xinfang_refuse_change()`. SQLite: BEFORE UPDATE/DELETE triggers that RAISE(ABORT); SQLite has no
TRUNCATE, and a DELETE without WHERE fires the row trigger (the truncate optimisation is off when a
table has triggers).

There is no switch: no setting, no session variable turns them off. Only DDL does (DROP TRIGGER, by
the tables' owner), which the chain would show anyway (`verify_chain`). The test suite's flush goes
through `suspended()` from tests/conftest.py only; production has no caller of it. Deployments that
want the triggers to hold against the application's own account too run the application as a role
that does not own the tables (docs/security.md, "Database roles").
"""

from contextlib import contextmanager

IMMUTABLE = ("petitions_petitionevent", "audit_eventseal", "access_accessrecord", "audit_checkpoint")
NO_DELETE = ("petitions_petition", "petitions_petitioner", "petitions_attachment", "audit_chainhead")
MESSAGE = "records are never changed or deleted (不得丢失、隐匿和擅自销毁信访材料)"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION xinfang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'xinfang: % on % is refused: {MESSAGE}',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
# Names of the first version of these triggers (audit/0001): dropped when these are installed.
OLD_PG_TRIGGERS = [
    ("xinfang_event_immutable", "petitions_petitionevent"),
    ("xinfang_petition_no_delete", "petitions_petition"),
    ("xinfang_petitioner_no_delete", "petitions_petitioner"),
    ("xinfang_attachment_no_delete", "petitions_attachment"),
    ("xinfang_accessrecord_no_delete", "access_accessrecord"),
]


def _plan():
    """(trigger name, table, operation) for every trigger."""
    out = []
    for table in IMMUTABLE:
        out += [(f"xinfang_{table}_no_update", table, "UPDATE"), (f"xinfang_{table}_no_delete", table, "DELETE")]
        out.append((f"xinfang_{table}_no_truncate", table, "TRUNCATE"))
    for table in NO_DELETE:
        out += [(f"xinfang_{table}_no_delete", table, "DELETE"), (f"xinfang_{table}_no_truncate", table, "TRUNCATE")]
    return out


def statements(vendor: str, *, install: bool) -> list[str]:
    sql = []
    if vendor == "postgresql":
        if install:
            sql.append(PG_FUNCTION)
            sql += [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in OLD_PG_TRIGGERS]
        for name, table, op in _plan():
            sql.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            if install:
                level = "STATEMENT" if op == "TRUNCATE" else "ROW"
                sql.append(f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH {level} EXECUTE FUNCTION xinfang_refuse_change()")
    elif vendor == "sqlite":
        for name, table, op in _plan():
            if op == "TRUNCATE":
                continue
            sql.append(f"DROP TRIGGER IF EXISTS {name}")
            if install:
                sql.append(
                    f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'xinfang: {op} on {table} is refused: {MESSAGE}'); END"
                )
    return sql


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, install=True):
            cursor.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, install=False):
            cursor.execute(sql)


def installed(connection) -> set[str]:
    """Names of our triggers present in the database (for tests and the health of a restored database)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'xinfang_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'xinfang_%'")
        return {row[0] for row in cursor.fetchall()}


def expected(vendor: str) -> set[str]:
    return {name for name, _t, op in _plan() if vendor == "postgresql" or op != "TRUNCATE"}


@contextmanager
def suspended(connection):
    """Drop the triggers for the block and put them back (the test suite's flush only: see tests/conftest.py).

    DDL inside the caller's transaction: on PostgreSQL the triggers come back even if the block fails."""
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)
