import pytest
from django.core.cache import cache

from tests.portal.factories import make_category
from xinfang.org.models import Role
from xinfang.petitions import services as ps


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_county(county):
    county.office.duty_phone = "0000-1234567"
    county.office.save()
    county.category = make_category("labour", "劳动社保", county.dept, "工资,欠薪")
    county.category2 = make_category("discipline", "纪检监察", county.dept2, "贪污,受贿")
    return county


@pytest.fixture
def office(make_user, portal_county):
    return make_user(Role.OFFICE, name="王办事员")


@pytest.fixture
def submit_petition(portal_county):
    from xinfang.portal import services

    def _submit(**kw):
        data = {
            "nature": "request",
            "category_code": "labour",
            "region_code": portal_county.villages[0].code,
            "content": "公司拖欠我三个月工资。",
            "requests": "请求支付工资",
            "name": "李信访",
            "phone": "13800138000",
            "id_number": "",
            "address": "测试县第1镇1村",
        }
        data.update(kw)
        return services.portal_submit(**data)

    return _submit


@pytest.fixture
def drive_to_reply(office):
    """The office handles the petition itself and replies (accepted → result_reported → awaiting_reply → replied)."""

    def _drive(petition, text="经调查，公司已于本月支付拖欠的工资。"):
        p = ps.petition_accept(actor=office, petition_or_reg_no=petition.reg_no, version=petition.version, note="内部备注：请王科长跟进")
        p = ps.petition_report_result(
            actor=office,
            petition_or_reg_no=p.reg_no,
            version=p.version,
            outcome="full",
            findings="内部核查：张经理承认欠薪",
            reply_draft="",
        )
        p = ps.petition_approve_result(actor=office, petition_or_reg_no=p.reg_no, version=p.version, note="同意")
        return ps.petition_reply(actor=office, petition_or_reg_no=p.reg_no, version=p.version, method="letter", text=text)

    return _drive


@pytest.fixture
def channel(portal_county):
    """An Open311 client (a 12345 hotline) with the api_key test-open311-key."""
    from xinfang.portal import services

    client, _key = services.open311_client_create(name="12345热线", channel_code="hotline12345", api_key="test-open311-key")
    return client
