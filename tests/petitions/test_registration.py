"""Registration: validation, numbers, query code, collective, confidentiality, repeats, attachments."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone
from PIL import Image

from xinfang.core.errors import InvalidInput
from xinfang.core.inputs import id_number_valid
from xinfang.petitions import selectors, timelimits
from xinfang.petitions.models import Attachment, Petition, Petitioner, PetitionEvent, RegistrationCounter
from xinfang.petitions.registration import check_query_code
from xinfang.petitions.services import petition_link_repeat, petition_register

from .conftest import valid_id
from .helpers import act, drive

pytestmark = pytest.mark.django_db


def test_id_number_checksum():
    good = valid_id("11010519491231002")
    assert good == "11010519491231002X"
    assert id_number_valid(good)
    assert not id_number_valid("110105194912310021")  # wrong check digit
    assert not id_number_valid("11010519491331002X")  # month 13
    assert not id_number_valid("1101051949123100")  # too short


def test_registration_numbers_query_code_and_event(register, users):
    p1, code1 = register()
    p2, code2 = register()
    year = timezone.localdate().year
    assert p1.reg_no == f"XFJ-{year}-000001"
    assert p2.reg_no == f"XFJ-{year}-000002"
    assert code1 != code2 and len(code1) == 8
    assert code1 not in p1.query_code_hash
    assert check_query_code(p1, code1) and check_query_code(p1, code1.lower())
    assert not check_query_code(p1, code2)
    ev = p1.events.get()
    assert ev.action == "register" and ev.actor == users.clerk and ev.to_status == "registered"
    assert p1.first_receiver == users.clerk
    # Due fields: 15 days to dispatch and to decide acceptance, counted from receipt; 当日阅办 by the end of the day
    # received (the first thing due until the petition is triaged).
    assert p1.dispatch_due_at > p1.received_at + timedelta(days=14)
    assert p1.triage_due_at == timelimits.due_for("triage", p1.received_at)
    assert p1.due_at == min(p1.dispatch_due_at, p1.accept_due_at, p1.triage_due_at) == p1.triage_due_at


def test_identity_is_encrypted_and_hashed(register):
    p, _ = register()
    person = p.petitioners.get()
    with connection.cursor() as cur:
        cur.execute("SELECT name, id_number FROM petitions_petitioner WHERE id = %s", [person.pk])
        raw_name, raw_id = cur.fetchone()
    assert "张三" not in raw_name and raw_id.startswith("enc1:")
    assert person.id_number == valid_id() and person.id_hash


def test_bad_id_number_refused_with_field_and_nothing_written(register):
    with pytest.raises(InvalidInput) as exc:
        register(petitioners=[{"name": "李四", "id_number": "110105194912310021"}])
    assert "身份证" in exc.value.message
    assert "petitioners[0].id_number" in exc.value.fields
    assert Petition.objects.count() == 0 and Petitioner.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_collective_and_representatives(register):
    reps = [{"name": f"代表{i}", "phone": f"1390000000{i}"} for i in range(5)]
    p, _ = register(channel="visit", headcount=30, representatives=reps)
    assert p.collective and p.headcount == 30
    assert p.petitioners.filter(is_representative=True).count() == 5
    small, _ = register(channel="visit", headcount=4)
    assert not small.collective
    with pytest.raises(InvalidInput) as exc:
        register(channel="visit", headcount=30, representatives=reps + [{"name": "第六人"}])
    assert "不得超过5人" in exc.value.message
    assert "representatives" in exc.value.fields


def test_confidential_defaults_for_reports(register):
    report, _ = register(nature="report", respondents=[{"name": "王某", "unit": "某镇政府", "post": "副镇长"}])
    assert report.confidential
    assert report.respondents.get().post == "副镇长"
    request, _ = register(nature="request")
    assert not request.confidential
    explicit, _ = register(nature="report", confidential=False)
    assert not explicit.confidential


def test_anonymous_needs_no_petitioner_signed_does(register):
    p, _ = register(anonymous=True, petitioners=[])
    assert p.anonymous and p.petitioners.count() == 0
    with pytest.raises(InvalidInput):
        register(petitioners=[])


def test_channel_specific_fields(register, users):
    with pytest.raises(InvalidInput) as exc:
        register(channel="from_superior")
    assert "superior_doc_no" in exc.value.fields
    due = timezone.now() + timedelta(days=5)
    p, _ = register(channel="from_superior", superior_doc_no="市信访交〔2026〕8号", superior_due_at=due)
    assert p.superior_due_at == due
    assert p.due_at == p.triage_due_at  # until triaged, today's 阅办 comes first
    p = act(p, "triage", users)
    assert p.due_at == due  # then the superior's due date, earlier than the 15-day limit
    letter, _ = register(channel="letter", postmark_date="2026-01-05")
    assert str(letter.postmark_date) == "2026-01-05"
    with pytest.raises(InvalidInput):
        register(received_at=timezone.now() + timedelta(days=2))


def test_repeat_candidates_and_linking(register, users, county):
    original, _ = register()
    # Same ID number, different content and place.
    found = selectors.repeat_candidates(actor=users.clerk, id_numbers=[valid_id()])
    assert [c["petition"] for c in found] == [original]
    assert "身份证号相同" in found[0]["reasons"]
    # Same phone.
    assert selectors.repeat_candidates(actor=users.clerk, phones=["13800138000"])[0]["petition"] == original
    # Similar content in the same region, no identity.
    similar = selectors.repeat_candidates(actor=users.clerk, content="反映某公司拖欠农民工工资三个月没有发放", region=county.villages[0])
    assert similar and similar[0]["petition"] == original
    assert not selectors.repeat_candidates(actor=users.clerk, content="反映某公司拖欠农民工工资三个月没有发放", region=county.villages[1])
    # Scope: a handler without the petition sees no candidate.
    assert selectors.repeat_candidates(actor=users.handler, id_numbers=[valid_id()]) == []

    repeat, _ = register(repeat_of=original)
    assert not repeat.first_time and repeat.repeat_of == original and not repeat.matter_ended
    assert selectors.repeat_chain(actor=users.office, petition=repeat) == [original]

    later, _ = register()
    later = petition_link_repeat(actor=users.clerk, petition_or_reg_no=later.reg_no, repeat_of=original, version=later.version)
    assert not later.first_time and later.events.last().action == "link_repeat"


def test_matter_ended_after_rereview_is_flagged_not_refused(register, users):
    ended = drive(register, users, "under_rereview")
    ended = act(ended, "reply", users)
    assert ended.review_level == 2 and ended.matter_ended
    again, code = register(repeat_of=ended)
    assert again.matter_ended and again.status == "registered" and code


def _png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_attachments_sniffed_hashed_and_kept(register):
    png = SimpleUploadedFile("信封.jpg", _png_bytes(), content_type="image/jpeg")  # the name lies; the content decides
    p, _ = register(attachments=[{"file": png, "kind": "envelope"}])
    att = p.attachments.get()
    assert att.content_type == "image/png" and att.kind == "envelope" and len(att.sha256) == 64
    att.file.open("rb")
    assert att.file.read() == _png_bytes()
    with pytest.raises(InvalidInput) as exc:
        register(attachments=[SimpleUploadedFile("scan.pdf", b"#!/bin/sh\necho not a pdf\n")])
    assert "类型不支持" in exc.value.message
    assert Attachment.objects.count() == 1
    with pytest.raises(Exception):  # noqa: B017 - nothing is ever deleted
        att.delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_numbers_are_gap_free(county, category, users):
    if connection.vendor != "postgresql":
        pytest.skip("并发登记编号需在 PostgreSQL 上验证（SQLite 的写事务本身就是串行的）")
    results, errors = [], []

    def worker(n):
        try:
            for _ in range(5):
                p, _ = petition_register(
                    actor=users.clerk,
                    channel="phone",
                    received_at=timezone.now(),
                    petitioners=[{"name": f"并发{n}"}],
                    nature="inquiry",
                    category=category,
                    content=f"并发登记测试 {n}",
                    region=county.region,
                )
                results.append(p.seq)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 41))
    assert RegistrationCounter.objects.get(office=county.office).last == 40


def test_portal_registration_without_actor(county, category):
    p, code = petition_register(
        actor=None,
        actor_label="网上信访",
        office=county.office,
        channel="online",
        received_at=timezone.now(),
        petitioners=[{"name": "孙八", "phone": "13600001111"}],
        nature="suggestion",
        category=category,
        content="建议在镇上增设公交站点",
        region=county.townships[1],
        external_channel="open311",
        external_id="req-1",
    )
    assert p.first_receiver is None and p.office == county.office and check_query_code(p, code)
    assert p.events.get().actor_label == "网上信访"
    with pytest.raises(InvalidInput) as exc:  # the same external request is registered once
        petition_register(
            actor=None,
            office=county.office,
            channel="online",
            received_at=timezone.now(),
            petitioners=[{"name": "孙八"}],
            nature="suggestion",
            category=category,
            content="重复提交",
            region=county.townships[1],
            external_channel="open311",
            external_id="req-1",
        )
    assert "external_id" in exc.value.fields
