"""Issue 18 item 2: the worklist says what it lists, shows the petitioner as the access policy allows, and colours
rows due today, due within 3 days and overdue."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.access.models import AccessRecord
from xinfang.petitions.models import Petition

from .helpers import act

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def row_of(html: str, reg_no: str) -> str:
    start = html.rindex("<tr", 0, html.index(f">{reg_no}</a>"))
    return html[start : html.index("</tr>", start)]


def test_the_heading_says_what_is_listed(register, users):
    register()
    c = login(users.office)
    html = c.get("/petitions/").content.decode()
    assert '<h1 id="worklist-title">全部信访件</h1>' in html and "含已办结、已归档" in html
    html = c.get("/petitions/?bucket=to_decide").content.decode()
    assert '<h1 id="worklist-title">待受理</h1>' in html and "<title>待受理 · 信访工作管理系统</title>" in html
    html = c.get("/petitions/?status=archived&q=工资").content.decode()
    assert '<h1 id="worklist-title">查询结果</h1>' in html
    scope = re.search(r'id="worklist-scope">([^<]+)<', html).group(1)
    assert "状态：已归档" in scope and "搜索“工资”" in scope and "待办" not in re.search(r"<h1[^>]*>([^<]+)<", html).group(1)


def test_the_petitioner_column_follows_the_policy(register, users, county):
    p, _code = register(confidential=True)
    p = act(p, "accept", users)
    p = act(p, "assign", users, handling_unit=county.dept.code)
    office_row = row_of(login(users.office).get("/petitions/").content.decode(), p.reg_no)
    assert "张三 13800138000" in office_row  # the registering office holds the identity right
    assert AccessRecord.objects.filter(user=users.office, petition=p, purpose="待办列表").count() == 1
    handler_row = row_of(login(users.handler).get("/petitions/").content.decode(), p.reg_no)
    assert "张* 138****8000" in handler_row and "13800138000" not in handler_row
    assert not AccessRecord.objects.filter(user=users.handler, petition=p).exists()
    anonymous, _ = register(anonymous=True, petitioners=[])
    assert ">匿名<" in row_of(login(users.office).get("/petitions/").content.decode(), anonymous.reg_no)


def test_rows_are_coloured_by_their_due(register, users):
    now = timezone.now()
    due = {
        "overdue": now - timedelta(hours=1),
        "due_today": now + timedelta(hours=2),
        "due_soon": now + timedelta(days=2),
        "ok": now + timedelta(days=9),
    }
    made = {}
    for state, at in due.items():
        p, _ = register()
        Petition.objects.filter(pk=p.pk).update(due_at=at)
        made[state] = p.reg_no
    html = login(users.office).get("/petitions/").content.decode()
    assert 'class="row-overdue"' in row_of(html, made["overdue"]) and "已超期" in row_of(html, made["overdue"])
    assert 'class="row-due-today"' in row_of(html, made["due_today"]) and "今日到期" in row_of(html, made["due_today"])
    assert 'class="row-due-soon"' in row_of(html, made["due_soon"]) and "3日内到期" in row_of(html, made["due_soon"])
    assert "class=" not in row_of(html, made["ok"]).split(">", 1)[0]
    assert 'class="pt-legend"' in html
