"""The coverage API, the settings pages and the post forms."""

from datetime import date

import pytest

from tests.tokens import api_headers
from xinfang.org.models import LeadingGroupMember, NetworkPost, PostRole, Role, SupervisionGroup


@pytest.fixture
def office_client(client, make_user):
    client.force_login(make_user(Role.OFFICE))
    return client


def token_header(user):
    return api_headers(user)


def test_coverage_api(client, make_user, county):
    NetworkPost.objects.create(role=PostRole.LIAISON, name="张三", region=county.villages[0])
    response = client.get("/api/v1/org/coverage/", **token_header(make_user(Role.OFFICE)))
    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {
        "villages_without_liaison": 3,
        "groups_without_info_officer": 8,
        "townships_without_group": 2,
        "schools_short": 1,
        "supervisors_untrained": 0,
        "supervisors_term_ending": 0,
    }
    assert data["total"] == 14
    villages = next(s for s in data["sections"] if s["key"] == "villages_without_liaison")
    assert [r["code"] for r in villages["rows"]] == ["T0012", "T0021", "T0022"]
    assert villages["rows"][0] == {
        "code": "T0012",
        "name": "1镇2村",
        "where": "第1镇",
        "detail": "未设联络员",
        "fix_url": "/org/posts/new/?role=liaison&region=T0012",
        "fix_label": "设置联络员",
    }


@pytest.mark.parametrize("role", [Role.CLERK, Role.LIAISON, Role.UNIT_HANDLER, Role.VIEWER])
def test_coverage_api_refuses_other_roles(client, make_user, role):
    response = client.get("/api/v1/org/coverage/", **token_header(make_user(role)))
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_coverage_api_needs_login(client):
    assert client.get("/api/v1/org/coverage/").status_code == 401


