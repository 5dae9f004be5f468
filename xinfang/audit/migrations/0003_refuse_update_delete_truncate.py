"""The database refuses UPDATE, DELETE and TRUNCATE on events, seals, access records and checkpoints,
and DELETE/TRUNCATE on petitions, petitioners, attachments and chain heads, on PostgreSQL and SQLite
(`xinfang.audit.immutability`). Replaces the PostgreSQL-only triggers of 0001.

Runs after the access log is chained (access 0002 writes seq/hash into the existing rows). The same
triggers are put back after every `migrate` (AuditConfig: SQLite drops a table's triggers when a later
migration rebuilds the table).
"""

from django.db import migrations


def install(apps, schema_editor):
    from xinfang.audit import immutability

    immutability.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from xinfang.audit import immutability

    immutability.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_models"),
        ("access", "0002_access_chain"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
