"""The database side of time limits: policy table, holiday table, caches, commands, settings page and admin."""

from datetime import date, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import include, path, reverse

import xinfang.urls
from xinfang.core.errors import Conflict, InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.petitions import holiday_notice, timelimits
from xinfang.petitions.deadlines import LOCAL_TZ, Limit
from xinfang.petitions.models import Category, Holiday, Petition, Petitioner, Respondent, TimeLimit

# Until the project includes the page, these tests mount it the way the lead will (see docs/time-limits.md).
urlpatterns = [path("petitions/settings/time-limits/", include("xinfang.petitions.urls_timelimits"))] + [
    p for p in xinfang.urls.urlpatterns if getattr(p, "namespace", None) != "timelimits"
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.usefixtures("moved_today")]

PAGE = "/petitions/settings/time-limits/"


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=LOCAL_TZ)


def at(y, m, d, hh=10):
    return datetime(y, m, d, hh, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def fresh_cache():
    timelimits.clear_cache()
    yield
    timelimits.clear_cache()


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="tl-admin")


@pytest.fixture
def office_user(make_user):
    return make_user(Role.OFFICE, username="tl-office")


def update(actor, step, amount, day_kind="calendar"):
    row = TimeLimit.objects.get(step=step)
    return timelimits.time_limit_update(
        actor=actor, step=step, amount=amount, day_kind=day_kind, expected_amount=row.amount, expected_day_kind=row.day_kind
    )


# ------------------------------------------------------------------ limits


@pytest.mark.django_db
def test_limit_for_reads_the_seeded_policy_table():
    assert timelimits.limit_for("handle") == Limit(60)
    assert timelimits.limit_for("urgent_report") == Limit(15, "minutes")
    assert timelimits.limit_for("internal_serious") == Limit(90)
    steps = set(TimeLimit.objects.values_list("step", flat=True))
    assert {"triage", "dispatch", "accept", "extend_max", "review_request", "rereview_answer", "instruction"} <= steps
    with pytest.raises(timelimits.UnknownStep):
        timelimits.limit_for("no_such_step")


@pytest.mark.django_db
def test_due_for_uses_table_calendar_pause_and_extension():
    # 20 Sep 2026 + 15 = 5 Oct (National Day) -> 8 Oct.
    assert timelimits.due_for("dispatch", at(2026, 9, 20)) == eod(2026, 10, 8)
    assert timelimits.due_for("dispatch", at(2026, 9, 20), paused_seconds=86400) == eod(2026, 10, 9)
    # handle 60 + 30 extension from 2 March = 31 May (Sunday) -> 1 June.
    assert timelimits.due_for("handle", at(2026, 3, 2), extra_days=30) == eod(2026, 6, 1)
    assert timelimits.due_for("urgent_report", at(2026, 10, 1, 9)) == datetime(2026, 10, 1, 9, 15, tzinfo=LOCAL_TZ)


@pytest.mark.django_db
def test_editing_the_table_in_the_admin_changes_due_for(client, make_user):
    superuser = make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert timelimits.due_for("internal_general", at(2026, 3, 2)) == eod(2026, 4, 1)  # cached now
    row = TimeLimit.objects.get(step="internal_general")
    url = reverse("admin:petitions_timelimit_change", args=[row.pk])
    response = client.post(url, {"label": row.label, "amount": "20", "day_kind": "workday", "basis": row.basis})
    assert response.status_code == 302, response.content.decode()[:2000]
    # 20 workdays from Monday 2 March 2026 = Monday 30 March.
    assert timelimits.limit_for("internal_general") == Limit(20, day_kind="workday")
    assert timelimits.due_for("internal_general", at(2026, 3, 2)) == eod(2026, 3, 30)
    assert LogEntry.objects.filter(user=superuser, object_id=str(row.pk)).exists()


