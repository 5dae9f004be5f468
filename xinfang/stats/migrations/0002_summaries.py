"""Summary rows for the KPIs and the dashboard (xinfang.stats.summaries), and the trigger that marks a registration
day as changed whenever a petition of that day is written, whoever writes it.

PostgreSQL: statement-level triggers with transition tables (one row per statement and day, however many petitions
the statement wrote: a 50,000-row COPY adds a handful). SQLite: row-level triggers. The day is the registration
date in the site's zone (settings.TIME_ZONE; SQLite applies its fixed offset, which is exact for Asia/Shanghai)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION xf_stats_mark_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO stats_summarychange (day)
      SELECT DISTINCT (registered_at AT TIME ZONE '{zone}')::date FROM new_rows WHERE registered_at IS NOT NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO stats_summarychange (day)
      SELECT DISTINCT (registered_at AT TIME ZONE '{zone}')::date FROM old_rows WHERE registered_at IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
"""
PG_TRIGGERS = [
    "CREATE TRIGGER xf_stats_days_insert AFTER INSERT ON petitions_petition REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION xf_stats_mark_days()",
    "CREATE TRIGGER xf_stats_days_update AFTER UPDATE ON petitions_petition REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xf_stats_mark_days()",
    "CREATE TRIGGER xf_stats_days_delete AFTER DELETE ON petitions_petition REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION xf_stats_mark_days()",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS xf_stats_days_insert ON petitions_petition",
    "DROP TRIGGER IF EXISTS xf_stats_days_update ON petitions_petition",
    "DROP TRIGGER IF EXISTS xf_stats_days_delete ON petitions_petition",
    "DROP FUNCTION IF EXISTS xf_stats_mark_days()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER xf_stats_days_insert AFTER INSERT ON petitions_petition BEGIN "
    "INSERT INTO stats_summarychange (day) VALUES (date(NEW.registered_at, '{offset}')); END",
    "CREATE TRIGGER xf_stats_days_update AFTER UPDATE ON petitions_petition BEGIN "
    "INSERT INTO stats_summarychange (day) VALUES (date(OLD.registered_at, '{offset}')); "
    "INSERT INTO stats_summarychange (day) SELECT date(NEW.registered_at, '{offset}') "
    "WHERE date(NEW.registered_at, '{offset}') <> date(OLD.registered_at, '{offset}'); END",
    "CREATE TRIGGER xf_stats_days_delete AFTER DELETE ON petitions_petition BEGIN "
    "INSERT INTO stats_summarychange (day) VALUES (date(OLD.registered_at, '{offset}')); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS xf_stats_days_insert",
    "DROP TRIGGER IF EXISTS xf_stats_days_update",
    "DROP TRIGGER IF EXISTS xf_stats_days_delete",
]


def _sqlite_offset() -> str:
    minutes = int(datetime(2026, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds() // 60)
    return f"{minutes:+d} minutes"


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION.replace("{zone}", settings.TIME_ZONE))
        for sql in PG_TRIGGERS:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql.replace("{offset}", _sqlite_offset()))


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG_DROP if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_roles"),
        ("petitions", "0007_search_grams"),
        ("stats", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SummaryChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(db_index=True, verbose_name="登记日")),
            ],
            options={
                "verbose_name": "统计待汇总日",
                "verbose_name_plural": "统计待汇总日",
            },
        ),
        migrations.CreateModel(
            name="SummaryDay",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False, verbose_name="登记日")),
                ("refreshed_at", models.DateTimeField(verbose_name="汇总时间")),
            ],
            options={
                "verbose_name": "统计汇总日",
                "verbose_name_plural": "统计汇总日",
            },
        ),
        migrations.CreateModel(
            name="DimDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="登记日")),
                ("dimension", models.CharField(max_length=16, verbose_name="维度")),
                ("key", models.CharField(max_length=64, verbose_name="取值")),
                ("n", models.PositiveIntegerField(default=0)),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.region", verbose_name="汇总区域"
                    ),
                ),
            ],
            options={
                "verbose_name": "分类统计日汇总",
                "verbose_name_plural": "分类统计日汇总",
                "indexes": [models.Index(fields=["day", "dimension"], name="dimday_day_dim")],
            },
        ),
        migrations.CreateModel(
            name="KpiDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="登记日")),
                ("total", models.PositiveIntegerField(default=0)),
                ("collective", models.PositiveIntegerField(default=0)),
                ("cross_level", models.PositiveIntegerField(default=0)),
                ("repeat", models.PositiveIntegerField(default=0)),
                ("first_time", models.PositiveIntegerField(default=0)),
                ("first_time_resolution_num", models.PositiveIntegerField(default=0)),
                ("first_time_resolution_den", models.PositiveIntegerField(default=0)),
                ("on_time_completion_num", models.PositiveIntegerField(default=0)),
                ("on_time_completion_den", models.PositiveIntegerField(default=0)),
                ("timely_dispatch_num", models.PositiveIntegerField(default=0)),
                ("timely_dispatch_den", models.PositiveIntegerField(default=0)),
                ("timely_acceptance_num", models.PositiveIntegerField(default=0)),
                ("timely_acceptance_den", models.PositiveIntegerField(default=0)),
                ("evaluation_rate_num", models.PositiveIntegerField(default=0)),
                ("evaluation_rate_den", models.PositiveIntegerField(default=0)),
                ("satisfaction_rate_num", models.PositiveIntegerField(default=0)),
                ("satisfaction_rate_den", models.PositiveIntegerField(default=0)),
                ("repeat_rate_num", models.PositiveIntegerField(default=0)),
                ("repeat_rate_den", models.PositiveIntegerField(default=0)),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.region", verbose_name="汇总区域"
                    ),
                ),
            ],
            options={
                "verbose_name": "考核指标日汇总",
                "verbose_name_plural": "考核指标日汇总",
                "constraints": [models.UniqueConstraint(fields=("day", "node"), name="kpiday_unique")],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
