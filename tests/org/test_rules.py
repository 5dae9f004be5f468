"""The network rules of services.py, each with its Chinese refusal."""

from datetime import date, timedelta

import pytest
import time_machine

from xinfang.core.errors import Conflict, InvalidInput, NoPermission
from xinfang.org import services
from xinfang.org.models import LeadingGroupMember, NetworkPolicy, NetworkPost, PostRole, Role, SupervisionGroup

START = date(2026, 3, 1)


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def group(county):
    g = SupervisionGroup.objects.create(code="dcz-1", name="第一督查组")
    g.townships.add(county.townships[0])
    return g


def post_supervisor(office, group, county, **over):
    data = {
        "actor": office,
        "name": "赵督查",
        "supervision_group": group,
        "home_unit": county.dept,
        "birth_date": date(1995, 6, 1),
        "trained_on": date(2026, 2, 20),
        "start_on": START,
    }
    data.update(over)
    return services.supervisor_post(**data)


def test_one_liaison_per_village(office, county):
    village = county.villages[0]
    services.liaison_post(actor=office, name="张三", village=village, start_on=START)
    with pytest.raises(InvalidInput) as exc:
        services.liaison_post(actor=office, name="李四", village=village, start_on=START)
    assert exc.value.message == "该村已有联络员：张三，请先办理离岗"
    assert NetworkPost.objects.filter(role=PostRole.LIAISON, region=village).count() == 1


def test_liaison_after_the_first_ends_and_the_old_row_is_kept(office, county):
    village = county.villages[0]
    first = services.liaison_post(actor=office, name="张三", village=village, start_on=START)
    services.network_post_end(actor=office, post=first, ended_on=date(2026, 4, 1), reason="调动")
    services.liaison_post(actor=office, name="李四", village=village, start_on=date(2026, 4, 2))
    rows = list(NetworkPost.objects.filter(role=PostRole.LIAISON, region=village).order_by("start_on").values_list("name", "ended_on"))
    assert rows == [("张三", date(2026, 4, 1)), ("李四", None)]


def test_ending_twice_is_a_conflict(office, county):
    post = services.liaison_post(actor=office, name="张三", village=county.villages[0], start_on=START)
    stale = NetworkPost.objects.get(pk=post.pk)
    services.network_post_end(actor=office, post=post, ended_on=START)
    with pytest.raises(Conflict):
        services.network_post_end(actor=office, post=stale, ended_on=START)


def test_liaison_must_be_posted_to_a_village(office, county):
    with pytest.raises(InvalidInput) as exc:
        services.liaison_post(actor=office, name="张三", village=county.groups[0], start_on=START)
    assert "不是行政村/社区" in exc.value.message and exc.value.fields == {"region": ["须为行政村/社区"]}


def test_one_info_officer_per_group(office, county):
    grp = county.groups[0]
    services.info_officer_post(actor=office, name="王五", group=grp, start_on=START)
    with pytest.raises(InvalidInput) as exc:
        services.info_officer_post(actor=office, name="赵六", group=grp, start_on=START)
    assert exc.value.message == "该村民小组已有信息员：王五，请先办理离岗"
    services.info_officer_post(actor=office, name="赵六", group=county.groups[1], start_on=START)
    assert NetworkPost.objects.filter(role=PostRole.INFO_OFFICER).count() == 2


def test_one_to_three_safety_officers_per_school(office, county):
    for name in ["甲老师", "乙老师", "丙老师"]:
        services.safety_officer_post(actor=office, name=name, school=county.school, start_on=START)
    with pytest.raises(InvalidInput) as exc:
        services.safety_officer_post(actor=office, name="丁老师", school=county.school, start_on=START)
    assert "每校最多 3 名" in exc.value.message
    assert NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=county.school).count() == 3


def test_safety_officer_only_at_a_school(office, county):
    with pytest.raises(InvalidInput, match="不是学校"):
        services.safety_officer_post(actor=office, name="甲", school=county.dept, start_on=START)


def test_supervisor_needs_training_before_posting(office, group, county):
    with pytest.raises(InvalidInput) as exc:
        post_supervisor(office, group, county, trained_on=None)
    assert exc.value.message == "督查员须先完成岗前培训方可上岗"
    with pytest.raises(InvalidInput, match="培训日期晚于上岗日期"):
        post_supervisor(office, group, county, trained_on=START + timedelta(days=1))
    assert not NetworkPost.objects.filter(role=PostRole.SUPERVISOR).exists()


