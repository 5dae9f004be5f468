"""The coverage report: exact rows for a small county built here."""

from datetime import date, timedelta

import pytest

from xinfang.org.coverage import coverage_counts, coverage_report
from xinfang.org.models import NetworkPost, PostRole, Region, RegionLevel, Role, SupervisionGroup

TODAY = date(2026, 6, 1)


@pytest.fixture
def network(county):
    g = SupervisionGroup.objects.create(code="dcz-1", name="第一督查组")
    g.townships.add(county.townships[0])  # 第2镇 in no group
    for v in county.villages[:3]:  # 2镇2村 has no liaison
        NetworkPost.objects.create(role=PostRole.LIAISON, name=f"联{v.code}", region=v, start_on=TODAY)
    for grp in county.groups[:7]:  # the last group never had one
        NetworkPost.objects.create(role=PostRole.INFO_OFFICER, name=f"信{grp.code}", region=grp, start_on=TODAY)
    NetworkPost.objects.filter(region=county.groups[6]).update(ended_on=TODAY - timedelta(days=1))  # and this one left
    NetworkPost.objects.create(role=PostRole.HANDLER, name="何干事", region=county.villages[3], home_unit=county.township_unit2)
    sup = {"role": PostRole.SUPERVISOR, "supervision_group": g, "home_unit": county.dept, "start_on": TODAY - timedelta(days=300)}
    NetworkPost.objects.create(name="甲督查", trained_on=TODAY - timedelta(days=310), end_on=TODAY + timedelta(days=10), **sup)
    NetworkPost.objects.create(name="乙督查", trained_on=None, end_on=TODAY + timedelta(days=200), **sup)
    NetworkPost.objects.create(name="丙督查", trained_on=TODAY - timedelta(days=310), end_on=TODAY + timedelta(days=31), **sup)
    NetworkPost.objects.create(name="丁督查", trained_on=TODAY - timedelta(days=310), end_on=TODAY + timedelta(days=30), **sup)
    NetworkPost.objects.create(name="戊督查", trained_on=None, end_on=TODAY + timedelta(days=5), ended_on=TODAY, **sup)  # left: not listed
    return g


def rows(report):
    return {s.key: [(r.code, r.name, r.detail) for r in s.rows] for s in report}


def test_exact_rows(network, county, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        report = coverage_report(today=TODAY)
    got = rows(report)
    assert got["villages_without_liaison"] == [("T0022", "2镇2村", "未设联络员")]
    assert got["groups_without_info_officer"] == [("T00221", "2镇2村1组", "未设信息员"), ("T00222", "2镇2村2组", "未设信息员")]
    assert got["townships_without_group"] == [("T002", "第2镇", "未纳入任何督查组")]
    assert got["schools_short"] == [("school-1", "测试一中", "未设安全信息员")]
    assert [(name, detail) for _, name, detail in got["supervisors_untrained"]] == [("乙督查", "未登记岗前培训（原单位：测试县人社局）")]
    assert [(name, detail) for _, name, detail in got["supervisors_term_ending"]] == [
        ("甲督查", "抽调期满 2026-06-11（还剩 10 天）"),
        ("丁督查", "抽调期满 2026-07-01（还剩 30 天）"),
    ]
    assert coverage_counts(today=TODAY) == {s.key: s.count for s in report}


def test_rows_link_to_the_prefilled_fix(network, county):
    report = {s.key: s for s in coverage_report(today=TODAY)}
    assert report["villages_without_liaison"].rows[0].fix_url == "/org/posts/new/?role=liaison&region=T0022"
    assert report["groups_without_info_officer"].rows[0].fix_url == "/org/posts/new/?role=info_officer&region=T00221"
    assert report["schools_short"].rows[0].fix_url == "/org/posts/new/?role=safety_officer&school=school-1"
    assert report["townships_without_group"].rows[0].fix_url == "/org/supervision/?township=T002#add-township"
    untrained = NetworkPost.objects.get(name="乙督查")
    assert report["supervisors_untrained"].rows[0].fix_url == f"/org/posts/{untrained.pk}/training/"
    assert report["supervisors_term_ending"].rows[0].fix_url == "/org/posts/new/?role=supervisor&supervision_group=dcz-1&home_unit=dept-hr"


def test_school_below_a_raised_minimum(network, county):
    from xinfang.org.models import NetworkPolicy

    NetworkPost.objects.create(role=PostRole.SAFETY_OFFICER, name="甲老师", school=county.school)
    assert coverage_counts(today=TODAY)["schools_short"] == 0
    policy = NetworkPolicy.current()
    policy.safety_officers_min = 2
    policy.save()
    section = {s.key: s for s in coverage_report(today=TODAY)}["schools_short"]
    assert [(r.code, r.detail) for r in section.rows] == [("school-1", "安全信息员 1 名，少于下限 2 名")]


def test_query_count_does_not_grow_with_the_county(network, county, django_assert_max_num_queries):
    village = county.villages[3]
    for i in range(3, 40):
        Region.objects.create(code=f"{village.code}{i}", name=f"{i}组", level=RegionLevel.GROUP, parent=village)
    with django_assert_max_num_queries(8):
        report = coverage_report(today=TODAY)
    assert {s.key: s.count for s in report}["groups_without_info_officer"] == 39


def test_page_lists_the_rows_and_fix_links(client, make_user, network):
    client.force_login(make_user(Role.OFFICE))
    body = client.get("/org/coverage/").content.decode()
    assert "网络覆盖" in body and "2镇2村" in body and "乙督查" in body
    assert 'href="/org/posts/new/?role=liaison&amp;region=T0022"' in body
    assert "未纳入督查组的乡镇" in body and "第2镇" in body


def test_page_is_for_admin_and_office_only(client, make_user, network):
    client.force_login(make_user(Role.LIAISON))
    response = client.get("/org/coverage/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
