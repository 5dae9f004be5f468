"""The access log page and API (auditors), the grants page and API (registering office)."""

import pytest
from django.utils import timezone

from tests.tokens import api_headers
from xinfang.access import policy
from xinfang.access.models import AccessRecord, GrantRevocation, IdentityGrant, RespondentMatch
from xinfang.org.models import Role
from xinfang.petitions.models import Respondent

pytestmark = pytest.mark.django_db


def _api(client, user):
    return api_headers(user)


@pytest.fixture
def logged(world):
    clerk = world.users["clerk"]
    policy.identity_for_display(clerk, world.p_in, purpose="查看信访件详情", path=f"/petitions/{world.p_in.reg_no}/")
    policy.identity_for_display(world.users["office"], world.p_out, purpose="导出交办单", path="/x/")
    return world


def test_access_log_page_for_auditors_with_filters(logged, client):
    w = logged
    client.force_login(w.users["admin"])
    body = client.get("/access/log/").content.decode()
    assert "身份信息查看记录" in body and "共 2 条" in body and "查看信访件详情" in body and "导出交办单" in body
    body = client.get("/access/log/", {"user": "w_clerk"}).content.decode()
    assert "共 1 条" in body and "导出交办单" not in body
    body = client.get("/access/log/", {"petition": w.p_out.reg_no}).content.decode()
    assert "共 1 条" in body and "导出交办单" in body
    today = timezone.localdate().isoformat()
    assert "共 2 条" in client.get("/access/log/", {"date_from": today, "date_to": today}).content.decode()
    assert "共 0 条" in client.get("/access/log/", {"date_from": "2001-01-01", "date_to": "2001-01-02"}).content.decode()
    bad = client.get("/access/log/", {"date_from": "2026-02-02", "date_to": "2026-01-01"}).content.decode()
    assert "截止日期不能早于起始日期" in bad


@pytest.mark.parametrize("role", ["clerk", "leader", "unit_handler", "viewer"])
def test_access_log_page_refused_to_others(logged, client, role):
    client.force_login(logged.users[role])
    response = client.get("/access/log/")
    assert response.status_code == 403 and "只有系统管理员" in response.content.decode()


def test_access_log_api(logged, client):
    w = logged
    data = client.get("/api/v1/access/log/", {"user": "w_clerk"}, **_api(client, w.users["admin"])).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["user"] == "w_clerk" and row["petition"] == w.p_in.reg_no and row["purpose"] == "查看信访件详情"
    assert set(row["fields"]) == {"name", "id_number", "phone", "address", "work_unit"}
    denied = client.get("/api/v1/access/log/", **_api(client, w.users["leader"]))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    bad = client.get("/api/v1/access/log/", {"date_from": "not-a-date"}, **_api(client, w.users["admin"]))
    assert bad.status_code == 400 and "date_from" in bad.json()["error"]["fields"]


def test_log_queries_do_not_grow_with_rows(logged, client, django_assert_max_num_queries):
    w = logged
    for _ in range(20):
        policy.identity_for_display(w.users["clerk"], w.p_in, purpose="重复查看")
    client.force_login(w.users["admin"])
    client.get("/access/log/")
    with django_assert_max_num_queries(12):
        assert client.get("/access/log/").status_code == 200


