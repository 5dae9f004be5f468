"""依法分类处理: a decline names its route and the organ (notice, API, statistics by route)."""

import io

import pytest
from django.test import Client
from docx import Document

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput
from xinfang.petitions.action_inputs import DeclineRoute, field
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act
from xinfang.stats import breakdowns

from .helpers import act

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_routes_are_declared_once_with_chinese_labels():
    pairs = dict(field("decline", "route").choice_pairs())
    assert pairs == {
        "litigation": "诉讼",
        "arbitration": "仲裁",
        "administrative_reconsideration": "行政复议",
        "discipline_inspection": "纪检监察",
        "other_organ": "其他有权机关",
        "not_petition_matter": "不属于信访事项",
    }


@pytest.mark.parametrize(
    "route, organ, needle",
    [
        ("litigation", "测试县人民法院", "依法应当通过诉讼途径解决，请依法向测试县人民法院提起诉讼"),
        ("arbitration", "测试县劳动人事争议仲裁委员会", "请依法向测试县劳动人事争议仲裁委员会申请仲裁"),
        ("administrative_reconsideration", "测试县人民政府", "通过行政复议途径解决，请依法向测试县人民政府申请行政复议"),
        ("discipline_inspection", "测试县纪委监委", "请依法向测试县纪委监委检举控告"),
        ("other_organ", "市住建局", "该事项属于市住建局的职权范围"),
        ("not_petition_matter", "", "不属于信访事项"),
    ],
)
def test_each_route_on_the_notice(register, users, route, organ, needle):
    p, _ = register()
    p = act(p, "decline", users, reason="经审查不予受理", route=route, route_organ=organ)
    assert (p.status, p.decline_route, p.decline_route_organ) == ("declined", route, organ)
    ev = p.events.get(action="decline")
    assert ev.data["route_label"] == DeclineRoute(route).label
    c = Client()
    c.force_login(users.office)
    text = _docx_text(c.get(f"/petitions/{p.reg_no}/docs/decline.docx").content)
    assert "不予受理告知书" in text and needle in text


def test_route_required_and_organ_required_unless_not_a_petition_matter(register, users):
    p, _ = register()
    with pytest.raises(InvalidInput) as e:
        petition_act(actor=users.office, petition_or_reg_no=p.reg_no, action="decline", version=p.version, reason="x", route="")
    assert "route" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        petition_act(actor=users.office, petition_or_reg_no=p.reg_no, action="decline", version=p.version, reason="x", route="lawsuit")
    assert "route" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        petition_act(actor=users.office, petition_or_reg_no=p.reg_no, action="decline", version=p.version, reason="x", route="litigation")
    assert "route_organ" in e.value.fields
    p.refresh_from_db()
    assert p.status == "registered"
    # "not a petition matter" names no organ, even if one was typed.
    p = petition_act(
        actor=users.office,
        petition_or_reg_no=p.reg_no,
        action="decline",
        version=p.version,
        reason="x",
        route="not_petition_matter",
        route_organ="某局",
    )
    assert p.decline_route_organ == ""


def test_api_decline_with_route_and_structured_errors(register, users):
    p, _ = register()
    c = api_client(users.office)
    url = f"/api/v1/petitions/{p.reg_no}/actions/decline/"
    bad = c.post(url, {"version": p.version, "reason": "不属诉讼外事项", "route": "litigation"}, format="json")
    assert bad.status_code == 400 and "route_organ" in bad.json()["error"]["fields"]
    ok = c.post(url, {"version": p.version, "reason": "应通过仲裁解决", "route": "arbitration", "route_organ": "县仲裁委"}, format="json")
    assert ok.status_code == 200, ok.json()
    body = ok.json()
    assert (body["status"], body["decline_route"], body["decline_route_organ"]) == ("declined", "arbitration", "县仲裁委")


def test_statistics_break_declines_down_by_route(register, users):
    for route, organ in [("litigation", "县法院"), ("litigation", "县法院"), ("arbitration", "县仲裁委"), ("not_petition_matter", "")]:
        p, _ = register()
        act(p, "decline", users, reason="x", route=route, route_organ=organ)
    register()  # not declined: not counted
    rows = {r["key"]: (r["label"], r["count"]) for r in breakdowns.breakdown(Petition.objects.all(), "decline_route")}
    assert rows == {"litigation": ("诉讼", 2), "arbitration": ("仲裁", 1), "not_petition_matter": ("不属于信访事项", 1)}
    shared = breakdowns.breakdowns_for(Petition.objects.all(), ["channel", "decline_route"])["decline_route"]
    assert shared == breakdowns.breakdown(Petition.objects.all(), "decline_route")
