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


@pytest.mark.django_db(transaction=True)
def test_the_place_is_found_by_typing(page, county, make_user, screenshot):
    make_user(Role.CLERK, username="re-clerk2")
    login(page, "re-clerk2")
    page.goto("/petitions/register/")
    if page.locator("#region-search").count() == 0:  # fewer than 50 places: the plain select is enough
        from xinfang.org.models import Region, RegionLevel

        village = county.villages[0]
        for i in range(60):
            Region.objects.create(code=f"{village.code}X{i}", name=f"{i}号组", level=RegionLevel.GROUP, parent=village)
        page.reload()
    search = page.locator("#region-search")
    search.focus()
    page.keyboard.type("第2镇 2镇1村")
    assert page.locator("select[name=region]").input_value() == county.villages[2].code
    screenshot(page, "register-region-search", full_page=False)
