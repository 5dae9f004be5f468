"""复查/复核 by the organ the law names: suggested and chosen organs, an in-deployment organ signing its own opinion, an
external organ (forward, then the opinion as received with its scan), and after the 复核 the 不再受理 answer."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from reportlab.pdfgen import canvas

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput, InvalidTransition
from xinfang.org.models import ExternalOrgan
from xinfang.petitions import review
from xinfang.petitions.attachments import petition_attach
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act
from xinfang.stats import breakdowns

from .helpers import act, drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def organs(county):
    province_hr = ExternalOrgan.objects.create(code="prov-hr", name="测试省人社厅", level="province", address="省城路1号")
    city_gov = ExternalOrgan.objects.create(code="city-gov", name="测试市人民政府", level="city", kind="government", address="市府路1号")
    city_hr = ExternalOrgan.objects.create(code="city-hr", name="测试市人社局", level="city", address="市人社路8号", parent=province_hr)
    city_hr.supervises.add(county.dept)
    city_gov.supervises.add(county.leadership)
    return {"city_hr": city_hr, "city_gov": city_gov, "province_hr": province_hr}


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _doc(user, reg_no, kind):
    c = Client()
    c.force_login(user)
    r = c.get(f"/petitions/{reg_no}/docs/{kind}.docx")
    assert r.status_code == 200, kind
    return _docx_text(r.content)


def _pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "opinion")
    c.save()
    return buf.getvalue()


def test_the_lawful_organs_are_suggested_from_the_handling_unit(register, users, organs):
    p = drive(register, users, "replied")  # handled by 测试县人社局 (under 测试县政府; 测试市人社局 is recorded above it)
    assert [(o.name, o.external) for o in review.candidates(p, 1)] == [("测试县人民政府", False), ("测试市人社局", True)]
    with pytest.raises(InvalidInput) as e:
        act(p, "request_review", users, review_organ="dept-land")  # a same-level department is no review organ
    assert "review_organ" in e.value.fields and "测试县人民政府" in e.value.message
    p = act(p, "request_review", users)
    assert p.review_unit.name == "测试县政府" and p.review_external is None
    assert p.events.order_by("-seq").first().data["organ_name"] == "测试县人民政府"


def test_the_petitioners_own_request_gets_the_suggestion(register, users, organs):
    p = drive(register, users, "replied")
    p = petition_act(
        actor=None, petition_or_reg_no=p.reg_no, action="request_review", version=p.version, reason="不服", review_organ="city-hr"
    )
    assert p.review_unit.name == "测试县政府"  # the petitioner does not pick the organ; the office may change it when forwarding


def test_an_in_deployment_organ_signs_its_own_review_opinion(register, users, organs):
    p = drive(register, users, "replied")
    p = act(p, "request_review", users)
    assert "forward_review" not in review_offered(p, users)
    p = act(p, "reply", users, text="经复查，维持原处理意见。")
    assert p.review_level == 1
    text = _doc(users.office, p.reg_no, "review")
    assert (
        "复查意见书" in text and text.rstrip().splitlines()[-2] == "测试县人民政府"
    )  # a government signs as its 人民政府 (org.Unit.organ_name)
    # The 复核 goes one level up: above 测试县政府 is 测试市人民政府 (external).
    assert [o.name for o in review.candidates(p, 2)] == ["测试市人民政府"]


def review_offered(p, users):
    from django.utils import timezone

    from xinfang.petitions import workflow

    p.refresh_from_db()
    return workflow.offered(p, users.office, timezone.now())


def test_the_external_review_path_to_the_end_and_a_later_petition(register, users, organs):
    p = drive(register, users, "replied")
    p = act(p, "request_review", users, review_organ="city-hr")
    assert p.review_external == organs["city_hr"]
    offered = review_offered(p, users)
    assert "reply" not in offered and "forward_review" in offered and "record_review_opinion" not in offered
    c = api_client(users.office)
    refused = c.post(f"/api/v1/petitions/{p.reg_no}/actions/reply/", {"version": p.version, "method": "letter", "text": "x"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "review_organ_external"
    detail = c.get(f"/api/v1/petitions/{p.reg_no}/").json()
    assert detail["review_organ"] == {"code": "city-hr", "name": "测试市人社局", "external": True}
    p = act(p, "forward_review", users, note="请依法复查")
    assert p.review_forwarded_at is not None and p.status == "under_review"
    text = _doc(users.office, p.reg_no, "review_forward")
    assert "转送测试市人社局" in text and "市人社路8号" in text and "复查请求" in text
    with pytest.raises(InvalidTransition):
        act(p, "forward_review", users)
    # The opinion as received, with its scan among the attachments.
    [scan] = petition_attach(
        actor=users.office, petition_or_reg_no=p.reg_no, files=[SimpleUploadedFile("复查意见书.pdf", _pdf())], kind="scan"
    )
    p.refresh_from_db()
    p = act(p, "record_review_opinion", users, scan=scan.pk, decided_at="2026-06-16")
    assert (p.status, p.review_level, p.matter_ended) == ("replied", 1, False)
    ev = p.events.order_by("-seq").first()
    assert ev.action == "record_review_opinion" and ev.data["organ_name"] == "测试市人社局" and ev.data["scan_name"] == "复查意见书.pdf"
    assert ev.public
    # 复核 one level up from 测试市人社局: its government, then the province department.
    assert [o.name for o in review.candidates(p, 2)] == ["测试市人民政府", "测试省人社厅"]
    p = act(p, "record_delivery", users)
    p = act(p, "request_rereview", users)
    assert p.review_external == organs["city_gov"] and p.review_forwarded_at is None
    p = act(p, "forward_review", users, review_organ="prov-hr")  # the office chooses the other lawful organ
    assert p.review_external == organs["province_hr"]
    p = act(p, "record_review_opinion", users, text="经复核，维持复查意见。", decided_at="2026-06-16")
    assert (p.status, p.review_level, p.matter_ended) == ("replied", 2, True)
    # After the 复核 the matter is ended: a later petition on it is registered and linked, never refused ...
    later, _ = register(repeat_of=p)
    assert later.status == "registered" and later.matter_ended and later.repeat_of_id == p.pk
    assert "answer_ended" in review_offered(later, users)
    later = act(later, "answer_ended", users)
    assert later.status == "declined" and later.decline_route == "matter_ended"
    text = _doc(users.office, later.reg_no, "ended")
    assert "不再受理告知书" in text and p.reg_no in text and "测试省人社厅" in text and "2026年06月16日复核" in text
    rows = {r["key"]: r["label"] for r in breakdowns.breakdown(Petition.objects.all(), "decline_route")}
    assert rows == {"matter_ended": "已复核终结，不再受理"}


def test_record_opinion_checks_its_date_and_scan(register, users, organs):
    p = drive(register, users, "replied")
    p = act(p, "request_review", users, review_organ="city-hr")
    p = act(p, "forward_review", users)
    with pytest.raises(InvalidInput) as e:
        act(p, "record_review_opinion", users, decided_at="2026-07-01")
    assert "decided_at" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        act(p, "record_review_opinion", users, scan=999999)
    assert "scan" in e.value.fields


def test_answer_ended_only_for_a_petition_on_an_ended_matter(register, users):
    p, _ = register()
    with pytest.raises(InvalidTransition):
        act(p, "answer_ended", users)


def test_the_forward_form_offers_the_external_organs_and_refuses_an_inside_one(register, users, organs):
    from xinfang.petitions import forms

    p = drive(register, users, "replied")
    p = act(p, "request_review", users, review_organ="city-hr")
    [organ_field] = [f for f in forms.action_fields("forward_review", p) if f["name"] == "review_organ"]
    assert organ_field["choices"] == [("city-hr", "测试市人社局")]
    with pytest.raises(InvalidInput) as e:
        act(p, "forward_review", users, review_organ="gov")
    assert "无需转送" in e.value.message
    [scan_field] = [f for f in forms.action_fields("record_review_opinion", p) if f["name"] == "scan"]
    assert scan_field["choices"] == [("", "暂无扫描件")]


def test_an_opinion_dated_before_the_request_is_refused(register, users, organs):
    import time_machine
    from django.utils import timezone

    p = drive(register, users, "replied")
    asked_on = timezone.localdate()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=3)):
        p = act(p, "request_review", users, review_organ="city-hr")
        p = act(p, "forward_review", users)
        with pytest.raises(InvalidInput) as e:
            act(p, "record_review_opinion", users, decided_at=asked_on.isoformat())
    assert "不能早于申请日期" in e.value.message


def test_candidates_above_a_non_government_parent_and_for_an_old_review(register, users, organs, county):
    assert [o.name for o in review._above_unit(county.school)] == ["测试县人社局"]  # a school under its department
    p = drive(register, users, "replied")
    p = act(p, "request_review", users)
    p = act(p, "reply", users)
    Petition.objects.filter(pk=p.pk).update(review_unit=None)  # a review answered before organs were recorded
    p.refresh_from_db()
    assert [o.name for o in review.candidates(p, 2)] == ["测试市人民政府"]


def test_not_accepted_again_along_a_chain_of_repeats(register, users, organs):
    from django.utils import timezone

    from xinfang.petitions import followup

    p = drive(register, users, "replied")
    steps = (
        ("request_review", {}),
        ("reply", {}),
        ("request_rereview", {}),  # above 测试县政府: 测试市人民政府, outside the deployment
        ("forward_review", {}),
        ("record_review_opinion", {"text": "经复核，维持。"}),
    )
    for step, extra in steps:
        p = act(p, step, users, **extra)
    assert p.matter_ended
    first, _ = register(repeat_of=p)
    second, _ = register(repeat_of=first)
    assert followup.case_leader_prompt(second, timezone.now()).startswith("本件为重复信访")
    second = act(second, "answer_ended", users)
    ev = second.events.order_by("-seq").first()
    assert ev.data["repeat_of"] == p.reg_no and ev.data["rereview_organ"] == "测试市人民政府"
    assert followup.case_leader_prompt(second, timezone.now()) == ""  # closed
