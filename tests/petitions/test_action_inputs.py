"""Each action's inputs are declared once (action_inputs.py): the page's form and the services read the declaration, and
bad values get a Chinese 400 or message from it, never a 500."""

import pytest
from django.test import Client

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput
from xinfang.petitions import action_inputs, forms, workflow
from xinfang.petitions.models import Category, Petition

from .helpers import act, drive
from .test_api import body

pytestmark = pytest.mark.django_db


def test_every_form_is_its_declaration(register, users):
    p = drive(register, users, "registered", channel="from_superior", superior_doc_no="市信访交〔2026〕1号", superior_due_at="2026-07-01")
    for action in workflow.ACTIONS:
        fields = forms.action_fields(action, p)
        declared = [f for f in action_inputs.fields(action) if f.only_if is None or f.only_if(p)]  # e.g. 申诉 after review
        assert [f["name"] for f in fields] == [f.name for f in declared], action
        for shown, f in zip(fields, declared, strict=True):
            assert shown["label"].startswith(f.label) and shown["required"] == f.required, (action, f.name)
            if f.kind == action_inputs.Kind.CHOICE:
                assert {c for c, _l in shown["choices"]} - {""} == {c for c, _l in f.choice_pairs()}, (action, f.name)
    letter, _code = register()
    assert [f["name"] for f in forms.action_fields("progress", letter)] == ["note"]  # 说明情况 only for a superior's case


def test_a_required_input_is_refused_with_its_declared_label(register, users):
    p = drive(register, users, "in_progress")
    with pytest.raises(InvalidInput) as exc:
        act(p, "return", users, reason="   ")
    assert exc.value.message == "请填写退回理由" and exc.value.fields == {"reason": ["请填写退回理由"]}
    p = act(p, "progress", users, note="已约谈ＡＢＣ公司负责人，欠款１２万元")
    assert p.events.order_by("-seq").first().data["note"] == "已约谈ABC公司负责人，欠款12万元"


def test_an_impossible_date_on_the_page_is_a_message_not_a_500(register, users):
    """2026-02-30 typed into the assign form's date used to raise ValueError in the service (a 500)."""
    p = drive(register, users, "accepted")
    c = Client()
    c.force_login(users.office)
    r = c.post(
        f"/petitions/{p.reg_no}/act/assign/",
        {"version": p.version, "handling_unit": "dept-hr", "complexity": "general", "due_at": "2026-02-30"},
        follow=True,
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "交办未完成" in text and "要求办结日期不是有效的日期" in text
    assert Petition.objects.get(pk=p.pk).status == "accepted"


def test_an_impossible_date_in_the_api_is_a_400(register, users):
    p = drive(register, users, "replied")
    r = api_client(users.office).post(
        f"/api/v1/petitions/{p.reg_no}/actions/record_delivery/",
        {"version": p.version, "delivered_at": "2026-02-30T10:00:00+08:00", "method": "post"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid" and "delivered_at" in r.json()["error"]["fields"]
    assert Petition.objects.get(pk=p.pk).delivered_at is None


def test_an_inactive_category_is_refused_at_registration(county, category, users):
    """The API resolved category codes without `active` (an office's retired category still took new petitions)."""
    Category.objects.create(code="retired", name="已停用类别", active=False)
    r = api_client(users.clerk).post("/api/v1/petitions/", body(county, category="retired"), format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"category": ["问题类别不存在"]}
    assert not Petition.objects.exists()


def test_the_api_takes_each_actions_declared_inputs_only(register, users):
    p = drive(register, users, "in_progress")
    r = api_client(users.leader).post(
        f"/api/v1/petitions/{p.reg_no}/actions/extend/",
        {"version": p.version, "days": 10, "reason": "需要补充调查", "handling_unit": "dept-land"},
        format="json",
    )
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.extended_days == 10 and p.handling_unit.code == "dept-hr"
    unknown = api_client(users.leader).post(f"/api/v1/petitions/{p.reg_no}/actions/fly/", {"version": p.version}, format="json")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
