"""The law's clock, policy data: 当日阅办 is the same day, the 5-workday objection period, pause grounds, checked legal bases,
and the delivery of answers already given.

Each stored value is changed only while it still holds the old default (a county's own edit is kept). The article
numbers were checked against two independent copies of the 2022 《信访工作条例》 (docs/time-limits.md, "Legal bases");
a rule whose number could not be confirmed in two copies is stated in its words, without a number.
"""

from django.db import migrations
from django.db.models import F

# 当日阅办: "1 day" ended at the end of the next day; 0 days is the end of the day received.
TRIAGE_OLD, TRIAGE_NEW = 1, 0

# step: (old seed basis, checked basis)
BASIS = {
    "dispatch": (
        "《信访工作条例》第二十一条",
        "《信访工作条例》第二十二条：信访部门收到信访事项，应当予以登记，并区分情况，在15日内分别按照下列方式处理",
    ),
    "accept": (
        "《信访工作条例》第二十四条",
        "《信访工作条例》第二十三条：不能当场告知的，应当自收到信访事项之日起15日内书面告知信访人",
    ),
    "handle": ("《信访工作条例》第三十二条", "《信访工作条例》：应当自受理之日起60日内办结"),
    "extend_max": (
        "《信访工作条例》第三十二条",
        "《信访工作条例》：情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由",
    ),
    "review_request": (
        "《信访工作条例》第三十五条",
        "《信访工作条例》：信访人对信访处理意见不服的，可以自收到书面答复之日起30日内请求复查",
    ),
    "review_answer": (
        "《信访工作条例》第三十五条",
        "《信访工作条例》：收到复查请求的机关、单位应当自收到复查请求之日起30日内提出复查意见，并予以书面答复",
    ),
    "rereview_request": (
        "《信访工作条例》第三十六条",
        "《信访工作条例》：信访人对复查意见不服的，可以自收到书面答复之日起30日内请求复核",
    ),
    "rereview_answer": (
        "《信访工作条例》第三十六条",
        "《信访工作条例》：收到复核请求的机关、单位应当自收到复核请求之日起30日内提出复核意见；听证所需时间不计算在内",
    ),
}

# (step, label, amount, unit, day_kind, basis)
NEW_LIMITS = [
    (
        "return_window",
        "承办单位提出异议（退回）",
        5,
        "days",
        "workday",
        "《信访工作条例》第二十三条：不属于本机关、单位或者本系统职权范围的，应当自收到之日起5个工作日内提出异议，并详细说明理由",
    ),
]

# (code, label, max_days, roles, legal_bound)
PAUSE_GROUNDS = [
    (
        "hearing",
        "听证",
        30,
        "office",
        "《信访工作条例》：对重大、复杂、疑难的信访事项，可以举行听证；复核的听证所需时间不计算在期限内。条例未规定暂停上限，上限为本县规定。",
    ),
    (
        "appraisal",
        "鉴定、检验、检测",
        60,
        "office",
        "《信访工作条例》未规定鉴定、检验、检测所需时间如何计算；本县规定其所需时间不计入办理期限，上限为本县规定。",
    ),
]

DELIVERED_WHEN_SENT = {"sms": "sms", "online": "online", "visit": "direct"}


def forward(apps, schema_editor):
    TimeLimit = apps.get_model("petitions", "TimeLimit")
    PauseGround = apps.get_model("petitions", "PauseGround")
    Petition = apps.get_model("petitions", "Petition")
    TimeLimit.objects.filter(step="triage", amount=TRIAGE_OLD, unit="days", day_kind="calendar").update(amount=TRIAGE_NEW)
    for step, (old, new) in BASIS.items():
        TimeLimit.objects.filter(step=step, basis=old).update(basis=new)
    for step, label, amount, unit, day_kind, basis in NEW_LIMITS:
        TimeLimit.objects.get_or_create(
            step=step, defaults={"label": label, "amount": amount, "unit": unit, "day_kind": day_kind, "basis": basis}
        )
    for code, label, max_days, roles, legal_bound in PAUSE_GROUNDS:
        PauseGround.objects.get_or_create(
            code=code, defaults={"label": label, "max_days": max_days, "roles": roles, "legal_bound": legal_bound}
        )
    # Answers already given online, by SMS or in person reached the petitioner when they were given: record that delivery
    # (their stored window, 30 days from the reply, is then the right one). A letter or phone answer has no recorded
    # delivery, so its window counts as open until the office records one (the guards read delivered_at); nothing else
    # on a petition is changed here.
    answered = Petition.objects.filter(replied_at__isnull=False, delivered_at__isnull=True)
    for method, delivery in DELIVERED_WHEN_SENT.items():
        answered.filter(reply_method=method).update(delivered_at=F("replied_at"), delivery_method=delivery)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0005_law_clock")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
