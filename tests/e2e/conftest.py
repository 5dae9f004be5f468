"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Screenshots go to var/screenshots/<test>.png: look at them.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    With SQLite in memory every server thread shares the test's one connection, so two requests at once (a page's
    background repeat-check while the form is posted, or two browser contexts) interleave their savepoints on it and
    one fails with "no such savepoint". A deployed server has a connection per thread and never sees this. Threads
    are kept, so a browser's idle keep-alive connection never blocks another's request; only the application call,
    with its whole response, is serialised.
    """

    _lock = threading.Lock()

    def set_app(self, application):
        lock = self._lock

        def serialised(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(serialised)


LiveServerThread.server_class = OneRequestAtATimeServer


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(item.fspath).startswith(str(Path(__file__).parent)):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def _settle_and_close(context) -> None:
    """Let every page finish its requests before the test's database is flushed: a request still running on the live
    server during the flush (the in-memory SQLite connection is shared) writes rows that point at flushed ones, and the
    flush fails on its foreign keys."""
    for pg in context.pages:
        try:
            pg.wait_for_load_state("networkidle", timeout=5000)
        except Exception:  # a page that never settles is closed all the same
            pass
    context.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url)
    pg = context.new_page()
    yield pg
    _settle_and_close(context)


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    pg = context.new_page()
    yield pg
    _settle_and_close(context)


@pytest.fixture
def screenshot(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(pg, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot


def login(pg, username: str, password: str = "pw-secret-123"):
    pg.goto("/login/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("button[type=submit]")
    pg.wait_for_load_state("networkidle")
