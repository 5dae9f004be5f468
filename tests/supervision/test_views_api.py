"""Pages and API of supervision and the inbox: roles, Chinese errors, structured API errors, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tokens import api_client
from xinfang.supervision import services
from xinfang.supervision.models import Notification, SupervisionOrder

from .factories import make_petition

pytestmark = pytest.mark.django_db


def test_pages_by_role(client, county, people):
    p = make_petition(county, due_at=timezone.now() - timedelta(days=1))
    order = services.order_issue(
        actor=people.office, reg_no=p.reg_no, form="written", requirements="请报告", answer_due_at=timezone.now() + timedelta(days=1)
    )
    for user in (people.office, people.handler, people.supervisor):
        client.force_login(user)
        r = client.get("/supervision/")
        assert r.status_code == 200, user
        assert f"/supervision/orders/{order.pk}/" in r.content.decode()
    client.force_login(people.supervisor)
    assert "包联乡镇" in client.get("/supervision/").content.decode()
    client.force_login(people.outsider)
    assert f"/supervision/orders/{order.pk}/" not in client.get("/supervision/").content.decode()
    assert client.get(f"/supervision/orders/{order.pk}/").status_code == 404
    assert client.get("/supervision/accountability/").status_code == 403


def test_index_query_count_does_not_grow_with_rows(client, county, people, django_assert_max_num_queries):
    for _ in range(12):
        p = make_petition(county, due_at=timezone.now() - timedelta(days=1))
        services.order_issue(
            actor=people.office, reg_no=p.reg_no, form="written", requirements="请报告", answer_due_at=timezone.now() + timedelta(days=1)
        )
    client.force_login(people.office)
    with django_assert_max_num_queries(25):
        assert client.get("/supervision/").status_code == 200


def test_answer_page_shows_chinese_error_and_writes_nothing(client, county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=3))
    order = services.order_issue(
        actor=people.office, reg_no=p.reg_no, form="written", requirements="请报告", answer_due_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(people.handler)
    r = client.post(f"/supervision/orders/{order.pk}/", {"op": "answer", "version": order.version, "answer": ""})
    assert "请填写答复内容" in r.content.decode()
    r = client.post(f"/supervision/orders/{order.pk}/", {"op": "answer", "version": order.version + 5, "answer": "旧页面提交"}, follow=True)
    assert "该督办单已被他人修改" in r.content.decode()
    order.refresh_from_db()
    assert order.answer == "" and order.status == "open"


def test_inbox_unread_count_and_mark_read(client, county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=3))
    services.petition_urge(actor=people.office, reg_no=p.reg_no, note="请加快")
    client.force_login(people.handler)
    r = client.get("/inbox/")
    assert r.context["inbox_unread"] == 1 and "催办" in r.content.decode()
    note = Notification.objects.get(recipient=people.handler)
    r = client.post("/inbox/read/", {"id": note.pk, "go": note.url})
    assert r.status_code == 302 and r["Location"] == note.url
    assert client.get("/inbox/").context["inbox_unread"] == 0
    # someone else's message is not touched
    other = Notification.objects.get(recipient=people.head)
    client.post("/inbox/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_api_order_flow_and_error_shapes(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=3))
    due = (timezone.now() + timedelta(days=2)).isoformat()
    r = api_client(people.office).post(
        "/api/v1/supervision/orders/",
        {"reg_no": p.reg_no, "form": "joint", "requirements": "联合督办", "answer_due_at": due},
        format="json",
    )
    assert r.status_code == 201, r.content
    oid, version = r.json()["id"], r.json()["version"]
    r = api_client(people.office).post(
        "/api/v1/supervision/orders/", {"reg_no": p.reg_no, "form": "fax", "requirements": "", "answer_due_at": due}, format="json"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid" and {"form", "requirements"} <= set(r.json()["error"]["fields"])
    r = api_client(people.outsider).post(f"/api/v1/supervision/orders/{oid}/answer/", {"version": version, "answer": "x"}, format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = api_client(people.handler).post(
        f"/api/v1/supervision/orders/{oid}/answer/", {"version": version, "answer": "已办理"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = api_client(people.handler).post(f"/api/v1/supervision/orders/{oid}/answer/", {"version": version, "answer": "再答"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    r = api_client(people.handler).get("/api/v1/supervision/orders/")
    assert [o["id"] for o in r.json()["results"]] == [oid]
    r = api_client(people.handler).get("/api/v1/inbox/")
    assert r.json()["unread"] == 1
    r = api_client(people.handler).post("/api/v1/inbox/read/", {}, format="json")
    assert r.json() == {"marked": 1, "unread": 0}
    r = api_client(people.handler).post(
        "/api/v1/supervision/accountability/",
        {"unit": "dept-hr", "person_name": "x", "matter": "overdue", "facts": "x", "decision": "x"},
        format="json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = api_client(people.office).post(
        "/api/v1/supervision/accountability/",
        {"unit": "dept-hr", "person_name": "王某", "matter": "overdue", "facts": "超期", "decision": "通报"},
        format="json",
    )
    assert r.status_code == 201
    assert SupervisionOrder.objects.count() == 1


def test_petition_panel_fragment(client, county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=3))
    services.order_issue(
        actor=people.office, reg_no=p.reg_no, form="written", requirements="请报告", answer_due_at=timezone.now() + timedelta(days=1)
    )
    services.petition_urge(actor=people.office, reg_no=p.reg_no, note="请加快办理")
    client.force_login(people.office)
    body = client.get(f"/supervision/petition/{p.reg_no}/panel/").content.decode()
    assert "督办单" in body and "请加快办理" in body and "发督办单" in body
    client.force_login(people.handler)
    body = client.get(f"/supervision/petition/{p.reg_no}/panel/").content.decode()
    assert "请加快办理" in body and "发督办单" not in body
    client.force_login(people.outsider)
    assert client.get(f"/supervision/petition/{p.reg_no}/panel/").status_code == 404
