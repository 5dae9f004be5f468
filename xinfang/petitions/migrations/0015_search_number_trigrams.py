"""Search by registration number through its own index: the text's gram index no longer holds the number.

0007 indexed the grams of `content || requests || reg_no` together. Every number is `OFFICE-YEAR-SEQUENCE`, so its
two-character grams (XF, -2, 20, 00, 01 …) are in every row's gram set: the index could not narrow a number (0.9 s
at 1M petitions, 9 s at 10M, a scan). Now:
- `petition_text_grams`: the grams of the text alone, `xf_text_grams(content, requests)`; a number's grams are rare
  in prose, so the same containment test narrows to the few petitions that mention it;
- `petition_reg_no_trgm`: pg_trgm's trigram GIN index over `UPPER(reg_no::text)`, the expression Django's
  `icontains` compares, for a number or any three or more of its characters;
- the old index and its function go.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without superuser. The indexes are
built CONCURRENTLY (hence a non-atomic migration), so registrations go on while a large table is indexed (≈ 30 s at
1M petitions, minutes at 10M). A build interrupted half-way leaves an INVALID index of the same name: drop it and
migrate again (`IF NOT EXISTS` would keep it otherwise). Nothing here changes the models (no state).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TEXT_GRAMS = """CREATE OR REPLACE FUNCTION {schema}.xf_text_grams(content text, requests text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT {schema}.xf_grams(coalesce(content, '') || E'\\n' || coalesce(requests, ''))
$$"""
FORWARDS = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS petition_text_grams ON petitions_petition USING gin ({schema}.xf_text_grams(content, requests))",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS petition_reg_no_trgm ON petitions_petition USING gin (upper(reg_no::text) gin_trgm_ops)",
    "DROP INDEX CONCURRENTLY IF EXISTS petition_search_grams",
    "DROP FUNCTION IF EXISTS {schema}.xf_search_grams(text, text, text)",
]
SEARCH_GRAMS = """CREATE OR REPLACE FUNCTION {schema}.xf_search_grams(content text, requests text, reg_no text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT {schema}.xf_grams(coalesce(content, '') || E'\\n' || coalesce(requests, '') || E'\\n' || coalesce(reg_no, ''))
$$"""
BACKWARDS = [
    SEARCH_GRAMS,
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS petition_search_grams ON petitions_petition USING gin ({schema}.xf_search_grams(content, requests, reg_no))",
    "DROP INDEX CONCURRENTLY IF EXISTS petition_reg_no_trgm",
    "DROP INDEX CONCURRENTLY IF EXISTS petition_text_grams",
    "DROP FUNCTION IF EXISTS {schema}.xf_text_grams(text, text)",
]


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'xf_grams'")
        row = cursor.fetchone()
    return schema_editor.quote_name(row[0]) if row else "public"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema = _schema(schema_editor)
        for sql in [TEXT_GRAMS, *FORWARDS]:
            schema_editor.execute(sql.format(schema=schema))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema = _schema(schema_editor)
        for sql in BACKWARDS:
            schema_editor.execute(sql.format(schema=schema))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("petitions", "0014_search_cost_dissatisfied")]
    operations = [TrigramExtension(), migrations.RunPython(forwards, backwards, atomic=False)]
