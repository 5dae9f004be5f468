"""The page offers exactly what the service accepts: every (state, role, action, guard condition).

For each condition (a state, reached through the real services, with what the guards read: a superior's case reported
back or not, a pause, an extension, a delivery, a window passed, a consent, …) and each role, the actions
`selectors.available_actions` offers are compared with the actions `petition_act` accepts (every action the table allows
in that state, by every role, each tried in a savepoint that is rolled back). Both must come from the workflow table and
its guards; a rule written in only one of them fails here.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from xinfang.access import policy
from xinfang.core.errors import DomainError, InvalidInput, NotFound
from xinfang.petitions import selectors, workflow
from xinfang.petitions.models import Petition

from .helpers import PATHS, act, drive

pytestmark = pytest.mark.django_db

SUPERIOR = {"channel": "from_superior", "superior_doc_no": "市信访交〔2026〕12号"}
OPEN_STATES = [s for s in PATHS if s not in ("declined", "forwarded", "archived")]
SUPERIOR_STATES = ["registered", "in_progress", "result_reported", "awaiting_reply", "replied", "evaluated"]


class Rollback(Exception):
    pass


def _paused(p):
    Petition.objects.filter(pk=p.pk).update(paused_at=timezone.now(), pause_ground="hearing")
    p.refresh_from_db()
    return p


def _superior(register, users, state):
    return drive(register, users, state, **SUPERIOR, superior_due_at=timezone.now() + timedelta(days=20))


def _then(state, *steps, superior=False, **step_inputs):
    def build(register, users):
        p = _superior(register, users, state) if superior else drive(register, users, state)
        for step in steps:
            p = act(p, step, users, **step_inputs.get(step, {}))
        return p

    return build


def _plain(state):
    return lambda register, users: drive(register, users, state)


def _paused_in(state):
    return lambda register, users: _paused(drive(register, users, state))


def _twice_reviewed(register, users):
    p = drive(register, users, "under_rereview")
    return act(p, "reply", users)


# name → (build(register, users) -> petition, days to move the clock on before both are asked)
CONDITIONS = {
    **{state: (_plain(state), 0) for state in PATHS},
    # a superior's case: the states in which it reports back, and the decision (report_back needs a superior's case)
    **{f"{state}/上级交办": ((lambda s: lambda r, u: _superior(r, u, s))(state), 0) for state in SUPERIOR_STATES},
    **{f"{state}/暂停中": (_paused_in(state), 0) for state in OPEN_STATES},
    "registered/已阅办": (_then("registered", "triage"), 0),
    "in_progress/已延期": (_then("in_progress", "extend"), 0),
    "in_progress/办理期限已过": (_plain("in_progress"), 70),
    "assigned/异议期已过": (_plain("assigned"), 10),
    "in_progress/异议期已过": (_plain("in_progress"), 10),
    "in_progress/异议期已过/已同意退回": (_plain("in_progress"), 10),  # consented below, after the clock moves
    "replied/已送达": (_then("replied", "record_delivery"), 0),
    "replied/已送达/申请期已过": (_then("replied", "record_delivery"), 40),
    "evaluated/不满意/已送达/申请期已过": (_then("replied", "record_delivery", "evaluate", evaluate={"satisfaction": "dissatisfied"}), 40),
    "replied/复核后": (_twice_reviewed, 0),
    "evaluated/上级交办/未报结": (_then("evaluated", superior=True), 0),
    "evaluated/上级交办/已报结": (_then("evaluated", "report_back", superior=True), 0),
    "evaluated/上级交办/无需报结果": (_then("evaluated", superior=True), 0),
}
NOT_REQUIRED = {"evaluated/上级交办/无需报结果"}


def _staff(users):
    return {
        "office": users.office,
        "leader": users.leader,
        "unit_handler": users.handler,
        "other_unit": users.other_handler,
        "clerk": users.clerk,
        "admin": users.admin,
        "viewer": users.viewer,
        "supervisor": users.supervisor,
    }


def _accepted(p, action, users, actor) -> bool:
    """Does the service take the action from this actor now (with the inputs the action declares)?"""
    try:
        with transaction.atomic():
            act(p, action, users, actor=actor)
            raise Rollback
    except Rollback:
        return True
    except InvalidInput as exc:  # the declared example inputs are valid: a 400 here is the test's fault, not a refusal
        raise AssertionError(f"{action} by {actor.username}: {exc.message} {exc.fields}") from exc
    except DomainError:
        return False


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_the_page_offers_exactly_what_the_service_accepts(name, register, users):
    build, days = CONDITIONS[name]
    p = build(register, users)
    if name in NOT_REQUIRED:
        Petition.objects.filter(pk=p.pk).update(result_required=False)
    with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
        if name.endswith("已同意退回"):
            p = act(p, "consent_return", users)
        p.refresh_from_db()
        in_state = [a for a in workflow.ACTIONS if workflow.allowed_in_state(a, p.status)]
        for role, actor in _staff(users).items():
            try:
                seen = selectors.petition_detail(actor=actor, reg_no=p.reg_no)
            except NotFound:  # no page to offer anything on; the service refuses alike
                assert not any(_accepted(p, a, users, actor) for a in in_state), (name, role)
                continue
            offered = set(selectors.available_actions(actor=actor, petition=seen))
            # An action whose row does not list the state is refused by the table before any guard, in the service and on
            # the page alike (test_workflow tries every such pair in the service); the rest is tried here.
            accepted = {a for a in in_state if _accepted(p, a, users, actor)}
            assert offered == accepted, (name, role, "offered, refused:", offered - accepted, "accepted, hidden:", accepted - offered)


def test_progress_on_a_registered_petition_is_the_offices_alone(register, users):
    """Drift fixed: the page never offered a leader 办理进度 on a petition not yet accepted, but the service took it."""
    p, _code = register()
    assert "progress" not in selectors.available_actions(actor=users.leader, petition=p)
    with pytest.raises(DomainError) as refused:
        act(p, "progress", users, actor=users.leader)
    assert refused.value.code == "permission_denied" and "信访办" in refused.value.message
    assert not p.events.filter(action="progress").exists()
    assert "progress" in selectors.available_actions(actor=users.office, petition=p)
    act(p, "progress", users, actor=users.office)
    assert p.events.filter(action="progress").count() == 1


def test_archive_is_not_offered_on_a_superiors_case_not_yet_reported_back(register, users):
    """Drift fixed: the page offered 归档 on a superior's case whose result was not reported back; the service refused it."""
    p = _superior(register, users, "evaluated")
    assert p.result_required and p.reported_back_at is None
    assert "archive" not in selectors.available_actions(actor=users.office, petition=p)
    assert "report_back" in selectors.available_actions(actor=users.office, petition=p)
    p = act(p, "report_back", users)
    assert "archive" in selectors.available_actions(actor=users.office, petition=p)
    assert policy.get_visible_petition(users.office, p.reg_no).status == "evaluated"
