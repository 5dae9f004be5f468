"""The hostile requests of issue 16: each answers 400/404/413 in the API's JSON error format, Open311's
error list or a Chinese page, never a 500 and never a half-written stream (xinfang/core/hardening.py)."""

import json
import time

import pytest
from django.test import Client, override_settings

from tests.security.world import SECRET_ID
from tests.tokens import api_headers
from xinfang.petitions.models import Petition
from xinfang.petitions.registration import MAX_PETITIONERS

pytestmark = pytest.mark.django_db


def _api_error(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), body  # a Chinese message
    return body["error"]


def _chinese_page(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "请求有误" in text or "内容过大" in text
    return text


# --- NUL in paths and parameters --------------------------------------------------------------


def test_nul_in_the_public_petition_path_and_code_is_refused_as_json(client):
    error = _api_error(client.get("/api/v1/public/petitions/%00/?query_code=%00"))
    assert error["code"] == "invalid"


def test_nul_in_an_open311_path_answers_in_open311_format(client):
    response = client.get("/open311/v2/services/%00.json")
    assert response.status_code == 400
    body = response.json()
    assert body[0]["code"] == 400 and "控制字符" in body[0]["description"]
    xml = client.get("/open311/v2/services/%00.xml")
    assert xml.status_code == 400 and b"<errors>" in xml.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/petitions/?q=%00",
        "/api/v1/petitions/?region=%00",
        "/api/v1/petitions/?handling_unit=%00",
        "/api/v1/regions/?parent=%00",
        "/api/v1/stats/kpis/?region=%00",
        "/api/v1/petitions/?q=a%01b",
    ],
)
def test_nul_and_controls_in_signed_in_parameters_are_refused(client, world, url):
    error = _api_error(client.get(url, **api_headers(world.users["office"])))
    param = url.split("?")[1].split("=")[0]
    assert param in error["fields"]


def test_nul_in_a_dispute_region_is_refused_and_nothing_is_written(client, world):
    from xinfang.grassroots.models import Dispute

    before = Dispute.objects.count()
    body = {"kind": "land", "region": "T001\u0000", "description": "宅基地界址争议", "parties": [{"name": "甲"}]}
    response = client.post("/api/v1/grassroots/disputes/", body, content_type="application/json", **api_headers(world.users["office"]))
    error = _api_error(response)
    assert "region" in error["fields"]
    assert Dispute.objects.count() == before


def test_nul_in_a_page_form_gets_a_chinese_page(client, world):
    client.force_login(world.users["clerk"])
    _chinese_page(client.get("/petitions/?q=%00"))
    _chinese_page(client.post("/portal/track/", {"reg_no": "XFJ\u0000", "query_code": "x"}))


# --- JSON depth, dates, sizes ---------------------------------------------------------------


def test_a_thousand_deep_json_body_to_the_token_endpoint_is_a_400(client):
    body = "[" * 1000 + "]" * 1000
    error = _api_error(client.post("/api/v1/auth/token/", body, content_type="application/json"))
    assert "嵌套" in error["message"]
    inside = '{"username": ' + "[" * 1000 + "]" * 1000 + ', "password": "x"}'
    _api_error(client.post("/api/v1/auth/token/", inside, content_type="application/json"))


def test_dates_outside_1900_to_2100_are_refused_not_overflowed(client, world):
    headers = api_headers(world.users["office"])
    error = _api_error(client.get("/api/v1/petitions/?registered_from=0001-01-01&registered_to=9999-12-31", **headers))
    assert "1900" in error["message"] and "registered_from" in error["fields"]
    _api_error(client.get("/api/v1/stats/kpis/?start=0001-01-01&end=9999-12-31", **headers))
    # inside the range the same filter works
    ok = client.get("/api/v1/petitions/?registered_from=2026-01-01&registered_to=2026-12-31", **headers)
    assert ok.status_code == 200 and ok.json()["count"] >= 1


