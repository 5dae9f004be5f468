"""Issue 18 item 3: the repeat hint's “使用该信访人信息” gives the earlier petitioner's details as the policy lets the
clerk see them (logged), matched by the typed phone or ID number."""

import json

import pytest
from django.test import Client

from xinfang.access.models import AccessRecord
from xinfang.petitions import reuse

from .conftest import valid_id
from .helpers import act

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_clerk_gets_the_matching_petitioner(register, users):
    p, _ = register(
        petitioners=[
            {"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""},
            {"name": "李四", "phone": "13900139000", "address": "第1镇2村"},
        ]
    )
    c = login(users.clerk)
    html = c.get("/petitions/repeat-candidates/", {"phone": "13900139000"}).content.decode()
    assert f'data-use-petitioner="/petitions/{p.reg_no}/petitioner/"' in html and "使用该信访人信息" in html
    resp = c.get(f"/petitions/{p.reg_no}/petitioner/", {"phone": "13900139000"})
    data = json.loads(resp.content)
    assert resp["Cache-Control"] == "no-store"
    assert data == {
        "reg_no": p.reg_no,
        "fields": {"name": "李四", "phone": "13900139000", "address": "第1镇2村"},
        "withheld": [],
        "anonymous": False,
    }
    assert AccessRecord.objects.filter(user=users.clerk, petition=p, purpose=reuse.PURPOSE).count() == 1
    first = json.loads(c.get(f"/petitions/{p.reg_no}/petitioner/").content)
    assert first["fields"]["name"] == "张三" and first["fields"]["id_number"] == valid_id()


def test_protected_identity_is_withheld(register, users, county):
    p, _ = register(confidential=True)
    p = act(p, "accept", users)
    p = act(p, "assign", users, handling_unit=county.dept.code)
    data = reuse.earlier_petitioner(actor=users.handler, reg_no=p.reg_no, phone="13800138000")
    assert data["fields"] == {} and data["withheld"] == ["姓名", "身份证号", "电话", "住址"]
    assert not AccessRecord.objects.filter(user=users.handler, petition=p).exists()


def test_only_registration_roles_and_visible_petitions(register, users):
    p, _ = register()
    assert login(users.leader).get(f"/petitions/{p.reg_no}/petitioner/").status_code == 403  # in scope, not a registering role
    assert login(users.handler).get(f"/petitions/{p.reg_no}/petitioner/").status_code == 404  # out of scope: 404 first
    assert login(users.clerk).get("/petitions/XF-NONE/petitioner/").status_code == 404
    anonymous, _ = register(anonymous=True, petitioners=[])
    assert json.loads(login(users.clerk).get(f"/petitions/{anonymous.reg_no}/petitioner/").content)["anonymous"] is True


def test_the_form_opens_on_its_first_field_and_an_error_on_the_summary(users):
    c = login(users.clerk)
    html = c.get("/petitions/register/").content.decode()
    assert '<select name="channel" autofocus' in html
    html = c.post("/petitions/register/", {"channel": "visit"}).content.decode()
    assert 'id="error-summary"' in html and "autofocus" not in html
