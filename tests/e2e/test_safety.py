"""Phone-sized browser test: a safety information officer files a report and sees the quota."""

from datetime import date

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import NetworkPost, PostRole, Role
from xinfang.safety.models import SafetyReport

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_files_safety_report_on_phone(phone_page, screenshot, county, make_user):
    officer = make_user(Role.SAFETY_OFFICER, username="safety_e2e", name="许老师")
    NetworkPost.objects.create(role=PostRole.SAFETY_OFFICER, user=officer, name="许老师", school=county.school, start_on=date(2025, 9, 1))
    page = phone_page
    login(page, "safety_e2e")
    page.goto("/")
    assert "0 / 2" in page.content()
    screenshot(page, "home")
    page.goto("/safety/reports/new/")
    page.check("input[name=category][value=hazard]")
    page.check("input[name=channel][value=sms]")
    page.check("input[name=importance][value=major]")
    page.fill("textarea[name=content]", "校门口护栏被车辆撞断，学生放学经过有危险")
    screenshot(page, "form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert "本月已报 1 条" in body and "重大信息已提请" in body
    screenshot(page, "done")
    r = SafetyReport.objects.get()
    assert (r.category, r.channel, r.importance, r.school) == ("hazard", "sms", "major", county.school)