@pytest.mark.django_db
def test_admin_refuses_a_limit_beyond_the_law(client, make_user):
    superuser = make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    row = TimeLimit.objects.get(step="dispatch")
    url = reverse("admin:petitions_timelimit_change", args=[row.pk])
    response = client.post(url, {"label": row.label, "amount": "20", "day_kind": "calendar", "basis": row.basis})
    assert response.status_code == 200
    assert "不得超过法定的 15 日" in response.content.decode()
    row.refresh_from_db()
    assert row.amount == 15
    assert client.get(reverse("admin:petitions_timelimit_add")).status_code == 403
    assert client.get(reverse("admin:petitions_timelimit_delete", args=[row.pk])).status_code == 403


@pytest.mark.django_db
def test_time_limit_update_validates_in_chinese_and_writes_nothing_on_error(admin_user, office_user):
    with pytest.raises(NoPermission):
        update(office_user, "handle", 30)
    cases = [
        ("handle", "abc", "calendar", "整数"),
        ("handle", "61", "calendar", "不得超过法定的 60 日"),
        ("dispatch", "10", "workday", "不能改为工作日"),
        ("review_request", "10", "calendar", "不得短于法定的 30 日"),
        ("urgent_report", "15", "workday", "不区分工作日"),
        ("urgent_report", "0", "calendar", "1 到 1440"),
        ("handle", "0", "calendar", "不能为 0"),
        ("instruction", "400", "calendar", "0 到 366"),
        ("instruction", "2", "lunar", "自然日或工作日"),
    ]
    for step, amount, kind, message in cases:
        with pytest.raises(InvalidInput) as exc:
            update(admin_user, step, amount, kind)
        assert message in exc.value.message, (step, amount, exc.value.message)
    assert TimeLimit.objects.get(step="handle").amount == 60
    assert TimeLimit.objects.get(step="dispatch").day_kind == "calendar"
    assert not LogEntry.objects.exists()
    # Allowed: shorter than the law, a workday internal target, a longer petitioner window.
    assert update(admin_user, "handle", "45").amount == 45
    assert update(admin_user, "internal_general", "22", "workday").day_kind == "workday"
    assert update(admin_user, "review_request", "40").amount == 40
    assert LogEntry.objects.filter(user=admin_user).count() == 3
    assert "由 60天（自然日） 改为 45天（自然日）" in LogEntry.objects.filter(object_repr__startswith="办理").get().change_message


@pytest.mark.django_db
def test_stale_edit_gets_a_conflict_not_a_lost_update(admin_user):
    timelimits.time_limit_update(
        actor=admin_user, step="handle", amount=50, day_kind="calendar", expected_amount=60, expected_day_kind="calendar"
    )
    with pytest.raises(Conflict) as exc:
        # A second editor still looking at 60.
        timelimits.time_limit_update(
            actor=admin_user, step="handle", amount=40, day_kind="calendar", expected_amount=60, expected_day_kind="calendar"
        )
    assert "已被他人修改为 50" in exc.value.message
    assert TimeLimit.objects.get(step="handle").amount == 50


# ------------------------------------------------------------------ calendar


@pytest.mark.django_db
def test_work_calendar_is_one_query_and_then_cached(django_assert_num_queries):
    Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    timelimits.clear_cache()
    with django_assert_num_queries(1):
        cal = timelimits.work_calendar()
    with django_assert_num_queries(0):
        assert timelimits.work_calendar() is cal
    with django_assert_num_queries(1):
        timelimits.work_calendar(years=[2026, 2027])


@pytest.mark.django_db
def test_work_calendar_merges_the_table_over_chinesecalendar():
    cal = timelimits.work_calendar()
    assert not cal.is_workday(date(2026, 10, 1)) and cal.is_workday(date(2026, 10, 10))
    assert cal.is_known(2026) and not cal.is_known(2027)
    # A table row wins over chinesecalendar for its date (a correction), and makes its year known.
    Holiday.objects.create(date=date(2026, 10, 10), is_workday=False, name="更正")
    Holiday.objects.create(date=date(2027, 2, 6), is_workday=True, name="春节调休上班")
    cal = timelimits.work_calendar()  # the saves dropped the cache
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_known(2027) and cal.is_workday(date(2027, 2, 6))
    only = timelimits.work_calendar(years=[2027])
    assert only.known_years == frozenset({2027}) and date(2026, 10, 1) not in only.holidays


