"""The law's clock, case by case: the dates an office would expect, written out, driven through the real services.

Each row travels to fixed local times (Asia/Shanghai) with time_machine, so the table means the same on any day; the
module also runs with "today" moved (tests/petitions/conftest.py, moved_today). The calendars are chinesecalendar's
2025 and 2026 State Council notices (National Day 2026: 1-7 Oct off, Sat 10 Oct a make-up workday; Spring Festival
2026: 15-23 Feb off; 清明 2026: 4-6 Apr off; Labour Day 2026: 1-5 May off, Sat 9 May a make-up workday).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.errors import InvalidInput, InvalidTransition
from xinfang.petitions import deadlines, selectors
from xinfang.petitions.models import Petition
from xinfang.stats.kpis import _replied_on_time, compute

from .helpers import act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moved_today")]
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def _do(moment, p, action, users, **inputs):
    with time_machine.travel(moment, tick=False):
        return act(p, action, users, **inputs)


def _received(register, moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        p, _code = register(received_at=moment, **kwargs)
    return p


def _in_progress(register, users, accepted: datetime):
    """Received and accepted at `accepted`, assigned and acknowledged the same hour."""
    p = _received(register, accepted)
    for action in ("accept", "assign"):
        p = _do(accepted, p, action, users)
    return _do(accepted, p, "acknowledge", users, committed_date=timezone.localtime(accepted).date())


# ---------------------------------------------------------------------------------------------------------- the table


def case_eve_of_national_day(register, users):
    # Received Wednesday 30 Sep 2026, the eve of National Day: read the same day (当日阅办, 0 days: not the end of
    # 1 Oct), and the 15 days to dispatch run to Thursday 15 Oct.
    p = _received(register, at(2026, 9, 30, 16))
    return [(p.triage_due_at, eod(2026, 9, 30)), (p.dispatch_due_at, eod(2026, 10, 15)), (p.due_at, eod(2026, 9, 30))]


def case_received_on_a_holiday(register, users):
    # An online petition received on 2 Oct 2026 (a holiday): 当日阅办 rolls to the first workday, Thursday 8 Oct.
    p = _received(register, at(2026, 10, 2, 9), channel="online")
    return [(p.triage_due_at, eod(2026, 10, 8))]


def case_fifteenth_day_on_a_holiday(register, users):
    # Received 20 Sep 2026: the 15th day is 5 Oct (National Day), so the period ends on the first workday after it.
    p = _received(register, at(2026, 9, 20))
    return [(p.dispatch_due_at, eod(2026, 10, 8)), (p.accept_due_at, eod(2026, 10, 8))]


def case_sixty_days_across_spring_festival(register, users):
    # Accepted 20 Dec 2025: the 60th day is 18 Feb 2026, inside the Spring Festival holiday (15-23 Feb) → Tuesday 24 Feb.
    p = _in_progress(register, users, at(2025, 12, 20))
    return [(p.handle_due_at, eod(2026, 2, 24))]


def case_extension_on_a_due_rolled_from_saturday(register, users):
    # Accepted 17 Mar 2026: the 60th day, 16 May, is a Saturday → Monday 18 May. A 30-day extension counts from the due
    # in force (18 May) → Wednesday 17 Jun; re-rolling 90 days from acceptance would give 15 Jun (only 28 days later).
    p = _in_progress(register, users, at(2026, 3, 17))
    before = p.handle_due_at
    p = _do(at(2026, 4, 1), p, "extend", users, actor=users.leader, days=30, reason="需委托第三方核算工资")
    return [(before, eod(2026, 5, 18)), (p.handle_due_at, eod(2026, 6, 17))]


def case_seven_day_hearing(register, users):
    # Accepted 2 Mar 2026: 60 days end 1 May (Labour Day) → Wednesday 6 May. A hearing from 1 Apr to 8 Apr pauses the
    # clock 7 days → 13 May, a Wednesday.
    p = _in_progress(register, users, at(2026, 3, 2))
    before = p.handle_due_at
    p = _do(at(2026, 4, 1), p, "pause", users, ground="hearing", reason="组织听证")
    p = _do(at(2026, 4, 8, 15), p, "resume", users)
    return [(before, eod(2026, 5, 6)), (p.handle_due_at, eod(2026, 5, 13))]


def case_one_day_pause_before_a_weekend(register, users):
    # Accepted 13 Apr 2026: due Friday 12 Jun. A one-day appraisal pause (20 → 21 May) moves it to Saturday 13 Jun,
    # a rest day → Monday 15 Jun 23:59:59.
    p = _in_progress(register, users, at(2026, 4, 13))
    before = p.handle_due_at
    p = _do(at(2026, 5, 20), p, "pause", users, ground="appraisal", reason="伤残等级鉴定")
    p = _do(at(2026, 5, 21), p, "resume", users)
    return [(before, eod(2026, 6, 12)), (p.handle_due_at, eod(2026, 6, 15))]


def case_letter_delivered_three_days_after_posting(register, users):
    # The answer is posted Monday 2 Mar 2026 and received Thursday 5 Mar: the 30 days run from delivery → 4 Apr
    # (清明, 4-6 Apr off) → Tuesday 7 Apr. A review asked on 2 Apr, day 31 after posting, is accepted.
    p = _in_progress(register, users, at(2026, 1, 5))
    for action in ("report_result", "approve_result"):
        p = _do(at(2026, 3, 2, 9), p, action, users)
    p = _do(at(2026, 3, 2, 10), p, "reply", users, method="letter")
    no_window_yet = p.review_request_due_at
    p = _do(at(2026, 3, 6, 9), p, "record_delivery", users, delivered_at="2026-03-05", method="post")
    window = p.review_request_due_at
    p = _do(at(2026, 4, 2, 11), p, "request_review", users, reason="对处理意见不服")
    return [(no_window_yet, None), (window, eod(2026, 4, 7)), (p.status, "under_review")]


def case_return_on_workday_six(register, users):
    # Assigned Wednesday 30 Sep 2026. The unit's 5 workdays: 8, 9, 10 (a make-up Saturday), 12 and 13 Oct. On 14 Oct,
    # workday 6, a return is refused unless the office consents; then it goes through.
    p = _in_progress(register, users, at(2026, 9, 30))
    window = selectors.workflow.return_due(p)
    with time_machine.travel(at(2026, 10, 14, 9), tick=False), pytest.raises(InvalidTransition) as refused:
        act(p, "return", users)
    p = _do(at(2026, 10, 14, 10), p, "consent_return", users, reason="经核实确属自然资源局职责")
    p = _do(at(2026, 10, 14, 11), p, "return", users, reason="属自然资源局职责")
    return [(window, eod(2026, 10, 13)), (refused.value.code, "return_window_passed"), (p.status, "accepted")]


def case_extension_after_expiry(register, users):
    # Accepted 17 Mar 2026, due Monday 18 May 23:59:59. An extension asked on 19 May is refused (409 period_expired), so
    # the late answer of 20 May stays late in 按期办结率.
    p = _in_progress(register, users, at(2026, 3, 17))
    with time_machine.travel(at(2026, 5, 19, 9), tick=False), pytest.raises(InvalidTransition) as refused:
        act(p, "extend", users, actor=users.leader, days=30, reason="补充调查")
    p.refresh_from_db()
    for action in ("report_result", "approve_result", "reply"):
        p = _do(at(2026, 5, 20), p, action, users)
    on_time = Petition.objects.filter(_replied_on_time(), pk=p.pk).exists()
    kpi = compute(Petition.objects.filter(pk=p.pk))["kpis"]["on_time_completion"]  # 按期办结率 as the dashboard counts it
    return [
        (refused.value.code, "period_expired"),
        (refused.value.status, 409),
        (p.extended_days, 0),
        (p.handle_due_at, eod(2026, 5, 18)),
        (on_time, False),
        ((kpi["numerator"], kpi["denominator"], kpi["value"]), (0, 1, 0.0)),
    ]


CASES = [
    case_eve_of_national_day,
    case_received_on_a_holiday,
    case_fifteenth_day_on_a_holiday,
    case_sixty_days_across_spring_festival,
    case_extension_on_a_due_rolled_from_saturday,
    case_seven_day_hearing,
    case_one_day_pause_before_a_weekend,
    case_letter_delivered_three_days_after_posting,
    case_return_on_workday_six,
    case_extension_after_expiry,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_the_dates_an_office_expects(case, register, users):
    for got, expected in case(register, users):
        if isinstance(expected, datetime):
            assert got is not None and deadlines.to_local(got) == expected, (case.__name__, got, expected)
        else:
            assert got == expected, (case.__name__, got, expected)


# ---------------------------------------------------------------------------------------------------------- delivery


def test_online_and_sms_answers_are_delivered_when_sent(register, users):
    """Without an SMS to the petitioner (here refused) an online or SMS answer is delivered as it is sent; with one, on
    the gateway's delivery report (tests/messaging/test_messages.py)."""
    from xinfang.messaging.services import set_refusal

    p = _in_progress(register, users, at(2026, 3, 2))
    set_refusal(petition=p, refused=True, via="office")
    p.refresh_from_db()
    for action in ("report_result", "approve_result"):
        p = _do(at(2026, 3, 20), p, action, users)
    p = _do(at(2026, 3, 20, 15), p, "reply", users, method="online")
    assert deadlines.to_local(p.delivered_at) == at(2026, 3, 20, 15) and p.delivery_method == "online"
    assert deadlines.to_local(p.review_request_due_at) == eod(2026, 4, 20)  # the 30th day, 19 Apr, is a Sunday
    # The review opinion, sent by SMS: the 复核 window runs from its sending.
    p = _do(at(2026, 3, 25), p, "request_review", users)
    p = _do(at(2026, 4, 10), p, "reply", users, method="sms")
    assert p.review_level == 1 and p.delivery_method == "sms"
    assert deadlines.to_local(p.review_request_due_at) == eod(2026, 5, 11)  # 10 May is a Sunday → Monday 11 May
    # After the 复核 opinion there is no further window at all (三级终结).
    p = _do(at(2026, 4, 15), p, "request_rereview", users)
    p = _do(at(2026, 5, 6), p, "reply", users, method="online")
    assert p.review_level == 2 and p.review_request_due_at is None and p.delivered_at is not None


