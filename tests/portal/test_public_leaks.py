"""The public view leaks nothing: a string scan of every public response for a petition that has
staff names, usernames, internal notes, respondents and a second petitioner's identity in it."""

import pytest
from django.urls import reverse

from tests.portal.pdftext import pdf_text
from xinfang.org.models import Role
from xinfang.petitions import services as ps
from xinfang.petitions.models import PetitionEvent

SECRETS_ = [
    "王办事员",  # the office user's name
    "内部备注",  # accept note
    "内部核查",  # findings
    "张经理",  # in the findings
    "赵被告",  # respondent name
    "某局副局长",  # respondent post
    "钱其他",  # another petitioner (a different petition)
    "13900139000",  # their phone
    "11010519491231002X",  # their ID number
    "孙领导",  # the leader who extended
    "延期审批意见",  # nothing internal in the extension
]


@pytest.fixture
def busy_petition(portal_county, office, make_user, submit_petition, drive_to_reply):
    # Another petitioner's petition, in the same office.
    other, _ = submit_petition(name="钱其他", phone="13900139000", id_number="11010519491231002X", content="别人的事")
    petition, code = submit_petition(name="李信访", phone="13800138000")
    from xinfang.petitions.models import Respondent

    Respondent.objects.create(petition=petition, name="赵被告", unit_name="某局", post="某局副局长")
    leader = make_user(Role.LEADER, name="孙领导", username="sunleader", unit=portal_county.office)
    p = ps.petition_accept(actor=office, petition_or_reg_no=petition.reg_no, version=petition.version, note="内部备注：王办事员跟进")
    p = ps.petition_extend(actor=leader, petition_or_reg_no=p.reg_no, version=p.version, days=10, reason="需要现场核实")
    p = ps.petition_progress(actor=office, petition_or_reg_no=p.reg_no, version=p.version, note="内部核查：张经理说明情况")
    p = ps.petition_report_result(
        actor=office,
        petition_or_reg_no=p.reg_no,
        version=p.version,
        outcome="full",
        findings="内部核查：张经理承认",
        reply_draft="延期审批意见",
    )
    p = ps.petition_approve_result(actor=office, petition_or_reg_no=p.reg_no, version=p.version, note="")
    p = ps.petition_reply(actor=office, petition_or_reg_no=p.reg_no, version=p.version, method="letter", text="经调查，工资已支付。")
    assert PetitionEvent.objects.filter(petition=p).count() >= 7
    return p, code, office, leader


def _assert_clean(text: str, office, leader):
    for s in SECRETS_ + [office.username, leader.username]:
        assert s not in text, f"public response leaks {s!r}"


@pytest.mark.django_db
def test_every_public_response_is_clean(client, busy_petition):
    petition, code, office, leader = busy_petition
    responses = []
    api = client.get(f"/api/v1/public/petitions/{petition.reg_no}/", {"query_code": code})
    assert api.status_code == 200 and api.json()["status"] == "replied"
    assert "经调查，工资已支付。" in api.json()["reply_text"]
    responses.append(api.content.decode())
    client.post(reverse("portal:track"), {"reg_no": petition.reg_no, "query_code": code})
    detail = client.get(reverse("portal:detail", args=[petition.reg_no]))
    responses.append(detail.content.decode())
    assert "延期" in responses[-1] and "需要现场核实" in responses[-1]  # the extension is told, with its reason
    docs = 0
    for e in PetitionEvent.objects.filter(petition=petition):
        r = client.get(reverse("portal:document", args=[petition.reg_no, e.seq]))
        if r.status_code == 200:
            docs += 1
            responses.append(pdf_text(r.content))
        else:
            assert r.status_code == 404
    assert docs == 3  # 受理告知书, 延期办理告知书, 处理意见书
    for url in (reverse("portal:home"), reverse("portal:published"), reverse("portal:info")):
        responses.append(client.get(url).content.decode())
    for text in responses:
        _assert_clean(text, office, leader)
    assert "李信访" not in responses[0]  # the API does not echo identity at all


@pytest.mark.django_db
def test_public_api_answers_unknown_and_wrong_alike(client, busy_petition):
    petition, code, *_ = busy_petition
    wrong = client.get(f"/api/v1/public/petitions/{petition.reg_no}/", {"query_code": "WRONG000"})
    unknown = client.get("/api/v1/public/petitions/XFJ-1999-000009/", {"query_code": "WRONG000"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and wrong.json()["error"]["code"] == "not_found"
