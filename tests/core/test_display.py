"""Display details found by QA: plain Chinese durations, labelled checkboxes in filters, wrapped subnav."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from xinfang.core.templatetags.xf_tags import span_cn
from xinfang.org.models import Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    "delta, expected",
    [
        (timedelta(days=108, hours=5), "108 天"),
        (timedelta(days=1), "1 天"),
        (timedelta(hours=5, minutes=59), "5 小时"),
        (timedelta(minutes=20), "20 分钟"),
        (timedelta(seconds=10), "1 分钟"),
    ],
)
def test_span_cn_is_one_plain_unit(delta, expected):
    assert span_cn(T0, T0 + delta) == expected


def test_span_cn_never_negative_and_blank_without_dates():
    assert span_cn(T0 + timedelta(days=2), T0) == "1 分钟"
    assert span_cn(None, T0) == ""


def test_span_cn_in_a_template():
    out = Template("{% load xf_tags %}已超期 {{ a|span_cn:b }}").render(Context({"a": T0, "b": T0 + timedelta(days=30, hours=1)}))
    assert out == "已超期 30 天"


def test_home_tab_is_active_on_home_only(client, make_user):
    client.force_login(make_user(Role.OFFICE), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").context["nav_active"] == "home"
    assert client.get("/inbox/").context["nav_active"] == ""
    assert client.get("/supervision/").context["nav_active"] == "supervision"


def test_only_roles_that_may_register_get_the_register_tab(client, make_user):
    for role, expected in [(Role.CLERK, True), (Role.OFFICE, True), (Role.ADMIN, False), (Role.LEADER, False)]:
        client.force_login(make_user(role), backend="django.contrib.auth.backends.ModelBackend")
        response = client.get("/")
        assert response.context["can_register"] is expected, role
        assert ('href="/petitions/register/"' in response.content.decode()) is expected, role


@pytest.mark.parametrize(
    "role, path", [(Role.LIAISON, "/grassroots/"), (Role.INFO_OFFICER, "/grassroots/"), (Role.SAFETY_OFFICER, "/safety/")]
)
def test_network_role_without_a_post_is_told_what_to_do(client, make_user, role, path):
    """QA: the navigation offers the section by role; a new account with no post got a bare 403 there."""
    client.force_login(make_user(role), backend="django.contrib.auth.backends.ModelBackend")
    body = client.get("/").content.decode()
    assert f'href="{path}"' in body
    response = client.get(path)
    assert response.status_code == 200
    assert "尚未设置岗位" in response.content.decode() and "设置岗位" in response.content.decode()


def test_viewer_still_gets_403_from_grassroots_records(client, make_user):
    client.force_login(make_user(Role.VIEWER), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/grassroots/").status_code == 403
