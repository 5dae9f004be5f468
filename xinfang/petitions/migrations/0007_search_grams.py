"""Search through an index on PostgreSQL: the two-character grams of a petition's text (content, requests, reg_no)
and of respondents' names, in GIN indexes over an immutable SQL function.

Two-character grams because most Chinese search words are two characters (工资, 拆迁, 低保), which pg_trgm's
three-character trigrams cannot index. The index only narrows the candidates: every query keeps its exact
substring test (`icontains`), so PostgreSQL and SQLite (which has no such index and scans) return the same rows.
A one-character query has no gram and is answered by the scan. Nothing here changes the models (no state).
"""

from django.db import migrations

STATEMENTS = [
    """CREATE OR REPLACE FUNCTION xf_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(u, i, 2)), '{}')
  FROM (SELECT upper(t) AS u) s, generate_series(1, length(u) - 1) AS i
$$""",
    """CREATE OR REPLACE FUNCTION xf_search_grams(content text, requests text, reg_no text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT xf_grams(coalesce(content, '') || E'\\n' || coalesce(requests, '') || E'\\n' || coalesce(reg_no, ''))
$$""",
    "CREATE INDEX IF NOT EXISTS petition_search_grams ON petitions_petition USING gin (xf_search_grams(content, requests, reg_no))",
    "CREATE INDEX IF NOT EXISTS respondent_name_grams ON petitions_respondent USING gin (xf_grams(name))",
]
DROP = [
    "DROP INDEX IF EXISTS petition_search_grams",
    "DROP INDEX IF EXISTS respondent_name_grams",
    "DROP FUNCTION IF EXISTS xf_search_grams(text, text, text)",
    "DROP FUNCTION IF EXISTS xf_grams(text)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in STATEMENTS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0006_law_clock_policy")]
    operations = [migrations.RunPython(forwards, backwards)]
