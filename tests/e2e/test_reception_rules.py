"""Browser: the seed's reception rules. An urgent report typed 20 minutes after the matter was found is flagged late (the
15 minutes run from discovery); a staff member logs on a phone that they brought a visitor to the office (首问责任)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from xinfang.org.models import Role
from xinfang.reception.models import ReportingRule

pytestmark = pytest.mark.django_db(transaction=True)


def test_urgent_report_typed_20_minutes_after_discovery_is_flagged_late(page, phone_page, screenshot, county, make_user):
    teacher = make_user(Role.SAFETY_OFFICER, unit=county.school, username="e2e_teacher", name="许老师")
    rule = ReportingRule.objects.create(unit=county.school, external_organs="第1镇教办")
    rule.organs.add(county.dept)
    found = timezone.localtime() - timedelta(minutes=20)
    for pg, size in ((phone_page, "phone"), (page, "laptop")):
        login(pg, teacher.username)
        pg.goto("/reception/urgent/new/")
        pg.fill("input[name=discovered_at]", found.strftime("%Y-%m-%dT%H:%M"))
        pg.fill("textarea[name=what]", "十余名家长聚集校门口，反映校车停运")
        pg.select_option("select[name=region]", str(county.townships[0].pk))
        pg.fill("input[name=headcount]", "12")
        if size == "phone":
            screenshot(pg, "urgent-form-phone")
        pg.click("button.primary")
        pg.wait_for_load_state("networkidle")
        assert pg.locator("#typed-late").inner_text() == "录入时已超过15分钟"
        pg.wait_for_function("document.getElementById('countdown').textContent.indexOf('已超时') === 0")
        assert "late" in pg.locator("#countdown").get_attribute("class")
        assert pg.locator("#organs .tag.red", has_text="超时未报").count() == 2
        screenshot(pg, f"urgent-late-{size}")
    # the bureau is phoned now: recorded with its time, late against the 15 minutes
    page.locator("#organs form").first.locator("input[name=contact]").fill("局信访办值班员")
    page.locator("#organs form").first.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#organs .tag.red", has_text="超时报告").count() == 1
    assert "记为超时上报" in page.locator("#countdown").inner_text()
    screenshot(page, "urgent-told-late")
