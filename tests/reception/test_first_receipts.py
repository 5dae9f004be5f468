"""The seed's 首问责任制度: "本单位工作人员均有责任将上访人引领到信访办公室，由信访办接待人员负责接待". Any staff member logs
that they brought a visitor in; the clerk's registration links the log; the first receiver is on the petition page, in
the dossier and counted per unit."""

import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.tokens import api_client
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register
from xinfang.reception import first_receipts
from xinfang.transfer import dossier

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def category(county):
    return Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)


def _visit(clerk, county, category, **kw):
    return petition_register(
        actor=clerk,
        channel="visit",
        received_at=timezone.now(),
        petitioners=[{"name": "王大爷", "phone": "13800138000"}],
        nature="request",
        category=category,
        content="反映养老保险待遇核定的问题",
        region=county.villages[0],
        **kw,
    )


def test_any_staff_member_who_brings_a_visitor_to_the_office_is_the_first_receiver(county, make_user, category):
    """本单位工作人员均有责任将上访人引领到信访办公室: the department's handler logs it, the clerk registers it, and the petition's
    首问责任人 is the handler (not the clerk who typed it)."""
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, name="钱科员")
    clerk = make_user(Role.CLERK, name="周登记")
    t = datetime(2026, 6, 16, 9, 40, tzinfo=SH)
    receipt = first_receipts.first_receipt_log(actor=handler, brought_at=t, place="局大门口", matter="养老金核定")
    assert (receipt.receiver, receipt.unit, receipt.brought_at) == (handler, county.dept, t)
    petition, _ = _visit(clerk, county, category, first_receipt=receipt.pk)
    receipt.refresh_from_db()
    assert petition.first_receiver == handler and receipt.petition == petition and receipt.linked_by == clerk
    event = petition.events.get()
    assert (
        event.actor == clerk
        and event.data["first_receipt"] == receipt.pk
        and event.data["first_receiver_name"] == "钱科员（测试县人社局，06-16 09:40 引领至信访办）"
    )
    assert first_receipts.first_receiver_text(petition) == "钱科员（测试县人社局，06-16 09:40 引领至信访办）"
    # without a log the clerk who received the visitor is the first receiver, as before
    other, _ = _visit(clerk, county, category)
    assert other.first_receiver == clerk and first_receipts.first_receiver_text(other) == "周登记"


def test_a_log_links_once_and_only_to_a_visit(county, make_user, category):
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept)
    clerk = make_user(Role.CLERK)
    receipt = first_receipts.first_receipt_log(actor=handler)
    with pytest.raises(InvalidInput) as exc:
        petition_register(
            actor=clerk,
            channel="letter",
            received_at=timezone.now(),
            petitioners=[{"name": "甲"}],
            nature="request",
            category=category,
            content="来信",
            region=county.villages[0],
            first_receipt=receipt.pk,
        )
    assert exc.value.fields == {"first_receipt": ["首问登记只适用于来访登记"]}
    _visit(clerk, county, category, first_receipt=receipt.pk)
    with pytest.raises(InvalidInput) as exc:
        _visit(clerk, county, category, first_receipt=receipt.pk)
    assert exc.value.fields == {"first_receipt": ["未找到该首问登记，或已关联其他信访件"]}
    assert list(first_receipts.open_receipts()) == []


def test_the_time_is_not_in_the_future_and_the_logger_is_staff(county, make_user):
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept)
    with pytest.raises(InvalidInput) as exc:
        first_receipts.first_receipt_log(actor=handler, brought_at=timezone.now() + timedelta(hours=1))
    assert exc.value.fields == {"brought_at": ["引领时间不能晚于现在"]}
    nobody = make_user(Role.VIEWER)
    nobody.unit = None
    with pytest.raises(NoPermission):
        first_receipts.first_receipt_log(actor=nobody)


def test_the_first_receiver_is_on_the_petition_page_and_in_the_dossier(client, county, make_user, category):
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, name="钱科员")
    clerk = make_user(Role.CLERK, name="周登记")
    receipt = first_receipts.first_receipt_log(actor=handler, matter="养老金核定")
    client.force_login(clerk)
    page = client.get(f"/petitions/register/?first_receipt={receipt.pk}").content.decode()
    assert f'value="{receipt.pk}" selected' in page and "钱科员（测试县人社局）" in page
    petition, _ = _visit(clerk, county, category, first_receipt=receipt.pk)
    body = client.get(f"/petitions/{petition.reg_no}/").content.decode()
    assert "钱科员（测试县人社局，" in body and "引领至信访办）" in body
    pdf, _ = dossier.build_dossier(actor=clerk, reg_no=petition.reg_no)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "钱科员（测试县人社局" in text.replace(" ", "")


def test_the_first_receipts_are_counted_per_unit(county, make_user, category):
    clerk = make_user(Role.CLERK)
    a = make_user(Role.UNIT_HANDLER, unit=county.dept)
    b = make_user(Role.UNIT_HANDLER, unit=county.township_unit)
    for actor in (a, a, b):
        first_receipts.first_receipt_log(actor=actor)
    _visit(clerk, county, category, first_receipt=first_receipts.open_receipts().filter(receiver=a).first().pk)
    with time_machine.travel(datetime(2026, 6, 20, 10, tzinfo=SH)):
        figures = first_receipts.per_unit(start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert figures == [
        {"code": "dept-hr", "unit": "测试县人社局", "logged": 2, "registered": 1},
        {"code": "twp-1", "unit": "第1镇政府", "logged": 1, "registered": 0},
    ]


def test_the_office_sees_the_counts_and_the_api_links_a_log(client, county, make_user, category):
    office = make_user(Role.OFFICE)
    clerk = make_user(Role.CLERK)
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept)
    client.force_login(handler)
    r = client.post("/reception/first/", {"matter": "工伤认定", "headcount": 1}, follow=True)
    assert "已引领来访人到信访办" in r.content.decode() or "引领来访人到信访办" in r.content.decode()
    receipt = handler.first_receipts.get()
    r = api_client(clerk).post(
        "/api/v1/petitions/",
        {
            "channel": "visit",
            "received_at": timezone.now().isoformat(),
            "petitioners": [{"name": "甲"}],
            "nature": "request",
            "category": "labour",
            "content": "工伤认定",
            "region": county.villages[0].code,
            "first_receipt": receipt.pk,
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["first_receiver"] == handler.username
    client.force_login(office)
    body = client.get("/reception/figures/").content.decode()
    assert "测试县人社局" in body
    client.force_login(handler)
    assert client.get("/reception/figures/").status_code == 403
    r = api_client(office).get("/api/v1/reception/figures/")
    assert (
        r.status_code == 200
        and r.json()["first_receipts"][0]["unit"] == "测试县人社局"
        and r.json()["collective"]["collective_visits"] == 0
    )
    assert api_client(handler).get("/api/v1/reception/figures/").status_code == 403
