"""Open311 GeoReport v2 as the standard writes it: a location required and checked, location and source kept and
returned as sent, jurisdiction_id checked when configured, errors in the standard's format for every method and
path (XML too), and a replay that returns the identical first body — the query code in it — for 24 hours."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.portal.test_open311 import _post, validate
from xinfang.petitions.models import Petition
from xinfang.portal.models import IdempotencyRecord, Open311Request

pytestmark = pytest.mark.django_db

KEY = {"api_key": "test-open311-key"}


@pytest.mark.parametrize(
    "extra, reason",
    [
        ({"address_string": ""}, "位置"),
        ({"address_string": "", "lat": "abc", "long": "200"}, "lat"),
        ({"address_string": "", "lat": "31.2", "long": "200"}, "long"),
        ({"address_string": "", "lat": "-90.5", "long": "117"}, "lat"),
        ({"address_string": "", "lat": "31.2"}, "long"),
        ({"address_string": "", "lat": "NaN", "long": "117"}, "lat"),
        ({"address_string": "", "address_id": "NO-SUCH-PLACE"}, "address_id"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"description": "长" * 4001}, "4000"),
    ],
)
def test_a_post_without_a_valid_location_is_refused_and_leaves_nothing(client, channel, extra, reason):
    for fmt in ("json", "xml"):
        r = _post(client, fmt=fmt, **extra)
        assert r.status_code == 400
        if fmt == "json":
            validate(r.json(), "errors.json")
            assert reason in r.json()[0]["description"]
        else:
            root = ET.fromstring(r.content)
            assert root.tag == "errors" and root.find("error/code").text == "400"
    assert Petition.objects.count() == 0 and Open311Request.objects.count() == 0


def test_location_and_source_are_kept_and_returned_as_sent(client, channel, portal_county):
    sent = {
        "address_string": "第1镇1村村委会东侧200米",
        "lat": "３１.２０１２３４",  # full-width digits from a Chinese input method
        "long": "117.2",
        "media_url": "https://img.example.cn/p/1.jpg",
        "account_id": "wx-user-42",
        "device_id": "device-7",
    }
    r = _post(client, **sent)
    assert r.status_code == 201
    body = r.json()
    validate(body, "post-response.json")
    assert body[0]["account_id"] == "wx-user-42"
    reg_no = body[0]["service_request_id"]
    row = client.get(f"/open311/v2/requests/{reg_no}.json", KEY).json()
    validate(row, "requests.json")
    got = row[0]
    assert got["lat"] == 31.201234 and got["long"] == 117.2
    assert got["address"] == sent["address_string"]  # the address sent, not the matched region
    assert got["media_url"] == sent["media_url"]
    stored = Open311Request.objects.get(petition__reg_no=reg_no)
    assert stored.device_id == "device-7" and stored.account_id == "wx-user-42"
    assert Petition.objects.get(reg_no=reg_no).region == portal_county.villages[0]
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{reg_no}.xml", KEY).content)
    assert xml.find("request/lat").text == "31.201234" and xml.find("request/address").text == sent["address_string"]


def test_coordinates_alone_or_an_address_id_are_a_location(client, channel, portal_county):
    village = portal_county.villages[0]
    by_point = _post(client, address_string="", lat="31.2", long="117.25")
    assert by_point.status_code == 201
    by_id = _post(client, address_string="", address_id=village.code)
    assert by_id.status_code == 201
    p = Petition.objects.get(reg_no=by_id.json()[0]["service_request_id"])
    assert p.region == village
    row = client.get(f"/open311/v2/requests/{p.reg_no}.json", KEY).json()[0]
    assert row["address_id"] == village.code and row["lat"] is None


def test_jurisdiction_id_is_checked_when_configured(client, channel, settings):
    settings.XINFANG_OPEN311_JURISDICTION = "anhe.gov.cn"
    wrong = client.get("/open311/v2/services.json", {"jurisdiction_id": "elsewhere.gov.cn"})
    assert wrong.status_code == 404
    validate(wrong.json(), "errors.json")
    assert _post(client, jurisdiction_id="elsewhere.gov.cn").status_code == 400
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "anhe.gov.cn"}).status_code == 200
    assert _post(client, jurisdiction_id="anhe.gov.cn").status_code == 201
    assert _post(client).status_code == 201  # one jurisdiction: the id may be left out
    settings.XINFANG_OPEN311_JURISDICTION = ""
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "anything"}).status_code == 200


@pytest.mark.parametrize(
    "path", ["discovery", "services", "services/labour", "requests", "requests/XFJ-2026-000001", "tokens/abc", "no-such-resource"]
)
def test_every_method_and_path_answers_errors_in_the_standard_format(client, channel, path):
    for fmt in ("json", "xml"):
        url = f"/open311/v2/{path}.{fmt}"
        for method in ("put", "delete", "patch"):
            r = getattr(client, method)(url)
            expected = 404 if path == "no-such-resource" else 405
            assert r.status_code == expected, (method, url)
            if fmt == "json":
                assert r["Content-Type"].startswith("application/json")
                validate(r.json(), "errors.json")
                assert r.json()[0]["code"] == expected
            else:
                assert r["Content-Type"].startswith("text/xml")
                root = ET.fromstring(r.content)
                assert root.tag == "errors" and root.find("error/code").text == str(expected)
            if expected == 405:
                assert "GET" in r["Allow"]


def test_a_replay_returns_the_identical_body_for_24_hours_then_the_code_is_gone(client, channel):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = _post(client, headers={"Idempotency-Key": "lost-answer-1"})
        code_line = first.json()[0]["service_notice"]
        code = re.search(r"查询码 ([2-9A-Z]{8})", code_line).group(1)
        assert first.status_code == 201
        record = IdempotencyRecord.objects.get(key="lost-answer-1")
        with connection.cursor() as cursor:  # kept encrypted: the raw column holds no code
            cursor.execute("SELECT response FROM portal_idempotencyrecord WHERE id = %s", [record.pk])
            raw = cursor.fetchone()[0]
        assert raw and code not in raw and first.json()[0]["service_request_id"] not in raw
        traveller.shift(timedelta(hours=23, minutes=59))
        again = _post(client, headers={"Idempotency-Key": "lost-answer-1"})
        assert again.status_code == 200 and again.content == first.content
        xml = _post(client, fmt="xml", headers={"Idempotency-Key": "lost-answer-1"})
        assert ET.fromstring(xml.content).find("request/service_notice").text == code_line
        by_client_id = _post(client, **{"attribute[external_id]": "WX-1"})
        assert _post(client, **{"attribute[external_id]": "WX-1"}).content == by_client_id.content
        assert re.search(r"查询码 [2-9A-Z]{8}", by_client_id.json()[0]["service_notice"])

        traveller.shift(timedelta(minutes=2))  # past 24 hours: the same petition, no code, even before the drop
        late = _post(client, headers={"Idempotency-Key": "lost-answer-1"})
        assert late.status_code == 200
        assert late.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
        assert code not in late.content.decode()
        call_command("open311_drop_replays")
        record.refresh_from_db()
        assert record.response == "" and record.petition_id  # dropped; the record stays
        assert IdempotencyRecord.objects.get(key="external:WX-1").response  # younger than 24 h: kept
    assert Petition.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_posts_replays_and_reads_back_location_and_media(live_server, channel):
    """georeport (PyPI) has no POST and sends no api_key: the POST goes through the same `requests` library the client
    uses, form-encoded as the spec writes, and the reads through the client itself, with the channel's api_key as a
    default parameter of the requests session it calls (our reads need the key: docs/portal.md)."""
    import georeport.georeport as georeport_module
    import requests
    from georeport import GeoReport

    session = requests.Session()
    session.params = {"api_key": "test-open311-key"}
    root = f"{live_server.url}/open311/v2"
    form = {
        "api_key": "test-open311-key",
        "service_code": "labour",
        "description": "工地拖欠工资，附照片",
        "lat": "31.2",
        "long": "117.25",
        "address_string": "第1镇1村工地",
        "media_url": "https://img.example.cn/wage.jpg",
        "account_id": "acct-9",
    }
    first = session.post(f"{root}/requests.json", data=form, headers={"Idempotency-Key": "gr-1"})
    replay = session.post(f"{root}/requests.json", data=form, headers={"Idempotency-Key": "gr-1"})
    assert first.status_code == 201 and replay.status_code == 200 and replay.content == first.content
    validate(first.json(), "post-response.json")
    reg_no = first.json()[0]["service_request_id"]
    original = georeport_module.requests
    georeport_module.requests = session
    try:
        for fmt in ("json", "xml"):
            read = GeoReport(root + "/", output_format=fmt).get_service_request(reg_no)
            assert read["service_request_id"] == reg_no
            assert float(read["lat"]) == 31.2 and float(read["long"]) == 117.25
            assert read["address"] == "第1镇1村工地" and read["media_url"] == "https://img.example.cn/wage.jpg"
        listed = GeoReport(root + "/").get_service_requests(service_request_id=reg_no)
        validate(listed, "requests.json")
    finally:
        georeport_module.requests = original
    assert json.loads(replay.content)[0]["account_id"] == "acct-9"
    assert Client().get(f"/open311/v2/requests/{reg_no}.json").status_code == 403  # without the key: refused
