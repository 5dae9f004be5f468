"""The idle timeout (SESSION_COOKIE_AGE, two hours) is kept without writing the session on every request: a session
is saved again once a minute has passed since its last save (xinfang.core.session_refresh)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.conftest import FROZEN_AT
from xinfang.core import session_refresh
from xinfang.org.models import Role


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.utils import reset

    reset()


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_busy_session_is_saved_once_a_minute_and_an_idle_one_ends_after_two_hours(client, make_user):
    user = make_user(Role.CLERK)
    with time_machine.travel(FROZEN_AT, tick=False) as clock:
        assert client.post("/login/", {"username": user.username, "password": "pw-secret-123"}).status_code == 302
        assert _expiry(client) == FROZEN_AT + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        clock.shift(timedelta(seconds=session_refresh.REFRESH_SECONDS - 1))
        assert client.get("/").status_code == 200
        assert _expiry(client) == FROZEN_AT + timedelta(seconds=settings.SESSION_COOKIE_AGE)  # not written again
        clock.shift(timedelta(seconds=1))
        assert client.get("/").status_code == 200
        moved = FROZEN_AT + timedelta(seconds=session_refresh.REFRESH_SECONDS + settings.SESSION_COOKIE_AGE)
        assert _expiry(client) == moved
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 1))  # a second before the idle timeout
        assert client.get("/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))  # idle for longer than two hours
        response = client.get("/")
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_page_view_within_the_minute_writes_nothing(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user(Role.CLERK)
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_cookie_naming_no_session_creates_none(client, db):
    """An expired or forged session cookie on an API call or a page: no new session, no cookie, no write."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    for url in ("/api/v1/petitions/", "/login/", "/healthz"):
        response = client.get(url, HTTP_AUTHORIZATION="Token abc")
        assert settings.SESSION_COOKIE_NAME not in response.cookies or not response.cookies[settings.SESSION_COOKIE_NAME].value
    assert not Session.objects.exists()
