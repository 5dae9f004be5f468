"""Browser: the office opens 事件链检查点 from the home page and downloads the printable page; laptop and phone."""

import pytest

from tests.e2e.conftest import login
from tests.security.world import build_world
from xinfang.audit import checkpoints

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_finds_and_downloads_the_checkpoint(page, phone_page, screenshot, county, make_user):
    build_world(county, make_user)
    checkpoints.create(created_by="cron")
    login(page, "w_office")
    page.click("a[href='/audit/checkpoints/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "事件链检查点" and "第 1 号" in page.content()
    with page.expect_download() as download:
        page.click("a[href='/audit/checkpoints/1.pdf']")
    assert download.value.suggested_filename == "签名检查点-1.pdf"
    screenshot(page, "laptop")
    login(phone_page, "w_office")
    phone_page.goto("/audit/checkpoints/")
    screenshot(phone_page, "phone")
