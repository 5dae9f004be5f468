"""The seed: "对群众集体上访要本着'先控制再化解'的原则，制定相应的工作预案" and "对集体上访事件，上访者单位领导必须在第一时间到达
现场，信访办及时报告上级主管领导，并知会公安、武警等部门派人到现场维持秩序". Registering a visit of 5 or more opens a
checklist from the unit's 预案; the office home shows open ones; the figures count collective visits and the leader's time."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register
from xinfang.reception import collective
from xinfang.reception.models import CollectiveVisitResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def register_visit(county, make_user):
    category = Category.objects.create(code="wages", name="欠薪", default_unit=county.dept)
    clerk = make_user(Role.CLERK)

    def _register(headcount, channel="visit", received_at=None, **kw):
        petition, _ = petition_register(
            actor=clerk,
            channel=channel,
            received_at=received_at or timezone.now(),
            petitioners=[{"name": "农民工甲"}],
            nature="request",
            category=category,
            content="某工地拖欠工资",
            region=county.villages[0],
            headcount=headcount,
            **kw,
        )
        return petition

    return _register


def test_registering_a_visit_of_five_opens_the_checklist_of_the_units_plan(county, office, register_visit):
    """对群众集体上访要本着"先控制再化解"的原则，制定相应的工作预案: the plan's own steps join the seed's four items."""
    collective.plan_save(
        actor=office,
        unit=county.office,
        visit_type="欠薪",
        title="欠薪集体访处置预案",
        steps="先控制再化解",
        checklist="人社局联合接谈\n当日答复",
    )
    assert register_visit(4).collective is False and not CollectiveVisitResponse.objects.exists()
    petition = register_visit(5, representatives=[{"name": "代表甲"}, {"name": "代表乙"}])
    response = CollectiveVisitResponse.objects.get(petition=petition)
    assert response.plan.title == "欠薪集体访处置预案" and response.opened_at == petition.received_at
    items = collective.checklist(response)
    assert [i["label"] for i in items] == [
        "单位领导第一时间到达现场",
        "报告上级主管领导",
        "知会公安等部门派人维持秩序",
        "推选代表（不超过5人）",
        "人社局联合接谈",
        "当日答复",
    ]
    assert [i["done"] for i in items] == [False, False, False, True, False, False]  # two representatives registered
    assert list(collective.open_plans(office)) == [response]
    # a letter signed by 5 is not a visit: no checklist
    register_visit(6, channel="letter")
    assert CollectiveVisitResponse.objects.count() == 1


def test_the_leader_on_site_the_superior_told_and_the_police_informed_are_each_a_record(county, office, register_visit):
    """上访者单位领导必须在第一时间到达现场，信访办及时报告上级主管领导，并知会公安."""
    start = timezone.now() - timedelta(minutes=40)
    petition = register_visit(30, received_at=start)
    response = petition_response(petition)
    collective.collective_leader_arrived(
        actor=office, pk=response.pk, name="工作人员", at=start + timedelta(minutes=5), is_unit_leader=False
    )
    collective.collective_leader_arrived(actor=office, pk=response.pk, name="镇党委书记", at=start + timedelta(minutes=18))
    collective.collective_step_record(
        actor=office, pk=response.pk, kind="superior_told", person="分管副县长", at=start + timedelta(minutes=3)
    )
    collective.collective_step_record(actor=office, pk=response.pk, kind="police_informed", person="城关派出所 王警官")
    collective.collective_representatives_set(actor=office, pk=response.pk, count=5)
    response.refresh_from_db()
    items = {i["key"]: i for i in collective.checklist(response)}
    assert all(i["done"] for i in items.values()), items
    assert items["leader"]["detail"].startswith("镇党委书记") and "用时18分钟" in items["leader"]["detail"]
    assert collective.leader_minutes(response) == 18
    with pytest.raises(InvalidInput) as exc:
        collective.collective_representatives_set(actor=office, pk=response.pk, count=6)
    assert exc.value.fields == {"representatives_count": ["代表不超过5人"]}
    with pytest.raises(InvalidInput):
        collective.collective_leader_arrived(actor=office, pk=response.pk, name="某", at=start - timedelta(hours=1))
    collective.collective_plan_close(actor=office, pk=response.pk, outcome="当日达成分期支付方案")
    assert list(collective.open_plans(office)) == []
    assert petition.events.order_by("-seq").first().action == "collective_plan"
    with pytest.raises(InvalidTransition):
        collective.collective_step_record(actor=office, pk=response.pk, kind="superior_told", person="x")


def petition_response(petition):
    return CollectiveVisitResponse.objects.get(petition=petition)


def test_the_figures_count_collective_visits_and_how_fast_the_leader_arrived(county, office, register_visit):
    start = timezone.now() - timedelta(hours=2)
    a, b = register_visit(10, received_at=start), register_visit(6, received_at=start)
    register_visit(2)
    collective.collective_leader_arrived(actor=office, pk=petition_response(a).pk, name="局长", at=start + timedelta(minutes=10))
    collective.collective_leader_arrived(actor=office, pk=petition_response(b).pk, name="镇长", at=start + timedelta(minutes=30))
    today = timezone.localdate()
    figures = collective.figures(start=today - timedelta(days=1), end=today)
    assert figures == {
        "collective_visits": 2,
        "headcount": 16,
        "plans": 2,
        "open": 2,
        "leader_arrived": 2,
        "leader_minutes_avg": 20,
        "leader_minutes_max": 30,
    }
    assert collective.figures(start=date(2025, 1, 1), end=date(2025, 1, 31))["collective_visits"] == 0


def test_pages_plans_editable_checklist_and_home(client, county, office, register_visit, make_user):
    client.force_login(office)
    r = client.post(
        "/reception/plans/",
        {
            "unit": county.office.pk,
            "visit_type": "欠薪",
            "title": "欠薪预案",
            "steps": "先控制再化解",
            "checklist": "联合接谈",
            "active": "on",
        },
        follow=True,
    )
    assert "已保存预案" in r.content.decode()
    petition = register_visit(8)
    response = petition_response(petition)
    assert response.checklist_items() == ["联合接谈"]
    url = f"/reception/collective/{response.pk}/"
    assert "联合接谈" in client.get(url).content.decode()
    client.post(url, {"op": "leader", "name": "局长", "is_unit_leader": "on", "at": ""})
    client.post(url, {"op": "plan_step", "label": "联合接谈", "person": "人社局信访科", "at": ""})
    body = client.get(url).content.decode()
    assert "局长" in body and "人社局信访科" in body
    assert "打开处置清单" in client.get(f"/petitions/{petition.reg_no}/").content.decode()
    home = client.get("/").content.decode()
    assert "集体访处置中（清单未完毕）" in home
    assert "领导到场平均用时" in client.get("/reception/figures/").content.decode()
    client.force_login(make_user(Role.UNIT_HANDLER, unit=county.dept2))
    assert client.get(url).status_code == 404
    with pytest.raises(NoPermission):
        collective.collective_step_record(
            actor=make_user(Role.UNIT_HANDLER, unit=county.dept2), pk=response.pk, kind="superior_told", person="x"
        )
