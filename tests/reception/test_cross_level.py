"""The seed: "对越级上访者，做好宣传和疏导工作，及时准确向上一级领导和主管部门报告情况，并明确责成有关部门和责任主体单位采取积极
措施". A guidance record and a report upward, visible to the office; never a sanction: the petitioner's next petition
is registered like any other, and nothing records anything about them."""

import pytest
from django.utils import timezone

from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register
from xinfang.reception import cross_level
from xinfang.reception.models import CrossLevelReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(county, make_user):
    category = Category.objects.create(code="land", name="征地拆迁", default_unit=county.dept2)
    clerk = make_user(Role.CLERK)

    def _register(**kw):
        petition, _ = petition_register(
            actor=clerk,
            channel="visit",
            received_at=timezone.now(),
            petitioners=[{"name": "李某", "id_number": "", "phone": "13800138001"}],
            nature="request",
            category=category,
            content="反映征地补偿标准过低，已到市里反映",
            region=county.villages[0],
            cross_level=True,
            **kw,
        )
        return petition

    return _register


def test_the_office_records_guidance_and_reports_upward(county, make_user, visit):
    """做好宣传和疏导工作，及时准确向上一级领导和主管部门报告情况，并明确责成有关部门和责任主体单位采取积极措施."""
    office = make_user(Role.OFFICE)
    petition = visit()
    assert list(cross_level.open_cross_level(office)) == [petition]
    report = cross_level.cross_level_report(
        actor=office,
        reg_no=petition.reg_no,
        guidance="讲解《信访工作条例》逐级反映的规定，说明本县受理渠道和办理时限",
        reported_to_unit=county.leadership,
        situation="李某反映征地补偿问题，已到市信访局反映，本县已登记受理",
        responsible_unit=county.dept2,
        measures="自然资源局3日内核实补偿标准并答复",
    )
    assert (report.reported_to, report.responsible_unit) == ("测试县政府", county.dept2)
    event = petition.events.order_by("-seq").first()
    assert event.action == "cross_level_guidance" and event.data["reported_to"] == "测试县政府" and not event.public
    assert list(cross_level.open_cross_level(office)) == []


def test_no_sanction_of_any_kind(county, make_user, visit):
    """The system serves the petitioner's right to be heard: a second cross-level visit by the same person is registered,
    first-time flags and time limits as usual; the record has no field about the petitioner."""
    office = make_user(Role.OFFICE)
    first = visit()
    cross_level.cross_level_report(actor=office, reg_no=first.reg_no, guidance="说明渠道", reported_to="市信访局", situation="已报告")
    second = visit()
    assert second.status == "registered" and second.due_at is not None and second.cross_level
    fields = {f.name for f in CrossLevelReport._meta.get_fields()}
    assert not fields & {"petitioner", "petitioners", "person", "id_number", "phone", "name", "score", "risk", "blocked"}


def test_only_the_office_or_a_leader_records_it_and_only_for_a_cross_level_petition(county, make_user, visit):
    petition = visit()
    with pytest.raises(NoPermission):
        cross_level.cross_level_report(
            actor=make_user(Role.UNIT_HANDLER), reg_no=petition.reg_no, guidance="x", reported_to="x", situation="x"
        )
    office = make_user(Role.OFFICE)
    with pytest.raises(InvalidInput) as exc:
        cross_level.cross_level_report(actor=office, reg_no=petition.reg_no, guidance="", reported_to="", situation="")
    assert "guidance" in exc.value.fields


def test_the_petition_page_shows_the_record_and_the_office_list(client, county, make_user, visit):
    office = make_user(Role.OFFICE)
    petition = visit()
    client.force_login(office)
    body = client.get(f"/petitions/{petition.reg_no}/").content.decode()
    assert "越级访：宣传疏导与报告" in body and "尚未记录宣传疏导" in body
    assert petition.reg_no in client.get("/reception/cross-level/").content.decode()
    r = client.post(
        f"/reception/cross-level/{petition.reg_no}/",
        {
            "guidance": "说明逐级反映渠道",
            "reported_to": "市信访局",
            "situation": "已电话报告",
            "reported_to_unit": "",
            "responsible_unit": "",
        },
        follow=True,
    )
    body = r.content.decode()
    assert "已记录越级访的宣传疏导与报告" in body and "报告 市信访局" in body
    assert petition.reg_no not in client.get("/reception/cross-level/").content.decode()


def test_the_home_panel_counts_the_cross_level_petitions_awaiting_a_report_up_to_the_lists_fifty(county, make_user):
    """The office's home page: the number the cross-level page lists, "50+" beyond the 50 it shows."""
    from tests.supervision.factories import make_petition
    from xinfang.reception.apps import reception_panel

    office = make_user(Role.OFFICE)

    def shown():
        (panel,) = reception_panel(type(office).objects.get(pk=office.pk))
        return dict((label, value) for label, value, *_ in panel["items"])["越级访待疏导报告"]

    assert shown() == "0"
    for _ in range(50):
        make_petition(county, due_at=None, cross_level=True)
    assert shown() == "50"
    make_petition(county, due_at=None, cross_level=True)
    assert shown() == "50+"
