"""Issue 18 item 7: Swagger UI and ReDoc render under the app's own CSP, offline.

Every request that would leave the live server is aborted and recorded (the page must not need one), and every CSP
refusal is collected from the page itself (securitypolicyviolation): the stock drf-spectacular pages had an inline
init script (Swagger UI stayed blank) and fonts from fonts.googleapis.com.
"""

import pytest

from tests.e2e.conftest import login

WATCH_CSP = (
    "window.__csp = [];document.addEventListener('securitypolicyviolation', e => window.__csp.push([e.violatedDirective, e.blockedURI]));"
)
# ReDoc's sidebar always shows "API docs by Redocly" with a logo from cdn.redoc.ly: the CSP refuses it before any
# request is made and ReDoc drops the image on the error. Nothing else may be refused.
REDOCLY_LOGO = ["img-src", "https://cdn.redoc.ly/redoc/logo-mini.svg"]


def _offline(pg, live_server):
    left = []

    def route(r):
        if r.request.url.startswith(live_server.url) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.add_init_script(WATCH_CSP)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return left, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_swagger_ui_renders_its_operations(page, live_server, make_user, screenshot, viewport):
    make_user("office", username="office1")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, "office1")
    left, errors = _offline(page, live_server)
    response = page.goto("/api/v1/docs/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=30000)
    assert page.locator(".opblock").count() > 50
    assert page.locator(".opblock-summary-path", has_text="/api/v1/petitions/{reg_no}/actions/").count() > 0
    page.locator(".opblock-summary", has_text="/api/v1/me/").first.click()
    page.wait_for_selector(".opblock-body", timeout=10000)
    screenshot(page, f"swagger-{viewport[0]}", full_page=False)
    assert page.evaluate("window.__csp") == []
    assert left == [] and errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)])
def test_redoc_renders_without_external_fonts(page, live_server, make_user, screenshot, viewport):
    make_user("office", username="office1")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(page, "office1")
    left, errors = _offline(page, live_server)
    response = page.goto("/api/v1/redoc/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "googleapis" not in page.content()
    assert "script-src 'self';" in policy + ";"  # scripts: our own files only, no nonce
    page.wait_for_selector("h1", timeout=30000)
    page.wait_for_selector("[data-section-id]", timeout=30000)
    assert "信访工作管理系统" in page.locator("h1").first.inner_text()
    screenshot(page, f"redoc-{viewport[0]}", full_page=False)
    assert [v for v in page.evaluate("window.__csp") if v != REDOCLY_LOGO] == []
    assert left == [] and errors == []


def test_docs_pages_hold_no_inline_script_or_style(client, db):
    import re

    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and 'style="' not in html and "googleapis" not in html, url
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript") and "SwaggerUIBundle" in script.content.decode()
