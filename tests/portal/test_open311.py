"""Open311 GeoReport v2 conformance: every response validated against the recreated schemas
(tests/portal/data/open311), XML mirrors JSON, idempotent retries, errors in the Open311 shape."""

import json
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.db import connection
from django.test import Client
from referencing import Registry, Resource

from xinfang.petitions.models import Petition
from xinfang.portal import services
from xinfang.portal.models import IdempotencyRecord

DATA = Path(__file__).parent / "data" / "open311"
BASE = "https://xinfang.test/open311/"

_checker = jsonschema.FormatChecker(formats=())


@_checker.checks("date-time", raises=ValueError)
def _date_time(value):
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no offset")
    return True


@_checker.checks("uri", raises=ValueError)
def _uri(value):
    parsed = urlparse(value)
    if not (parsed.scheme and parsed.netloc):
        raise ValueError(value)
    return True


def _schemas():
    resources = {}
    for f in DATA.glob("*.json"):
        schema = json.loads(f.read_text())
        schema["$id"] = BASE + f.name
        resources[BASE + f.name] = Resource.from_contents(schema)
    return Registry().with_resources(resources.items())


REGISTRY = _schemas()


def validate(data, name):
    schema = REGISTRY.contents(BASE + name)
    jsonschema.Draft7Validator(schema, registry=REGISTRY, format_checker=_checker).validate(data)


def _post(client, fmt="json", key="test-open311-key", headers=None, **extra):
    data = {
        "api_key": key,
        "service_code": "labour",
        "description": "工地拖欠农民工工资两个月。",
        "first_name": "信访",
        "last_name": "周",
        "phone": "13700137000",
        "address_string": "测试县第1镇1村",
        "attribute[nature]": "request",
    }
    data.update(extra)
    return client.post(f"/open311/v2/requests.{fmt}", data, headers=headers or {})


@pytest.mark.django_db
def test_discovery_services_and_definitions_validate(client, channel):
    r = client.get("/open311/v2/discovery.json")
    validate(r.json(), "discovery.json")
    services_json = client.get("/open311/v2/services.json").json()
    validate(services_json, "services.json")
    assert {s["service_code"] for s in services_json} == {"labour", "discipline"}
    definition = client.get("/open311/v2/services/labour.json").json()
    validate(definition, "service-definition.json")
    assert {a["code"] for a in definition["attributes"]} >= {"nature", "external_id"}
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404
    validate(missing.json(), "errors.json")


@pytest.mark.django_db
def test_post_registers_a_petition_and_reads_back(client, channel, portal_county):
    r = _post(client)
    assert r.status_code == 201
    body = r.json()
    validate(body, "post-response.json")
    p = Petition.objects.get(reg_no=body[0]["service_request_id"])
    assert p.channel == "online" and p.external_channel == "hotline12345" and p.status == "registered"
    assert p.region == portal_county.villages[0]  # matched from the address
    assert p.petitioners.get().name == "周信访"
    assert "查询码" in body[0]["service_notice"]
    listed = client.get("/open311/v2/requests.json", {"api_key": "test-open311-key"}).json()
    validate(listed, "requests.json")
    assert [row["service_request_id"] for row in listed] == [p.reg_no]
    row = listed[0]
    assert row["status"] == "open" and row["expected_datetime"] and "周信访" not in json.dumps(listed, ensure_ascii=False)
    one = client.get(f"/open311/v2/requests/{p.reg_no}.json", {"api_key": "test-open311-key"}).json()
    validate(one, "requests.json")
    token = client.get(f"/open311/v2/tokens/{body[0]['token']}.json", {"api_key": "test-open311-key"}).json()
    validate(token, "tokens.json")
    assert token[0]["service_request_id"] == p.reg_no


@pytest.mark.django_db
def test_closed_status_after_reply(client, channel, drive_to_reply):
    reg_no = _post(client).json()[0]["service_request_id"]
    drive_to_reply(Petition.objects.get(reg_no=reg_no))
    row = client.get(f"/open311/v2/requests/{reg_no}.json", {"api_key": "test-open311-key"}).json()[0]
    assert row["status"] == "closed" and "已答复" in row["status_notes"]
    assert client.get("/open311/v2/requests.json", {"api_key": "test-open311-key", "status": "open"}).json() == []


