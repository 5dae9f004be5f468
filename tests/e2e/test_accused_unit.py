"""Browser: a 检举控告 accusing an officer of 测试县自然资源局 never reaches that unit. The office's page offers
neither the unit in the assign form nor in the routing panel (the superior and the discipline organ instead);
a forward typed to that unit is refused with the rule; the accused's namesake account gets 404. Laptop and
phone screenshots (var/screenshots/test_accused_unit_*)."""

import pytest

from tests.e2e.conftest import login
from tests.security.world import build_world, register
from xinfang.org.models import Role, Unit, UnitKind, User
from xinfang.petitions import services as petition_services

pytestmark = pytest.mark.django_db(transaction=True)


def _action(page, label: str):
    """The action's form on the petition page (its <details> opened, however it was)."""
    details = page.locator("details.pt-action", has=page.locator("summary", has_text=label))
    details.evaluate("d => { d.open = true; }")
    return details.locator("form")


def test_the_page_never_offers_the_accused_unit(page, phone_page, screenshot, county, make_user):
    w = build_world(county, make_user)
    land = county.dept2
    land.responsibilities = "土地审批、自然资源、矿产"
    land.save()
    discipline = Unit.objects.create(
        code="jw", name="测试县纪委监委", kind=UnitKind.DEPARTMENT, region=county.region, parent=county.leadership
    )
    accused = make_user(Role.UNIT_HANDLER, unit=land, username="w_liu", name="刘某某")
    p = register(
        w.users["clerk"],
        category=w.category,
        region=county.townships[0],
        content="反映县自然资源局刘某某在土地审批中收受好处，要求查处",
        respondents=[{"name": "刘某某", "unit": land.name, "post": "股长"}],
    )
    # Registration presumed the account from the name and the unit.
    assert User.objects.get(pk=accused.pk).respondent_matches.filter(presumed=True).exists()

    login(page, "w_office")
    page.goto(f"/petitions/{p.reg_no}/")
    panel = page.locator("#routing-suggestions")
    assert panel.is_visible()
    suggested = panel.locator("li strong").all_inner_texts()
    assert land.name not in suggested and suggested[:2] == [county.leadership.name, discipline.name]
    assert "依规建议" in panel.inner_text()
    screenshot(page, "routing-laptop")

    # A forward typed by hand to the accused's unit: refused with the rule, in Chinese, nothing written.
    form = _action(page, "转送")
    form.locator("input[name=authority]").fill(land.name)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "被反映人所在单位" in page.content() and "第四十六条" in page.content()
    assert not p.events.filter(action="forward").exists()
    screenshot(page, "forward-refused-laptop")

    petition_services.petition_accept(actor=w.users["office"], petition_or_reg_no=p.reg_no, version=p.version)
    page.goto(f"/petitions/{p.reg_no}/")
    options = _action(page, "交办").locator("select[name=handling_unit] option").all_inner_texts()
    assert land.name not in options and discipline.name in options and county.dept.name in options
    screenshot(page, "assign-form-laptop")

    # The assignment the page offers goes through.
    form = _action(page, "交办")
    form.locator("select[name=handling_unit]").select_option(discipline.code)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    p.refresh_from_db()
    assert p.handling_unit == discipline

    login(phone_page, "w_liu")
    response = phone_page.goto(f"/petitions/{p.reg_no}/")
    assert response.status == 404
    screenshot(phone_page, "accused-404-phone")
    phone_page.context.clear_cookies()
    login(phone_page, "w_office")
    phone_page.goto(f"/access/grants/{p.reg_no}/")
    assert "登记时推定" in phone_page.content()
    screenshot(phone_page, "presumed-match-phone")
