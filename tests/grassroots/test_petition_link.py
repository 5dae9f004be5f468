import pytest

from xinfang.core.errors import InvalidTransition, NoPermission
from xinfang.grassroots import selectors, services
from xinfang.grassroots.models import DisputeEvent
from xinfang.org.models import Role
from xinfang.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(county):
    return Category.objects.create(code="land", name="国土资源", default_unit=county.dept2)


def test_dispute_to_petition_links_both_ways(net, dispute, category, make_user, client):
    with pytest.raises(NoPermission):
        services.dispute_to_petition(
            actor=net.twp, dispute_id=dispute.pk, version=dispute.version, channel="visit", nature="request", category=category
        )
    clerk = make_user(Role.CLERK)
    d, petition, code = services.dispute_to_petition(
        actor=clerk,
        dispute_id=dispute.pk,
        version=dispute.version,
        channel="visit",
        nature="request",
        category=category,
        requests="确认宅基地边界",
    )
    assert code and petition.reg_no
    assert (d.petition, d.status, d.due_at) == (petition, "petitioned", None)
    assert list(selectors.disputes_for_petition(petition)) == [d]
    assert sorted(p.name for p in petition.petitioners.all()) == ["张三丰", "李四海"]
    assert petition.region == net.g1 and dispute.number in petition.content
    assert DisputeEvent.objects.filter(dispute=d, action="petition").get().data["reg_no"] == petition.reg_no
    with pytest.raises(InvalidTransition):
        services.dispute_to_petition(actor=clerk, dispute_id=d.pk, version=d.version, channel="visit", nature="request", category=category)
    assert Petition.objects.count() == 1
    client.force_login(net.office)
    assert petition.reg_no in client.get(f"/grassroots/disputes/{d.pk}/").content.decode()


def test_dispute_to_petition_page(net, dispute, category, client):
    client.force_login(net.office)
    resp = client.post(
        f"/grassroots/disputes/{dispute.pk}/petition/",
        {"version": dispute.version, "channel": "visit", "nature": "request", "category": category.pk, "requests": ""},
    )
    assert resp.status_code == 302
    dispute.refresh_from_db()
    assert dispute.petition is not None
    # The query code only on the receipt right after registration (never in a flash message), once.
    assert resp.url.startswith(f"/petitions/{dispute.petition.reg_no}/receipt/?t=")
    first = client.get(resp.url).content.decode()
    assert 'id="query-code"' in first and "查询码" in first
    again = client.get(resp.url).content.decode()
    assert 'id="query-code"' not in again and "已告知" in again
    page = client.get(f"/grassroots/disputes/{dispute.pk}/").content.decode()
    assert "查询码" not in page


def test_report_to_petition_page_shows_the_code_on_the_receipt_only(net, category, client):
    r = services.report_file(actor=net.liaison, region=net.v1, text="二十余户反映征地补偿未到位", headcount=22)
    client.force_login(net.office)
    resp = client.post(
        f"/grassroots/reports/{r.pk}/",
        {
            "action": "to_petition",
            "version": r.version,
            "channel": "visit",
            "nature": "request",
            "category": category.pk,
            "petitioner_name": "王五",
        },
    )
    assert resp.status_code == 302 and "/receipt/?t=" in resp.url
    assert 'id="query-code"' in client.get(resp.url).content.decode()
    assert "查询码" not in client.get(f"/grassroots/reports/{r.pk}/").content.decode()


def test_report_to_petition(net, category):
    r = services.report_file(actor=net.liaison, region=net.v1, text="二十余户反映征地补偿未到位", headcount=22)
    r, petition, _ = services.report_to_petition(
        actor=net.office,
        report_id=r.pk,
        version=r.version,
        channel="visit",
        nature="request",
        category=category,
        petitioners=[{"name": "王五"}],
    )
    assert (r.status, r.petition, petition.headcount, petition.content) == ("converted", petition, 22, "二十余户反映征地补偿未到位")
