"""简易办理: accept {track: simple} with its own limit (policy table, workdays), the simplified notice, and the switch
back to the standard track as its own event."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from docx import Document

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput, InvalidTransition
from xinfang.petitions import timelimits, workflow
from xinfang.petitions.models import TimeLimit

from .helpers import act

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_policy_row_is_ten_workdays_and_may_only_be_shortened():
    row = TimeLimit.objects.get(step="simple_handle")
    assert (row.amount, row.unit, row.day_kind) == (10, "days", "workday")
    assert "10个工作日" in row.basis and "第" not in row.basis.split("》")[-1][:3]  # the rule, no article number
    with pytest.raises(InvalidInput):
        timelimits.validate_limit("simple_handle", 12, "days", "workday")
    with pytest.raises(InvalidInput):
        timelimits.validate_limit("simple_handle", 10, "days", "calendar")
    assert timelimits.validate_limit("simple_handle", 7, "days", "workday") == 7


def test_simple_track_due_is_ten_workdays_across_national_day(register, users):
    # Accepted Wednesday 30 Sep 2026: National Day's days off are not counted; the 10th workday after it is Tue 20 Oct.
    with time_machine.travel(datetime(2026, 9, 30, 9, 0, tzinfo=SH), tick=False):
        p, _ = register()
        p = act(p, "accept", users, track="simple")
    assert p.track == "simple"
    cal = timelimits.work_calendar()
    day = datetime(2026, 9, 30).date()
    counted = 0
    while counted < 10:
        day = day.fromordinal(day.toordinal() + 1)
        counted += cal.is_workday(day)
    assert p.handle_due_at.astimezone(SH).date() == day == datetime(2026, 10, 20).date()
    assert p.due_at == min(p.dispatch_due_at, p.handle_due_at)  # the office still dispatches within its own 15 days
    ev = p.events.get(action="accept")
    assert ev.data["track"] == "simple" and ev.data["track_label"] == "简易办理"


def test_simplified_notice_and_the_tag(register, users):
    p, _ = register()
    p = act(p, "accept", users, track="simple")
    c = Client()
    c.force_login(users.office)
    page = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "简易办理" in page and 'id="simple-track-tag"' in page
    text = _docx_text(c.get(f"/petitions/{p.reg_no}/docs/simple.docx").content)
    assert "简易办理告知书" in text and "适用简易办理" in text and p.reg_no in text
    standard, _ = register()
    standard = act(standard, "accept", users)
    assert c.get(f"/petitions/{standard.reg_no}/docs/simple.docx").status_code == 404


def test_repeat_petitions_are_not_simple(register, users):
    original, _ = register()
    repeat, _ = register(repeat_of=original)
    assert not repeat.first_time
    with pytest.raises(InvalidInput) as e:
        act(repeat, "accept", users, track="simple")
    assert "track" in e.value.fields


def test_switch_back_to_standard_is_its_own_event_with_the_standard_limit(register, users):
    p, _ = register()
    p = act(p, "accept", users, track="simple")
    simple_due = p.handle_due_at
    assert "extend" not in workflow.offered(p, users.leader, p.accepted_at)
    with pytest.raises(InvalidTransition):
        act(p, "extend", users)
    p = act(p, "assign", users)
    p = act(p, "switch_to_standard", users, reason="情况复杂，需要调查")
    assert p.track == "standard"
    assert p.handle_due_at == timelimits.due_for("handle", p.accepted_at)
    assert p.handle_due_at > simple_due
    ev = p.events.order_by("-seq").first()
    assert ev.action == "switch_to_standard" and ev.public and ev.data["reason"] == "情况复杂，需要调查"
    with pytest.raises(InvalidTransition):  # once on the standard track there is nothing to switch
        act(p, "switch_to_standard", users)


def test_api_accept_simple_and_switch(register, users):
    p, _ = register()
    c = api_client(users.office)
    r = c.post(f"/api/v1/petitions/{p.reg_no}/actions/accept/", {"version": p.version, "track": "simple"}, format="json")
    assert r.status_code == 200 and r.json()["track"] == "simple"
    body = r.json()
    bad = c.post(f"/api/v1/petitions/{p.reg_no}/actions/switch_to_standard/", {"version": body["version"]}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    ok = c.post(f"/api/v1/petitions/{p.reg_no}/actions/switch_to_standard/", {"version": body["version"], "reason": "复杂"}, format="json")
    assert ok.status_code == 200 and ok.json()["track"] == "standard"
    again = c.post(
        f"/api/v1/petitions/{p.reg_no}/actions/switch_to_standard/", {"version": ok.json()["version"], "reason": "x"}, format="json"
    )
    assert again.status_code == 409
    wrong = c.post(f"/api/v1/petitions/{p.reg_no}/actions/accept/", {"version": 1, "track": "fast"}, format="json")
    assert wrong.status_code in (400, 409)
