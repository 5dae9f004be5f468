"""Limits that hold behind a proxy and across workers; tokens that expire, slide and can be ended."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from tests.tokens import api_token
from xinfang.access.throttles import client_ip
from xinfang.api import tokens
from xinfang.org.models import Role

pytestmark = pytest.mark.django_db
DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xinfang_cache"}}


class _Req:
    def __init__(self, remote, forwarded=""):
        self.META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy():
    with override_settings(XINFANG_TRUSTED_PROXIES=[]):
        assert client_ip(_Req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    with override_settings(XINFANG_TRUSTED_PROXIES=["127.0.0.1"]):
        assert client_ip(_Req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"  # not from the proxy
        assert client_ip(_Req("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
        # the client prepends a forged hop; nginx appends the real peer on the right
        assert client_ip(_Req("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
        assert client_ip(_Req("127.0.0.1", "junk, 198.51.100.7")) == "198.51.100.7"
        assert client_ip(_Req("127.0.0.1", "198.51.100.7, junk")) == "127.0.0.1"
    with override_settings(XINFANG_TRUSTED_PROXIES=["10.0.0.0/24", "127.0.0.1"]):
        assert client_ip(_Req("127.0.0.1", "198.51.100.7, 10.0.0.5")) == "198.51.100.7"


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
def test_rotating_forwarded_for_does_not_escape_the_token_throttle(trusted):
    limit = 20
    with override_settings(XINFANG_TRUSTED_PROXIES=trusted):
        c = Client(REMOTE_ADDR="198.51.100.20")  # not the proxy: its header is the client's own word
        statuses = [
            c.post(
                "/api/v1/auth/token/",
                {"username": f"nobody{i}", "password": "wrong"},
                content_type="application/json",
                HTTP_X_FORWARDED_FOR=f"10.{i // 250}.{i % 250}.1",
            ).status_code
            for i in range(limit + 5)
        ]
    assert statuses[:limit] == [400] * limit and set(statuses[limit:]) == {429}


def test_rotating_forwarded_for_does_not_escape_the_public_page_limit(county):
    """Open311 and the portal's pages count per client address (@rate_limited("public"), 60/min)."""
    c = Client(REMOTE_ADDR="198.51.100.21")
    statuses = [c.get("/open311/v2/requests.json", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1").status_code for i in range(65)]
    assert statuses[:60] == [403] * 60 and set(statuses[60:]) == {429}  # 403: no api_key


def test_behind_a_trusted_proxy_each_client_has_its_own_counter():
    with override_settings(XINFANG_TRUSTED_PROXIES=["127.0.0.1"]):
        c = Client(REMOTE_ADDR="127.0.0.1")
        first = [
            c.post(
                "/api/v1/auth/token/",
                {"username": f"a{i}", "password": "x"},
                content_type="application/json",
                HTTP_X_FORWARDED_FOR="198.51.100.1",
            ).status_code
            for i in range(21)
        ]
        other = c.post(
            "/api/v1/auth/token/", {"username": "b", "password": "x"}, content_type="application/json", HTTP_X_FORWARDED_FOR="198.51.100.2"
        )
    assert first[-1] == 429 and other.status_code == 400


def test_counters_live_in_the_database_cache_every_worker_shares():
    """Without Redis the counters are rows of the cache table (created by migrate), not process memory."""
    with override_settings(CACHES=DB_CACHE):
        cache = caches.create_connection("default")
        assert "xinfang_cache" in connection.introspection.table_names()
        cache.set("xf-probe", 41, 60)
        assert cache.incr("xf-probe") == 42
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM xinfang_cache")
            assert cur.fetchone()[0] >= 1


# --- tokens -------------------------------------------------------------------------------------


def _me(c, token):
    return c.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_token_is_stored_hashed_and_works_with_the_token_prefix(client, make_user):
    user = make_user(Role.OFFICE)
    r = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-secret-123"}, content_type="application/json")
    token = r.json()["token"]
    assert r.json()["expiry"]
    assert _me(client, token) == 200
    assert not tokens.AuthToken.objects.filter(digest=token).exists() and tokens.AuthToken.objects.filter(user=user).count() == 1


@override_settings(
    REST_KNOX={
        "TOKEN_TTL": timedelta(hours=8),
        "AUTO_REFRESH": True,
        "AUTO_REFRESH_MAX_TTL": timedelta(days=30),
        "MIN_REFRESH_INTERVAL": 60,
    }
)
def test_tokens_expire_when_idle_and_slide_with_use(client, make_user):
    user = make_user(Role.OFFICE)
    token = tokens.issue_token(user)[0]
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        assert _me(client, token) == 200  # used within 8 h: the expiry moves on
    with time_machine.travel(start + timedelta(hours=14), tick=False):
        assert _me(client, token) == 200
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert _me(client, token) == 401  # 9 h idle


@override_settings(
    REST_KNOX={"TOKEN_TTL": timedelta(hours=8), "AUTO_REFRESH": True, "AUTO_REFRESH_MAX_TTL": timedelta(days=1), "MIN_REFRESH_INTERVAL": 60}
)
def test_sliding_stops_at_the_maximum_lifetime(client, make_user):
    user = make_user(Role.OFFICE)
    token = tokens.issue_token(user)[0]
    start = timezone.now()
    for hours in (6, 12, 18, 23):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            assert _me(client, token) == 200
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert _me(client, token) == 401


def test_logout_and_logout_all_end_tokens(client, make_user):
    user = make_user(Role.OFFICE)
    a, b, c = (tokens.issue_token(user)[0] for _ in range(3))
    assert client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {a}").status_code == 204
    assert _me(client, a) == 401 and _me(client, b) == 200
    assert client.post("/api/v1/auth/logout-all/", HTTP_AUTHORIZATION=f"Token {b}").status_code == 204
    assert _me(client, b) == 401 and _me(client, c) == 401


def test_revoke_endpoint_ends_the_given_token_and_says_nothing_about_others(client, make_user):
    user = make_user(Role.OFFICE)
    token = tokens.issue_token(user)[0]
    assert client.post("/api/v1/auth/token/revoke/", {"token": token}, content_type="application/json").json() == {"revoked": True}
    assert _me(client, token) == 401
    assert client.post("/api/v1/auth/token/revoke/", {"token": "no-such-token"}, content_type="application/json").json() == {
        "revoked": True
    }


def test_a_password_change_ends_every_token(client, make_user):
    user = make_user(Role.OFFICE)
    token = api_token(user)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert _me(client, token) == 200
    user.set_password("a-new-Passw0rd!")
    user.save()
    assert _me(client, token) == 401


def test_the_admin_ends_a_users_sessions_and_tokens(make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.CLERK)
    browser = Client()
    browser.force_login(user)
    assert browser.get("/").status_code == 200
    token = tokens.issue_token(user)[0]
    staff = Client()
    staff.force_login(admin)
    response = staff.post(f"/api/v1/auth/users/{user.username}/sessions/end/", content_type="application/json")
    assert response.status_code == 200 and response.json() == {"sessions": 1, "tokens": 1}
    assert browser.get("/").status_code == 302  # signed out
    assert _me(Client(), token) == 401


def test_only_the_admin_may_end_someone_elses_sessions(make_user):
    from xinfang.core.errors import NoPermission

    with pytest.raises(NoPermission):
        tokens.end_user_sessions(actor=make_user(Role.OFFICE), user=make_user(Role.CLERK))


def test_the_django_admin_action_ends_sessions_and_tokens(make_user):
    from django.contrib.auth import get_user_model

    admin = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    user = make_user(Role.CLERK)
    token = tokens.issue_token(user)[0]
    staff = Client()
    staff.force_login(admin)
    model = get_user_model()
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    r = staff.post(url, {"action": "end_sessions_and_tokens", "_selected_action": [user.pk]}, follow=True)
    assert r.status_code == 200 and "吊销 1 个令牌" in r.content.decode()
    assert _me(Client(), token) == 401