def test_a_letter_answer_waits_for_its_delivery(register, users):
    p = _in_progress(register, users, at(2026, 3, 2))
    for action in ("report_result", "approve_result", "reply"):
        p = _do(at(2026, 3, 20), p, action, users)
    assert p.delivered_at is None and p.review_request_due_at is None
    # Ninety days later the petitioner may still ask (the window has not started); the office may not archive.
    with time_machine.travel(at(2026, 6, 18), tick=False):
        assert "request_review" in selectors.available_actions(actor=users.office, petition=p)
        assert "archive" not in selectors.available_actions(actor=users.office, petition=p)
        with pytest.raises(InvalidTransition) as exc:
            act(p, "archive", users)
        assert "尚未送达" in exc.value.message


@pytest.mark.parametrize(
    "delivered_at, method, message",
    [
        ("2026-03-19", "post", "不能早于答复日期（2026-03-20）"),
        ("2026-03-22", "post", "不能晚于今天"),
        ("2026-02-30", "post", "不是有效的日期"),
        ("", "post", "请填写送达日期"),
        ("2026-03-20", "pigeon", "送达方式"),
    ],
)
def test_delivery_inputs_are_checked_in_chinese(register, users, delivered_at, method, message):
    p = _in_progress(register, users, at(2026, 3, 2))
    for action in ("report_result", "approve_result", "reply"):
        p = _do(at(2026, 3, 20), p, action, users)
    with time_machine.travel(at(2026, 3, 21), tick=False), pytest.raises(InvalidInput) as exc:
        act(p, "record_delivery", users, delivered_at=delivered_at, method=method)
    assert message in exc.value.message
    p.refresh_from_db()
    assert p.delivered_at is None and not p.events.filter(action="record_delivery").exists()


