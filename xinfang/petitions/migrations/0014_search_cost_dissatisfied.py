"""The planner's price of computing a petition's grams row by row, and four partial indexes for questions that scanned.

`xf_grams` (0007) is an SQL function the planner cannot inline (it aggregates over generate_series), so it priced it
at the default 100 × cpu_operator_cost per call. At that price it walked the registration-date index computing the
grams of every row for a rare word (危桥, one petition in a thousand: 1.2 s at 1M petitions) rather than read the gram
index. What it really costs is tens of microseconds a row, about a thousand times a comparison: priced so, a rare word
goes through the GIN index and a common one (工资) still walks the date order, where a page fills at once.

`petition_dissatisfied` and `petition_open_registered`: the worklist's 不满意件 and 待包案 buckets
(followup.dissatisfied_q, case_leader_due_q) scanned the whole table (280 ms at 1M) to count a handful of rows;
`petition_reopened_registered`: the KPIs' count of reopened petitions scanned the whole period (120 ms of a year's
KPIs at 1M, 1.2 s at 10M); `petition_declined_registered`: the dashboard's declines by route walked the period
(0.87 s of the dashboard at 10M).
"""

from django.db import migrations, models

COST = "ALTER FUNCTION {schema}.xf_grams(text) COST {cost}"


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'xf_grams'")
        row = cursor.fetchone()
    return schema_editor.quote_name(row[0]) if row else "public"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COST.format(schema=_schema(schema_editor), cost=1000))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COST.format(schema=_schema(schema_editor), cost=100))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0013_saved_filters")]

    operations = [
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("follow_up_outcome", ""), ("last_satisfaction", "dissatisfied")),
                fields=["status"],
                name="petition_dissatisfied",
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(models.Q(("status__in", ["archived", "declined", "forwarded"]), _negated=True), ("historical", False)),
                fields=["registered_at"],
                name="petition_open_registered",
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("reopened_count__gt", 0)), fields=["registered_at"], name="petition_reopened_registered"
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(condition=models.Q(("status", "declined")), fields=["registered_at"], name="petition_declined_registered"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
