"""Issue 18 item 6 in the browser: an English-language Chromium still gets Chinese pages and admin; long content opens
folded with 展开; screenshots at 1366×800 and 390×844."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register

VIEWPORTS = {"desk": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def english(browser, live_server):
    contexts = []

    def _page(kind):
        ctx = browser.new_context(
            viewport=VIEWPORTS[kind], locale="en-US", base_url=live_server.url, extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}
        )
        contexts.append(ctx)
        return ctx.new_page()

    yield _page
    for ctx in contexts:
        ctx.close()


def long_petition(county, clerk):
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    content = "反映某建筑公司拖欠农民工工资的问题，" + "具体情况如下：工地自去年十月起停发工资，工人多次讨要未果。" * 680
    p, _code = petition_register(
        actor=clerk,
        channel="letter",
        received_at=timezone.now(),
        petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""}],
        nature="request",
        category=category,
        content=content,
        requests="请求督促发放工资",
        region=county.villages[0],
    )
    return p, content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["desk", "phone"])
def test_english_browser_gets_chinese_pages_and_folded_content(english, county, make_user, screenshot, kind):
    clerk = make_user(Role.CLERK, username="clerk-en")
    p, content = long_petition(county, clerk)
    assert len(content) > 19000
    pg = english(kind)
    login(pg, "clerk-en")
    pg.goto(f"/petitions/{p.reg_no}/")
    box = pg.locator("dd [data-fold]").first
    assert box.evaluate("el => el.classList.contains('folded')")
    assert box.evaluate("el => el.clientHeight") < 300
    toggle = pg.locator(".fold-toggle").first
    assert toggle.inner_text().startswith("展开全文（共 ")
    screenshot(pg, f"detail-folded-{kind}", full_page=False)
    toggle.click()
    assert box.evaluate("el => el.clientHeight") > 2000 and toggle.inner_text() == "收起"
    toggle.click()
    assert box.evaluate("el => el.classList.contains('folded')")
    # A form error on an English browser is Chinese.
    pg.goto("/petitions/register/")
    pg.evaluate("document.querySelectorAll('[required]').forEach(el => el.removeAttribute('required'))")
    pg.click("button[type=submit].primary")
    pg.wait_for_load_state("networkidle")
    errors = pg.locator(".errorlist").all_inner_texts()
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors
    assert "This field" not in pg.content() and "required" not in pg.inner_text("main")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["desk", "phone"])
def test_english_browser_gets_the_chinese_admin_and_settings(english, county, make_user, screenshot, kind):
    make_user(Role.ADMIN, username="admin-en", is_staff=True, is_superuser=True)
    pg = english(kind)
    pg.goto("/admin/login/")
    assert pg.title() == "登录 | 信访工作管理系统"
    screenshot(pg, f"admin-login-{kind}", full_page=False)
    pg.fill("[name=username]", "admin-en")
    pg.fill("[name=password]", "pw-secret-123")
    pg.click("[type=submit]")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#site-name").inner_text() == "信访工作管理系统"
    assert "Django" not in pg.inner_text("body") and "Site administration" not in pg.inner_text("body")
    screenshot(pg, f"admin-index-{kind}")
    pg.goto("/petitions/settings/time-limits/")
    text = pg.inner_text("main")
    assert "triage" not in text and "extend_max" not in text and "dispatch" not in text
    screenshot(pg, f"time-limits-{kind}", full_page=False)
    pg.goto("/org/coverage/")
    assert "school-1" not in pg.inner_text("main")
    screenshot(pg, f"coverage-{kind}", full_page=False)
