"""Issue 18 item 2 in the browser: the worklist's keyboard (j/k, x, Enter, a visible focus ring) and the batch bar:
ticked rows 交办 (one refused row: nothing done, its number and reason shown), then 交办 and 催办 of the rest;
a saved filter. Screenshots at 1366×800 and 390×844."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from tests.petitions.helpers import act
from xinfang.org.models import Role
from xinfang.petitions.models import Category, Petition, PetitionEvent
from xinfang.petitions.services import petition_register


class Users:
    pass


def three_petitions(county, make_user, prefix):
    u = Users()
    u.clerk = make_user(Role.CLERK, username=f"{prefix}-clerk")
    u.office = make_user(Role.OFFICE, username=f"{prefix}-office", name="吴主任")
    u.leader = make_user(Role.LEADER, username=f"{prefix}-leader")
    u.handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username=f"{prefix}-handler")
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    out = []
    for i, content in enumerate(["反映拖欠农民工工资三个月未发放", "反映养老保险待遇核定有误", "反映工伤认定迟迟未办理"]):
        p, _ = petition_register(
            actor=u.clerk,
            channel="visit",
            received_at=timezone.now(),
            petitioners=[{"name": f"张{i}", "id_number": valid_id(), "phone": f"1380013800{i}", "address": "", "work_unit": ""}],
            nature="request",
            category=category,
            content=content,
            region=county.villages[0],
        )
        out.append(act(p, "accept", u) if i < 2 else p)  # the third stays 已登记: it cannot be assigned
    return u, out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_batch_bar(page, county, make_user, screenshot, viewport):
    w, h = viewport
    u, (a, b, registered) = three_petitions(county, make_user, f"wb{w}")
    page.set_viewport_size({"width": w, "height": h})
    login(page, u.office.username)
    page.goto("/petitions/")
    if w >= 768:  # the keyboard: j moves a visible focus ring, x ticks, k back, Enter opens
        page.keyboard.press("j")
        first = page.locator("tr[data-row]").first
        assert page.evaluate("document.activeElement.matches('tr[data-row]')")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        page.keyboard.press("x")
        assert first.locator("input[name=rows]").is_checked()
        assert page.inner_text("#batch-picked") == "已勾选 1 件"
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("x")
        assert page.inner_text("#batch-picked") == "已勾选 3 件"
        screenshot(page, f"worklist-keyboard-{w}", full_page=False)
        page.fill("[name=q]", "jjjx")  # typing in a field moves nothing
        assert page.inner_text("#batch-picked") == "已勾选 3 件"
    else:
        for p in (a, b, registered):
            page.locator(f"tr:has(a:text-is('{p.reg_no}')) input[name=rows]").check()
    page.select_option("#batch-form [name=action]", "assign")
    assert page.locator("#batch-form [name=committed_date]").is_hidden()  # only 交办's inputs
    page.select_option("#batch-form [name=handling_unit]", county.dept.code)
    page.fill("#batch-form [name=note]", "请依法核实处理")
    with page.expect_navigation():
        page.click("#batch-form button[type=submit]")
    text = page.inner_text(".messages")
    assert "批量交办未执行" in text and f"{registered.reg_no}：" in text
    assert not PetitionEvent.objects.filter(action="assign").exists()  # all or nothing
    screenshot(page, f"worklist-batch-refused-{w}", full_page=False)
    for p in (a, b):
        page.locator(f"tr:has(a:text-is('{p.reg_no}')) input[name=rows]").check()
    page.select_option("#batch-form [name=action]", "assign")
    page.select_option("#batch-form [name=handling_unit]", county.dept.code)
    with page.expect_navigation():
        page.click("#batch-form button[type=submit]")
    assert f"已批量交办 2 件：{a.reg_no}、{b.reg_no}" in page.inner_text(
        ".messages"
    ) or f"已批量交办 2 件：{b.reg_no}、{a.reg_no}" in page.inner_text(".messages")
    assert set(Petition.objects.filter(status="assigned").values_list("reg_no", flat=True)) == {a.reg_no, b.reg_no}
    for p in (a, b):
        page.locator(f"tr:has(a:text-is('{p.reg_no}')) input[name=rows]").check()
    page.select_option("#batch-form [name=action]", "urge")
    page.fill("#batch-form [name=note]", "请加快办理，按期报结")
    with page.expect_navigation():
        page.click("#batch-form button[type=submit]")
    assert "已批量催办 2 件" in page.inner_text(".messages")
    assert PetitionEvent.objects.filter(action="urge").count() == 2
    screenshot(page, f"worklist-batch-done-{w}", full_page=False)
    # A saved filter: 已交办 under a name, applied again with one click.
    page.goto("/petitions/?status=assigned")
    page.fill(".pt-saved-new [name=name]", "已交办的")
    with page.expect_navigation():
        page.click(".pt-saved-new button")
    assert page.locator(".pt-saved-item.active a").inner_text() == "已交办的"
    assert page.locator("tr[data-row]").count() == 2
    screenshot(page, f"worklist-saved-filter-{w}", full_page=False)
    if w >= 768:
        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/petitions/XFJ-" in page.url
