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


def test_first_receiver_logs_on_a_phone_and_the_clerk_links_it(page, phone_page, screenshot, county, make_user):
    """首问责任: a department's handler, on a phone, logs that they brought a visitor to the office; the clerk registers
    the visit from the waiting list and the petition names the handler as 首问责任人."""
    from xinfang.petitions.models import Category, Petition

    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="e2e_qian", name="钱科员")
    clerk = make_user(Role.CLERK, username="e2e_clerk", name="周登记")
    login(phone_page, handler.username)
    phone_page.goto("/")
    phone_page.goto("/reception/first/")
    phone_page.fill("input[name=place]", "局大门口")
    phone_page.fill("input[name=matter]", "养老金核定")
    screenshot(phone_page, "first-form-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    phone_page.click("#first-form button.primary")
    phone_page.wait_for_load_state("networkidle")
    assert "首问责任人 钱科员" in phone_page.content()
    assert phone_page.locator("#my-receipts .tag.amber", has_text="待信访办登记").count() == 1
    screenshot(phone_page, "first-logged-phone")

    login(page, clerk.username)
    page.goto("/reception/first/")
    page.locator("#open-receipts a", has_text="登记来访").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("select[name=first_receipt]").input_value() != ""
    page.fill("input[name=name]", "王大爷")
    page.select_option("select[name=category]", "labour")
    page.select_option("select[name=region]", county.villages[0].code)
    page.fill("textarea[name=content]", "反映养老保险待遇核定的问题")
    screenshot(page, "first-register")
    page.click("form button.primary")
    page.wait_for_load_state("networkidle")
    petition = Petition.objects.get()
    assert petition.first_receiver == handler
    page.goto(f"/petitions/{petition.reg_no}/")
    assert "钱科员（测试县人社局" in page.locator("#first-receiver").inner_text()
    screenshot(page, "first-petition")


def test_collective_visit_checklist_and_duty_gaps(page, phone_page, screenshot, county, make_user):
    """A visit of 30 registered: its checklist opens; the leader's arrival is recorded on a phone. The duty page flags the
    school's missing 带班 days ahead."""
    from xinfang.petitions.models import Category
    from xinfang.petitions.services import petition_register
    from xinfang.reception.models import CollectiveVisitResponse

    category = Category.objects.create(code="wages", name="欠薪", default_unit=county.dept)
    office = make_user(Role.OFFICE, username="e2e_office_c", name="吴主任")
    petition, _ = petition_register(
        actor=office,
        channel="visit",
        received_at=timezone.now() - timedelta(minutes=30),
        petitioners=[{"name": "农民工甲"}],
        nature="request",
        category=category,
        content="某工地拖欠三十名农民工工资",
        region=county.villages[0],
        headcount=30,
    )
    response = CollectiveVisitResponse.objects.get(petition=petition)
    login(phone_page, office.username)
    phone_page.goto(f"/reception/collective/{response.pk}/")
    assert phone_page.locator("#checklist .open").count() == 4
    leader_form = phone_page.locator("#checklist li").first.locator("form")
    leader_form.locator("input[name=name]").fill("镇党委书记")
    leader_form.locator("button").click()
    phone_page.wait_for_load_state("networkidle")
    assert "用时30分钟" in phone_page.locator("#checklist").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "collective-phone")
    login(page, office.username)
    page.goto("/reception/collective/")
    assert page.locator("#open-plans .tag.red", has_text="知会公安").count() == 1
    screenshot(page, "collective-list")
    page.goto("/reception/duty/")
    assert "测试一中" in page.locator("#duty-gaps").inner_text()
    screenshot(page, "duty")
