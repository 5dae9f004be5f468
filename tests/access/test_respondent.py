"""Accusations never reach the accused, end to end: a confirmed or presumed respondent gets 404 everywhere and is
never chosen as the petition's leader; a 检举控告 is never assigned or forwarded to a unit where a respondent works
(409 respondent_unit, no override), in the service, the API, the assign form and the routing panel."""

import pytest

from tests.security.world import register
from tests.tokens import api_token
from xinfang.access.models import RespondentMatch
from xinfang.access.services import respondent_match_clear, respondent_match_confirm
from xinfang.core.errors import Conflict, InvalidInput
from xinfang.org.models import Role
from xinfang.petitions import services as petition_services
from xinfang.petitions.models import Petition, Respondent

pytestmark = pytest.mark.django_db


def test_confirmed_respondent_is_blocked_everywhere_and_never_chosen(world, client, make_user):
    leader = make_user(Role.LEADER, username="w_chen", name="陈某某")
    r = Respondent.objects.create(petition=world.p_out, name="陈某某", unit_name=leader.unit.name)
    client.force_login(leader)
    token = api_token(leader)
    assert client.get(f"/api/v1/petitions/{world.p_out.reg_no}/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    respondent_match_confirm(actor=world.users["office"], respondent=r, user=leader)
    assert Respondent.objects.get(pk=r.pk).user == leader
    for path in (f"/petitions/{world.p_out.reg_no}/", f"/access/grants/{world.p_out.reg_no}/"):
        assert client.get(path).status_code == 404, path
    api = client.get(f"/api/v1/petitions/{world.p_out.reg_no}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/petitions/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert world.p_out.reg_no not in [row["reg_no"] for row in listed["results"]]
    p = world.p_out
    with pytest.raises(InvalidInput):
        petition_services.petition_set_case_leader(
            actor=world.users["office"], petition_or_reg_no=p.reg_no, version=p.version, leader=leader
        )


def _report(world, respondents):
    p = register(world.users["clerk"], category=world.category, region=world.county.townships[0], respondents=respondents)
    return petition_services.petition_accept(actor=world.users["office"], petition_or_reg_no=p.reg_no, version=p.version)


def test_a_report_is_never_assigned_to_a_unit_where_a_respondent_works(world):
    """《信访工作条例》第四十六条第（五）项: no override, no written reason: 409 respondent_unit."""
    office, dept2 = world.users["office"], world.county.dept2
    p = _report(world, [{"name": "孙某", "unit": dept2.name, "post": "股长"}])
    for extra in ({}, {"own_unit_reason": "属地管理，纪委全程监督"}, {"note": "由纪检组监督办理"}):
        with pytest.raises(Conflict) as exc:
            petition_services.petition_act(
                actor=office, petition_or_reg_no=p.reg_no, action="assign", version=p.version, handling_unit=dept2.code, **extra
            )
        assert exc.value.code == "respondent_unit" and exc.value.status == 409 and "handling_unit" in exc.value.fields
        assert "第四十六条" in exc.value.message
    assert not p.events.filter(action="assign").exists()
    # The unit's superior takes it.
    p = petition_services.petition_assign(
        actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=world.county.leadership.code
    )
    assert p.handling_unit == world.county.leadership


def test_the_unit_of_a_confirmed_account_counts_too(world):
    office = world.users["office"]
    p = _report(world, [{"name": "孙某", "unit": "", "post": "股长"}])
    other = type(office).objects.create_user(username="w_sun", password="pw-secret-123", name="孙某", unit=world.county.dept2)
    petition_services.petition_assign(actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=world.county.dept.code)
    q = _report(world, [{"name": "孙某", "unit": "", "post": "股长"}])
    respondent_match_confirm(actor=office, respondent=Respondent.objects.get(petition=q), user=other)
    with pytest.raises(Conflict, match="被反映人所在单位"):
        petition_services.petition_assign(
            actor=office, petition_or_reg_no=q.reg_no, version=q.version, handling_unit=world.county.dept2.code
        )


def test_a_report_is_never_forwarded_to_the_accused_unit(world):
    office = world.users["office"]
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        respondents=[{"name": "孙某", "unit": "市住房和城乡建设局", "post": "科长"}],
    )
    for authority in ("市住房和城乡建设局", " 市住房和城乡建设局 ", "市住房和城乡建设局城建监察支队"):
        with pytest.raises(Conflict) as exc:
            petition_services.petition_forward(actor=office, petition_or_reg_no=p.reg_no, version=p.version, authority=authority)
        assert exc.value.code == "respondent_unit" and "authority" in exc.value.fields
    p = petition_services.petition_forward(actor=office, petition_or_reg_no=p.reg_no, version=p.version, authority="市纪委监委")
    assert p.status == "forwarded"


def test_other_natures_may_go_to_the_respondents_unit_but_the_respondent_stays_blocked(world):
    office = world.users["office"]
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        nature="request",
        confidential=False,
        respondents=[{"name": "孙某", "unit": world.county.dept2.name, "post": "股长"}],
    )
    p = petition_services.petition_accept(actor=office, petition_or_reg_no=p.reg_no, version=p.version)
    p = petition_services.petition_assign(
        actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=world.county.dept2.code
    )
    assert p.handling_unit == world.county.dept2


