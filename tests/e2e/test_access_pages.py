"""Browser: the registering office grants a handler identity access for one confidential petition,
revokes it, and the auditor reads the access log; laptop and phone screenshots."""

import pytest

from tests.e2e.conftest import login
from tests.security.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_grant_revoke_and_access_log(page, phone_page, screenshot, county, make_user):
    w = build_world(county, make_user)
    url = f"/access/grants/{w.p_in.reg_no}/"
    login(page, "w_office")
    page.goto(url)
    assert page.locator("h1").inner_text() == "身份授权与被反映人回避"
    # Bad input first: no reason.
    page.select_option("select[name=grantee_user]", label=f"{w.users['unit_handler'].name}（{w.county.dept.name}）")
    page.click("button.primary")
    assert "请检查标出的字段" in page.content()
    screenshot(page, "grant-error")
    page.select_option("select[name=grantee_user]", label=f"{w.users['unit_handler'].name}（{w.county.dept.name}）")
    page.uncheck("input[name=fields][value=id_number]")
    page.uncheck("input[name=fields][value=address]")
    page.fill("textarea[name=reason]", "承办单位需电话联系信访人核实情况")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    assert "已授权" in page.content() and "承办单位需电话联系信访人核实情况" in page.content()
    screenshot(page, "granted-laptop")

    login(phone_page, "w_office")
    phone_page.goto(url)
    screenshot(phone_page, "granted-phone")
    phone_page.fill("form.revoke input[name=reason]", "核实完毕")
    phone_page.click("form.revoke button")
    phone_page.wait_for_load_state("networkidle")
    assert "已撤销授权" in phone_page.content()
    screenshot(phone_page, "revoked-phone")

    # The auditor's access log (a view written by the policy).
    from xinfang.access import policy

    policy.identity_for_display(w.users["clerk"], w.p_in, purpose="查看信访件详情", path=f"/petitions/{w.p_in.reg_no}/")
    page.context.clear_cookies()
    login(page, "w_admin")
    page.goto("/access/log/")
    assert "共 1 条" in page.content() and "查看信访件详情" in page.content()
    screenshot(page, "log-laptop")
    phone_page.context.clear_cookies()
    login(phone_page, "w_admin")
    phone_page.goto(f"/access/log/?petition={w.p_in.reg_no}")
    assert "共 1 条" in phone_page.content()
    screenshot(phone_page, "log-phone")