def test_supervisor_age_limit_at_selection(office, group, county):
    # 35 on the selection day is allowed; 36 is not.
    ok = post_supervisor(office, group, county, birth_date=date(1990, 12, 1), selected_on=date(2025, 12, 1))
    assert ok.pk
    with pytest.raises(InvalidInput) as exc:
        post_supervisor(office, group, county, name="钱督查", birth_date=date(1989, 11, 30), selected_on=date(2025, 12, 1))
    assert exc.value.message == "选调时年龄 36 岁，超过督查员年龄上限 35 岁"


def test_supervisor_age_limit_is_configurable(office, group, county):
    policy = NetworkPolicy.current()
    policy.supervisor_max_age = 40
    policy.save()
    post = post_supervisor(office, group, county, birth_date=date(1987, 1, 1))
    assert post.pk


def test_supervisor_term_defaults_to_one_year(office, group, county):
    post = post_supervisor(office, group, county, start_on=date(2026, 1, 31), trained_on=date(2026, 1, 10))
    assert post.end_on == date(2027, 1, 31)
    explicit = post_supervisor(office, group, county, name="孙督查", end_on=date(2026, 9, 1))
    assert explicit.end_on == date(2026, 9, 1)


def test_term_follows_the_policy_months(office, group, county):
    policy = NetworkPolicy.current()
    policy.supervisor_term_months = 6
    policy.save()
    assert post_supervisor(office, group, county, start_on=date(2026, 8, 31), trained_on=date(2026, 8, 1)).end_on == date(2027, 2, 28)


def test_training_can_be_recorded_later(office, group, county):
    post = NetworkPost.objects.create(role=PostRole.SUPERVISOR, name="未训", supervision_group=group, start_on=START)
    with time_machine.travel(date(2026, 5, 1)):
        services.supervisor_record_training(actor=office, post=post, trained_on=date(2026, 4, 1))
    assert NetworkPost.objects.get(pk=post.pk).trained_on == date(2026, 4, 1)


def test_handlers_one_row_per_village_of_their_own_township(office, county):
    posts = services.handler_post(actor=office, name="何干事", home_unit=county.township_unit, villages=county.villages[:2], start_on=START)
    assert [p.region.code for p in posts] == ["T0011", "T0012"]
    with pytest.raises(InvalidInput, match="只能包联本乡镇的村"):
        services.handler_post(actor=office, name="何干事", home_unit=county.township_unit, villages=[county.villages[2]], start_on=START)


def test_one_head_per_leading_group(office, county):
    services.leading_group_member_add(actor=office, unit=county.dept, name="刘局长", position="head", post="局长")
    services.leading_group_member_add(actor=office, unit=county.dept, name="陈副局长", position="deputy")
    with pytest.raises(InvalidInput) as exc:
        services.leading_group_member_add(actor=office, unit=county.dept, name="周局长", position="head")
    assert exc.value.message == "测试县人社局信访工作领导小组已有组长：刘局长"
    assert LeadingGroupMember.objects.filter(unit=county.dept).count() == 2


def test_township_in_one_supervision_group_only(office, group, county):
    other = SupervisionGroup.objects.create(code="dcz-2", name="第二督查组")
    with pytest.raises(InvalidInput, match="已由第一督查组包联"):
        services.supervision_group_add_township(actor=office, group=other, township=county.townships[0])


def test_dual_management_is_shown_per_role(office, county):
    post = services.liaison_post(actor=office, name="张三", village=county.villages[0], start_on=START)
    assert post.managed_by == "所在乡镇党委、县信访局"
    assert NetworkPost(role=PostRole.SUPERVISOR).managed_by == "县联席办"


@pytest.mark.parametrize("role", [Role.CLERK, Role.LIAISON, Role.VIEWER, Role.LEADER])
def test_only_admin_and_office_change_the_network(make_user, county, role):
    with pytest.raises(NoPermission):
        services.liaison_post(actor=make_user(role), name="张三", village=county.villages[0], start_on=START)
    assert not NetworkPost.objects.exists()


def test_database_refuses_a_second_active_liaison_even_past_the_service(county):
    from django.db import IntegrityError, transaction

    NetworkPost.objects.create(role=PostRole.LIAISON, name="甲", region=county.villages[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkPost.objects.create(role=PostRole.LIAISON, name="乙", region=county.villages[0])
