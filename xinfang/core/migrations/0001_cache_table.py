"""The database cache table (`xinfang_cache`) that rate-limit counters share across workers when
REDIS_URL is not set. Created by every `migrate` (dev, CI, tests, production) so no process meets
a missing table; `manage.py createcachetable` would do the same."""

from django.db import migrations

TABLE = "xinfang_cache"


def create(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create, drop)]
