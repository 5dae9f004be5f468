"""The core petition API: shapes, token auth, error shape, 409 codes, pagination, masking, schema."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.tokens import api_client
from xinfang.petitions import action_inputs, workflow

from .conftest import valid_id
from .helpers import drive

pytestmark = pytest.mark.django_db


def body(county, **over):
    data = {
        "channel": "visit",
        "received_at": timezone.now().isoformat(),
        "petitioners": [{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇", "work_unit": ""}],
        "anonymous": False,
        "nature": "report",
        "category": "labour",
        "content": "反映某站长挪用救灾款",
        "requests": "请求查处",
        "region": county.villages[0].code,
        "respondents": [{"name": "李某", "unit": "某站", "post": "站长"}],
        "headcount": 6,
        "representatives": [{"name": "代表甲", "id_number": "", "phone": "13900000001"}],
        "cross_level": False,
    }
    data.update(over)
    return data


def test_register_returns_201_with_query_code_once(county, category, users):
    c = api_client(users.clerk)
    r = c.post("/api/v1/petitions/", body(county), format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["query_code"] and data["reg_no"].startswith("XFJ-") and data["status"] == "registered"
    assert data["collective"] is True and data["confidential"] is True and data["version"] == 1
    again = c.get(f"/api/v1/petitions/{data['reg_no']}/").json()
    assert "query_code" not in again
    assert again["petitioners"][0]["name"] == "张三"  # the registering clerk holds view_identity


def test_register_bad_input_has_error_shape(county, category, users):
    c = api_client(users.clerk)
    r = c.post("/api/v1/petitions/", body(county, category="nope"), format="json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid" and "category" in r.json()["error"]["fields"]
    reps = [{"name": f"代表{i}"} for i in range(6)]
    r = c.post("/api/v1/petitions/", body(county, representatives=reps), format="json")
    assert r.status_code == 400 and "不得超过5人" in r.json()["error"]["message"]
    r = c.post("/api/v1/petitions/", body(county, petitioners=[{"name": "张三", "id_number": "123"}]), format="json")
    assert r.status_code == 400 and "petitioners[0].id_number" in r.json()["error"]["fields"]
    assert api_client(users.handler).post("/api/v1/petitions/", body(county), format="json").status_code == 403
    assert APIClient().get("/api/v1/petitions/").status_code == 401


def test_identity_masked_for_leader_on_confidential(county, category, users):
    reg_no = api_client(users.clerk).post("/api/v1/petitions/", body(county), format="json").json()["reg_no"]
    data = api_client(users.leader).get(f"/api/v1/petitions/{reg_no}/").json()
    person = data["petitioners"][0]
    assert person["masked"] is True and person["name"] == "张*" and valid_id() not in str(data)


def test_actions_versions_and_409s(register, users):
    p, _ = register()
    office = api_client(users.office)
    url = f"/api/v1/petitions/{p.reg_no}/actions/"
    r = office.post(url + "accept/", {"version": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["version"] == 2
    assert "assign" in r.json()["actions"]
    stale = office.post(url + "assign/", {"version": 1, "handling_unit": "dept-hr"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    wrong_state = office.post(url + "accept/", {"version": 2}, format="json")
    assert wrong_state.status_code == 409 and wrong_state.json()["error"]["code"] == "invalid_transition"
    no_right = api_client(users.clerk).post(url + "assign/", {"version": 2, "handling_unit": "dept-hr"}, format="json")
    assert no_right.status_code == 403
    unknown = office.post(url + "explode/", {"version": 2}, format="json")
    assert unknown.status_code == 404
    missing = office.post(url + "assign/", {"version": 2}, format="json")
    assert missing.status_code == 400 and "handling_unit" in missing.json()["error"]["fields"]
    ok = office.post(url + "assign/", {"version": 2, "handling_unit": "dept-hr", "complexity": "serious"}, format="json")
    assert ok.status_code == 200 and ok.json()["handling_unit"] == "dept-hr"
    events = office.get(f"/api/v1/petitions/{p.reg_no}/events/").json()
    assert [e["action"] for e in events] == ["register", "accept", "assign"]
    assert events[1]["from_status"] == "registered" and events[1]["to_status"] == "accepted" and events[1]["seq"] == 2


def test_list_filters_and_pagination(register, users, county):
    for _ in range(3):
        register()
    drive(register, users, "accepted")
    c = api_client(users.office)
    r = c.get("/api/v1/petitions/?page_size=2")
    data = r.json()
    assert data["count"] == 4 and len(data["results"]) == 2 and data["next"] and data["previous"] is None
    assert c.get("/api/v1/petitions/?status=accepted").json()["count"] == 1
    assert c.get("/api/v1/petitions/?channel=phone").json()["count"] == 0
    assert c.get(f"/api/v1/petitions/?region={county.townships[0].code}").json()["count"] == 4
    assert c.get(f"/api/v1/petitions/?region={county.townships[1].code}").json()["count"] == 0
    assert c.get("/api/v1/petitions/?q=拖欠").json()["count"] == 4
    today = timezone.localdate().isoformat()
    assert c.get(f"/api/v1/petitions/?registered_from={today}&registered_to={today}").json()["count"] == 4
    assert c.get("/api/v1/petitions/?overdue=true").json()["count"] == 0
    # A unit handler sees nothing it does not handle; a respondent-blocked or absent petition is 404.
    assert api_client(users.handler).get("/api/v1/petitions/").json()["count"] == 0
    assert api_client(users.handler).get("/api/v1/petitions/XFJ-1999-000001/").status_code == 404


def test_categories_and_schema(category, users):
    c = api_client(users.office)
    assert c.get("/api/v1/categories/").json()[0]["code"] == "labour"
    r = c.get("/api/v1/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    for path in ("/api/v1/petitions/", "/api/v1/petitions/{reg_no}/events/"):
        assert path in text


def test_the_schema_documents_each_actions_body_from_its_declaration(users):
    """One operation per action, its body exactly the inputs action_inputs.py declares (plus version)."""
    schema = api_client(users.office).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/petitions/{reg_no}/actions/{action}/" not in schema["paths"]
    for action in workflow.ACTIONS:
        op = schema["paths"][f"/api/v1/petitions/{{reg_no}}/actions/{action}/"]["post"]
        assert op["summary"] == f"{workflow.label(action)}（{action}）"
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        body = schema["components"]["schemas"][ref]
        assert set(body["properties"]) == {*action_inputs.names(action), "version"}, action
        for f in action_inputs.fields(action):
            assert body["properties"][f.name]["description"].startswith(f.label), (action, f.name)
            assert ("必填" in body["properties"][f.name]["description"]) == f.required, (action, f.name)
        assert {"400", "403", "404", "409"} <= set(op["responses"])
