"""Browser: the office issues a supervision order, the unit answers it, the overdue reminder reaches the inbox;
an urgent report shows its 15-minute countdown. Screenshots on laptop and phone sizes."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.conftest import login
from tests.supervision.factories import make_petition
from xinfang.org.models import Role
from xinfang.petitions.models import PetitionEvent
from xinfang.supervision.models import OrderStatus, SupervisionOrder

pytestmark = pytest.mark.django_db(transaction=True)


def test_order_answer_and_overdue_reminder_in_inbox(page, phone_page, screenshot, county, make_user, settings, tmp_path):
    settings.XINFANG_OUTBOX_DIR = tmp_path
    office = make_user(Role.OFFICE, username="e2e_office", name="吴主任")
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="e2e_handler", name="钱科长")
    petition = make_petition(county, due_at=timezone.now() - timedelta(hours=2))

    # the office issues an order
    login(page, office.username)
    page.goto(f"/supervision/orders/new/?petition={petition.reg_no}")
    page.select_option("select[name=form]", "interview")
    page.fill("input[name=answer_due_at]", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("textarea[name=requirements]", "请于两日内报告核实情况和办结时间。")
    screenshot(page, "order-form")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    assert "已向测试县人社局发出督办单" in page.content()
    screenshot(page, "order-issued")
    order = SupervisionOrder.objects.get(petition=petition)

    # empty requirements: a Chinese message, nothing written
    page.goto(f"/supervision/orders/new/?petition={petition.reg_no}")
    page.fill("input[name=answer_due_at]", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    screenshot(page, "order-form-error")
    assert "请填写督办要求" in page.locator("form.narrow-form").inner_text()
    assert SupervisionOrder.objects.count() == 1

    # the sweep runs (cron): the petition is overdue, the unit has no head → its handlers are told
    call_command("sweep_reminders")

    # the unit handler answers on the phone
    login(phone_page, handler.username)
    phone_page.goto("/supervision/")
    assert phone_page.locator(f"a[href='/supervision/orders/{order.pk}/']").count() == 1
    screenshot(phone_page, "handler-worklist")
    phone_page.click(f"a[href='/supervision/orders/{order.pk}/']")
    phone_page.fill("textarea[name=answer]", "已约谈信访人，正在核实，预计本周五前办结。")
    screenshot(phone_page, "answer-form")
    phone_page.click("form:has(input[value=answer]) button.primary")
    phone_page.wait_for_load_state("networkidle")
    assert "已答复督办单" in phone_page.content()
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED and order.answered_by == handler
    screenshot(phone_page, "answered")

    # the inbox shows the supervision notice and the overdue reminder, with the unread badge
    badge = phone_page.locator(".inbox-link .badge").inner_text()
    assert int(badge) >= 2
    phone_page.goto("/inbox/")
    text = phone_page.content()
    assert f"已超期：{petition.reg_no}" in text
    assert f"督办：{petition.reg_no}" in text
    screenshot(phone_page, "inbox")
    page.goto("/inbox/")  # the office sees the answer notice
    assert f"督办单已答复：{petition.reg_no}" in page.content()
    screenshot(page, "office-inbox")

    # office closes the order; the timeline has the three supervision notes and the petition's status is unchanged
    page.goto(f"/supervision/orders/{order.pk}/")
    page.fill("textarea[name=note]", "答复属实，继续跟踪。")
    page.click("form:has(input[value=close]) button.primary")
    page.wait_for_load_state("networkidle")
    assert "督办单已办结" in page.content()
    screenshot(page, "closed")
    actions = list(PetitionEvent.objects.filter(petition=petition).order_by("seq").values_list("action", flat=True))
    assert actions == ["supervise", "supervision_answer", "supervision_close"]


def test_urgent_report_countdown(page, phone_page, screenshot, county, make_user):
    user = make_user(Role.VIEWER, username="e2e_anyone")
    login(phone_page, user.username)
    phone_page.goto("/reception/urgent/new/")
    phone_page.fill("textarea[name=what]", "约30名群众在镇政府门口聚集")
    phone_page.select_option("select[name=region]", str(county.townships[0].pk))
    phone_page.fill("input[name=headcount]", "30")
    phone_page.click("button.primary")
    phone_page.wait_for_load_state("networkidle")
    countdown = phone_page.locator("#countdown")
    phone_page.wait_for_function("document.getElementById('countdown').textContent.indexOf('剩余') === 0")
    first = countdown.inner_text()
    assert re.fullmatch(r"剩余 (1[0-5]|0\d):\d\d", first), first
    screenshot(phone_page, "urgent-countdown")


def test_reception_days_warn_on_empty_post(page, phone_page, screenshot, county, make_user):
    office = make_user(Role.OFFICE, username="e2e_office2")
    leader = make_user(Role.LEADER, username="e2e_leader", name="郑县长", post="副县长")
    login(page, office.username)
    page.goto("/reception/days/")
    today = timezone.localdate()
    page.select_option("select[name=unit]", str(county.office.pk))
    page.fill("input[name=start]", today.isoformat())
    page.fill("input[name=end]", (today + timedelta(weeks=3)).isoformat())
    page.fill("input[name=place]", "县信访局接待大厅")
    page.click("form.form button.primary")
    page.wait_for_load_state("networkidle")
    assert "已生成" in page.content()
    assert page.locator("td .tag.red", has_text="空岗").count() >= 3
    screenshot(page, "days")
    page.goto("/reception/")
    assert "接待日不许空岗" in page.content()
    screenshot(page, "warnings")
    # arrange a leader for the first day: its warning goes away
    page.goto("/reception/days/")
    page.locator("a", has_text="安排").first.click()
    page.select_option("select[name=leader]", str(leader.pk))
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    assert "已保存接待日安排" in page.content()
    login(phone_page, office.username)
    phone_page.goto("/reception/days/")
    assert phone_page.locator("td", has_text="郑县长").count() == 1
    screenshot(phone_page, "days-phone")
