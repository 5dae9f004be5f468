"""Browser tests of the law's clock: the time-limit settings page (a limit, a refused edit, 2027's New Year, the pause
policy, a notice loaded in one step) and the petition page's pause, delivery, review window and calendar notice; laptop
(1366 px) and phone (390 px), screenshots under var/screenshots/."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions import timelimits
from xinfang.petitions.models import Category, Holiday, TimeLimit
from xinfang.petitions.services import petition_act, petition_register

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


# ---------------------------------------------------------------------------------------------------------- the petition page

SH = ZoneInfo("Asia/Shanghai")
NOTICE = "2027-01-01~2027-01-03,休,元旦\n2027-02-05~2027-02-11,休,春节\n2027-02-14,班,春节"


def _petition(county, users, state_actions):
    """A letter driven through the real services to the state the actions reach."""
    category, _ = Category.objects.get_or_create(code="labour", defaults={"name": "劳动社保", "default_unit": county.dept})
    p, _code = petition_register(
        actor=users["clerk"],
        channel="letter",
        received_at=timezone.now(),
        petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村"}],
        nature="request",
        category=category,
        content="反映某建筑公司拖欠农民工工资三个月共计四万元",
        requests="请求督促发放",
        region=county.villages[0],
    )
    inputs = {
        "accept": {},
        "assign": {"handling_unit": county.dept.code, "complexity": "general"},
        "acknowledge": {"committed_date": timezone.localdate()},
        "report_result": {"outcome": "full", "findings": "经查属实，已督促企业全额发放工资"},
        "approve_result": {},
        "reply": {"method": "letter", "text": "经调查，您反映的工资问题已督促企业全额发放。"},
    }
    for action in state_actions:
        actor = users["handler"] if action in ("acknowledge", "report_result") else users["office"]
        p = petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs[action])
    return p


def _open(pg, label):
    box = pg.locator("details.pt-action", has=pg.locator("summary", has_text=label)).first
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


@pytest.mark.django_db(transaction=True)
def test_petition_page_pause_delivery_window_and_calendar_notice(page, phone_page, screenshot, county, make_user):
    timelimits.time_limits_seed()
    timelimits.clear_cache()
    users = {
        "clerk": make_user(Role.CLERK, username="lc-clerk"),
        "office": make_user(Role.OFFICE, username="lc-office", name="吴主任"),
        "handler": make_user(Role.UNIT_HANDLER, unit=county.dept, username="lc-handler"),
    }
    # 1 December 2026: a case accepted now is due in 2027, whose holidays are not entered yet.
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=True):
        p = _petition(county, users, ["accept", "assign", "acknowledge"])
        login(page, "lc-office")
        page.goto(f"/petitions/{p.reg_no}/")
        box = _open(page, "暂停计时")
        options = box.locator("select[name=ground] option").all_inner_texts()
        assert options == ["听证（最长 30 日）", "鉴定、检验、检测（最长 60 日）"]  # only the legal grounds are offered
        box.locator("select[name=ground]").select_option("hearing")
        box.locator("textarea[name=reason]").fill("12月8日组织听证，邀请人大代表参加")
        box.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "已暂停计时" in page.inner_text(".messages")
        pause = page.locator("#pause").inner_text()
        assert "暂停计时中：听证" in pause and "2026-12-01" in pause and "最长 30 日" in pause
        assert "2027 年节假日尚未录入，按周末计算" in page.inner_text(".pt-side")
        assert "暂停计时中（听证）" in page.inner_text(".pt-tags")
        screenshot(page, "paused-laptop")
        login(phone_page, "lc-office")
        phone_page.goto(f"/petitions/{p.reg_no}/")
        phone_page.locator("#pause").scroll_into_view_if_needed()
        screenshot(phone_page, "paused-phone")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 392

    # A letter answered today: no window until delivery; the office records it and the window appears.
    q = _petition(county, users, ["accept", "assign", "acknowledge", "report_result", "approve_result", "reply"])
    page.goto(f"/petitions/{q.reg_no}/")
    assert "尚未登记送达" in page.locator("#delivery").inner_text()
    box = _open(page, "送达")
    box.locator("input[name=delivered_at]").fill("2026-06-16")
    box.locator("select[name=method]").select_option("post")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    delivery = page.locator("#delivery").inner_text()
    assert "已送达 2026-06-16（邮寄送达）" in delivery and "可申请复查至 2026-07-16 23:59" in delivery
    assert page.locator("a", has_text="送达回证").count() == 1
    screenshot(page, "delivered-laptop")
    phone_page.goto(f"/petitions/{q.reg_no}/")
    phone_page.locator("#delivery").scroll_into_view_if_needed()
    screenshot(phone_page, "delivered-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 392


@pytest.mark.django_db(transaction=True)
def test_settings_page_pause_policy_and_notice_in_one_step(page, phone_page, screenshot, make_user):
    timelimits.time_limits_seed()
    timelimits.clear_cache()
    make_user(Role.ADMIN, username="tladmin3")
    login(page, "tladmin3")
    page.goto(PAGE + "?year=2027")
    ground = page.locator("#ground-hearing")
    assert "法定依据与上限" in ground.inner_text() and "条例未规定暂停上限" in ground.inner_text()
    ground.locator("input[name=max_days]").fill("20")
    ground.locator("input[name=roles][value=leader]").check()
    ground.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已保存：听证 最长 20 日" in page.inner_text(".messages")
    page.goto(PAGE + "?year=2027")
    page.fill("#load-notice textarea[name=text]", NOTICE)
    page.click("#load-notice button[type=submit]")
    page.wait_for_load_state("networkidle")
    text = page.inner_text(".messages")
    assert "已录入 2027 年放假安排：新增 11 天" in text and "没有：清明节" in text  # a partial notice is warned about
    assert page.locator(".tl-notice").count() == 0 or "2027" not in page.locator(".tl-notice").first.inner_text()
    screenshot(page, "notice-loaded")
    login(phone_page, "tladmin3")
    phone_page.goto(PAGE + "?year=2027")
    phone_page.locator("#pause-grounds").scroll_into_view_if_needed()
    screenshot(phone_page, "pause-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 392