def test_a_corrected_delivery_is_a_new_event_naming_the_previous_one(register, users):
    p = _in_progress(register, users, at(2026, 3, 2))
    for action in ("report_result", "approve_result", "reply"):
        p = _do(at(2026, 3, 20), p, action, users)
    p = _do(at(2026, 3, 24), p, "record_delivery", users, delivered_at="2026-03-23", method="post")
    p = _do(at(2026, 3, 25), p, "record_delivery", users, delivered_at="2026-03-24", method="direct")
    events = list(p.events.filter(action="record_delivery").order_by("seq"))
    previous = datetime.fromisoformat(events[1].data["previous_delivered_at"])
    assert len(events) == 2 and deadlines.to_local(previous).date().isoformat() == "2026-03-23"
    assert deadlines.to_local(p.review_request_due_at) == eod(2026, 4, 23)


# ---------------------------------------------------------------------------------------------------------- 当日阅办


def test_triage_bucket_and_what_triaged_means(register, users):
    morning = at(2026, 6, 16, 9)
    read = _received(register, morning)
    decided = _received(register, morning)
    waiting = _received(register, morning)
    with time_machine.travel(at(2026, 6, 16, 11), tick=False):
        counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
        assert counts["triage_today"] == 3 and counts["to_decide"] == 0
        read = act(read, "triage", users, note="拟转县人社局")
        decided = act(decided, "accept", users)  # deciding is triaging
        counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
        assert counts["triage_today"] == 1 and counts["to_decide"] == 1
        assert read.due_at == min(read.dispatch_due_at, read.accept_due_at)  # the 15-day steps are next
        assert decided.triaged_at is not None
        with pytest.raises(InvalidTransition):
            act(read, "triage", users, note="再次阅办")
        assert read.events.order_by("-seq").first().data["on_time"] is True
    # Not read by the end of the day: overdue, and still in 今日待阅办 until it is.
    with time_machine.travel(at(2026, 6, 17, 0, 1), tick=False):
        assert selectors.due_state(waiting.due_at) == "overdue"
        overdue = [p.reg_no for p in selectors.petition_list(actor=users.office, filters={"bucket": "overdue"})]
        assert waiting.reg_no in overdue and read.reg_no not in overdue
        late = act(waiting, "triage", users, note="拟受理")
        assert late.events.order_by("-seq").first().data["on_time"] is False


