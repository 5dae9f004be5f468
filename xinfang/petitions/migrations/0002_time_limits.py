"""The default time limits of DESIGN.md (《信访工作条例》2022 and the seed); the admin can change them."""

from django.db import migrations

LIMITS = [
    ("triage", "当日阅办", 1, "days", "calendar", "种子：当日信访当日阅办"),
    ("dispatch", "转送/交办", 15, "days", "calendar", "《信访工作条例》第二十一条"),
    ("accept", "受理告知", 15, "days", "calendar", "《信访工作条例》第二十四条"),
    ("handle", "办理", 60, "days", "calendar", "《信访工作条例》第三十二条"),
    ("extend_max", "延期上限", 30, "days", "calendar", "《信访工作条例》第三十二条"),
    ("internal_general", "检举控告一般案件查结", 30, "days", "calendar", "种子：查处制度 一个月"),
    ("internal_complex", "检举控告复杂案件办结", 60, "days", "calendar", "种子：查处制度 二个月"),
    ("internal_serious", "严重/立案案件办结", 90, "days", "calendar", "种子：查处制度 三个月"),
    ("review_request", "申请复查", 30, "days", "calendar", "《信访工作条例》第三十五条"),
    ("review_answer", "复查答复", 30, "days", "calendar", "《信访工作条例》第三十五条"),
    ("rereview_request", "申请复核", 30, "days", "calendar", "《信访工作条例》第三十六条"),
    ("rereview_answer", "复核答复", 30, "days", "calendar", "《信访工作条例》第三十六条"),
    ("instruction", "重要信访呈批", 2, "days", "calendar", "种子：呈批制度 1-2天内交领导阅批"),
    ("urgent_report", "紧急报告", 15, "minutes", "calendar", "种子：15分钟以内报告"),
]


def add_limits(apps, schema_editor):
    TimeLimit = apps.get_model("petitions", "TimeLimit")
    for step, label, amount, unit, day_kind, basis in LIMITS:
        TimeLimit.objects.get_or_create(
            step=step, defaults={"label": label, "amount": amount, "unit": unit, "day_kind": day_kind, "basis": basis}
        )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(add_limits, migrations.RunPython.noop)]
