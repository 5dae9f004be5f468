"""City users of a city held in the deployment (issue 13): a reviewer of the city's 人社局 and of the city's petition
bureau see the cases whose review is asked of their organ, on the pages and in the API, and nothing of the county's
worklists (every list, search, worklist, export and dashboard of the project is requested, with and without the county
cases' numbers as the query). The county office may not answer the city's review; the city reviewer answers it."""

import pytest
from django.utils import timezone

from tests.security.endpoints import all_endpoints, build_all_kwargs, build_kwargs
from tests.security.test_leak import body_text
from tests.security.world import register
from tests.tokens import api_client, api_headers
from xinfang.core import navigation
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db


def _act(actor, p, action, **inputs):
    return petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)


def _replied(world, content):
    u = world.users
    p = register(
        u["clerk"], category=world.category, region=world.county.townships[0], nature="request", confidential=False, content=content
    )
    p = _act(u["office"], p, "accept")
    p = _act(u["office"], p, "assign", handling_unit=world.county.dept.code)
    p = _act(u["unit_handler"], p, "acknowledge", committed_date=timezone.localdate())
    p = _act(u["unit_handler"], p, "report_result", outcome="partial", findings="经查部分属实")
    p = _act(u["office"], p, "approve_result")
    return _act(u["office"], p, "reply", method="letter", text="经调查，已依法处理。")


@pytest.fixture
def city_world(world):
    county = world.county
    county.dept.superior = world.city_hr  # 测试县人社局 → 测试市人社局 (in the deployment)
    county.dept.save(update_fields=["superior"])
    county.leadership.parent = world.city_gov  # 测试县政府 under 测试市人民政府
    county.leadership.save(update_fields=["parent"])
    clerk = world.users["clerk"]
    world.p_city = _act(
        clerk, _replied(world, "反映拖欠工资，对处理意见不服（复查）"), "request_review", reason="不服", review_organ="city-hr"
    )
    p = _act(
        clerk, _replied(world, "反映拖欠工资，对复查意见不服（复核）"), "request_review", reason="不服", review_organ=county.leadership.code
    )
    p = _act(world.users["office"], p, "reply", method="letter", text="经复查，维持原处理意见。")
    world.p_gov = _act(clerk, p, "request_rereview", reason="仍不服", review_organ="city-gov")
    world.county_reg_nos = [world.p_in.reg_no, world.p_out.reg_no]
    return world


SEES = {"city_dept": "p_city", "city_xfj": "p_gov"}


@pytest.mark.parametrize("role", SEES)
def test_the_city_reviewer_sees_the_review_at_its_organ_on_every_petition_endpoint(city_world, client, role):
    client.raise_request_exception = False
    user = city_world.users[role]
    mine = getattr(city_world, SEES[role])
    other = city_world.p_gov if mine is city_world.p_city else city_world.p_city
    failures = []
    for ep in all_endpoints():
        if not ep.takes_petition or ep.name not in REVIEWERS_OWN:  # every other page answers 403 (test below)
            continue
        client.logout()
        headers = api_headers(user) if ep.is_api else {}
        if not ep.is_api:
            client.force_login(user)
        for p, want_found in ((mine, True), (other, False), (city_world.p_in, False), (city_world.p_out, False)):
            path = ep.path(build_kwargs(ep, city_world, p))
            status = client.get(path, **headers).status_code
            if status >= 500 or (status == 404) == want_found and status != 405:
                failures.append(f"{role} GET {path}: {status} ({'in' if want_found else 'out of'} scope)")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", SEES)
def test_no_list_of_the_project_shows_the_county_cases_to_the_city(city_world, client, role):
    client.raise_request_exception = False
    user = city_world.users[role]
    mine = getattr(city_world, SEES[role])
    client.force_login(user)
    headers = api_headers(user)
    county = [*city_world.county_reg_nos, (city_world.p_gov if mine is city_world.p_city else city_world.p_city).reg_no]
    found, errors = [], []
    decoy = "XFJ-1999-999999"  # an absent number: how often a page echoes the query back
    for ep in all_endpoints():
        if ep.kwargs:
            continue
        h = headers if ep.is_api else {}
        echoed = body_text(client.get(ep.path({}) + f"?q={decoy}", **h)).count(decoy)
        for query in ("", *(f"?q={n}" for n in county)):
            r = client.get(ep.path({}) + query, **h)
            if r.status_code >= 500:
                errors.append(f"{role} GET /{ep.route}{query}: {r.status_code}")
                continue
            text = body_text(r)
            found += [f"{role} GET /{ep.route}{query} shows {n}" for n in county if text.count(n) > (echoed if n in query else 0)]
    assert not errors, "\n".join(errors)
    assert not found, "市级用户看到了县里的信访件：\n" + "\n".join(found)
    # Positive control: the review asked of the organ is on its list, page and API.
    assert mine.reg_no in client.get("/petitions/").content.decode()
    assert [r["reg_no"] for r in api_client(user).get("/api/v1/petitions/").json()["results"]] == [mine.reg_no]


