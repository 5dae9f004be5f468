"""Issue 18 item 2: saved filters per user (常用筛选) and the worklist's keyboard hooks."""

import pytest
from django.test import Client

from xinfang.core.errors import InvalidInput, NotFound
from xinfang.petitions import saved_filters
from xinfang.petitions.saved_filters import SavedFilter

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_save_apply_and_delete_on_the_page(register, users):
    register()
    c = login(users.office)
    html = c.get("/petitions/").content.decode()
    assert "尚未保存" in html and "保存当前筛选" not in html  # nothing to save without a filter
    html = c.get("/petitions/?bucket=to_decide&channel=visit&cursor=abc").content.decode()
    assert 'name="query" value="bucket=to_decide&amp;channel=visit"' in html
    resp = c.post("/petitions/filters/", {"name": "待受理来访", "query": "bucket=to_decide&channel=visit&cursor=abc&evil=1"})
    assert resp.status_code == 302 and resp.url == "/petitions/?bucket=to_decide&channel=visit"
    saved = SavedFilter.objects.get(user=users.office)
    assert (saved.name, saved.query) == ("待受理来访", "bucket=to_decide&channel=visit")
    html = c.get(resp.url).content.decode()
    assert 'href="?bucket=to_decide&amp;channel=visit" aria-current="true">待受理来访</a>' in html
    # Another user neither sees nor deletes it.
    other = login(users.clerk)
    assert "待受理来访" not in other.get("/petitions/").content.decode()
    other.post(f"/petitions/filters/{saved.pk}/delete/", {"back": "/petitions/"})
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    resp = c.post(f"/petitions/filters/{saved.pk}/delete/", {"back": "/petitions/?bucket=to_decide"})
    assert resp.url == "/petitions/?bucket=to_decide" and not SavedFilter.objects.exists()
    assert "已删除常用筛选“待受理来访”" in c.get(resp.url).content.decode()


def test_same_name_replaces_and_refusals_are_chinese(users):
    a = saved_filters.saved_filter_save(actor=users.office, name="本周", query="status=assigned")
    b = saved_filters.saved_filter_save(actor=users.office, name="本周", query="status=in_progress&q=工资")
    assert a.pk == b.pk and SavedFilter.objects.get().query == "q=%E5%B7%A5%E8%B5%84&status=in_progress"
    with pytest.raises(InvalidInput, match="请填写筛选名称"):
        saved_filters.saved_filter_save(actor=users.office, name=" ", query="status=assigned")
    with pytest.raises(InvalidInput, match="没有筛选条件"):
        saved_filters.saved_filter_save(actor=users.office, name="空", query="cursor=x")
    with pytest.raises(InvalidInput, match="不超过40字"):
        saved_filters.saved_filter_save(actor=users.office, name="长" * 41, query="status=assigned")
    for i in range(saved_filters.MAX_PER_USER - 1):
        saved_filters.saved_filter_save(actor=users.office, name=f"f{i}", query="status=assigned")
    with pytest.raises(InvalidInput, match="最多保存20个"):
        saved_filters.saved_filter_save(actor=users.office, name="再一个", query="status=assigned")
    with pytest.raises(NotFound):
        saved_filters.saved_filter_delete(actor=users.clerk, pk=a.pk)
    with pytest.raises(NotFound):
        saved_filters.saved_filter_delete(actor=users.office, pk="x")


def test_a_refused_save_says_so_on_the_worklist(users):
    c = login(users.office)
    resp = c.post("/petitions/filters/", {"name": "", "query": "status=assigned", "back": "/petitions/?status=assigned"})
    assert resp.url == "/petitions/?status=assigned"
    assert "常用筛选未保存：请填写筛选名称" in c.get(resp.url).content.decode()


def test_rows_carry_the_keyboard_hooks(register, users):
    p, _ = register()
    html = login(users.office).get("/petitions/").content.decode()
    assert 'id="worklist-table" aria-describedby="worklist-keys"' in html and "js/worklist.js" in html
    assert '<tr tabindex="-1" data-row' in html and p.reg_no in html
