"""Issue 18 item 3 in the browser: a visit petition registered with the keyboard alone (Tab, typing, arrows, Enter; no
click), starting on the form's first field; the repeat hint's “使用该信访人信息” copies the earlier petitioner; 问题发生地
found by typing. The elapsed time is printed (not asserted): a scripted run is well under a minute."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_register_errors import many_places
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.services import petition_register


def tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until the focused element matches `selector`; the number of presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return n
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_visit_registered_keyboard_only(page, county, make_user, screenshot, viewport):
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    many_places(county)
    clerk = make_user(Role.CLERK, username="kb-clerk", name="吴登记")
    earlier, _ = petition_register(
        actor=clerk,
        channel="visit",
        received_at=timezone.now(),
        petitioners=[{"name": "王老汉", "id_number": valid_id(), "phone": "13912345678", "address": "第1镇1村3号", "work_unit": "务农"}],
        nature="request",
        category=category,
        content="反映承包地被占用未获补偿",
        region=county.villages[0],
    )
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, "kb-clerk")
    page.goto("/petitions/register/")
    started = time.perf_counter()
    assert page.evaluate("document.activeElement.name") == "channel"  # the form's first field, 渠道 (来访 already)
    presses = tab_to(page, "[name=phone]")
    page.keyboard.type("13912345678")
    hint = page.locator("[data-use-petitioner]")
    hint.wait_for()
    presses += tab_to(page, "[data-use-petitioner]")
    page.keyboard.press("Enter")
    expect(page.locator("[name=name]")).to_have_value("王老汉")
    assert page.input_value("[name=address]") == "第1镇1村3号" and page.input_value("[name=id_number]") == valid_id()
    expect(page.locator("#reuse-status")).to_contain_text("已填入")
    screenshot(page, f"register-keyboard-reuse-{viewport[0]}", full_page=False)
    presses += tab_to(page, "[name=category]")
    page.keyboard.press("ArrowDown")  # 请选择 → 劳动社保
    presses += tab_to(page, "#id_region")
    page.keyboard.type("1镇 2村")
    page.locator("#id_region__listbox li[role=option]").first.wait_for()
    page.keyboard.press("Enter")
    presses += tab_to(page, "[name=content]")
    page.keyboard.type("反映村里修路占用承包地两亩，补偿款至今未到位，多次找村委会未解决")
    presses += tab_to(page, "button[type=submit].primary")
    screenshot(page, f"register-keyboard-filled-{viewport[0]}", full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#query-code")
    elapsed = time.perf_counter() - started
    print(f"\n键盘登记来访（{viewport[0]}×{viewport[1]}）：{elapsed:.1f} 秒，Tab {presses} 次")
    screenshot(page, f"register-keyboard-receipt-{viewport[0]}", full_page=False)
    new = Petition.objects.exclude(pk=earlier.pk).get()
    person = new.petitioners.get()
    assert (new.channel, new.category, new.region) == ("visit", category, county.villages[1])
    assert (person.name, person.phone, person.work_unit) == ("王老汉", "13912345678", "务农")
