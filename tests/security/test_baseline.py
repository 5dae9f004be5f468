"""The security baseline: deploy checks, CSP with only our own assets, clickjacking, CSRF,
rate limits (token, public API, pages), session timeout, password rules, uploads."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from xinfang.access.throttles import PublicRateThrottle, rate_limited
from xinfang.core.errors import InvalidInput
from xinfang.core.uploads import validate_upload

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# Keys of our own for the production runs below (never the repository's dev keys, which production refuses).
PRODUCTION_KEYS = {
    "SECRET_KEY": "test-only-" + "k" * 50,
    "XINFANG_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE=",
    "XINFANG_HASH_KEY": "test-only-hash-key-" + "h" * 30,
    "XINFANG_CHAIN_KEY": "test-only-chain-key-" + "c" * 30,
}


def _production(env_changes: dict, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_KEYS} | {"DJANGO_SETTINGS_MODULE": "xinfang.settings.production"}
    env |= {k: v for k, v in env_changes.items() if v is not None}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_deploy_security_checks_are_clean_under_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xinfang.settings.production", **PRODUCTION_KEYS}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_own_keys():
    """xinfang.core.checks: an Error-level system check (check --deploy, every command) and the server entry points."""
    result = _production({}, "manage.py", "check", "--deploy")
    assert result.returncode != 0
    for code in ("xinfang.E101", "xinfang.E103", "xinfang.E105", "xinfang.E107"):
        assert code in result.stderr, result.stderr
    assert "XINFANG_CHAIN_KEY" in result.stderr and "Traceback" not in result.stderr
    # The WSGI application (gunicorn) does not come up either, nor Celery's worker.
    for module in ("xinfang.wsgi", "xinfang.asgi"):
        served = _production({}, "-c", f"import {module}")
        assert served.returncode != 0 and "生产环境拒绝启动" in served.stderr and "xinfang.E107" in served.stderr, served.stderr
    assert _production(PRODUCTION_KEYS, "-c", "import xinfang.wsgi").returncode == 0


@pytest.mark.parametrize("name", list(PRODUCTION_KEYS))
def test_production_refuses_each_missing_key_and_the_repositorys_dev_keys(name):
    from django.conf import settings as dj_settings

    missing = _production({**PRODUCTION_KEYS, name: None}, "manage.py", "check")
    assert missing.returncode != 0 and "生产环境未设置" in missing.stderr, missing.stderr
    dev = _production({**PRODUCTION_KEYS, name: dj_settings.DEV_KEYS[name]}, "manage.py", "check")
    assert dev.returncode != 0 and "开发密钥" in dev.stderr, dev.stderr


def test_an_invalid_field_key_or_a_short_chain_key_is_refused():
    bad = _production({**PRODUCTION_KEYS, "XINFANG_FIELD_KEYS": "not-a-fernet-key"}, "manage.py", "check")
    assert bad.returncode != 0 and "xinfang.E104" in bad.stderr
    short = _production({**PRODUCTION_KEYS, "XINFANG_CHAIN_KEY": "short"}, "manage.py", "check")
    assert short.returncode != 0 and "xinfang.E108" in short.stderr
    rotated = _production(
        {**PRODUCTION_KEYS, "XINFANG_CHAIN_KEY": "a-new-chain-key-" + "n" * 30 + "," + PRODUCTION_KEYS["XINFANG_CHAIN_KEY"]},
        "manage.py",
        "check",
    )
    assert rotated.returncode == 0, rotated.stderr


@pytest.mark.django_db
def test_page_headers_csp_only_own_assets_and_no_framing(client, make_user):
    client.force_login(make_user("admin"))
    response = client.get("/access/log/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # No inline script or style in what we render (the CSP would block them anyway).
    body = response.content.decode()
    assert "<script>" not in body and ' style="' not in body


@pytest.mark.django_db
def test_csrf_is_enforced_on_pages(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["office"])
    response = c.post(
        f"/access/grants/{world.p_in.reg_no}/", {"op": "grant", "reason": "无令牌", "grantee_user": world.users["unit_handler"].pk}
    )
    assert response.status_code == 403
    from xinfang.access.models import IdentityGrant

    assert not IdentityGrant.objects.exists()


@pytest.mark.django_db
def test_session_api_posts_need_csrf_too(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["office"])
    response = c.post(
        f"/api/v1/access/petitions/{world.p_in.reg_no}/grants/",
        {"grantee_user": "w_handler", "reason": "无令牌"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_session_timeout_and_password_rules():
    assert settings.SESSION_COOKIE_AGE <= 2 * 60 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY
    for weak in ("12345678", "password", "abc"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Xf-county-2026!")


@pytest.mark.django_db
def test_token_endpoint_is_rate_limited(make_user):
    user = make_user("office")
    c = Client(REMOTE_ADDR="10.1.2.3")
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    # a different username each time: django-axes would lock one username after 5 failures (429 too)
    statuses = [
        c.post("/api/v1/auth/token/", {"username": f"nobody{i}", "password": "wrong"}, content_type="application/json").status_code
        for i in range(limit + 1)
    ]
    assert set(statuses[:limit]) == {400} and statuses[-1] == 429
    body = c.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-secret-123"}, content_type="application/json").json()
    assert body["error"]["code"] == "throttled"


class _PublicView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [PublicRateThrottle]

    def get(self, request):
        return Response({"ok": True})


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "3/min"},
    }
)
def test_public_throttle_class_limits_per_address():
    from rest_framework.settings import api_settings

    api_settings.reload()
    PublicRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        factory = APIRequestFactory()
        view = _PublicView.as_view()
        codes = [view(factory.get("/p/", REMOTE_ADDR="10.9.9.9")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert view(factory.get("/p/", REMOTE_ADDR="10.9.9.8")).status_code == 200  # another address
    finally:
        api_settings.reload()
        PublicRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "2/min"}})
def test_page_rate_limit_decorator():
    from django.http import HttpResponse
    from django.test import RequestFactory

    @rate_limited("public")
    def view(request):
        return HttpResponse("ok")

    rf = RequestFactory()
    codes = [view(rf.get("/portal/track/", REMOTE_ADDR="10.7.7.7")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "请求过于频繁" in view(rf.get("/", REMOTE_ADDR="10.7.7.7")).content.decode()


def test_upload_type_is_sniffed_not_trusted():
    info = validate_upload(SimpleUploadedFile("scan.png", PNG, content_type="image/png"))
    assert info.content_type == "image/png" and info.size == len(PNG) and len(info.sha256) == 64
    for name, data in (("letter.pdf", b"MZ\x90\x00" + b"\x00" * 64), ("photo.jpg", b"<html><script>alert(1)</script></html>")):
        with pytest.raises(InvalidInput, match="不支持的文件类型"):
            validate_upload(SimpleUploadedFile(name, data, content_type="application/pdf"))
    with pytest.raises(InvalidInput, match="文件过大"):
        validate_upload(SimpleUploadedFile("big.png", PNG + b"\x00" * 2048), max_bytes=1024)
    with pytest.raises(InvalidInput, match="文件为空"):
        validate_upload(io.BytesIO(b""))


@pytest.mark.django_db
def test_attachment_download_is_an_attachment_never_rendered(world, client):
    from django.core.files.base import ContentFile

    from xinfang.access.models import AccessRecord
    from xinfang.petitions.models import Attachment

    html = b"<html><script>alert(1)</script></html>"
    att = Attachment(
        petition=world.p_out, kind="other", original_name="看我.png", content_type="image/png", size=len(html), sha256="b" * 64
    )
    att.file.save("evil-test.png", ContentFile(html), save=False)
    att.save()
    client.force_login(world.users["leader_t2"])
    response = client.get(f"/access/attachments/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"  # sniffed: not an image, never text/html
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == html
    assert AccessRecord.objects.filter(user=world.users["leader_t2"], fields=["attachment"]).count() == 1
    client.force_login(world.users["handler2"])
    assert client.get(f"/access/attachments/{att.pk}/").status_code == 404
