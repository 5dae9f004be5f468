"""Issue 18 item 1: the petition page opens the step the case waits for (the workflow table and the guards, as the
services check them), 受理并交办 in one step with the unit pre-filled from the top routing suggestion (never an accused
unit), and the page comes back to its action panel with a line that says what happened."""

import re

import pytest
from django.test import Client

from xinfang.core.errors import DomainError
from xinfang.org.models import Role
from xinfang.petitions import workflow
from xinfang.petitions.models import Category, Petition, Respondent
from xinfang.petitions.services import petition_accept_and_assign
from xinfang.petitions.workflow import waiting_for

from .helpers import PATHS, act, drive

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def open_actions(html: str) -> list[str]:
    return re.findall(r'<details class="pt-action[^"]*" id="action-(\w+)" open>', html)


@pytest.fixture
def wages(county, category):
    """A category whose keywords route a wage arrears case to the department (the top routing suggestion)."""
    return Category.objects.filter(code="labour").update(keywords="工资 欠薪 拖欠", default_unit=county.dept)


EXPECTED = {
    "registered": ("office", "accept"),
    "accepted": ("office", "assign"),
    "awaiting_instruction": ("leader", "instruct"),
    "assigned": ("handler", "acknowledge"),
    "in_progress": ("handler", "report_result"),
    "result_reported": ("office", "approve_result"),
    "awaiting_reply": ("office", "reply"),
    "replied": ("office", "record_delivery"),
    "under_review": ("office", "reply"),
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_the_step_at_hand_per_state(state, register, users):
    from django.utils import timezone

    p = drive(register, users, state)
    who, expected = EXPECTED[state]
    assert waiting_for(p, getattr(users, who), timezone.now()) == expected
    # Nobody else is waited for on this case (the leader only on instructions; the viewer never).
    if who != "leader":
        assert waiting_for(p, users.viewer, timezone.now()) is None


@pytest.mark.parametrize("state", list(PATHS))
def test_the_step_at_hand_is_always_one_the_service_accepts(state, register, users):
    """Whatever is waited for is offered (table and guard), so pressing it never meets a refusal of the rules."""
    from django.utils import timezone

    p = drive(register, users, state)
    for user in (users.office, users.clerk, users.leader, users.handler, users.viewer, users.admin):
        w = waiting_for(p, user, timezone.now())
        if w is not None:
            assert w in workflow.offered(p, user, timezone.now())
            assert workflow.refusal(w, p, user, timezone.now()) is None


def test_delivery_once_recorded_is_not_waited_for_again(register, users):
    from django.utils import timezone

    p = drive(register, users, "replied")
    p = act(p, "record_delivery", users)
    assert waiting_for(p, users.office, timezone.now()) != "record_delivery"


def test_registered_page_opens_accept_and_assign_with_the_suggested_unit(register, users, county, wages):
    p, _code = register()
    html = login(users.office).get(f"/petitions/{p.reg_no}/").content.decode()
    assert open_actions(html) == ["accept_assign"]
    assert "本件正等待：<strong>受理并交办</strong>" in html
    form = html[html.index('id="action-accept_assign"') : html.index("</details>", html.index('id="action-accept_assign"'))]
    assert f'<option value="{county.dept.code}" selected>' in form and "已按分办建议预选：测试县人社局" in form
    assert '<option value="general" selected>' in form  # 复杂程度 defaults as the inputs declare
    # The clerk, who may not accept, sees no step at hand.
    assert open_actions(login(users.clerk).get(f"/petitions/{p.reg_no}/").content.decode()) == []


def test_accept_and_assign_in_one_step_comes_back_to_the_panel(register, users, county, wages):
    p, _code = register()
    c = login(users.office)
    r = c.post(
        f"/petitions/{p.reg_no}/accept-assign/",
        {"version": p.version, "handling_unit": county.dept.code, "complexity": "general", "result_required": "on", "note": "请依法处理"},
    )
    assert r.status_code == 302 and r.url == f"/petitions/{p.reg_no}/#action-result"
    p.refresh_from_db()
    assert p.status == "assigned" and p.handling_unit == county.dept
    assert list(p.events.order_by("seq").values_list("action", flat=True))[-2:] == ["accept", "assign"]
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    line = re.search(r'id="action-result"><li class="msg-success"[^>]*>([^<]+)<', html).group(1)
    assert line.startswith(f"{p.reg_no}：已受理并交办测试县人社局，办理期限至 ")
    assert 'id="action-result"' not in c.get(f"/petitions/{p.reg_no}/").content.decode()  # said once
    # The unit now waits for its acknowledgement, and its page opens that.
    assert open_actions(login(users.handler).get(f"/petitions/{p.reg_no}/").content.decode()) == ["acknowledge"]


def test_accept_and_assign_is_all_or_nothing_and_never_pre_fills_an_accused_unit(register, users, county, wages):
    """A 检举控告 against someone at the department: the department is neither suggested nor pre-filled, and an
    assignment to it is refused with nothing recorded (not even the acceptance)."""
    p, _code = register(nature="report", respondents=[{"name": "李某", "unit": county.dept.name, "post": "科长"}])
    assert Respondent.objects.filter(petition=p, unit=county.dept).exists()
    c = login(users.office)
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    form = html[html.index('id="action-accept_assign"') : html.index("</details>", html.index('id="action-accept_assign"'))]
    assert f'value="{county.dept.code}"' not in form  # not even offered (access.policy.assignable_units)
    events = p.events.count()
    r = c.post(f"/petitions/{p.reg_no}/accept-assign/", {"version": p.version, "handling_unit": county.dept.code})
    assert r.url.endswith("#action-result")
    p.refresh_from_db()
    assert p.status == "registered" and p.events.count() == events
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert re.search(r'id="action-result"><li class="msg-error" role="alert"[^>]*>受理并交办未完成：', html)
    with pytest.raises(DomainError):
        petition_accept_and_assign(actor=users.office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=county.dept)
    assert Petition.objects.get(pk=p.pk).status == "registered"


def test_a_refused_action_opens_its_form_again_with_the_reason(register, users):
    p = drive(register, users, "in_progress")
    c = login(users.handler)
    r = c.post(f"/petitions/{p.reg_no}/act/progress/", {"version": p.version, "note": ""})
    assert r.url.endswith("#action-result")
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "办理进度未完成" in html and set(open_actions(html)) == {"report_result", "progress"}


def test_accept_and_assign_only_for_who_may_accept(register, users, county):
    p, _code = register()
    r = login(users.handler).post(f"/petitions/{p.reg_no}/accept-assign/", {"version": p.version, "handling_unit": county.dept.code})
    assert r.status_code in (302, 404)
    assert Petition.objects.get(pk=p.pk).status == "registered"
    assert login(users.clerk).post(f"/petitions/{p.reg_no}/accept-assign/", {"version": p.version}).status_code == 302
    assert Petition.objects.get(pk=p.pk).status == "registered"


def test_the_office_role_is_the_tables(users):
    from xinfang.petitions.combined import may_accept_and_assign

    assert may_accept_and_assign(users.office, ["accept"]) and not may_accept_and_assign(users.office, ["triage"])
    assert not may_accept_and_assign(users.clerk, ["accept"])
    assert Role.OFFICE in workflow.BY_ACTION["assign"].roles
