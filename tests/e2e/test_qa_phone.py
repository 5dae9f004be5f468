"""QA on a phone (390 px): every section a role sees in the navigation fits the screen.

Nothing in `<main>` may stick out past the right edge, except inside the containers that are meant to
scroll sideways (`.table-wrap`, the navigation strips). The page itself must never scroll sideways.
Screenshots: var/screenshots/test_sections_fit_a_phone[<role>]-<section>.png.
"""

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap, .subnav, .mainnav, .role-tabs'))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.innerText || '').slice(0, 30))"""


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.LIAISON, Role.SAFETY_OFFICER, Role.VIEWER])
def test_sections_fit_a_phone(phone_page, screenshot, county, make_user, role):
    unit = county.township_unit if role == Role.UNIT_HANDLER else None  # a township cadre
    user = make_user(role, unit=unit, username=f"qa_{role}")
    page = phone_page
    login(page, user.username)
    links = page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.getAttribute('href'))")
    assert links and links[0] == "/"
    problems = []
    for href in links:
        response = page.goto(href)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, href
        assert page.locator("main h1, main h2").first.is_visible(), href
        width = page.evaluate("document.documentElement.scrollWidth")
        sticking_out = page.evaluate(OVERFLOW)
        if width > 390 or sticking_out:
            problems.append(f"{href}: page width {width}, {sticking_out}")
        screenshot(page, href.strip("/").replace("/", "_") or "home")
    assert not problems, "\n".join(problems)
