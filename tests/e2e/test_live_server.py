"""The browser tests' own server: requests that arrive together are all answered.

SQLite in memory gives the live server's threads one shared connection; two requests interleaving their savepoints on
it failed one of them ("no such savepoint"), which broke a registration test whenever the form's background
repeat-check was still running when the form was posted. The server now answers one request at a time.
"""

import pytest

from tests.e2e.conftest import login
from xinfang.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

# Twelve first-receipt logs posted at once, each with the repeat-check a registration form sends while it is typed.
_POST_TOGETHER = """async () => {
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const posts = [];
  for (let i = 0; i < 12; i++) {
    const body = new URLSearchParams({ csrfmiddlewaretoken: token, place: "大门口" + i, matter: "同时提交第" + i + "件" });
    posts.push(fetch("/reception/first/", { method: "POST", body: body, redirect: "manual", credentials: "same-origin" }));
    posts.push(fetch("/petitions/repeat-candidates/?content=" + encodeURIComponent("反映养老保险待遇核定的问题" + i),
                     { credentials: "same-origin" }));
  }
  const answers = await Promise.all(posts);
  return answers.map((r) => r.status);
}"""


def test_requests_sent_together_are_all_answered_and_all_written(page, county, make_user):
    from xinfang.reception.models import FirstReceipt

    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="e2e_together", name="孙科员")
    login(page, handler.username)
    page.goto("/reception/first/")
    statuses = page.evaluate(_POST_TOGETHER)
    # a redirect followed manually reads as status 0 ("opaqueredirect"): the log was written and the page sent on
    assert statuses == [0, 200] * 12, statuses
    assert FirstReceipt.objects.filter(receiver=handler).count() == 12