@pytest.mark.django_db
def test_xml_mirrors_json(client, channel):
    r = _post(client, fmt="xml")
    assert r.status_code == 201 and r["Content-Type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text.startswith("XFJ-")
    services_xml = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert services_xml.tag == "services" and [e.text for e in services_xml.findall("service/service_code")] == ["discipline", "labour"]
    assert services_xml.find("service/metadata").text == "true"
    definition = ET.fromstring(client.get("/open311/v2/services/labour.xml").content)
    assert definition.tag == "service_definition" and definition.find("attributes/attribute/values/value/key") is not None
    listed = ET.fromstring(client.get("/open311/v2/requests.xml", {"api_key": "test-open311-key"}).content)
    as_json = client.get("/open311/v2/requests.json", {"api_key": "test-open311-key"}).json()
    assert listed.find("request/status").text == as_json[0]["status"] == "open"
    assert listed.find("request/expected_datetime").text == as_json[0]["expected_datetime"]
    err = ET.fromstring(client.get("/open311/v2/requests.xml", {"api_key": "wrong"}).content)
    assert err.tag == "errors" and err.find("error/code").text == "403"
    assert ET.fromstring(client.get("/open311/v2/discovery.xml").content).find("endpoints/endpoint/specification") is not None


@pytest.mark.django_db
def test_errors_use_the_open311_shape_and_leave_nothing(client, channel):
    for r, status in (
        (_post(client, key="wrong"), 403),
        (_post(client, service_code="nope"), 400),
        (_post(client, description=""), 400),
        (_post(client, phone="123"), 400),
    ):
        assert r.status_code == status
        validate(r.json(), "errors.json")
    assert Petition.objects.count() == 0
    assert client.get("/open311/v2/requests.json").status_code == 403  # reads need the client's key too


@pytest.mark.django_db
def test_idempotent_retry_by_header_and_by_external_id(client, channel):
    first = _post(client, headers={"Idempotency-Key": "abc-1"})
    again = _post(client, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.content == first.content  # the identical body: a client whose first answer was lost learns the code
    assert "查询码" in again.json()[0]["service_notice"]
    a = _post(client, **{"attribute[external_id]": "WX-778"})
    b = _post(client, **{"attribute[external_id]": "WX-778"})
    assert a.json()[0]["service_request_id"] == b.json()[0]["service_request_id"]
    assert Petition.objects.count() == 2
    other, _ = services.open311_client_create(name="微信", channel_code="wechat", api_key="other-key")
    c = _post(client, key="other-key", **{"attribute[external_id]": "WX-778"})
    assert c.status_code == 201 and Petition.objects.count() == 3  # another channel's id is its own
    assert client.get(f"/open311/v2/requests/{a.json()[0]['service_request_id']}.json", {"api_key": "other-key"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_register_once(channel):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    results, errors = [], []
    barrier = threading.Barrier(6)

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            r = _post(Client(), headers={"Idempotency-Key": "retry-storm"})
            results.append((r.status_code, r.json()[0].get("service_request_id")))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({reg for _, reg in results}) == 1
    assert sorted(s for s, _ in results) == [200] * 5 + [201]
    assert Petition.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_third_party_georeport_client_reads_services(live_server, channel):
    """georeport (PyPI, the one Open311 client that still installs on Python 3.11) against the live server.

    It has no POST and sends no api_key on reads, so it covers discovery of services and their
    definitions; our request reads need the channel's key (privacy), which it cannot send.
    """
    import requests
    from georeport import GeoReport

    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}/open311/v2/", output_format=fmt)
        listed = client.get_service_list()
        codes = sorted(s["service_code"] for s in listed)
        assert codes == ["discipline", "labour"]
        definition = client.get_service_definition("labour")
        assert definition["service_code"] == "labour"
        if fmt == "json":
            validate(listed, "services.json")
            validate(definition, "service-definition.json")
        else:
            attrs = definition["attributes"]["attribute"]
            assert {a["code"] for a in attrs} >= {"nature", "external_id"}
    reg_no = _post(Client()).json()[0]["service_request_id"]
    with pytest.raises(requests.HTTPError) as exc:
        GeoReport(f"{live_server.url}/open311/v2/").get_service_request(reg_no)
    assert exc.value.response.status_code == 403


@pytest.mark.django_db
def test_post_with_a_photo_and_an_anonymous_report(client, channel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.portal.test_portal import PNG

    r = _post(
        client,
        first_name="",
        last_name="",
        phone="",
        service_code="discipline",
        **{"attribute[nature]": "report", "media": SimpleUploadedFile("p.png", PNG, "image/png")},
    )
    assert r.status_code == 201
    p = Petition.objects.get()
    assert p.anonymous and p.confidential and p.nature == "report" and p.attachments.count() == 1