def test_grants_page_grant_revoke_and_match(world, client, make_user):
    w = world
    url = f"/access/grants/{w.p_in.reg_no}/"
    client.force_login(w.users["office"])
    page = client.get(url).content.decode()
    assert "新增身份授权" in page and "王被反映" in page and w.users["unit_handler"].name in page
    # The respondent is never offered as a grantee.
    user_select = page.split('name="grantee_user"')[1].split("</select>")[0]
    assert f'value="{w.users["unit_handler"].pk}"' in user_select
    assert f'value="{w.users["respondent"].pk}"' not in user_select
    # Bad input: a clear message and nothing written.
    response = client.post(url, {"op": "grant", "grantee_user": w.users["unit_handler"].pk, "fields": ["name"], "reason": ""})
    assert response.status_code == 200 and "请检查标出的字段" in response.content.decode()
    assert not IdentityGrant.objects.exists()
    both = client.post(
        url,
        {
            "op": "grant",
            "grantee_user": w.users["unit_handler"].pk,
            "grantee_unit": w.county.dept2.pk,
            "fields": ["name"],
            "reason": "二选一测试",
        },
    )
    assert "二选一" in both.content.decode() and not IdentityGrant.objects.exists()
    response = client.post(
        url, {"op": "grant", "grantee_user": w.users["unit_handler"].pk, "fields": ["name", "phone"], "reason": "需电话核实"}
    )
    assert response.status_code == 302
    grant = IdentityGrant.objects.get()
    assert grant.fields == ["name", "phone"] and grant.granted_by == w.users["office"]
    assert "需电话核实" in client.get(url).content.decode()
    response = client.post(url, {"op": "revoke", "grant": grant.pk, "reason": "核实完毕"})
    assert response.status_code == 302 and GrantRevocation.objects.get().grant == grant
    # Confirm a same-name user as a respondent.
    other = make_user(Role.UNIT_HANDLER, unit=w.county.dept, username="w_zhao", name="赵某")
    r = Respondent.objects.create(petition=w.p_in, name="赵某", unit_name=w.county.dept.name)
    assert "同名账号：赵某" in client.get(url).content.decode()
    response = client.post(url, {"op": "match", "respondent": r.pk, "user": other.pk})
    assert response.status_code == 302 and RespondentMatch.objects.filter(respondent=r, user=other).exists()
    client.force_login(other)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role,status", [("leader", 403), ("unit_handler", 403), ("admin", 403), ("handler2", 404), ("respondent", 404)])
def test_grants_page_refusals(world, client, role, status):
    client.force_login(world.users[role])
    assert client.get(f"/access/grants/{world.p_in.reg_no}/").status_code == status
    assert client.post(f"/access/grants/{world.p_in.reg_no}/", {"op": "grant", "reason": "越权"}).status_code == status
    assert not IdentityGrant.objects.exists()


def test_grants_api(world, client):
    w = world
    url = f"/api/v1/access/petitions/{w.p_in.reg_no}/grants/"
    office = _api(client, w.users["office"])
    bad = client.post(url, {"grantee_user": "w_handler", "reason": ""}, content_type="application/json", **office)
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    unknown = client.post(url, {"grantee_user": "nobody", "reason": "需核实情况"}, content_type="application/json", **office)
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"] == {"grantee_user": ["用户不存在"]}
    ok = client.post(
        url, {"grantee_user": "w_handler", "fields": ["phone"], "reason": "需电话核实"}, content_type="application/json", **office
    )
    assert ok.status_code == 201 and ok.json()["fields"] == ["phone"] and ok.json()["revoked_at"] is None
    gid = ok.json()["id"]
    assert [g["id"] for g in client.get(url, **office).json()] == [gid]
    handler = _api(client, w.users["unit_handler"])
    assert client.get(url, **handler).status_code == 403
    assert client.get(url, **_api(client, w.users["handler2"])).status_code == 404
    denied = client.post(f"/api/v1/access/grants/{gid}/revoke/", {"reason": "越权撤销"}, content_type="application/json", **handler)
    assert denied.status_code == 403
    revoked = client.post(f"/api/v1/access/grants/{gid}/revoke/", {"reason": "核实完毕"}, content_type="application/json", **office)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    again = client.post(f"/api/v1/access/grants/{gid}/revoke/", {"reason": "再撤一次"}, content_type="application/json", **office)
    assert again.status_code == 409


def test_access_records_cannot_be_deleted(logged):
    from xinfang.core.errors import DomainError

    with pytest.raises(DomainError):
        AccessRecord.objects.all().delete()


def test_home_panel_for_auditors_only(logged, client):
    client.force_login(logged.users["admin"])
    body = client.get("/").content.decode()
    assert "保密与审计" in body and "今日身份信息查看" in body and 'href="/access/log/"' in body
    client.force_login(logged.users["office"])
    assert "保密与审计" not in client.get("/").content.decode()
