"""The respondent block end to end: a confirmed match gets 404 everywhere and is never chosen as the
petition's leader; assigning to a respondent's unit needs a recorded reason."""

import pytest

from tests.security.world import register
from tests.tokens import api_token
from xinfang.access.services import respondent_match_confirm
from xinfang.core.errors import InvalidInput
from xinfang.org.models import Role
from xinfang.petitions import services as petition_services
from xinfang.petitions.models import Respondent

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


def test_assigning_to_the_respondents_unit_needs_a_reason(world):
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        respondents=[{"name": "孙某", "unit": world.county.dept2.name, "post": "股长"}],
    )
    handler = world.users["handler2"]
    r = Respondent.objects.get(petition=p)
    office = world.users["office"]
    # The recorded unit is text; once the office confirms the account, its unit counts as the respondent's unit.
    other = type(handler).objects.create_user(username="w_sun", password="pw-secret-123", name="孙某", unit=world.county.dept2)
    respondent_match_confirm(actor=office, respondent=r, user=other)
    p = petition_services.petition_accept(actor=office, petition_or_reg_no=p.reg_no, version=p.version)
    with pytest.raises(InvalidInput) as exc:
        petition_services.petition_assign(
            actor=office, petition_or_reg_no=p.reg_no, version=p.version, handling_unit=world.county.dept2.code
        )
    assert "own_unit_reason" in exc.value.fields
    p = petition_services.petition_assign(
        actor=office,
        petition_or_reg_no=p.reg_no,
        version=p.version,
        handling_unit=world.county.dept2.code,
        own_unit_reason="属地管理，纪委全程监督",
    )
    assert p.events.filter(action="assign", data__own_unit_reason="属地管理，纪委全程监督").exists()
