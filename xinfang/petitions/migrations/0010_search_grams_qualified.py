"""xf_search_grams calls xf_grams by its schema-qualified name.

pg_restore runs with an empty search_path (pg_dump's guard against search-path attacks), so an index expression over a
function that calls another unqualified function cannot be rebuilt on restore: `CREATE INDEX petition_search_grams`
failed and every PostgreSQL restore since 0007 rolled back. Same body, the inner call qualified with the schema the
functions live in; the index is unchanged (it is over xf_search_grams itself).
"""

from django.db import migrations

BODY = """CREATE OR REPLACE FUNCTION {schema}.xf_search_grams(content text, requests text, reg_no text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT {schema}.xf_grams(coalesce(content, '') || E'\\n' || coalesce(requests, '') || E'\\n' || coalesce(reg_no, ''))
$$"""
OLD = """CREATE OR REPLACE FUNCTION xf_search_grams(content text, requests text, reg_no text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT xf_grams(coalesce(content, '') || E'\\n' || coalesce(requests, '') || E'\\n' || coalesce(reg_no, ''))
$$"""


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'xf_grams'")
        row = cursor.fetchone()
    return schema_editor.quote_name(row[0]) if row else "public"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BODY.format(schema=_schema(schema_editor)))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0009_undecided_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