def test_the_city_answers_its_review_and_the_county_office_may_not(city_world):
    p = city_world.p_city
    office = api_client(city_world.users["office"])
    body = {"version": p.version, "method": "letter", "text": "经复查，维持。"}
    r = office.post(f"/api/v1/petitions/{p.reg_no}/actions/reply/", body, format="json")
    assert r.status_code == 403 and "测试市人社局" in r.json()["error"]["message"]
    bureau = api_client(city_world.users["city_xfj"])  # the city bureau serves the government, not the 人社局
    assert bureau.post(f"/api/v1/petitions/{p.reg_no}/actions/reply/", body, format="json").status_code == 404
    city = api_client(city_world.users["city_dept"])
    r = city.post(f"/api/v1/petitions/{p.reg_no}/actions/reply/", body, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    ev = p.events.filter(action="reply").order_by("-seq").first()
    assert (p.status, p.review_level, ev.data["organ_name"]) == ("replied", 1, "测试市人社局")
    # After its answer the county's office takes the case on; the city reviewer may not archive or deliver it.
    r = city.post(
        f"/api/v1/petitions/{p.reg_no}/actions/record_delivery/",
        {"version": p.version, "delivered_at": str(timezone.localdate())},
        format="json",
    )
    assert r.status_code == 403


# The reviewer's own pages (issue 13): home, the worklist and its petitions, the knowledge base, the own account. Every
# other page and API of the project refuses a reviewer with 403 (a Chinese page; the API's structured error).
PUBLIC = ("portal/", "api/v1/public/", "open311/")
REVIEWERS_OWN = {
    "home",
    "login",
    "inbox",
    "inbox_read",
    "petitions:worklist",
    "petitions:detail",
    "petitions:act",
    "petitions:document",
    "petitions:document_pdf",
    "petitions:attachment",
    "petitions:receipt_pdf",
    "transfer:dossier",
    "transfer:export_csv",
    "transfer:export_xlsx",
    "knowledge:library",
    "knowledge:detail",
    "api-me",
    "api-token-revoke",
    "api-logout",
    "api-logout-all",
    "api-inbox",
    "api-inbox-read",
    "api-petitions",
    "api-petition",
    "api-petition-action",
    "api-petition-events",
    "api-petition-documents",
    "api-petition-document",
    "api-knowledge-articles",
}


# Public endpoints outside the portal's prefixes (no authentication at all): what anyone may read.
PUBLIC_NAMES = {"api-reception-upcoming"}  # the leaders' next reception days (no names or phones)


def _reviewers_own(ep) -> bool:
    return ep.name in REVIEWERS_OWN or ep.name in PUBLIC_NAMES


@pytest.mark.parametrize("role", SEES)
def test_every_county_page_and_api_refuses_the_city_reviewer(city_world, client, role):
    client.raise_request_exception = False
    user = city_world.users[role]
    mine = getattr(city_world, SEES[role])
    client.force_login(user)
    headers = api_headers(user)
    failures, checked = [], 0
    for ep in all_endpoints():
        if ep.route.startswith(PUBLIC) or _reviewers_own(ep):
            continue
        for kwargs in build_all_kwargs(ep, city_world, mine):
            path = ep.path(kwargs)
            r = client.get(path, **(headers if ep.is_api else {}))
            if r.status_code == 405:
                r = client.post(path, {}, **({"content_type": "application/json", **headers} if ep.is_api else {}))
            checked += 1
            if r.status_code != 403:
                failures.append(f"{role} /{ep.route} → {r.status_code}")
            elif ep.is_api and "error" not in r.json():
                failures.append(f"{role} /{ep.route}: 403 without the structured error")
            elif not ep.is_api and "无权" not in r.content.decode() and "权限" not in r.content.decode():
                failures.append(f"{role} /{ep.route}: 403 page not in Chinese")
    assert checked > 50
    assert navigation.REVIEWER_PAGES - {"login", "logout", "api-token"} == REVIEWERS_OWN - {"login"}
    assert not failures, "市级复查复核机关用户打开了县里的页面或接口：\n" + "\n".join(failures)


def test_the_city_reviewer_notes_progress_pauses_and_resumes_its_review_and_nothing_else(city_world):
    from xinfang.petitions import workflow

    p = city_world.p_city
    city = api_client(city_world.users["city_dept"])
    base = f"/api/v1/petitions/{p.reg_no}/actions"
    r = city.post(f"{base}/progress/", {"version": p.version, "note": "已调阅原办理材料"}, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    r = city.post(f"{base}/pause/", {"version": p.version, "ground": "hearing", "reason": "组织复查听证"}, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    r = city.post(f"{base}/resume/", {"version": p.version}, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    offered = workflow.offered(p, city_world.users["city_dept"], timezone.now())
    assert set(offered) <= {"reply", "progress", "pause", "resume"} and "reply" in offered
    # The county's own steps on the same case are refused by the table's roles (403, structured error).
    r = city.post(f"{base}/forward_review/", {"version": p.version}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"]
