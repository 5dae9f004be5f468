"""New rows of several tables in one statement (PostgreSQL): each row's INSERT as Django compiles it for `save()`,
chained as data-modifying CTEs, so the server is asked once. Registration uses it for the petition and its first
event, seal and chain head: four round trips (and the ORM's work between them) become one.

The rows must carry their primary keys (taken from their sequences beforehand), since nothing is read back; the
foreign keys between them are checked at the commit (Django declares every foreign key DEFERRABLE INITIALLY DEFERRED).
No signals are sent here: `announce_saved` sends `post_save` once the caller knows the rows are there to stay."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import NOT_PROVIDED, signals
from django.db.models.sql import InsertQuery


def insert_together(rows, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """INSERT `rows` (unsaved model instances with their pks set) in one statement; they are saved afterwards."""
    statements = []
    for row in rows:
        model = type(row)
        if row.pk is None:
            raise ValueError(f"{model.__name__}: insert_together writes rows whose primary key is already taken")
        if any(f.generated or f.db_default is not NOT_PROVIDED for f in model._meta.concrete_fields):
            raise ValueError(f"{model.__name__}: a value the database computes would have to be read back; use save()")
        query = InsertQuery(model)
        query.insert_values([f for f in model._meta.local_concrete_fields if not f.generated], [row])
        [(sql, params)] = query.get_compiler(using=using).as_sql()  # also fills auto_now(_add) as save() would
        statements.append((sql, params))
    *first, (last_sql, _) = statements
    sql = "".join(("WITH ", ", ".join(f"w{i} AS ({s})" for i, (s, _) in enumerate(first)), " ")) if first else ""
    with connections[using].cursor() as cursor:
        cursor.execute(sql + last_sql, [p for _, params in statements for p in params])
    for row in rows:
        row._state.adding, row._state.db = False, using


def announce_saved(rows, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """`post_save` (created) for rows written by `insert_together`, as `Model.save` would have sent it."""
    for row in rows:
        signals.post_save.send(sender=type(row), instance=row, created=True, update_fields=None, raw=False, using=using)
