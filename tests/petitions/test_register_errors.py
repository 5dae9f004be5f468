"""Issue 18 item 3 (part): a refused registration opens with a summary at the top, each error a link to its field;
the name is marked required unless the petition is anonymous."""

import re

import pytest
from django.test import Client

from .test_pages import form_data

pytestmark = pytest.mark.django_db


def test_error_summary_at_the_top_links_to_each_field(county, category, users):
    c = Client()
    c.force_login(users.clerk)
    for data, field_id, says in [
        (form_data(county, content=""), "id_content", "主要问题"),  # the form's own check
        (form_data(county, id_number="110105194912310021"), "id_id_number", "身份证号码不正确"),  # the service's (core.inputs)
    ]:
        html = c.post("/petitions/register/", data).content.decode()
        summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
        assert html.index('id="error-summary"') < html.index('name="channel"')  # before the first field
        links = dict(re.findall(r'<a href="#(id_\w+)">([^<]+)</a>', summary))
        assert field_id in links and says in links[field_id], links
        assert f'id="{field_id}"' in html


def test_the_name_is_marked_required_unless_anonymous(county, category, users):
    c = Client()
    c.force_login(users.clerk)
    html = c.get("/petitions/register/").content.decode()
    label = html[html.index("信访人姓名") - 80 : html.index("信访人姓名") + 120]
    assert "req-unless-anonymous" in label
