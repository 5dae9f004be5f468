"""The review path through a city held in the deployment (issue 13), in Chromium: the county office asks the 复查 of
the city's 人社局 (the superior department of the county's, in the deployment); the city reviewer logs in, finds the
review in their worklist (and nothing else of the county), answers it, and the 复查意见书 is signed in the city organ's
name. Laptop 1366x800 and phone 390x844; screenshots under var/screenshots/."""

import io

import pytest
from docx import Document

from tests.e2e.conftest import SCREENSHOTS, login
from tests.e2e.test_review_path import _do, _replied
from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User
from xinfang.petitions.models import Category


@pytest.fixture
def city(county):
    region = Region.objects.create(code="C00", name="测试市", level=RegionLevel.CITY)
    gov = Unit.objects.create(code="city-gov", name="测试市人民政府", kind=UnitKind.CITY_LEADERSHIP, region=region)
    hr = Unit.objects.create(code="city-hr", name="测试市人力资源和社会保障局", kind=UnitKind.CITY_DEPARTMENT, region=region, parent=gov)
    county.dept.superior = hr
    county.dept.save(update_fields=["superior"])
    county.leadership.parent = gov
    county.leadership.save(update_fields=["parent"])
    return {"gov": gov, "hr": hr}


@pytest.mark.django_db(transaction=True)
def test_the_city_department_answers_the_review_in_its_own_name(page, phone_page, screenshot, county, city, make_user):
    page.set_viewport_size({"width": 1366, "height": 800})
    clerk = make_user(Role.CLERK, username="cr-clerk")
    make_user(Role.OFFICE, username="cr-office", name="吴主任")
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="cr-handler")
    make_user(Role.REVIEWER, unit=city["hr"], username="cr-city", name="曹科长", post="信访科科长")
    office = User.objects.get(username="cr-office")
    other, _ = _replied(county, clerk, office, handler)  # a county case never asked of the city
    Category.objects.filter(code="labour").update(code="labour-0")  # _replied makes its category each time
    p, _code = _replied(county, clerk, office, handler)

    # The county office records the 复查 request and chooses the city's 人社局 (in the deployment).
    login(page, "cr-office")
    page.goto(f"/petitions/{p.reg_no}/")
    box = page.locator("details.pt-action", has=page.locator("summary", has_text="申请复查")).first
    box.locator("summary").click()
    options = box.locator("select[name=review_organ] option").all_inner_texts()
    assert options == ["测试县人民政府（建议）", "测试市人力资源和社会保障局"]
    _do(page, "申请复查", {"reason": "对处理意见不服", "review_organ": "city-hr"})
    assert "复查机关：测试市人力资源和社会保障局（本系统内，由该机关办理答复）" in page.inner_text("#review-organ")
    assert page.locator("details.pt-action summary", has_text="答复").count() == 0  # the city answers, not the county
    screenshot(page, "01-office-asked-the-city-laptop")

    # The city reviewer: their worklist holds the review asked of their organ, nothing else of the county.
    page.context.clear_cookies()
    login(page, "cr-city")
    home = page.inner_text("main")
    assert "网络覆盖" not in home and "接待值班" not in home  # the county's panels are not the city's work
    screenshot(page, "02a-city-home-laptop")
    page.goto("/petitions/")
    body = page.inner_text("body")
    assert p.reg_no in body and other.reg_no not in body
    # Its work is the reviews: no county registration, statistics, settings or batch dispatch in its way.
    assert page.locator("nav.mainnav a").all_inner_texts() == ["首页", "待办", "应知应会"]
    assert page.locator("text=登记信访件").count() == 0 and page.locator("#batch-form fieldset").count() == 0
    screenshot(page, "02-city-worklist-laptop")
    page.click(f"a[href='/petitions/{p.reg_no}/']")
    page.wait_for_load_state("networkidle")
    offered = page.locator("details.pt-action summary").all_inner_texts()
    assert any("答复" in t for t in offered) and not any(("归档" in t or "送达" in t) for t in offered), offered
    _do(page, "答复", {"method": "letter", "text": "经复查，原处理意见认定事实清楚、适用政策正确，予以维持。"})
    p.refresh_from_db()
    assert (p.status, p.review_level) == ("replied", 1)
    page.wait_for_load_state("networkidle")
    # The county's supervision is not the city's: its panel answers a reviewer 403 and stays out of the page.
    assert page.locator(".supervision-panel").count() == 0 and page.locator("a", has_text="发督办单").count() == 0
    screenshot(page, "03-city-answered-laptop")

    # The 复查意见书 is signed in the city organ's name.
    link = page.locator("a", has_text="复查意见书").first
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    (SCREENSHOTS / "city-review-opinion.docx").write_bytes(response.body())
    lines = [x.text.strip() for x in Document(io.BytesIO(response.body())).paragraphs if x.text.strip()]
    assert "复查意见书" in lines[0] or any("复查意见书" in x for x in lines[:3])
    assert any(x == "测试市人力资源和社会保障局" or x.startswith("测试市人力资源和社会保障局") for x in lines[-3:]), lines[-4:]

    # On a phone the city reviewer finds the answered review and its organ.
    login(phone_page, "cr-city")
    phone_page.goto("/petitions/")
    assert p.reg_no in phone_page.inner_text("body") and other.reg_no not in phone_page.inner_text("body")
    screenshot(phone_page, "04-city-worklist-phone")
    phone_page.goto(f"/petitions/{p.reg_no}/")
    assert "测试市人力资源和社会保障局" in phone_page.inner_text("body")
    screenshot(phone_page, "05-city-answered-phone")