@pytest.mark.parametrize(
    "url",
    ["/org/", "/org/regions/T001/", "/org/regions/T0011/", "/org/units/", "/org/units/school-1/", "/org/supervision/", "/org/import/"],
)
def test_settings_pages_render_in_chinese(office_client, county, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = office_client.get(url)
    assert response.status_code == 200
    assert "组织网络" in response.content.decode() or "单位" in response.content.decode() or "督查组" in response.content.decode()


def test_unknown_region_is_404(office_client, county):
    assert office_client.get("/org/regions/nope/").status_code == 404


def test_region_browser_shows_posts_and_gaps(office_client, county):
    NetworkPost.objects.create(role=PostRole.LIAISON, name="张联络", phone="13900000000", region=county.villages[0])
    body = office_client.get("/org/regions/T001/").content.decode()
    assert "张联络" in body and "13900000000" in body
    assert body.count("缺联络员") == 1  # 1镇2村 only
    assert "?role=liaison&region=T0012" in body


def test_post_form_is_prefilled_from_the_coverage_link(office_client, county):
    body = office_client.get("/org/posts/new/?role=liaison&region=T0012").content.decode()
    assert '<option value="T0012" selected>第1镇1镇2村（T0012）</option>' in body


def test_post_form_creates_a_liaison(office_client, county):
    response = office_client.post(
        "/org/posts/new/", {"role": "liaison", "region": "T0012", "name": "王联络", "phone": "13900000009", "start_on": "2026-03-01"}
    )
    assert response.status_code == 302 and response["Location"] == "/org/regions/T001/"
    post = NetworkPost.objects.get(role=PostRole.LIAISON)
    assert (post.name, post.region.code, post.start_on) == ("王联络", "T0012", date(2026, 3, 1))


def test_post_form_links_an_account_and_the_home_shows_the_post(office_client, client, county, make_user):
    liaison = make_user(Role.LIAISON, username="lin")
    data = {"role": "liaison", "region": "T0012", "name": "林联络", "start_on": "2026-03-01", "username": "nobody"}
    body = office_client.post("/org/posts/new/", data).content.decode()
    assert "登录账号 nobody 不存在或已停用" in body and not NetworkPost.objects.exists()
    data["username"] = "lin"
    assert office_client.post("/org/posts/new/", data).status_code == 302
    assert NetworkPost.objects.get().user == liaison


def test_leading_group_member_with_an_account(office_client, county, make_user):
    head = make_user(Role.UNIT_HANDLER, username="principal", unit=county.school)
    response = office_client.post("/org/units/school-1/", {"name": "校长甲", "position": "head", "post": "校长", "username": "principal"})
    assert response.status_code == 302
    assert LeadingGroupMember.objects.get(unit=county.school).user == head


def test_post_form_shows_the_rule_in_chinese_and_writes_nothing(office_client, county):
    NetworkPost.objects.create(role=PostRole.LIAISON, name="张三", region=county.villages[0])
    response = office_client.post("/org/posts/new/", {"role": "liaison", "region": "T0011", "name": "李四", "start_on": "2026-03-01"})
    body = response.content.decode()
    assert response.status_code == 200 and "该村已有联络员：张三，请先办理离岗" in body
    assert NetworkPost.objects.count() == 1


def test_supervisor_form_refuses_untrained(office_client, county):
    SupervisionGroup.objects.create(code="dcz-1", name="第一督查组")
    data = {
        "role": "supervisor",
        "supervision_group": "dcz-1",
        "home_unit": "dept-hr",
        "name": "赵",
        "birth_date": "1996-01-01",
        "start_on": "2026-03-01",
    }
    body = office_client.post("/org/posts/new/", data).content.decode()
    assert "督查员须先完成岗前培训方可上岗" in body and not NetworkPost.objects.exists()
    data["trained_on"] = "2026-02-01"
    assert office_client.post("/org/posts/new/", data).status_code == 302
    assert NetworkPost.objects.get().end_on == date(2027, 3, 1)


def test_end_post_page_keeps_the_row(office_client, county):
    post = NetworkPost.objects.create(role=PostRole.LIAISON, name="张三", region=county.villages[0], start_on=date(2026, 1, 1))
    response = office_client.post(f"/org/posts/{post.pk}/end/", {"ended_on": "2026-03-01", "reason": "调动"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.ended_on == date(2026, 3, 1) and "调动" in post.note
    again = office_client.post(f"/org/posts/{post.pk}/end/", {"ended_on": "2026-03-02"}, follow=True).content.decode()
    assert "该岗位已离岗" in again


def test_unit_page_shows_leading_group_and_staff(office_client, county, make_user):
    LeadingGroupMember.objects.create(unit=county.dept, name="刘局长", post="局长", position="head")
    make_user(Role.UNIT_HANDLER, name="钱科长")
    body = office_client.get("/org/units/dept-hr/").content.decode()
    assert "信访工作领导小组" in body and "刘局长" in body and "组长" in body and "钱科长" in body
    body = office_client.post("/org/units/dept-hr/", {"name": "周局长", "position": "head"}, follow=True).content.decode()
    assert "已有组长：刘局长" in body


def test_supervision_page_adds_a_township(office_client, county):
    group = SupervisionGroup.objects.create(code="dcz-1", name="第一督查组")
    body = office_client.get("/org/supervision/?township=T002").content.decode()
    assert "第一督查组" in body and "未纳入督查组：第1镇、第2镇" in body
    assert office_client.post("/org/supervision/", {"group": "dcz-1", "township": "T002"}).status_code == 302
    assert list(group.townships.values_list("code", flat=True)) == ["T002"]


@pytest.mark.parametrize("role", [Role.CLERK, Role.LIAISON, Role.LEADER])
def test_settings_are_closed_to_other_roles(client, make_user, county, role):
    client.force_login(make_user(role))
    assert client.get("/org/").status_code == 403
    assert client.post("/org/posts/new/", {"role": "liaison", "region": "T0011", "name": "x", "start_on": "2026-03-01"}).status_code == 403
    assert not NetworkPost.objects.exists()


def test_home_panels(client, make_user, county):
    liaison = make_user(Role.LIAISON)
    NetworkPost.objects.create(role=PostRole.LIAISON, user=liaison, name=liaison.name, region=county.villages[0], start_on=date(2026, 1, 1))
    client.force_login(liaison)
    body = client.get("/").content.decode()
    assert "我的岗位" in body and "第1镇1镇1村" in body and "所在乡镇党委、县信访局" in body
    client.force_login(make_user(Role.OFFICE))
    body = client.get("/").content.decode()
    assert "网络覆盖" in body and "未设联络员的村" in body and 'href="/org/coverage/#villages_without_liaison"' in body


def test_posts_api_create_list_and_end(client, make_user, county):
    headers = token_header(make_user(Role.OFFICE))
    created = client.post(
        "/api/v1/org/posts/",
        {"role": "liaison", "name": "张三", "phone": "13900000000", "region": "T0011", "start_on": "2026-03-01"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    body = created.json()[0]
    assert (body["role"], body["role_label"], body["region"], body["managed_by"]) == (
        "liaison",
        "联络员",
        "T0011",
        "所在乡镇党委、县信访局",
    )
    second = client.post(
        "/api/v1/org/posts/", {"role": "liaison", "name": "李四", "region": "T0011"}, content_type="application/json", **headers
    )
    assert second.status_code == 400
    assert second.json()["error"] == {
        "code": "invalid",
        "message": "该村已有联络员：张三，请先办理离岗",
        "fields": {"region": ["已有联络员：张三"]},
    }
    listed = client.get("/api/v1/org/posts/?region=T001&role=liaison", **headers).json()
    assert [p["name"] for p in listed] == ["张三"]
    assert client.get("/api/v1/org/posts/?region=T002", **headers).json() == []
    ended = client.post(
        f"/api/v1/org/posts/{body['id']}/end/", {"ended_on": "2026-04-01", "reason": "调动"}, content_type="application/json", **headers
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-04-01"
    again = client.post(f"/api/v1/org/posts/{body['id']}/end/", {}, content_type="application/json", **headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert client.get("/api/v1/org/posts/?role=liaison", **headers).json() == []
    assert len(client.get("/api/v1/org/posts/?role=liaison&active=0", **headers).json()) == 1


def test_posts_api_bad_codes_are_field_errors(client, make_user, county):
    headers = token_header(make_user(Role.OFFICE))
    response = client.post("/api/v1/org/posts/", {"role": "cook", "name": "", "region": "nope"}, content_type="application/json", **headers)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"role", "name", "region"}
    assert not NetworkPost.objects.exists()


def test_posts_api_is_for_managers(client, make_user, county):
    headers = token_header(make_user(Role.LIAISON))
    assert client.get("/api/v1/org/posts/", **headers).status_code == 403
    response = client.post(
        "/api/v1/org/posts/", {"role": "liaison", "name": "x", "region": "T0011"}, content_type="application/json", **headers
    )
    assert response.status_code == 403 and not NetworkPost.objects.exists()


def test_region_browser_counts_gaps_under_each_township(office_client, county, django_assert_max_num_queries):
    NetworkPost.objects.create(role=PostRole.LIAISON, name="甲", region=county.villages[0])
    NetworkPost.objects.create(role=PostRole.INFO_OFFICER, name="乙", region=county.groups[0])
    with django_assert_max_num_queries(15):
        body = office_client.get("/org/").content.decode()
    assert "1 村缺联络员" in body and "3 组缺信息员" in body  # 第1镇: 1 of 2 villages, 3 of 4 groups
    assert "2 村缺联络员" in body and "4 组缺信息员" in body  # 第2镇: nothing yet
    body = office_client.get("/org/regions/T001/").content.decode()
    assert "1 组缺信息员" in body and "2 组缺信息员" in body
