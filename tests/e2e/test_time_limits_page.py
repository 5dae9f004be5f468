"""Browser test of the time-limit settings page: laptop and phone, edit a limit, a refused edit, enter 2027's New Year."""

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import Role
from xinfang.petitions import timelimits
from xinfang.petitions.models import Holiday, TimeLimit

PAGE = "/petitions/settings/time-limits/"
# Mounts the page the way the project will (see docs/time-limits.md) until the lead includes it.
pytestmark = [pytest.mark.urls("tests.petitions.test_timelimits")]


@pytest.mark.django_db(transaction=True)
def test_time_limits_page_laptop(page, screenshot, make_user):
    timelimits.time_limits_seed()  # a transactional test flushes the rows migration 0002 seeded
    timelimits.clear_cache()
    make_user(Role.ADMIN, username="tladmin")
    login(page, "tladmin")
    page.goto(PAGE + "?year=2026")
    assert page.locator("h1").inner_text() == "办理时限与节假日"
    screenshot(page, "laptop-2026")

    # A refused edit: 30 days for 转送/交办 is beyond the law; the Chinese message is shown beside the row.
    row = page.locator("#limit-dispatch")
    row.locator("input[name=amount]").fill("30")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "不得超过法定的 15 日" in page.locator("#limit-dispatch .tl-error").inner_text()
    assert page.locator("#limit-dispatch input[name=amount]").input_value() == "30"  # what was typed stays, to correct
    screenshot(page, "refused", full_page=False)
    assert TimeLimit.objects.get(step="dispatch").amount == 15

    # A good edit: the internal target for general cases becomes 22 workdays.
    row = page.locator("#limit-internal_general")
    row.locator("input[name=amount]").fill("22")
    row.locator("select[name=day_kind]").select_option("workday")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已保存：检举控告一般案件查结 22 个工作日" in page.locator(".messages").inner_text()
    assert TimeLimit.objects.get(step="internal_general").day_kind == "workday"

    # 2027 is unknown: the page says so; entering 1 Jan 2027 makes the year known.
    page.goto(PAGE + "?year=2027")
    assert "2027 年节假日尚未录入，按周末计算" in page.locator(".tl-notice").first.inner_text()
    page.fill("input[name=date]", "2027-01-01")
    page.fill("input[name=name]", "元旦")
    page.check("input[name=kind][value=holiday]")
    page.click(".tl-holiday-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert Holiday.objects.filter(date="2027-01-01", is_workday=False).exists()
    group = page.locator(".tl-group").first
    assert "元旦" in group.inner_text() and "1月1日" in group.inner_text()
    group.locator("summary").click()  # the days of a group, each with its correction button
    assert "2027-01-01" in group.locator(".tl-days").inner_text()
    screenshot(page, "laptop-2027")


@pytest.mark.django_db(transaction=True)
def test_time_limits_page_phone(phone_page, screenshot, make_user):
    timelimits.time_limits_seed()  # a transactional test flushes the rows migration 0002 seeded
    timelimits.clear_cache()
    make_user(Role.ADMIN, username="tladmin2")
    login(phone_page, "tladmin2")
    phone_page.goto(PAGE + "?year=2026")
    assert phone_page.locator("#limit-handle").is_visible()
    # Nothing wider than the phone except the scrollable holiday table.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    spring = phone_page.locator(".tl-group", has_text="春节").filter(has_text="共 9 天").first
    assert "2月15日至2月23日" in spring.inner_text() and "共 9 天" in spring.inner_text()
    spring.locator("summary").click()
    screenshot(phone_page, "phone-2026")
