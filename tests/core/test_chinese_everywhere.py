"""Issue 18 item 6: Chinese whatever the browser says, the system's own name in the admin, Chinese labels instead of
internal codes, natural result sentences, long texts folded."""

import re

import pytest

from xinfang.org.models import Role
from xinfang.petitions import result_lines

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def visible(html: str) -> str:
    """The page's text as a reader sees it: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_login_form_errors_are_chinese_for_an_english_browser(client):
    body = client.post("/login/", {"username": "nobody", "password": "wrong"}, **ENGLISH).content.decode()
    assert "用户名或密码错误" in body
    assert "Please enter" not in body and "This field" not in body


@pytest.mark.django_db
def test_api_field_errors_are_chinese_for_an_english_browser(client):
    response = client.post("/api/v1/auth/token/", {}, content_type="application/json", **ENGLISH)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["username"] == ["该字段是必填项。"] and "required" not in str(fields)


@pytest.mark.django_db
def test_api_authentication_errors_are_chinese(client):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token", **ENGLISH)
    assert response.status_code == 401
    assert "令牌无效" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_admin_is_chinese_and_carries_the_systems_name(client, make_user):
    login = client.get("/admin/login/", **ENGLISH).content.decode()
    assert "<title>登录 | 信访工作管理系统</title>" in login
    assert "Django" not in visible(login) and "Log in" not in login
    admin = make_user(Role.ADMIN, username="site-admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    index = client.get("/admin/", **ENGLISH).content.decode()
    assert "信访工作管理系统" in index and "基础数据管理" in index
    assert "Django 站点管理员" not in index and "Site administration" not in index and "Django" not in visible(index)
    assert "认证和授权" in index  # Django's own app names translated too
    assert "登录锁定" in index and "接口令牌" in index and "办理过程记录" in index  # packages without a Chinese name
    assert "Model name" not in index and "Access attempts" not in index and "Petition events" not in index
    attempts = client.get("/admin/axes/accessattempt/", **ENGLISH).content.decode()
    assert "登录尝试" in attempts and "access attempt" not in attempts


@pytest.mark.django_db
def test_registration_form_errors_are_chinese_for_an_english_browser(client, make_user):
    client.force_login(make_user(Role.CLERK))
    body = client.post("/petitions/register/", {"channel": "visit"}, **ENGLISH).content.decode()
    assert "这个字段是必填项。" in body or "必填" in body
    assert "This field" not in body and "required." not in visible(body)


@pytest.mark.django_db
def test_time_limit_page_shows_names_not_step_codes(client, make_user):
    client.force_login(make_user(Role.ADMIN))
    text = visible(client.get("/petitions/settings/time-limits/", **ENGLISH).content.decode())
    assert "当日阅办" in text or "阅办" in text
    for code in ("triage", "dispatch", "extend_max", "return_window", "hearing", "appraisal"):
        assert not re.search(rf"\b{code}\b", text), code


@pytest.mark.django_db
def test_coverage_page_shows_no_unit_codes(client, make_user, county):
    client.force_login(make_user(Role.OFFICE))
    text = visible(client.get("/org/coverage/").content.decode())
    assert "测试一中" in text
    assert "school-1" not in text and "代码" not in text


@pytest.mark.parametrize(
    "action, expected",
    [
        ("progress", "T-1：已记录办理进度。"),
        ("evaluate", "T-1：已记录信访人的满意度评价。"),
        ("acknowledge", "T-1：已签收，进入办理。"),
        ("some_new_action", "T-1：已完成：其他记录（some_new_action）。"),
    ],
)
def test_result_lines_read_naturally(action, expected):
    class P:
        reg_no, due_at, handling_unit = "T-1", None, None

    assert result_lines.result_line(action, P()) == expected


def test_every_workflow_action_has_its_own_sentence():
    from xinfang.petitions.workflow import ACTIONS

    missing = [a for a in ACTIONS if a not in result_lines.DONE]
    assert missing == []
