"""Login, lockout, token auth and the caller's identity."""

import pytest
from django.test import Client

from xinfang.org.models import Role


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.utils import reset

    reset()


def test_login_page_is_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_then_home_shows_role_and_unit(client, make_user):
    user = make_user(Role.CLERK, name="周登记")
    assert client.post("/login/", {"username": user.username, "password": "pw-secret-123"}).status_code == 302
    body = client.get("/").content.decode()
    assert "周登记" in body and "登记员" in body and "测试县信访局" in body


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_lockout_after_five_failures_even_with_the_right_password(make_user):
    user = make_user(Role.CLERK)
    c = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        c.post("/login/", {"username": user.username, "password": "wrong"})
    response = c.post("/login/", {"username": user.username, "password": "pw-secret-123"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from xinfang.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_token_and_me(client, make_user):
    user = make_user(Role.OFFICE)
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-secret-123"}, content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me == {"username": user.username, "name": user.name, "roles": ["office"], "unit": "xfj"}


def test_api_errors_have_one_shape(client, make_user):
    assert client.get("/api/v1/me/").json()["error"]["code"] == "not_authenticated"
    bad = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["error"]) == {"code", "message", "fields"}


def test_regions_and_units_lists(client, make_user, county):
    client.force_login(make_user(Role.CLERK))
    regions = client.get("/api/v1/regions/?level=township").json()
    assert [r["code"] for r in regions] == ["T001", "T002"]
    assert regions[0]["parent"] == "T00"
    units = client.get("/api/v1/units/?kind=school").json()
    assert units == [{"code": "school-1", "name": "测试一中", "kind": "school", "parent": "dept-hr", "region": "T001"}]


def test_token_endpoint_failures_lock_the_account_too(client, make_user):
    user = make_user(Role.OFFICE)
    for _ in range(5):
        bad = client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, content_type="application/json")
        assert bad.status_code in (400, 403, 429)
    good = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-secret-123"}, content_type="application/json")
    assert good.status_code != 200 and "token" not in good.json()
    # and the login page is locked for the same account
    page = client.post("/login/", {"username": user.username, "password": "pw-secret-123"})
    assert page.status_code == 429


def test_token_failures_for_one_account_do_not_lock_another(client, make_user):
    victim, other = make_user(Role.OFFICE), make_user(Role.CLERK)
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": victim.username, "password": "wrong"}, content_type="application/json")
    ok = client.post("/api/v1/auth/token/", {"username": other.username, "password": "pw-secret-123"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["token"]


def test_session_expires_after_inactivity(client, make_user, settings):
    import time_machine
    from django.utils import timezone

    user = make_user(Role.CLERK)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.post("/login/", {"username": user.username, "password": "pw-secret-123"}).status_code == 302
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get("/").status_code == 200  # activity renews the session
    with time_machine.travel(start + timezone.timedelta(seconds=2 * settings.SESSION_COOKIE_AGE), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_session_cookie_is_not_persistent_and_bounded():
    from xinfang.core import session_refresh
    from xinfang.settings import base

    assert base.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    # Activity moves the expiry: saved once a minute by the middleware right after Django's sessions.
    sessions = base.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert base.MIDDLEWARE[sessions + 1] == "xinfang.core.session_refresh.SessionRefreshMiddleware"
    assert 0 < session_refresh.REFRESH_SECONDS <= 5 * 60
    assert 0 < base.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_township_cadres_see_the_grassroots_section_and_department_handlers_do_not(client, make_user, county):
    township_cadre = make_user(Role.UNIT_HANDLER, unit=county.township_unit)
    client.force_login(township_cadre)
    assert 'href="/grassroots/"' in client.get("/").content.decode()
    client.force_login(make_user(Role.UNIT_HANDLER, unit=county.dept))
    assert 'href="/grassroots/"' not in client.get("/").content.decode()