def test_the_api_answers_409_respondent_unit(world, client):
    p = _report(world, [{"name": "孙某", "unit": world.county.dept2.name, "post": "股长"}])
    token = api_token(world.users["office"])
    response = client.post(
        f"/api/v1/petitions/{p.reg_no}/actions/assign/",
        {"version": p.version, "handling_unit": world.county.dept2.code, "own_unit_reason": "属地管理"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "respondent_unit" and "handling_unit" in error["fields"] and "第四十六条" in error["message"]


def test_the_assign_form_and_the_routing_panel_leave_the_accused_unit_out(world, client):
    from xinfang.knowledge.selectors import suggest_routing
    from xinfang.petitions.forms import action_fields

    dept2 = world.county.dept2
    discipline = type(dept2).objects.create(
        code="jw", name="测试县纪委监委", kind="department", region=world.county.region, parent=world.county.leadership
    )
    dept2.responsibilities = "自然资源、土地"
    dept2.save()
    p = _report(world, [{"name": "孙某", "unit": dept2.name, "post": "股长"}])
    Petition.objects.filter(pk=p.pk).update(content="反映自然资源局孙某在土地审批中收受好处")  # (test data: no event needed for the panel)
    p.refresh_from_db()
    units = dict(next(f for f in action_fields("assign", p) if f["name"] == "handling_unit")["choices"])
    assert dept2.code not in units and discipline.code in units and world.county.dept.code in units
    assert dept2 in [s["unit"] for s in suggest_routing(p.content, region=p.region)]  # by content alone it would be first
    panel = suggest_routing(p.content, region=p.region, petition=p)
    assert dept2 not in [s["unit"] for s in panel]
    assert [s["unit"] for s in panel[:2]] == [world.county.leadership, discipline] and panel[0]["method"] == "rule"
    client.force_login(world.users["office"])
    page = client.get(f"/petitions/{p.reg_no}/").content.decode()
    routing = page[page.index('id="routing-suggestions"') :]
    routing = routing[: routing.index("</section>")]
    assert f"<strong>{dept2.name}</strong>" not in routing and f"<strong>{discipline.name}</strong>" in routing and "依规建议" in routing
    select = page[page.index('name="handling_unit"') :]
    select = select[: select.index("</select>")]
    assert f'value="{dept2.code}"' not in select and f'value="{discipline.code}"' in select


def test_a_namesake_in_the_respondents_unit_is_blocked_from_registration_until_cleared(world, client):
    """DESIGN.md: a respondent whose name and unit match a user is treated as that user until the office clears it."""
    office = world.users["office"]
    namesake = type(office).objects.create_user(username="w_zhao", password="pw-secret-123", name="赵某某", unit=world.county.leadership)
    namesake.groups.add(*type(office).objects.get(pk=world.users["leader"].pk).groups.all())
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        respondents=[{"name": "赵某某", "unit": world.county.leadership.name, "post": "副县长"}],
    )
    match = RespondentMatch.objects.get(respondent__petition=p)
    assert match.presumed and match.user == namesake and match.confirmed_by is None
    client.force_login(namesake)
    assert client.get(f"/petitions/{p.reg_no}/").status_code == 404
    assert f'href="/petitions/{p.reg_no}/"' not in client.get("/petitions/?q=" + p.reg_no).content.decode()
    token = api_token(namesake)
    assert client.get(f"/api/v1/petitions/{p.reg_no}/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404
    export = client.get(f"/transfer/export/petitions.csv?q={p.reg_no}")
    assert p.reg_no not in b"".join(export.streaming_content).decode("utf-8-sig")
    p = petition_services.petition_accept(actor=office, petition_or_reg_no=p.reg_no, version=p.version)
    with pytest.raises(Conflict):  # and the unit is the accused's unit
        petition_services.petition_assign(
            actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=world.county.leadership.code
        )
    # The office finds it is a namesake and clears the match: an event, and the account sees the petition again.
    with pytest.raises(InvalidInput):
        respondent_match_clear(actor=office, match=match, reason="")
    respondent_match_clear(actor=office, match=match, reason="已核实，系同名的另一名领导")
    assert p.events.filter(action="respondent_match_clear", data__user="w_zhao").exists()
    assert client.get(f"/petitions/{p.reg_no}/").status_code == 200
    with pytest.raises(Conflict):
        respondent_match_clear(actor=office, match=match, reason="再次排除一次")


def test_the_grants_page_shows_a_presumed_match_and_clears_it(world, client):
    office = world.users["office"]
    namesake = type(office).objects.create_user(username="w_qian", password="pw-secret-123", name="钱某", unit=world.county.dept2)
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        respondents=[{"name": "钱某", "unit": world.county.dept2.name, "post": "科员"}],
    )
    client.force_login(office)
    url = f"/access/grants/{p.reg_no}/"
    page = client.get(url).content.decode()
    assert "登记时推定" in page and "排除推定" in page and namesake.username in page
    match = RespondentMatch.objects.get(respondent__petition=p)
    response = client.post(url, {"op": "clear", "match": match.pk, "reason": "不足"})
    assert response.status_code == 200 and "排除的理由" in response.content.decode()
    response = client.post(url, {"op": "clear", "match": match.pk, "reason": "已核实不是同一人"}, follow=True)
    assert "已排除" in response.content.decode()
    assert client.post(url, {"op": "clear", "match": 999999, "reason": "已核实不是同一人"}).status_code == 404