def test_a_far_future_received_at_in_a_body_is_a_400(client, world, county):
    body = {"channel": "visit", "received_at": "9999-12-31T23:59:59+14:00", "nature": "request", "category": "x", "content": "y"}
    _api_error(client.post("/api/v1/petitions/", body, content_type="application/json", **api_headers(world.users["clerk"])))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_with_a_nul_query_are_refused_before_streaming(client, world, fmt):
    client.force_login(world.users["office"])
    response = client.get(f"/transfer/export/petitions.{fmt}?q=%00")
    assert not getattr(response, "streaming", False)
    _chinese_page(response)


@override_settings(XINFANG_MAX_REQUEST_BYTES=30 * 1024 * 1024)
def test_a_100_mb_body_is_a_413_in_json_on_the_api_and_a_page_elsewhere(client, world):
    big = b"x" * (100 * 1024 * 1024)
    started = time.monotonic()
    error = _api_error(client.post("/api/v1/auth/token/", big, content_type="application/json"), status=413)
    assert error["code"] == "payload_too_large"
    _api_error(client.post("/api/v1/petitions/", big, content_type="application/json", **api_headers(world.users["clerk"])), status=413)
    page = client.post("/portal/submit/", big, content_type="application/x-www-form-urlencoded")
    _chinese_page(page, status=413)
    assert time.monotonic() - started < 10


def test_unknown_api_urls_answer_json_not_html(client):
    error = _api_error(client.get("/api/v1/no-such-thing/"), status=404)
    assert error["code"] == "not_found"


# --- registration limits ----------------------------------------------------------------------


def test_twenty_thousand_petitioners_are_refused_fast_and_nothing_is_numbered(client, world, county):
    people = [{"name": f"联名{i}", "id_number": "", "phone": "", "address": "", "work_unit": ""} for i in range(20000)]
    body = {
        "channel": "letter",
        "received_at": "2026-06-16T09:00:00+08:00",
        "petitioners": people,
        "nature": "request",
        "category": world.category.code,
        "content": "联名反映道路失修",
        "region": county.villages[0].code,
    }
    before = Petition.objects.count()
    started = time.monotonic()
    response = client.post("/api/v1/petitions/", json.dumps(body), content_type="application/json", **api_headers(world.users["clerk"]))
    elapsed = time.monotonic() - started
    error = _api_error(response)
    assert "petitioners" in error["fields"] and str(MAX_PETITIONERS) in json.dumps(error, ensure_ascii=False)
    assert elapsed < 3, elapsed
    print(f"20,000 petitioners refused in {elapsed:.2f} s")
    assert Petition.objects.count() == before


def test_the_service_caps_petitioners_for_every_channel(world, county):
    from xinfang.core.errors import InvalidInput
    from xinfang.petitions import services

    people = [{"name": f"联名{i}"} for i in range(MAX_PETITIONERS + 1)]
    with pytest.raises(InvalidInput) as caught:
        services.petition_register(
            actor=world.users["clerk"],
            channel="letter",
            received_at="2026-06-16T09:00:00+08:00",
            petitioners=people,
            nature="request",
            category=world.category,
            content="联名反映道路失修",
            region=county.villages[0],
        )
    assert "最多登记200名" in caught.value.message
    within = services.petition_register(
        actor=world.users["clerk"],
        channel="letter",
        received_at="2026-06-16T09:00:00+08:00",
        petitioners=people[:MAX_PETITIONERS],
        nature="request",
        category=world.category,
        content="联名反映道路失修",
        region=county.villages[0],
    )[0]
    assert within.petitioners.count() == MAX_PETITIONERS


def test_content_over_the_cap_has_a_clear_chinese_message(client, world, county):
    body = {
        "channel": "letter",
        "received_at": "2026-06-16T09:00:00+08:00",
        "petitioners": [{"name": "张三", "id_number": SECRET_ID}],
        "nature": "request",
        "category": world.category.code,
        "content": "字" * 20001,
        "region": county.villages[0].code,
    }
    error = _api_error(client.post("/api/v1/petitions/", body, content_type="application/json", **api_headers(world.users["clerk"])))
    assert error["message"] == "主要问题过长（最多20000字）"


def test_a_bad_token_header_is_a_401_not_a_500():
    c = Client()
    response = c.get("/api/v1/me/", HTTP_AUTHORIZATION="Token \udcff".encode("utf-8", "surrogateescape").decode("latin-1"))
    assert response.status_code == 401