@pytest.mark.django_db
def test_year_end_and_notice_change_when_next_years_notice_is_entered(admin_user):
    # 17 Dec 2026 + 15 = 1 Jan 2027: 2027 unknown, weekends only -> Friday 1 Jan counts.
    assert timelimits.calendar_notice(2027) == "2027 年节假日尚未录入，按周末计算"
    assert timelimits.calendar_notice(2026) is None
    assert timelimits.due_for("dispatch", at(2026, 12, 17)) == eod(2027, 1, 1)
    assert timelimits.calendar_notices(at(2026, 12, 17), eod(2027, 1, 1)) == ["2027 年节假日尚未录入，按周末计算"]
    for d in (1, 2, 3):
        timelimits.holiday_set(actor=admin_user, day=date(2027, 1, d), is_workday=False, name="元旦")
    assert timelimits.calendar_notice(2027) is None
    assert timelimits.due_for("dispatch", at(2026, 12, 17)) == eod(2027, 1, 4)
    assert (
        LogEntry.objects.filter(user=admin_user, object_repr="2027-01-01").exists() or LogEntry.objects.filter(user=admin_user).count() == 3
    )


@pytest.mark.django_db
def test_holiday_set_rules(admin_user, office_user):
    with pytest.raises(NoPermission):
        timelimits.holiday_set(actor=office_user, day=date(2027, 1, 1), is_workday=False, name="元旦")
    with pytest.raises(InvalidInput, match="普通工作日"):
        timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 5), is_workday=True)  # a Tuesday
    with pytest.raises(InvalidInput, match="节日名称"):
        timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 2), is_workday=False)  # a Saturday, no name
    with pytest.raises(InvalidInput, match="32"):
        timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 1), is_workday=False, name="节" * 33)
    assert not Holiday.objects.exists()
    row = timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 1), is_workday=False, name="元旦")
    with pytest.raises(InvalidInput, match="无需重复录入"):
        timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 1), is_workday=False)
    # Corrected, never deleted: the same row becomes a workday, and both changes are logged with the user.
    flipped = timelimits.holiday_set(actor=admin_user, day=date(2027, 1, 1), is_workday=True)
    assert flipped.pk == row.pk and flipped.is_workday and flipped.name == "元旦"
    messages = list(LogEntry.objects.filter(user=admin_user).order_by("pk").values_list("change_message", flat=True))
    assert messages == ["录入节假日 2027-01-01 元旦", "2027-01-01 由节假日改为调休上班日（元旦）"]
    # Marking a chinesecalendar holiday on a weekday as a workday is a correction and is allowed.
    assert timelimits.holiday_set(actor=admin_user, day=date(2026, 10, 2), is_workday=True).is_workday


@pytest.mark.django_db
def test_load_holidays_copies_chinesecalendar_and_keeps_edits(capsys):
    call_command("load_holidays", "--year", "2025", "--year", "2026")
    expected_2026 = timelimits.chinesecalendar_days(2026)
    assert Holiday.objects.filter(date__year=2026).count() == len(expected_2026) == 39
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert Holiday.objects.get(date=date(2026, 2, 14)).is_workday
    # Idempotent; a row edited by hand is kept.
    Holiday.objects.filter(date=date(2026, 10, 10)).update(is_workday=False, name="手工更正")
    call_command("load_holidays", "--year", "2026")
    assert Holiday.objects.filter(date__year=2026).count() == 39
    assert Holiday.objects.get(date=date(2026, 10, 10)).name == "手工更正"
    assert "新增 0 天，已有 39 天保持不变" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有 2027 年"):
        call_command("load_holidays", "--year", "2027")


