"""The office opens the coverage page in Chromium and fixes a gap from it (laptop and phone)."""

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import NetworkPost, PostRole, Role, SupervisionGroup


@pytest.fixture
def gaps(county):
    group = SupervisionGroup.objects.create(code="dcz-1", name="第一督查组")
    group.townships.add(county.townships[0])
    for village in county.villages[:3]:
        NetworkPost.objects.create(role=PostRole.LIAISON, name=f"联络{village.code}", region=village)
    NetworkPost.objects.create(role=PostRole.SUPERVISOR, name="乙督查", supervision_group=group, home_unit=county.dept, trained_on=None)
    return county


@pytest.mark.django_db(transaction=True)
def test_office_opens_coverage_and_fixes_a_village(page, make_user, gaps, screenshot):
    make_user(Role.OFFICE, username="office1", name="吴主任")
    login(page, "office1")
    page.goto("/")
    assert page.locator("text=网络覆盖").first.is_visible()
    page.click("nav.mainnav >> text=设置")
    page.click("nav.subnav >> text=网络覆盖")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "网络覆盖"
    section = page.locator("#villages_without_liaison")
    assert "2镇2村" in section.inner_text()
    assert "乙督查" in page.locator("#supervisors_untrained").inner_text()
    screenshot(page, "coverage-1366")
    # the chinese text renders with a real font: the heading is wider than a row of tofu boxes would be narrow
    assert page.evaluate("document.fonts.check('16px \"WenQuanYi Micro Hei\"') || document.fonts.check('16px \"Noto Sans CJK SC\"')")
    section.locator("text=设置联络员").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("select[name=region]").input_value() == "T0022"
    page.fill("input[name=name]", "王联络")
    page.fill("input[name=phone]", "13900000001")
    screenshot(page, "post-form-1366")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    assert "已设置联络员：王联络" in page.locator(".messages").inner_text()
    page.goto("/org/coverage/")
    assert "2镇2村" not in page.locator("#villages_without_liaison").inner_text()


@pytest.mark.django_db(transaction=True)
def test_coverage_on_a_phone(phone_page, make_user, gaps, screenshot):
    make_user(Role.OFFICE, username="office2")
    login(phone_page, "office2")
    phone_page.goto("/org/coverage/")
    assert phone_page.locator("h1").inner_text() == "网络覆盖"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone: {width}px"
    screenshot(phone_page, "coverage-390")
    phone_page.goto("/org/posts/new/?role=supervisor&supervision_group=dcz-1")
    screenshot(phone_page, "supervisor-form-390")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