def test_triage_reminder_is_its_own(register, users, make_user):
    from xinfang.supervision import sweep
    from xinfang.supervision.models import Notification

    p = _received(register, at(2026, 6, 16, 9))
    with time_machine.travel(at(2026, 6, 16, 9, 5), tick=False):
        assert sweep.sweep_petitions() >= 1
    titles = set(Notification.objects.filter(url=f"/petitions/{p.reg_no}/").values_list("title", flat=True))
    assert f"今日待阅办：{p.reg_no}" in titles
    body = Notification.objects.filter(title=f"今日待阅办：{p.reg_no}").first().body
    assert "当日阅办期限 2026-06-16 23:59" in body
    # Once read, the next reminders are about the 15-day steps, titled as before.
    p = _do(at(2026, 6, 16, 10), p, "triage", users, note="拟受理")
    with time_machine.travel(at(2026, 6, 29, 9), tick=False):
        sweep.sweep_petitions()
    assert Notification.objects.filter(title=f"3天内到期：{p.reg_no}").exists()


def test_triage_default_migration_changes_only_the_old_default():
    import importlib

    from django.apps import apps

    from xinfang.petitions.models import TimeLimit

    migration = importlib.import_module("xinfang.petitions.migrations.0006_law_clock_policy")
    TimeLimit.objects.filter(step="triage").update(amount=1)
    migration.forward(apps, None)
    assert TimeLimit.objects.get(step="triage").amount == 0
    TimeLimit.objects.filter(step="triage").update(amount=2)  # a county's own choice is kept
    migration.forward(apps, None)
    assert TimeLimit.objects.get(step="triage").amount == 2
    basis = TimeLimit.objects.get(step="dispatch").basis
    assert basis.startswith("《信访工作条例》第二十二条") and "15日" in basis
    assert "第" not in TimeLimit.objects.get(step="handle").basis  # its number could not be confirmed in two copies


# ---------------------------------------------------------------------------------------------------------- return


def test_consent_is_its_own_event_and_only_after_the_window(register, users):
    p = _in_progress(register, users, at(2026, 6, 1))  # Monday: 5 workdays → Monday 8 Jun
    with time_machine.travel(at(2026, 6, 8, 17), tick=False):
        with pytest.raises(InvalidTransition) as exc:
            act(p, "consent_return", users)
        assert "无需同意" in exc.value.message
        assert "return" in selectors.available_actions(actor=users.handler, petition=p)
    with time_machine.travel(at(2026, 6, 9, 9), tick=False):
        assert "return" not in selectors.available_actions(actor=users.handler, petition=p)
        why = selectors.refused_actions(actor=users.handler, petition=p)["return"]
        assert "2026-06-08" in why and "信访办" in why
        p = act(p, "consent_return", users)
        ev = p.events.order_by("-seq").first()
        assert ev.action == "consent_return" and ev.actor == users.office and ev.data["reason"]
        assert "return" in selectors.available_actions(actor=users.handler, petition=p)
        p = act(p, "return", users)
    ev = p.events.order_by("-seq").first()
    assert ev.data["with_consent"] is True and p.return_consented_at is None and p.status == "accepted"
