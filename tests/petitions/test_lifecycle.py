"""Due fields set by each step, and the guards the table cannot express."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.errors import DomainError, InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions import deadlines, selectors, timelimits, workflow
from xinfang.petitions.models import PauseGround, Status

from .helpers import act, drive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moved_today")]


def test_due_fields_follow_each_step(register, users):
    p, _ = register()
    assert p.due_at == p.triage_due_at <= min(p.dispatch_due_at, p.accept_due_at)  # 当日阅办 first
    p = act(p, "triage", users)
    assert p.triaged_at is not None and p.due_at == min(p.dispatch_due_at, p.accept_due_at)
    p = act(p, "accept", users)
    assert p.accepted_at and p.handle_due_at > p.accepted_at + timedelta(days=59)
    assert p.due_at == min(p.dispatch_due_at, p.handle_due_at)
    p = act(p, "submit_for_instruction", users)
    assert p.due_at == p.instruction_due_at == timelimits.due_for("instruction", p.accepted_at)  # 2 days, rest-day rule
    p = act(p, "instruct", users)
    assert p.instruction_due_at is None
    p = act(p, "assign", users, complexity="complex")
    assert p.internal_due_at <= p.handle_due_at and p.due_at == min(p.handle_due_at, p.internal_due_at)
    assert p.dispatched_at is not None
    p = act(p, "acknowledge", users)
    p = act(p, "report_result", users)
    assert p.due_at == p.handle_due_at
    p = act(p, "approve_result", users)
    p = act(p, "reply", users)
    # A letter: the window runs from delivery, so it has no end until delivery is recorded (and stays open).
    assert p.due_at is None and p.delivered_at is None and p.review_request_due_at is None
    p = act(p, "record_delivery", users)
    assert p.review_request_due_at > p.replied_at + timedelta(days=29)
    p = act(p, "request_review", users)
    assert p.status == Status.UNDER_REVIEW and p.due_at == p.review_due_at
    p = act(p, "reply", users)
    assert p.review_level == 1 and p.due_at is None
    p = act(p, "request_rereview", users)
    p = act(p, "reply", users)
    assert p.review_level == 2 and p.matter_ended
    with pytest.raises(InvalidTransition):
        act(p, "request_rereview", users)
    with pytest.raises(InvalidTransition):
        act(p, "request_review", users)
    p = act(p, "archive", users)  # ended after 复核: may be archived at once
    assert p.status == Status.ARCHIVED and p.archive_category == "review" and p.due_at is None


def test_extension_once_and_at_most_the_limit(register, users):
    p = drive(register, users, "in_progress")
    with pytest.raises(InvalidInput):
        act(p, "extend", users, days=31)
    before = p.handle_due_at
    p = act(p, "extend", users, days=30)
    assert p.handle_due_at >= before + timedelta(days=30) and p.extended_days == 30
    ev = p.events.order_by("-seq").first()
    assert ev.data["approved_by"] == users.leader.username and ev.public
    with pytest.raises(InvalidTransition):
        act(p, "extend", users, days=5)


def test_return_recomputes_dispatch_clock_and_keeps_handle_clock(register, users):
    p = drive(register, users, "in_progress")
    handle = p.handle_due_at
    p = act(p, "return", users)
    assert p.status == Status.ACCEPTED and p.handling_unit is None and p.dispatched_at is None
    assert p.handle_due_at == handle
    ev = p.events.order_by("-seq").first()
    assert ev.data["from_unit"] == "dept-hr" and ev.data["new_dispatch_due_at"] and ev.data["handle_due_at"]
    assert p.due_at == min(p.dispatch_due_at, p.handle_due_at)


def test_pause_and_resume_shift_due_times_by_whole_days(register, users):
    p = drive(register, users, "in_progress")
    handle, internal = p.handle_due_at, p.internal_due_at
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        p = act(p, "pause", users, ground="appraisal", reason="委托司法鉴定伤残等级")
        assert p.paused_at is not None and p.pause_ground == "appraisal"
        # While paused the step is due at the latest the pause can reach (its 60-day cap), so it never drops off the clock.
        cap = timelimits.pause_ground("appraisal").max_days
        cal = timelimits.work_calendar()
        assert p.due_at == min(deadlines.shifted_due(handle, cap, cal), deadlines.shifted_due(internal, cap, cal))
    with time_machine.travel(start + timedelta(days=3, hours=5), tick=False):
        p = act(p, "resume", users)
    assert p.paused_at is None and p.pause_ground == ""
    assert p.paused_seconds == 3 * 86400 + 5 * 3600
    # Three whole days, then the rest-day rule.
    assert p.handle_due_at == deadlines.shifted_due(handle, 3, timelimits.work_calendar())
    ev = p.events.order_by("-seq").first()
    assert ev.data["paused_days"] == 3 and ev.data["counted_days"] == 3 and ev.public


def test_pause_only_on_a_legal_ground_and_only_while_handling(register, users):
    p, _ = register()
    with pytest.raises(InvalidTransition):
        act(p, "pause", users)  # waiting to be accepted: nothing to hear or appraise yet
    p = drive(register, users, "in_progress")
    for ground in ("", "leader_travel", "领导出差"):
        with pytest.raises(InvalidInput) as exc:
            act(p, "pause", users, ground=ground, reason="领导出差")
        assert "听证" in exc.value.message and "不能暂停计时" in exc.value.message and "ground" in exc.value.fields
    p.refresh_from_db()
    assert p.paused_at is None and p.events.filter(action="pause").count() == 0
    # Who may pause comes from the policy table: a leader may not until the policy says so.
    with pytest.raises(NoPermission):
        act(p, "pause", users, actor=users.leader)
    PauseGround.objects.filter(code="hearing").update(roles="office,leader")
    timelimits.clear_cache()
    with pytest.raises(NoPermission):
        act(p, "pause", users, actor=users.leader, ground="appraisal")  # appraisal is still the office's
    p = act(p, "pause", users, actor=users.leader, ground="hearing")
    assert p.pause_ground == "hearing"


def test_a_pause_past_its_cap_counts_only_the_cap(register, users):
    p = drive(register, users, "in_progress")
    handle = p.handle_due_at
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        p = act(p, "pause", users)  # hearing, 30 days at most
    with time_machine.travel(start + timedelta(days=45), tick=False):
        p = act(p, "resume", users)
    assert p.handle_due_at == deadlines.shifted_due(handle, 30, timelimits.work_calendar())
    ev = p.events.order_by("-seq").first()
    assert (ev.data["paused_days"], ev.data["counted_days"], ev.data["over_cap_days"]) == (45, 30, 15)


def test_review_only_inside_the_window_from_delivery(register, users):
    p = drive(register, users, "replied")
    # Not delivered yet: the window is open however long ago the letter was posted.
    with time_machine.travel(timezone.now() + timedelta(days=90)):
        assert workflow.window_open(p, timezone.now())
        with pytest.raises(InvalidTransition):
            act(p, "archive", users)
    p = act(p, "record_delivery", users)
    with time_machine.travel(p.review_request_due_at + timedelta(seconds=1)):
        with pytest.raises(InvalidTransition) as exc:
            act(p, "request_review", users)
        assert "期限" in exc.value.message and exc.value.code == "review_window_passed" and exc.value.status == 409
        # Once the delivered window has passed the office may archive.
        p = act(p, "archive", users)
    assert p.status == Status.ARCHIVED and p.events.order_by("-seq").first().data["basis"] == "window_passed"


def test_archive_refused_inside_window_unless_satisfied(register, users):
    p = drive(register, users, "replied")
    with pytest.raises(InvalidTransition):
        act(p, "archive", users)
    p = act(p, "evaluate", users, satisfaction="basically_satisfied")
    p = act(p, "archive", users)
    assert p.status == Status.ARCHIVED


def test_superior_report_back_and_explanation(register, users):
    due = timezone.now() + timedelta(days=3)
    p = drive(register, users, "in_progress", channel="from_superior", superior_doc_no="市交〔2026〕1号", superior_due_at=due)
    assert p.due_at == due
    p = act(p, "progress", users, note="需补充调查，无法按期报结，先行说明情况", explain_to_superior=True)
    assert p.events.order_by("-seq").first().data["explain_to_superior"] is True
    for step in ("report_result", "approve_result", "reply"):
        p = act(p, step, users)
    p = act(p, "evaluate", users)
    with pytest.raises(InvalidTransition):
        act(p, "archive", users)  # report back first
    p = act(p, "report_back", users)
    assert p.reported_back_at and p.events.order_by("-seq").first().data["on_time"] is True
    p = act(p, "archive", users)
    assert p.status == Status.ARCHIVED


def test_explanation_only_for_superior_petitions(register, users):
    p = drive(register, users, "in_progress")
    with pytest.raises(InvalidInput):
        act(p, "progress", users, explain_to_superior=True)


def test_respondent_never_chosen_and_the_report_never_goes_to_their_unit(register, users, make_user, county):
    accused = make_user(Role.LEADER, name="王副县长")
    p, _ = register(nature="report", respondents=[{"name": "王副县长", "unit": county.dept.name, "post": "局长", "user": accused}])
    p = act(p, "accept", users)
    with pytest.raises(InvalidInput) as exc:
        act(p, "set_case_leader", users, leader=accused.username)
    assert "被反映人" in exc.value.message
    # 《信访工作条例》第四十六条第（五）项: no override (tests/access/test_respondent.py covers API, form and routing).
    with pytest.raises(DomainError) as exc:
        act(p, "assign", users, handling_unit=county.dept.code, own_unit_reason="该局为法定主管部门，由纪检组监督办理")
    assert exc.value.code == "respondent_unit" and exc.value.status == 409


def test_assign_due_date_within_legal_limit(register, users):
    p = drive(register, users, "accepted")
    with pytest.raises(InvalidInput) as exc:
        act(p, "assign", users, due_at=p.handle_due_at + timedelta(days=1))
    assert "法定期限" in exc.value.message
    p = act(p, "assign", users, due_at=timezone.now() + timedelta(days=7))
    assert p.internal_due_at <= timezone.now() + timedelta(days=7)


def test_office_handles_directly_and_rejected_result_returns_to_it(register, users):
    p = drive(register, users, "accepted")
    p = act(p, "report_result", users)
    assert p.status == Status.RESULT_REPORTED
    p = act(p, "reject_result", users)
    assert p.status == Status.ACCEPTED


def test_worklist_counts_and_available_actions(register, users):
    drive(register, users, "registered")
    drive(register, users, "accepted")
    in_progress = drive(register, users, "in_progress")
    counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
    assert counts["triage_today"] == 1 and counts["to_assign"] == 1 and counts["in_progress"] == 1
    handler_counts = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.handler)}
    assert "to_assign" not in handler_counts and handler_counts["in_progress"] == 1
    assert "report_result" in selectors.available_actions(actor=users.handler, petition=in_progress)
    assert "report_result" not in selectors.available_actions(actor=users.office, petition=in_progress)
    with time_machine.travel(timezone.now() + timedelta(days=80)):
        overdue = {c["code"]: c["count"] for c in selectors.worklist_counts(actor=users.office)}
    assert overdue["overdue"] == 3


def test_list_search_chinese_substring_and_names(register, users):
    register(content="反映村里道路年久失修，雨天无法通行")
    register(petitioners=[{"name": "赵六", "phone": "13911112222"}])
    assert selectors.petition_list(actor=users.office, filters={"q": "道路"}).count() == 1
    assert selectors.petition_list(actor=users.office, filters={"q": "赵六"}).count() == 1
    assert selectors.petition_list(actor=users.office, filters={"q": "13911112222"}).count() == 1
    assert selectors.petition_list(actor=users.handler, filters={"q": "道路"}).count() == 0


def test_list_has_no_n_plus_one(register, users, django_assert_max_num_queries):
    for _ in range(6):
        drive(register, users, "assigned")
    with django_assert_max_num_queries(4):
        rows = list(selectors.petition_list(actor=users.office, filters={"status": "assigned"}))
        assert [r.handling_unit.name for r in rows] and [r.category.name for r in rows]


def test_due_soon_and_overdue_buckets_agree_with_due_state(register, users):
    p, _ = register()
    for offset, bucket, state in ((timedelta(days=-3), "due_soon", "due_soon"), (timedelta(seconds=1), "overdue", "overdue")):
        with time_machine.travel(p.due_at + offset, tick=False):
            codes = [row.reg_no for row in selectors.petition_list(actor=users.office, filters={"bucket": bucket})]
            assert codes == [p.reg_no], (bucket, codes)
            assert selectors.due_state(p.due_at) == state
    with time_machine.travel(p.due_at - timedelta(days=5), tick=False):
        assert selectors.petition_list(actor=users.office, filters={"bucket": "due_soon"}).count() == 0
        assert selectors.due_state(p.due_at) == "ok"


def test_extension_adds_only_the_extension_to_a_paused_and_resumed_due(register, users):
    p = drive(register, users, "in_progress")
    p = act(p, "pause", users)
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        p = act(p, "resume", users)
        before = p.handle_due_at
        p = act(p, "extend", users, days=10)
    # The 5 paused days are already in the due in force; the extension adds 10, not 10 + 5, then the rest-day rule.
    assert p.handle_due_at == deadlines.shifted_due(before, 10, timelimits.work_calendar())
    assert timezone.localtime(p.handle_due_at).date() >= timezone.localtime(before).date() + timedelta(days=10)


def test_first_reply_time_is_kept_through_review_replies(register, users):
    p = drive(register, users, "under_review")
    first = p.first_replied_at
    assert first is not None and first == p.replied_at
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        p = act(p, "reply", users)
    assert p.review_level == 1 and p.replied_at > first
    p.refresh_from_db()
    assert p.first_replied_at == first


def test_first_reply_migration_fills_from_the_first_reply_event(register, users):
    import importlib

    from django.apps import apps

    from xinfang.petitions.models import Petition

    p = drive(register, users, "under_review")
    first_event = p.events.filter(action="reply").order_by("seq").first()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        p = act(p, "reply", users)
    Petition.objects.filter(pk=p.pk).update(first_replied_at=None)
    unreplied, _ = register()
    migration = importlib.import_module("xinfang.petitions.migrations.0004_first_replied_at")
    migration.fill_first_replied_at(apps, None)
    p.refresh_from_db()
    unreplied.refresh_from_db()
    assert p.first_replied_at == first_event.at and p.first_replied_at < p.replied_at
    assert unreplied.first_replied_at is None


def test_rows_written_with_a_reply_get_the_first_reply_time(register, users):
    from xinfang.petitions.models import Petition

    p, _ = register()
    at = timezone.now()
    Petition.objects.filter(pk=p.pk).update(first_replied_at=None)
    p = Petition.objects.get(pk=p.pk)
    p.replied_at = at
    p.save(update_fields=["replied_at"])
    p.refresh_from_db()
    assert p.first_replied_at == at
    p.replied_at = at + timedelta(days=1)
    p.save(update_fields=["replied_at"])
    p.refresh_from_db()
    assert p.first_replied_at == at
