"""Issue 18 "done when": each role's daily path in the browser, at 1366×800 and 390×844: every navigation entry the
role has and the pages it works on each day. Fails on any 5xx (pages and their requests) and on English words in the
page's own text. Screenshots: var/screenshots/test_<role>_daily_path-<page>-<width>.png."""

import re
from datetime import date

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from tests.petitions.helpers import act
from xinfang.org.models import NetworkPost, PostRole, Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register

VIEWPORTS = [(1366, 800), (390, 844)]
# Words a Chinese page may carry: file formats, the registration number's prefix.
ALLOWED = {"excel", "csv", "pdf", "word", "docx", "xlsx", "json", "api", "xfj", "jpg", "jpeg", "png"}
WORD = re.compile(r"[A-Za-z]{3,}")
URL = re.compile(r"https?://\S+")  # an address printed for the petitioner to visit (the portal's, in a message) is not English
# Cells that show technical identifiers on purpose (the access log's account name and page address, for auditors).
TECHNICAL = ".access-log .path, .access-log td[data-label='查看人'] .muted"
TEXT_JS = (
    "sel => { let t = document.querySelector('main').innerText;"
    " document.querySelectorAll(sel).forEach(e => { t = t.split(e.innerText).join(' '); }); return t; }"
)


class Users:
    pass


@pytest.fixture
def day(county, make_user):
    """A county with one case at each step a role meets daily (names in Chinese, as the real users have)."""
    u = Users()
    u.clerk = make_user(Role.CLERK, username="dp-clerk", name="周登记")
    u.office = make_user(Role.OFFICE, username="dp-office", name="吴主任")
    u.leader = make_user(Role.LEADER, username="dp-leader", name="郑县长", post="副县长")
    u.handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="dp-handler", name="钱科长")
    u.liaison = make_user(Role.LIAISON, username="dp-liaison", name="林联络")
    NetworkPost.objects.create(role=PostRole.LIAISON, user=u.liaison, name="林联络", region=county.villages[0], start_on=date(2025, 1, 1))
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept, keywords="工资 欠薪")
    cases = []
    for i, content in enumerate(["反映拖欠农民工工资三个月未发放", "反映养老保险待遇核定有误", "反映工伤认定迟迟未办理"]):
        p, code = petition_register(
            actor=u.clerk,
            channel="visit",
            received_at=timezone.now(),
            petitioners=[{"name": f"张{i}", "id_number": valid_id(), "phone": f"1380013800{i}", "address": "第1镇1村", "work_unit": ""}],
            nature="request",
            category=category,
            content=content,
            region=county.villages[0],
        )
        cases.append((p, code))
    u.registered = cases[0][0]
    u.assigned = act(act(cases[1][0], "accept", u), "assign", u, handling_unit=county.dept.code)
    u.in_progress = act(act(act(cases[2][0], "accept", u), "assign", u, handling_unit=county.dept.code), "acknowledge", u)
    u.code = cases[2][1]
    return u


def walk(page, screenshot, paths: list[str], *, nav: bool = True) -> None:
    """Each path (and each navigation entry of the role) at both sizes: no 5xx, no English in the page's text."""
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    for w, h in VIEWPORTS:
        page.set_viewport_size({"width": w, "height": h})
        todo = list(paths)
        if nav:
            page.goto("/")
            todo += [p for p in page.locator("nav.mainnav a").evaluate_all("els => els.map(a => a.getAttribute('href'))") if p not in todo]
        for path in todo:
            resp = page.goto(path)
            page.wait_for_load_state("networkidle")
            assert resp is not None and resp.status < 500, (path, resp and resp.status)
            text = page.evaluate(TEXT_JS, TECHNICAL)
            english = sorted({m for m in WORD.findall(URL.sub(" ", text)) if m.lower() not in ALLOWED})
            assert not english, (path, w, english)
            if w >= 768:
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1") or path.startswith("/stats"), path
            else:
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{path} scrolls sideways at {w}px"
            slug = path.strip("/").replace("/", "_") or "home"
            screenshot(page, f"{slug}-{w}", full_page=False)
    assert not failures, failures


@pytest.mark.django_db(transaction=True)
def test_clerk_daily_path(page, day, screenshot):
    login(page, "dp-clerk")
    walk(
        page,
        screenshot,
        ["/", "/petitions/register/", "/petitions/?bucket=triage_today", f"/petitions/{day.registered.reg_no}/", "/inbox/"],
    )


@pytest.mark.django_db(transaction=True)
def test_office_daily_path(page, day, screenshot):
    login(page, "dp-office")
    walk(
        page,
        screenshot,
        [
            "/",
            "/petitions/?bucket=to_decide",
            "/petitions/?bucket=due_soon",
            f"/petitions/{day.registered.reg_no}/",
            "/supervision/",
            "/access/log/",
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_leader_daily_path(page, day, screenshot):
    login(page, "dp-leader")
    walk(page, screenshot, ["/", "/petitions/?bucket=my_cases", "/petitions/?bucket=awaiting_instruction", "/stats/"])


@pytest.mark.django_db(transaction=True)
def test_unit_handler_daily_path(page, day, screenshot):
    login(page, "dp-handler")
    walk(
        page,
        screenshot,
        ["/", "/petitions/?bucket=to_acknowledge", f"/petitions/{day.assigned.reg_no}/", f"/petitions/{day.in_progress.reg_no}/"],
    )


@pytest.mark.django_db(transaction=True)
def test_liaison_daily_path(page, day, screenshot):
    login(page, "dp-liaison")
    walk(page, screenshot, ["/", "/grassroots/", "/grassroots/reports/new/", "/grassroots/reports/", "/grassroots/disputes/"])


@pytest.mark.django_db(transaction=True)
def test_petitioner_daily_path(page, day, screenshot):
    walk(page, screenshot, ["/portal/", "/portal/submit/", "/portal/track/", "/portal/info/", "/portal/published/"], nav=False)
    page.goto("/portal/track/")
    page.fill("input[name=reg_no]", day.in_progress.reg_no)
    page.fill("input[name=query_code]", day.code)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert page.url.endswith(f"/portal/track/{day.in_progress.reg_no}/")
    walk(page, screenshot, [f"/portal/track/{day.in_progress.reg_no}/"], nav=False)
