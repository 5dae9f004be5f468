"""Issue 18 item 4 in the browser: the query code shows on the receipt right after registration, and never again on a
reload or the back button; the receipt then says 已告知 and offers a new code (an event)."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions.models import Category, Petition


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_query_code_only_once(page, county, make_user, screenshot, viewport):
    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    make_user(Role.CLERK, username="rc-clerk", name="周登记")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, "rc-clerk")
    page.goto("/petitions/register/")
    page.select_option("[name=channel]", "letter")
    page.fill("[name=name]", "张三")
    page.fill("[name=id_number]", valid_id())
    page.fill("[name=phone]", "13800138000")
    page.fill("[name=postmark_date]", timezone.localdate().isoformat())
    page.select_option("[name=category]", "labour")
    page.select_option("[name=region]", county.villages[0].code)
    page.fill("[name=content]", "反映某建筑公司拖欠农民工工资三个月共计四万元，多次讨要未果")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.wait_for_selector("#query-code")
    reg_no = Petition.objects.get().reg_no
    code = page.inner_text("#query-code").strip()
    assert len(code) == 8
    screenshot(page, f"receipt-first-{viewport[0]}", full_page=False)
    page.reload()
    assert page.locator("#query-code").count() == 0 and code not in page.content()
    assert "已告知信访人" in page.inner_text("main")
    screenshot(page, f"receipt-reloaded-{viewport[0]}", full_page=False)
    with page.expect_navigation():
        page.click("text=重新发放查询码")
    page.wait_for_selector("#query-code")
    new_code = page.inner_text("#query-code").strip()
    assert new_code != code and "已重新发放查询码" in page.inner_text(".messages")
    page.goto(f"/petitions/{reg_no}/")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert new_code not in page.content()
    page.goto(f"/petitions/{reg_no}/")
    assert "重新发放查询码" in page.inner_text(".timeline")
