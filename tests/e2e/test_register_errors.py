"""Issue 18 item 3 (part) in the browser: after a refused submit the focus is on the error summary at the top, its
links take the keyboard to each field; the name's * goes away when 匿名 is ticked. Screenshots at 1366×800 and 390×844."""

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import Role
from xinfang.petitions.models import Category


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_error_summary_takes_the_focus(page, county, make_user, screenshot, viewport):
    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    make_user(Role.CLERK, username="re-clerk")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, "re-clerk")
    page.goto("/petitions/register/")
    star = page.locator("label:has([name=name]) .req-unless-anonymous")
    assert star.is_visible()
    page.check("[name=anonymous]")
    assert not star.is_visible()
    page.uncheck("[name=anonymous]")
    page.fill("[name=name]", "张三")
    page.click("button[type=submit].primary")  # nothing else filled in
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    screenshot(page, f"register-error-summary-{viewport[0]}", full_page=False)
    page.keyboard.press("Tab")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href and href.startswith("#id_")
    page.keyboard.press("Enter")
    assert page.evaluate("'#' + document.activeElement.id") == href


def many_places(county, n=60):
    """The county's regions past 50 (fewer stay a plain select): groups under its first village."""
    from xinfang.org.models import Region, RegionLevel

    village = county.villages[0]
    for i in range(n):
        Region.objects.create(code=f"{village.code}X{i}", name=f"{i}号组", level=RegionLevel.GROUP, parent=village)


@pytest.mark.django_db(transaction=True)
def test_the_place_is_found_by_typing(page, county, make_user, screenshot):
    """问题发生地 is an accessible type-ahead (a combobox with a listbox): words of the full place name, ↓ and Enter."""
    make_user(Role.CLERK, username="re-clerk2")
    many_places(county)
    login(page, "re-clerk2")
    page.goto("/petitions/register/")
    box = page.locator("input#id_region")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    box.focus()
    page.keyboard.type("2镇 1村")
    options = page.locator("#id_region__listbox li[role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert options.first.inner_text() == "第2镇 2镇1村"  # the village itself before its groups
    screenshot(page, "register-region-typeahead", full_page=False)
    page.keyboard.press("Enter")  # the first match is highlighted as one types
    assert page.locator("select[name=region]").input_value() == county.villages[2].code
    assert box.input_value() == "第2镇 2镇1村"
    page.keyboard.press("Control+a")
    page.keyboard.type("没有这个地方")
    page.locator("#id_region__listbox li", has_text="未找到该地名").wait_for()
