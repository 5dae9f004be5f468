"""The way back after wrong query codes, in a browser: the petitioner on a phone gets an SMS code and a
new query code at once; the office issues a new code on a laptop and reads the record (issue 16)."""

import json

import pytest

from tests.e2e.conftest import login
from tests.portal.conftest import office, portal_county, submit_petition  # noqa: F401  (fixtures)
from xinfang.portal import services
from xinfang.portal.models import QueryLockout

pytestmark = pytest.mark.django_db(transaction=True)


def _wrong_codes(reg_no, n):
    """n wrong codes from as many addresses, each after the previous delay (the number ends at the 30 s cap)."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    at = timezone.now() - timedelta(minutes=20)
    for i in range(n):
        with time_machine.travel(at, tick=False):
            try:
                services.portal_lookup(reg_no=reg_no, query_code=f"WRONG{i:03d}", client_address=f"203.0.113.{i + 1}")
            except services.NotFound:
                pass
        at += timedelta(seconds=31)
    QueryLockout.objects.filter(reg_no=reg_no).update(locked_until=timezone.now() + timedelta(seconds=30))  # just attacked


def test_recovery_by_sms_on_a_phone(phone_page, screenshot, submit_petition, settings, tmp_path):  # noqa: F811
    settings.XINFANG_OUTBOX_DIR = tmp_path
    petition, code = submit_petition()
    _wrong_codes(petition.reg_no, 12)
    pg = phone_page
    pg.goto("/portal/track/")
    pg.fill("#id_reg_no", petition.reg_no)
    pg.fill("#id_query_code", code)
    pg.click("#track-form button[type=submit]")
    assert "秒后再试" in pg.inner_text("#lookup-error")
    screenshot(pg, "waiting")
    pg.get_by_role("link", name="忘记查询码？用登记时留的手机号接收验证码").click()
    pg.fill("#recover-send #id_reg_no", petition.reg_no)
    pg.click("#recover-send button[type=submit]")
    assert "验证码已发送" in pg.inner_text("#recover-sent")
    sms = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    pg.fill("#id_sms_code", sms["body"].split("：")[1][:6])
    screenshot(pg, "code-entered")
    pg.click("#recover-verify button[type=submit]")
    new_code = pg.inner_text("#recovered .new-code")
    assert len(new_code) == 8
    screenshot(pg, "recovered")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    pg.get_by_role("link", name="查看办理进展").click()
    assert petition.reg_no in pg.inner_text("main")
    assert "查询码已重新发放" in pg.inner_text("main")


def test_office_issues_a_new_code_on_a_laptop(page, screenshot, submit_petition, office):  # noqa: F811
    petition, _code = submit_petition()
    _wrong_codes(petition.reg_no, 30)
    office.username = "lockoffice"
    office.save()
    login(page, "lockoffice")
    page.goto("/portal/office/")
    assert petition.reg_no in page.inner_text("#lockouts")
    screenshot(page, "before")
    page.fill("#lockouts form.filters input[name=reg_no]", petition.reg_no)
    page.click("#lockouts form.filters button[type=submit]")
    assert len(page.inner_text("#reissued .new-code")) == 8
    assert "信访局重新发放查询码" in page.inner_text("#lockout-log")
    screenshot(page, "reissued")
