"""Issue 18 item 1 in the browser: the office opens a registered case and finds 受理并交办 open with the suggested unit;
one press records both steps and the page comes back to its panel with the result line in view; the unit then finds
签收 open. Screenshots at 1366×800 and 390×844."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_accept_and_assign_in_one_step(page, county, make_user, screenshot, viewport):
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept, keywords="工资 欠薪")
    clerk = make_user(Role.CLERK, username="od-clerk")
    make_user(Role.OFFICE, username="od-office", name="吴主任")
    make_user(Role.UNIT_HANDLER, unit=county.dept, username="od-handler", name="钱科长")
    p, _code = petition_register(
        actor=clerk,
        channel="visit",
        received_at=timezone.now(),
        petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""}],
        nature="request",
        category=category,
        content="反映某建筑公司拖欠农民工工资三个月，多次讨要未果",
        requests="请求督促发放工资",
        region=county.villages[0],
    )
    w, h = viewport
    page.set_viewport_size({"width": w, "height": h})
    login(page, "od-office")
    page.goto(f"/petitions/{p.reg_no}/")
    opened = page.locator("details.pt-action[open]")
    assert opened.count() == 1 and opened.locator("summary").inner_text().startswith("受理并交办")
    assert opened.locator("[name=handling_unit]").input_value() == county.dept.code
    if w < 768:
        page.click("a.pt-jump")
    else:
        opened.scroll_into_view_if_needed()
    screenshot(page, f"office-step-at-hand-{w}", full_page=False)
    opened.locator("[name=note]").fill("请依法核实处理，按期报送结果")
    opened.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    line = page.locator("#action-result")
    assert "已受理并交办测试县人社局，办理期限至" in line.inner_text()
    top = page.evaluate("document.getElementById('action-result').getBoundingClientRect().top")
    assert 0 <= top < h, top  # the page came back to where the clerk acted
    screenshot(page, f"office-after-accept-assign-{w}", full_page=False)
    page.context.clear_cookies()
    login(page, "od-handler")
    page.goto(f"/petitions/{p.reg_no}/")
    opened = page.locator("details.pt-action[open]")
    assert opened.count() == 1 and opened.locator("summary").inner_text().startswith("签收")
    opened.locator("[name=committed_date]").fill((timezone.localdate() + timezone.timedelta(days=20)).isoformat())
    opened.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已签收，进入办理" in page.inner_text("#action-result")
    opened = page.locator("details.pt-action[open]")
    assert opened.locator("summary").inner_text().startswith("报结")
    screenshot(page, f"unit-after-acknowledge-{w}", full_page=False)
