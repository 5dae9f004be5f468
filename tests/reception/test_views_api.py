"""Reception pages and API: warnings shown, the public upcoming list, urgent report API with the 15-minute flag."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.tokens import api_client
from xinfang.reception import services
from xinfang.reception.models import ReceptionDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_index_warns_about_empty_reception_day_and_duty_gap(client, county, people):
    today = timezone.localdate()
    services.reception_days_generate(actor=people.office, unit=county.office, start=today, end=today + timedelta(weeks=3), place="接待大厅")
    client.force_login(people.office)
    body = client.get("/reception/").content.decode()
    assert "接待日不许空岗" in body
    assert "缺值班人员、带班领导" in body or "缺值班人员" in body
    client.force_login(people.handler)
    body = client.get("/reception/").content.decode()
    assert "接待日不许空岗" not in body  # only the office and leaders manage the roster
    assert client.get("/reception/days/").status_code == 403


def test_reception_day_link_registers_visit_with_leader(client, county, people):
    today = timezone.localdate()
    ReceptionDay.objects.create(unit=county.office, date=today, place="接待大厅", leader=people.leader)
    client.force_login(people.office)
    body = client.get("/reception/days/").content.decode()
    assert f"/petitions/register/?channel=visit&amp;reception_leader={people.leader.pk}" in body


def test_public_upcoming_days_api_has_no_names_or_phones(county, people):
    people.leader.post = "副县长"
    people.leader.phone = "13911112222"
    people.leader.save()
    ReceptionDay.objects.create(unit=county.office, date=timezone.localdate() + timedelta(days=3), place="接待大厅", leader=people.leader)
    r = api_client().get("/api/v1/reception/days/upcoming/")
    assert r.status_code == 200
    row = r.json()["results"][0]
    assert set(row) == {"date", "place", "unit", "leader_post"} and row["leader_post"] == "副县长"
    assert "13911112222" not in r.content.decode() and people.leader.name not in r.content.decode()


def test_urgent_report_api_late_flag(county, people):
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        r = api_client(people.handler).post(
            "/api/v1/reception/urgent-reports/",
            {"what": "聚集", "region": county.townships[0].code, "headcount": 12, "discovered_at": t0.isoformat()},
            format="json",
        )
        assert r.status_code == 201
        rid, version = r.json()["id"], r.json()["version"]
        bad = api_client(people.handler).post(
            "/api/v1/reception/urgent-reports/", {"what": "", "region": "nope", "headcount": -1}, format="json"
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    with time_machine.travel(t0 + timedelta(minutes=16), tick=False):
        r = api_client(people.handler).post(
            f"/api/v1/reception/urgent-reports/{rid}/send/",
            {"version": version, "to_users": [people.leader.username], "note": "电话"},
            format="json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["late"] is True and r.json()["reported_to_users"] == [people.leader.username]
        r = api_client(people.leader).post(f"/api/v1/reception/urgent-reports/{rid}/acknowledge/")
        assert r.status_code == 200 and r.json()["acknowledged_by"] == people.leader.display_name
        assert api_client(people.outsider).get(f"/api/v1/reception/urgent-reports/{rid}/").status_code == 404


def test_warnings_api(county, people):
    today = timezone.localdate()
    ReceptionDay.objects.create(unit=county.office, date=today + timedelta(days=1), place="接待大厅")
    r = api_client(people.office).get(
        "/api/v1/reception/warnings/", {"start": today.isoformat(), "end": (today + timedelta(days=7)).isoformat()}
    )
    assert r.status_code == 200 and len(r.json()["empty_reception_days"]) == 1
    assert api_client(people.handler).get("/api/v1/reception/warnings/").status_code == 403
    r = api_client(people.office).get("/api/v1/reception/warnings/", {"start": "2026-13-01"})
    assert r.status_code == 400


def test_urgent_page_has_countdown_and_no_inline_script(client, county, people):
    report = services.urgent_report_create(
        discovered_at=timezone.now(), actor=people.handler, what="聚集", region=county.townships[0], headcount=5, measures=""
    )
    client.force_login(people.handler)
    body = client.get(f"/reception/urgent/{report.pk}/").content.decode()
    assert 'id="countdown"' in body and "data-deadline=" in body and "js/urgent.js" in body
    assert "<script>" not in body
    assert client.get("/reception/urgent/new/").status_code == 200


def test_collective_response_and_arrivals_on_the_report_page(client, county, people):
    report = services.urgent_report_create(
        discovered_at=timezone.now(), actor=people.office, what="集体访", region=county.townships[0], headcount=20, measures=""
    )
    client.force_login(people.office)
    r = client.post(f"/reception/urgent/{report.pk}/", {"op": "response", "representatives": "甲、乙", "outcome": ""}, follow=True)
    assert "已登记集体访处置" in r.content.decode()
    resp = report.collective_responses.get()
    client.post(f"/reception/urgent/{report.pk}/", {"op": "arrival", "response": resp.pk, "name": "工作人员"})
    body = client.post(
        f"/reception/urgent/{report.pk}/", {"op": "arrival", "response": resp.pk, "name": "局长", "is_unit_leader": "on"}, follow=True
    )
    assert "单位主要领导未第一个到场" in body.content.decode()
    r = client.post(f"/reception/urgent/{report.pk}/", {"op": "response", "representatives": "1、2、3、4、5、6"})
    assert "集体访代表不超过5人" in r.content.decode()
    assert report.collective_responses.count() == 1


def test_days_duty_and_meetings_api(county, people):
    r = api_client(people.office).post(
        "/api/v1/reception/days/",
        {"unit": "xfj", "start": "2026-03-01", "end": "2026-03-15", "place": "接待大厅", "leader": people.leader.username},
        format="json",
    )
    assert r.status_code == 201 and [d["date"] for d in r.json()["results"]] == ["2026-03-04", "2026-03-11"]
    r = api_client(people.office).get("/api/v1/reception/days/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert len(r.json()["results"]) == 2 and r.json()["results"][0]["leader"] == people.leader.username
    r = api_client(people.office).post(
        "/api/v1/reception/duty/",
        {"unit": "xfj", "date": "2026-10-01", "kind": "holiday", "officer": people.office.username, "phone": ""},
        format="json",
    )
    assert r.status_code == 400 and "phone" in r.json()["error"]["fields"]
    r = api_client(people.office).post(
        "/api/v1/reception/duty/",
        {
            "unit": "xfj",
            "date": "2026-10-01",
            "kind": "holiday",
            "officer": people.office.username,
            "phone": "110",
            "leader_on_call": people.leader.username,
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["leader_on_call"] == people.leader.username
    assert (
        api_client(people.handler)
        .post("/api/v1/reception/duty/", {"unit": "xfj", "date": "2026-10-02", "kind": "holiday"}, format="json")
        .status_code
        == 403
    )
    r = api_client(people.office).post(
        "/api/v1/reception/meetings/",
        {
            "unit": "dept-hr",
            "date": "2026-01-10",
            "chair": "局长",
            "attendees": "班子",
            "issues": "欠薪",
            "decisions": "包案",
            "petitions": ["NOPE"],
        },
        format="json",
    )
    assert r.status_code == 400 and "petitions" in r.json()["error"]["fields"]
    r = api_client(people.office).post(
        "/api/v1/reception/meetings/",
        {"unit": "dept-hr", "date": "2026-01-10", "chair": "局长", "attendees": "班子", "issues": "欠薪", "decisions": "包案"},
        format="json",
    )
    assert r.status_code == 201
    assert len(api_client(people.office).get("/api/v1/reception/meetings/", {"year": "2026"}).json()["results"]) == 1
