"""Every (state, action) pair allowed and refused, and every role allowed and refused, from the table."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from xinfang.core.errors import InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.org.models import ExternalOrgan, Role
from xinfang.petitions import timelimits, workflow
from xinfang.petitions.models import Petition, Status
from xinfang.petitions.services import petition_act

from .helpers import PATHS, act, drive

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _paused(p, ground="hearing"):
    """A pause carried into any open state (a pause is taken while handling; the state may move on before it ends)."""
    Petition.objects.filter(pk=p.pk).update(paused_at=timezone.now(), pause_ground=ground)
    p.refresh_from_db()
    return p


def _simple(p):
    """A matter on the simple track (简易办理), as `accept {track: simple}` leaves it."""
    Petition.objects.filter(pk=p.pk).update(track="simple")
    p.refresh_from_db()
    return p


def _external_review(p, forwarded: bool):
    """A review asked of an organ outside the deployment (and forwarded to it)."""
    organ, _ = ExternalOrgan.objects.get_or_create(code="city-hr", defaults={"name": "测试市人社局", "level": "city"})
    Petition.objects.filter(pk=p.pk).update(review_external=organ, review_forwarded_at=timezone.now() if forwarded else None)
    p.refresh_from_db()
    return p


def _on_an_ended_matter(p, register):
    """A petition registered on a matter already ended by its 复核 (三级终结)."""
    original, _ = register()
    Petition.objects.filter(pk=original.pk).update(review_level=2, matter_ended=True)
    Petition.objects.filter(pk=p.pk).update(repeat_of=original, matter_ended=True, first_time=False)
    p.refresh_from_db()
    return p


def _allowed_attempt(p, action, users, register, state):
    """Prepare the guards the table cannot express, then act; returns the new petition."""
    if action == "switch_to_standard":
        p = _simple(p)
    if action in ("forward_review", "record_review_opinion"):
        p = _external_review(p, forwarded=action == "record_review_opinion")
    if action == "answer_ended":
        p = _on_an_ended_matter(p, register)
    if action == "resume":
        p = _paused(p)
    if action == "consent_return":  # the unit's 5 workdays have passed
        with time_machine.travel(timezone.now() + timedelta(days=10)):
            return act(p, action, users, state_hint=state)
    if action == "report_back":
        # Only a superior's petition reports back: drive a from_superior one to the same state.
        p = drive(
            register,
            users,
            state,
            channel="from_superior",
            superior_doc_no="市信访交〔2026〕12号",
            superior_due_at=timezone.now() + timedelta(days=20),
        )
    if action == "request_rereview":
        p = act(p, "request_review", users)
        p = act(p, "reply", users)
        if state == "evaluated":
            p = act(p, "evaluate", users)
    if action == "archive" and state == "replied":
        p = act(p, "record_delivery", users)  # the window runs 30 days from delivery, then the rest-day rule
        with time_machine.travel(timezone.now() + timedelta(days=40)):
            return act(p, action, users, state_hint=state)
    return act(p, action, users, state_hint=state)


@pytest.mark.parametrize("state", list(PATHS))
def test_every_action_in_every_state(state, register, users, make_user):
    # Refusals are tried by a user holding every role, so only the state can refuse.
    everyone = make_user(Role.OFFICE)
    for role in (Role.CLERK, Role.LEADER, Role.UNIT_HANDLER):
        everyone.groups.add(Group.objects.get_or_create(name=role)[0])
    p = drive(register, users, state)
    for action in workflow.ACTIONS:
        t = workflow.BY_ACTION[action]
        if state in t.from_states:
            try:
                with transaction.atomic():
                    after = _allowed_attempt(p, action, users, register, state)
                    expected = t.to_state or state
                    if action == "reject_result":
                        expected = Status.IN_PROGRESS
                    assert after.status == expected, (state, action)
                    assert after.events.order_by("-seq").first().action == action
                    raise Rollback
            except Rollback:
                pass
        else:
            with pytest.raises(InvalidTransition):
                act(p, action, users, state_hint=state, actor=everyone)
            p.refresh_from_db()
            assert p.status == state


def _role_users(users, make_user):
    return {
        Role.ADMIN: users.admin,
        Role.CLERK: users.clerk,
        Role.OFFICE: users.office,
        Role.LEADER: users.leader,
        Role.UNIT_HANDLER: users.handler,
        Role.SUPERVISOR: users.supervisor,
        Role.VIEWER: users.viewer,
        Role.LIAISON: make_user(Role.LIAISON),
        Role.INFO_OFFICER: make_user(Role.INFO_OFFICER),
        Role.SAFETY_OFFICER: make_user(Role.SAFETY_OFFICER),
    }


# A state in which every role the table allows can act (the unit handler sees only what it handles).
ROLE_STATE = {
    "accept": "registered",
    "decline": "registered",
    "forward": "registered",
    "submit_for_instruction": "accepted",
    "instruct": "awaiting_instruction",
    "set_case_leader": "in_progress",
    "assign": "accepted",
    "acknowledge": "assigned",
    "progress": "in_progress",
    "extend": "in_progress",
    "return": "in_progress",
    "report_result": "in_progress",
    "approve_result": "result_reported",
    "reject_result": "result_reported",
    "reply": "awaiting_reply",
    "follow_up": "replied",
    "evaluate": "replied",
    "request_review": "replied",
    "request_rereview": "replied",
    "report_back": "replied",
    "archive": "evaluated",
    "pause": "in_progress",
    "resume": "in_progress",
    "triage": "registered",
    "record_delivery": "replied",
    "consent_return": "in_progress",
    "switch_to_standard": "in_progress",
    "forward_review": "under_review",
    "record_review_opinion": "under_review",
    "answer_ended": "registered",
}


@pytest.mark.parametrize("action", workflow.ACTIONS)
def test_every_role_for_each_action(action, register, users, make_user):
    assert set(ROLE_STATE) == set(workflow.ACTIONS)
    state = ROLE_STATE[action]
    extra = {}
    if action == "report_back":
        extra = {"channel": "from_superior", "superior_doc_no": "市交〔2026〕3号", "superior_due_at": timezone.now() + timedelta(days=20)}
    p = drive(register, users, state, **extra)
    if action == "resume":
        p = act(p, "pause", users)
    if action == "switch_to_standard":
        p = _simple(p)
    if action in ("forward_review", "record_review_opinion"):
        p = _external_review(p, forwarded=action == "record_review_opinion")
    if action == "answer_ended":
        p = _on_an_ended_matter(p, register)
    later = timedelta(days=10) if action == "consent_return" else timedelta(0)  # after the unit's 5 workdays
    if action == "request_rereview":
        p = act(p, "request_review", users)
        p = act(p, "reply", users)
    t = workflow.BY_ACTION[action]
    for role, user in _role_users(users, make_user).items():
        allowed = role in t.roles
        if action == "report_result":
            allowed = role == Role.UNIT_HANDLER  # in progress: the handling unit reports; the office only when it handles itself
        if action in ("pause", "resume"):  # the table allows office, leader and unit; the policy table narrows it per ground
            allowed = role in timelimits.pause_ground("hearing").roles
        with time_machine.travel(timezone.now() + later):
            if allowed:
                with pytest.raises(Rollback):
                    with transaction.atomic():
                        after = act(p, action, users, actor=user)
                        assert after.version == p.version + 1
                        raise Rollback
            else:
                with pytest.raises((NoPermission, NotFound)):
                    act(p, action, users, actor=user)
    p.refresh_from_db()
    assert p.status == state or action == "resume"


def test_petitioner_without_account_only_for_own_requests(register, users):
    p = drive(register, users, "replied")
    with pytest.raises(NoPermission):
        petition_act(actor=None, petition_or_reg_no=p.reg_no, action="archive", version=p.version)
    p = petition_act(actor=None, petition_or_reg_no=p.reg_no, action="evaluate", version=p.version, satisfaction="dissatisfied")
    assert p.status == Status.EVALUATED
    assert p.events.order_by("-seq").first().actor_label == "信访人"


def test_stale_version_is_refused_and_nothing_written(register, users):
    p, _ = register()
    stale = p.version
    act(p, "accept", users)
    with pytest.raises(StaleVersion):
        petition_act(actor=users.office, petition_or_reg_no=p.reg_no, action="progress", version=stale, note="迟到的修改")
    p.refresh_from_db()
    assert p.events.count() == 2
    assert p.version == stale + 1


def test_actions_for_reads_the_table():
    assert "accept" in workflow.actions_for("registered", ["office"])
    assert "accept" not in workflow.actions_for("registered", ["clerk"])
    assert workflow.actions_for("archived", ["office", "leader", "unit_handler"]) == []
    for t in workflow.TRANSITIONS:
        for s in t.from_states:
            assert s in Status.values
        assert t.to_state is None or t.to_state in Status.values
