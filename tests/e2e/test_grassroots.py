"""Phone-sized browser tests: a liaison files a report; a township escalates a dispute."""

from datetime import date

import pytest
from PIL import Image

from tests.e2e.conftest import login
from xinfang.grassroots import services
from xinfang.grassroots.models import InfoReport
from xinfang.org.models import NetworkPost, PostRole, Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(county, make_user):
    liaison = make_user(Role.LIAISON, username="liaison_e2e", name="林联络")
    NetworkPost.objects.create(role=PostRole.LIAISON, user=liaison, name="林联络", region=county.villages[0], start_on=date(2025, 1, 1))
    twp = make_user(Role.UNIT_HANDLER, unit=county.township_unit, username="twp_e2e", name="何干事")
    return liaison, twp


def test_liaison_files_report_on_phone(phone_page, screenshot, people, county, tmp_path):
    page = phone_page
    login(page, "liaison_e2e")
    page.goto("/")
    assert page.get_by_text("上报信息").first.is_visible()
    screenshot(page, "home")
    page.get_by_role("link", name="上报信息").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="报送").click()  # empty: a clear message, nothing saved
    page.wait_for_load_state("networkidle")
    assert page.locator(".errorlist").first.is_visible()
    assert InfoReport.objects.count() == 0
    page.select_option("select[name=region]", str(county.villages[0].pk))
    page.select_option("select[name=kind]", "dispute")
    page.check("input[name=urgency][value=prompt]")
    page.fill("textarea[name=text]", "两户因宅基地界墙发生争吵，有激化苗头，已劝开")
    page.fill("input[name=headcount]", "6")
    photo = tmp_path / "现场.png"
    Image.new("RGB", (320, 200), (40, 120, 200)).save(photo)
    page.set_input_files("input[name=photo]", str(photo))
    screenshot(page, "form")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the form must fit a 390px screen without sideways scrolling"
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state("networkidle")
    assert "信息已报送" in page.content()
    img = page.locator("img.photo")
    img.wait_for()
    assert img.evaluate("i => i.naturalWidth") == 320  # served through the access-checked view
    screenshot(page, "done")
    report = InfoReport.objects.get()
    assert (report.reporter.username, report.urgency, report.headcount, report.region) == ("liaison_e2e", "prompt", 6, county.villages[0])


def test_township_escalates_dispute_on_phone(phone_page, screenshot, people, county):
    liaison, twp = people
    d = services.dispute_record(
        actor=liaison,
        kind="land",
        region=county.villages[0],
        description="承包地边界争议，村级调解两次未果",
        parties=[{"name": "张三丰", "phone": "13812345678"}, {"side": "respondent", "name": "李四海"}],
    )
    services.dispute_escalate(actor=liaison, dispute_id=d.pk, version=d.version, reason="村级调解未果")
    page = phone_page
    login(page, "twp_e2e")
    page.goto(f"/grassroots/disputes/{d.pk}/")
    assert "张三丰" in page.content()  # the township's own handler holds the identity right
    screenshot(page, "dispute")
    page.get_by_text("上报县调处").click()
    page.fill("textarea[name=esc-reason]", "涉及县自然资源局确权，乡镇无法解决")
    screenshot(page, "escalate-form", full_page=False)
    page.get_by_role("button", name="确认上报").click()
    page.wait_for_load_state("networkidle")
    assert "已上报上一级调处" in page.content()
    screenshot(page, "escalated")
    d.refresh_from_db()
    assert (d.level, d.escalations) == ("county", 2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