@pytest.mark.django_db
def test_time_limits_command_prints_the_policy_and_a_due_time(capsys):
    call_command("time_limits")
    out = capsys.readouterr().out
    assert "handle" in out and "60 个自然日" in out and "15 分钟" in out
    call_command("time_limits", "--due", "dispatch", "--start", "2026-12-17T10:00")
    out = capsys.readouterr().out
    assert "期限 2027-01-01 23:59:59" in out and "2027 年节假日尚未录入" in out
    with pytest.raises(CommandError):
        call_command("time_limits", "--due", "nope", "--start", "2026-12-17T10:00")


# ------------------------------------------------------------------ the settings page


@pytest.mark.django_db
def test_page_lists_limits_and_holidays_for_admin(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    with django_assert_max_num_queries(14):  # limits, pause grounds, the year's days, the change log and the page's own
        response = client.get(PAGE + "?year=2026")
    html = response.content.decode()
    assert response.status_code == 200
    assert "办理时限" in html and "转送/交办" in html and "60 个自然日" in html and "法定上限 15 日" in html
    assert "2026-10-01" in html and "国庆节" in html and "内置日历" in html
    assert "10月1日至10月7日" in html and "共 7 天" in html  # National Day as one group
    assert 'name="amount"' in html and "从内置日历导入 2026 年" in html
    response = client.get(PAGE + "?year=2027")
    assert "2027 年节假日尚未录入，按周末计算" in response.content.decode()


@pytest.mark.django_db
def test_page_is_read_only_for_other_roles(client, office_user):
    client.force_login(office_user)
    html = client.get(PAGE).content.decode()
    assert "只有系统管理员可以修改时限" in html and 'name="amount"' not in html
    response = client.post(
        reverse("timelimits:limit_update", args=["handle"]),
        {"amount": "1", "day_kind": "calendar", "expected_amount": "60", "expected_day_kind": "calendar"},
    )
    assert response.status_code == 403 and "只有系统管理员" in response.content.decode()
    assert TimeLimit.objects.get(step="handle").amount == 60
    client.logout()
    assert client.get(PAGE).status_code == 302


@pytest.mark.django_db
def test_page_edits_a_limit_and_shows_errors_in_chinese(client, admin_user):
    client.force_login(admin_user)
    url = reverse("timelimits:limit_update", args=["dispatch"])
    bad = client.post(
        url, {"amount": "30", "day_kind": "calendar", "expected_amount": "15", "expected_day_kind": "calendar", "year": "2026"}
    )
    assert bad.status_code == 400 and "不得超过法定的 15 日" in bad.content.decode()
    assert TimeLimit.objects.get(step="dispatch").amount == 15
    ok = client.post(
        url, {"amount": "10", "day_kind": "calendar", "expected_amount": "15", "expected_day_kind": "calendar", "year": "2026"}
    )
    assert ok.status_code == 302
    assert timelimits.limit_for("dispatch") == Limit(10)
    stale = client.post(url, {"amount": "12", "day_kind": "calendar", "expected_amount": "15", "expected_day_kind": "calendar"})
    assert stale.status_code == 409 and "已被他人修改为 10" in stale.content.decode()
    assert TimeLimit.objects.get(step="dispatch").amount == 10


@pytest.mark.django_db
def test_page_enters_holidays_and_imports_a_year(client, admin_user):
    client.force_login(admin_user)
    url = reverse("timelimits:holiday_set")
    bad = client.post(url, {"date": "2027-13-01", "name": "元旦", "kind": "holiday", "year": "2027"})
    assert bad.status_code == 400 and "请填写有效的日期" in bad.content.decode()
    ok = client.post(url, {"date": "2027-01-01", "name": "元旦", "kind": "holiday", "year": "2027"})
    assert ok.status_code == 302 and ok["Location"].endswith("?year=2027")
    html = client.get(PAGE + "?year=2027").content.decode()
    assert "2027-01-01" in html and "元旦" in html and "2027 年节假日尚未录入" not in html
    assert "录入节假日 2027-01-01 元旦" in html  # the change list names it, with the user
    assert client.post(reverse("timelimits:holiday_import"), {"year": "2026"}).status_code == 302
    assert Holiday.objects.filter(date__year=2026).count() == 39
    refused = client.post(reverse("timelimits:holiday_import"), {"year": "2027"})
    assert refused.status_code == 400 and "逐日录入" in refused.content.decode()


# ------------------------------------------------------------------ the admin of petitions: read-only, no identity


@pytest.mark.django_db
def test_petition_admin_is_read_only_and_never_shows_identity(client, make_user, county):
    superuser = make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    category = Category.objects.create(code="T1", name="劳动社保")
    petition = Petition.objects.create(
        reg_no="XF-TL-2026-000001",
        office=county.office,
        year=2026,
        seq=1,
        query_code_hash="x",
        channel="letter",
        received_at=at(2026, 3, 2),
        nature="request",
        category=category,
        content="拖欠工资问题",
        region=county.villages[0],
    )
    person = Petitioner.objects.create(
        petition=petition, name="欧阳震华", id_number="110101199003074514", phone="13812345678", address="幸福路8号"
    )
    respondent = Respondent.objects.create(petition=petition, name="司马懿", unit_name="某公司", post="经理")
    pages = [
        reverse("admin:petitions_petition_changelist"),
        reverse("admin:petitions_petition_change", args=[petition.pk]),
        reverse("admin:petitions_petitioner_changelist"),
        reverse("admin:petitions_petitioner_change", args=[person.pk]),
        reverse("admin:petitions_respondent_change", args=[respondent.pk]),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        for secret in ("欧阳震华", "110101199003074514", "13812345678", "幸福路8号", "司马懿"):
            assert secret not in html, (url, secret)
    assert "XF-TL-2026-000001" in client.get(pages[0]).content.decode()
    for name in ("petition", "petitioner", "respondent", "attachment", "petitionevent"):
        assert client.get(reverse(f"admin:petitions_{name}_add")).status_code == 403
    assert client.get(reverse("admin:petitions_petition_delete", args=[petition.pk])).status_code == 403
    before = petition.content
    client.post(pages[1], {"content": "改掉"})
    petition.refresh_from_db()
    assert petition.content == before


@pytest.mark.django_db
def test_page_also_works_when_included_from_the_petitions_urls(client, admin_user, settings):
    import sys
    import types

    nested = types.ModuleType("h3b_nested_urls")
    inner = [path("settings/time-limits/", include("xinfang.petitions.urls_timelimits"))]
    nested.urlpatterns = [path("petitions/", include((inner, "petitions")))] + [
        p for p in xinfang.urls.urlpatterns if getattr(p, "namespace", None) not in ("timelimits", "petitions")
    ]
    sys.modules["h3b_nested_urls"] = nested
    try:
        settings.ROOT_URLCONF = "h3b_nested_urls"
        client.force_login(admin_user)
        html = client.get(PAGE).content.decode()
        assert 'action="/petitions/settings/time-limits/limits/handle/"' in html
        response = client.post(
            PAGE + "limits/handle/",
            {"amount": "50", "day_kind": "calendar", "expected_amount": "60", "expected_day_kind": "calendar", "year": "2026"},
        )
        assert response.status_code == 302 and response["Location"] == PAGE + "?year=2026"
    finally:
        del sys.modules["h3b_nested_urls"]


@pytest.mark.django_db
def test_the_seed_module_is_what_the_migrations_leave():
    """timelimits restores missing rows from policy_seed.py (a plain module, not a migration): it must hold exactly what
    a freshly migrated database holds."""
    from xinfang.petitions import policy_seed
    from xinfang.petitions.models import PauseGround, TimeLimit

    rows = sorted(TimeLimit.objects.values_list("step", "label", "amount", "unit", "day_kind", "basis"))
    assert rows == sorted(policy_seed.TIME_LIMITS)
    grounds = sorted(PauseGround.objects.values_list("code", "label", "max_days", "roles", "legal_bound"))
    assert grounds == sorted(policy_seed.PAUSE_GROUNDS)


# ------------------------------------------------------------------ the edges of each rule


def test_the_law_fixes_hour_limits_petitioner_windows_and_the_return_window():
    with pytest.raises(InvalidInput) as exc:
        timelimits.validate_limit("urgent_report", "721", "hours", "calendar")
    assert exc.value.message == "小时时限应在 1 到 720 之间" and exc.value.fields == {"amount": ["应在 1 到 720 之间"]}
    with pytest.raises(InvalidInput) as exc:
        timelimits.validate_limit("review_request", "30", "days", "workday")
    assert "法定申请期限，按自然日计算" in exc.value.message and exc.value.fields == {"day_kind": ["法定期限按自然日计算"]}
    for amount, kind in (("7", "workday"), ("5", "calendar")):
        with pytest.raises(InvalidInput) as exc:
            timelimits.validate_limit("return_window", amount, "days", kind)
        assert "规定的 5 个工作日，不能修改" in exc.value.message and exc.value.fields == {"amount": ["法定为 5 个工作日"]}
    assert timelimits.validate_limit("return_window", "5", "days", "workday") == 5


def test_an_unknown_step_is_not_found_and_an_unchanged_save_logs_nothing(admin_user):
    from xinfang.core.errors import NotFound

    with pytest.raises(NotFound, match="未知的时限环节：lunch"):
        timelimits.time_limit_update(
            actor=admin_user, step="lunch", amount=1, day_kind="calendar", expected_amount=1, expected_day_kind="calendar"
        )
    row = update(admin_user, "handle", "60")
    assert (row.amount, row.day_kind) == (60, "calendar") and not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_holiday_date_outside_2000_to_2100_or_not_a_date_is_refused(admin_user):
    for day in (date(1999, 10, 1), date(2101, 1, 1), "2027-01-01", None):
        with pytest.raises(InvalidInput) as exc:
            timelimits.holiday_set(actor=admin_user, day=day, is_workday=False, name="元旦")
        assert exc.value.message == "请填写 2000 年到 2100 年之间的日期" and exc.value.fields == {"date": ["日期无效"]}
    assert not Holiday.objects.exists()


@pytest.mark.django_db
def test_correcting_a_holiday_may_rename_it(admin_user):
    row = timelimits.holiday_set(actor=admin_user, day=date(2027, 2, 6), is_workday=False, name="春节")
    renamed = timelimits.holiday_set(actor=admin_user, day=date(2027, 2, 6), is_workday=True, name="春节调休")
    assert renamed.pk == row.pk and renamed.is_workday and renamed.name == "春节调休"
    assert Holiday.objects.get(date=date(2027, 2, 6)).name == "春节调休"
    assert LogEntry.objects.order_by("pk").last().change_message == "2027-02-06 由节假日改为调休上班日（春节调休）"


@pytest.mark.django_db
def test_the_calendar_of_some_years_leaves_out_the_rows_of_the_years_between():
    Holiday.objects.create(date=date(2027, 3, 3), is_workday=False, name="县庆")
    Holiday.objects.create(date=date(2028, 3, 3), is_workday=False, name="县庆")
    cal = timelimits.work_calendar([2026, 2028])
    assert date(2028, 3, 3) in cal.holidays and date(2027, 3, 3) not in cal.holidays


@pytest.mark.django_db
def test_the_one_page_notice_prints_the_short_footnote_for_an_unentered_year():
    note = timelimits.notice_footnote(date(2090, 5, 1), short=True)
    assert note == "注：2090年节假日安排尚未录入，期限暂按周末计算，遇法定节假日依法顺延。"
    assert "依法顺延至节假日后的第一个工作日" in timelimits.notice_footnote(date(2090, 5, 1))


PAUSE = dict(code="hearing", max_days=20, roles=["office"], expected_max_days=30, expected_roles="office")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"max_days": "三十"}, "max_days", "最长暂停天数必须是整数"),
        ({"max_days": None}, "max_days", "最长暂停天数必须是整数"),
        ({"max_days": 367}, "max_days", "最长暂停天数应在 1 到 366 之间"),
        ({"roles": ["office", "clerk"]}, "roles", "请至少选择一个可暂停计时的角色（信访办、领导、承办单位）"),
        ({"roles": None}, "roles", "请至少选择一个可暂停计时的角色（信访办、领导、承办单位）"),
    ],
)
@pytest.mark.django_db
def test_a_bad_pause_policy_is_refused_in_chinese_and_nothing_changes(admin_user, change, field, message):
    from xinfang.petitions.models import PauseGround

    with pytest.raises(InvalidInput) as exc:
        timelimits.pause_ground_update(actor=admin_user, **{**PAUSE, **change})
    assert exc.value.message == message and field in exc.value.fields
    row = PauseGround.objects.get(code="hearing")
    assert (row.max_days, row.roles) == (30, "office") and not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_pause_policy_edit_from_an_unknown_ground_a_broken_page_a_stale_page_or_without_change(admin_user):
    from xinfang.core.errors import NotFound

    with pytest.raises(NotFound, match="未知的暂停事由：séance"):
        timelimits.pause_ground_update(actor=admin_user, **{**PAUSE, "code": "séance"})
    with pytest.raises(InvalidInput, match="页面数据不完整，请刷新后重试"):
        timelimits.pause_ground_update(actor=admin_user, **{**PAUSE, "expected_max_days": ""})
    with pytest.raises(Conflict, match="“听证”已被他人修改为最长 30 日（信访办），请刷新后重试"):
        timelimits.pause_ground_update(actor=admin_user, **{**PAUSE, "expected_max_days": 25})
    row = timelimits.pause_ground_update(actor=admin_user, **{**PAUSE, "max_days": 30})
    assert (row.max_days, row.roles) == (30, "office") and not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-01-01,放假休息,元旦", "第 1 行：第二项应为“休”（放假）或“班”（调休上班），而不是“放假休息”"),
        ("2027-01-01,休," + "元" * 33, "第 1 行：名称不超过 32 个字"),
        ("2027-01-01~2027-01-32,休,元旦", "第 1 行：日期“2027-01-32”无效，应写作 2027-01-01"),
        ("2027-01-03~2027-01-01,休,元旦", "第 1 行：日期范围应从早到晚，且不超过 31 天"),
        ("2027-01-01~2027-03-01,休,元旦", "第 1 行：日期范围应从早到晚，且不超过 31 天"),
        ("2027-02-06,休,春节\n2027-02-06,班,春节", "第 2 行：2027-02-06 前面已写作放假，不能同时放假和上班"),
    ],
)
@pytest.mark.django_db
def test_a_bad_line_of_a_holiday_notice_is_named_and_no_day_entered(admin_user, text, message):
    with pytest.raises(InvalidInput) as exc:
        holiday_notice.holidays_load(actor=admin_user, text=text)
    assert message in exc.value.fields["text"] and exc.value.message.startswith("放假安排有误，未录入任何一天：")
    assert not Holiday.objects.exists()


@pytest.mark.django_db
def test_a_holiday_notice_without_days_or_too_long_is_refused_and_the_same_notice_twice_changes_nothing(admin_user):
    with pytest.raises(InvalidInput, match="没有可录入的日期"):
        holiday_notice.holidays_load(actor=admin_user, text="# 2027 年放假安排\n\n")
    with pytest.raises(InvalidInput, match="一次最多 400 行"):
        holiday_notice.holidays_load(actor=admin_user, text="2027-01-01,休,元旦\n" * 401)
    assert not Holiday.objects.exists()
    notice = "2027-01-01~2027-01-03,休,元旦\n2027-02-06,班,春节"
    first = holiday_notice.holidays_load(actor=admin_user, text=notice)
    again = holiday_notice.holidays_load(actor=admin_user, text=notice)
    assert (first["created"], again["created"], again["updated"], again["unchanged"]) == (4, 0, 0, 4)
    assert LogEntry.objects.count() == 1  # the second load changed nothing and logged nothing
