"""On PostgreSQL, the database itself refuses to change history: UPDATE and DELETE on petition
events, DELETE on petitions, petitioners, attachments and access records. No-op on SQLite
(the models' delete() and queryset delete() refuse there, as everywhere).

TRUNCATE (used by test teardown and `flush`) is not a row operation and is not refused.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION xinfang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'xinfang: % on % is refused: records are never changed or deleted (不得丢失、隐匿和擅自销毁信访材料)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = [
    ("xinfang_event_immutable", "petitions_petitionevent", "UPDATE OR DELETE"),
    ("xinfang_petition_no_delete", "petitions_petition", "DELETE"),
    ("xinfang_petitioner_no_delete", "petitions_petitioner", "DELETE"),
    ("xinfang_attachment_no_delete", "petitions_attachment", "DELETE"),
    ("xinfang_accessrecord_no_delete", "access_accessrecord", "DELETE"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for name, table, ops in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"CREATE TRIGGER {name} BEFORE {ops} ON {table} FOR EACH ROW EXECUTE FUNCTION xinfang_refuse_change()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _ops in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS xinfang_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0001_initial"),
        ("access", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
