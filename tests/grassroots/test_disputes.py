from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document

from tests.grassroots.conftest import PARTIES
from xinfang.core.errors import DomainError, InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.core.inputs import id_check_char
from xinfang.grassroots import documents, selectors, services
from xinfang.grassroots.models import Dispute, DisputeEvent, DisputeParty, DisputePolicy

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_record_places_dispute_in_village_and_township_with_village_target(net):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        d = services.dispute_record(actor=net.liaison, kind="neighbours", region=net.g1, description="排水沟纠纷", parties=PARTIES)
    assert (d.village, d.township, d.level, d.status) == (net.v1, net.t1, "village", "open")
    assert d.due_at == datetime(2026, 3, 9, 9, 0, tzinfo=SH)
    assert d.number.startswith("JF2026")
    assert list(d.events.values_list("action", flat=True)) == ["record"]


def test_escalation_path_village_township_county_each_with_own_target(net):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False) as tm:
        d = services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description="承包地界", parties=PARTIES)
        tm.move_to(datetime(2026, 3, 5, 10, 0, tzinfo=SH))
        d = services.dispute_escalate(actor=net.liaison, dispute_id=d.pk, version=d.version, reason="村级调解未果")
        assert (d.level, d.due_at) == ("township", datetime(2026, 3, 20, 10, 0, tzinfo=SH))
        # The liaison no longer works it at township level; the township does.
        with pytest.raises(NoPermission):
            services.dispute_escalate(actor=net.liaison, dispute_id=d.pk, version=d.version, reason="x")
        with pytest.raises(NotFound):  # another township does not even see it
            services.dispute_escalate(actor=net.twp2, dispute_id=d.pk, version=d.version, reason="x")
        tm.move_to(datetime(2026, 3, 10, 8, 0, tzinfo=SH))
        d = services.dispute_escalate(actor=net.twp, dispute_id=d.pk, version=d.version, reason="涉及多户，需县级协调")
        assert (d.level, d.due_at, d.escalations) == ("county", datetime(2026, 4, 9, 8, 0, tzinfo=SH), 2)
        with pytest.raises(NoPermission):
            services.dispute_add_session(
                actor=net.twp, dispute_id=d.pk, version=d.version, held_on=d.found_at.date(), mediator="x", participants="x", summary="x"
            )
        with pytest.raises(InvalidTransition):
            services.dispute_escalate(actor=net.office, dispute_id=d.pk, version=d.version, reason="再上报")
    events = list(DisputeEvent.objects.filter(dispute=d).values_list("action", "from_level", "to_level", "note"))
    assert events == [
        ("record", "", "village", ""),
        ("escalate", "village", "township", "村级调解未果"),
        ("escalate", "township", "county", "涉及多户，需县级协调"),
    ]
    assert Dispute.objects.count() == 1  # one record all the way


def test_targets_are_configurable(net):
    policy = DisputePolicy.current()
    policy.village_days = 3
    policy.save()
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=SH), tick=False):
        d = services.dispute_record(actor=net.twp, kind="family", region=net.v2, description="赡养", parties=PARTIES[:1])
    assert d.due_at == datetime(2026, 5, 4, 12, 0, tzinfo=SH)


def test_escalate_needs_reason_and_current_version(dispute, net):
    with pytest.raises(InvalidInput) as exc:
        services.dispute_escalate(actor=net.liaison, dispute_id=dispute.pk, version=dispute.version, reason="  ")
    assert "reason" in exc.value.fields
    services.dispute_escalate(actor=net.vhandler, dispute_id=dispute.pk, version=dispute.version, reason="调解未果")
    with pytest.raises(StaleVersion):  # a second person working from the old page
        services.dispute_escalate(actor=net.twp, dispute_id=dispute.pk, version=dispute.version, reason="重复上报")
    assert DisputeEvent.objects.filter(dispute=dispute, action="escalate").count() == 1


def test_agreement_resolves_at_current_level_and_prints_docx(dispute, net):
    session = services.dispute_add_session(
        actor=net.vhandler,
        dispute_id=dispute.pk,
        version=dispute.version,
        held_on=dispute.found_at.date(),
        place="村委会",
        mediator="驻村员",
        participants="双方当事人、村干部",
        summary="现场测量后双方同意以界桩为准",
        agreement_reached=True,
        agreement_terms="一、以原界桩为界。\n二、李四海于五日内拆除越界围墙。",
    )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_level, dispute.due_at) == ("resolved", "village", None)
    doc = Document(BytesIO(documents.agreement_docx(session)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "人民调解协议书" in text and "李四海于五日内拆除越界围墙" in text and dispute.number in text
    assert "张三丰" in cells and "13987654321" in cells
    with pytest.raises(InvalidTransition):
        services.dispute_escalate(actor=net.twp, dispute_id=dispute.pk, version=dispute.version, reason="x")


def test_agreement_needs_terms(dispute, net):
    with pytest.raises(InvalidInput):
        services.dispute_add_session(
            actor=net.vhandler,
            dispute_id=dispute.pk,
            version=1,
            held_on=dispute.found_at.date(),
            mediator="m",
            participants="p",
            summary="s",
            agreement_reached=True,
            agreement_terms="",
        )
    assert dispute.sessions.count() == 0


def test_bad_input_leaves_nothing_written(net):
    with pytest.raises(InvalidInput):
        services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description="x", parties=[{"name": " "}])
    with pytest.raises(InvalidInput):
        services.dispute_record(actor=net.liaison, kind="bogus", region=net.v1, description="x", parties=PARTIES)
    with pytest.raises(NoPermission):  # a village out of the liaison's scope
        services.dispute_record(actor=net.liaison, kind="land", region=net.v3, description="x", parties=PARTIES)
    with pytest.raises(NoPermission):  # information officers report; they do not record disputes
        services.dispute_record(actor=net.info, kind="land", region=net.g1, description="x", parties=PARTIES)
    assert Dispute.objects.count() == 0 and DisputeParty.objects.count() == 0


def test_nothing_is_deleted(dispute):
    with pytest.raises(DomainError):
        dispute.delete()
    with pytest.raises(DomainError):
        Dispute.objects.all().delete()
    with pytest.raises(DomainError):
        DisputeEvent.objects.all().delete()


def test_identity_right_holders(dispute, net):
    allowed = {u.username for u in (net.office, net.twp, net.vhandler) if selectors.can_view_dispute_identity(u, dispute)}
    denied = {
        u.username
        for u in (net.liaison, net.info, net.supervisor, net.twp2, net.dept, net.viewer)
        if selectors.can_view_dispute_identity(u, dispute)
    }
    assert allowed == {net.office.username, net.twp.username, net.vhandler.username}
    assert denied == set()


def test_parties_encrypted_at_rest(dispute):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("select name, phone, id_number from grassroots_disputeparty")
        rows = cur.fetchall()
    assert rows and all(v.startswith("enc1:") for row in rows for v in row)
    assert "张三丰" not in repr(rows)


def test_figures_per_township_and_village_in_one_query(net, django_assert_num_queries):
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=SH), tick=False) as tm:
        a = services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description="a", parties=PARTIES)
        b = services.dispute_record(actor=net.twp, kind="land", region=net.v2, description="b", parties=PARTIES)
        c = services.dispute_record(actor=net.twp2, kind="labour", region=net.v3, description="c", parties=PARTIES)
        services.dispute_record(actor=net.liaison, kind="family", region=net.v1, description="d (left open)", parties=PARTIES)
        services.dispute_resolve(actor=net.liaison, dispute_id=a.pk, version=a.version, note="说和")
        b = services.dispute_escalate(actor=net.twp, dispute_id=b.pk, version=b.version, reason="未果")
        services.dispute_resolve(actor=net.twp, dispute_id=b.pk, version=b.version, note="乡镇调解成功")
        services.dispute_escalate(actor=net.twp2, dispute_id=c.pk, version=c.version, reason="未果")
        tm.move_to(datetime(2026, 1, 21, 9, 0, tzinfo=SH))  # past the village target (7d) and the township one (15d)
        selectors.actor_scope(net.office)  # the actor's roles and unit, loaded once per request
        with django_assert_num_queries(1):
            rows = selectors.dispute_figures(actor=net.office)
        with django_assert_num_queries(1):
            villages = selectors.dispute_figures(actor=net.office, by="village")
        mine = selectors.dispute_figures(actor=net.twp)
    t1 = next(r for r in rows if r["township__code"] == net.t1.code)
    t2 = next(r for r in rows if r["township__code"] == net.t2.code)
    assert (t1["found"], t1["resolved_village"], t1["resolved_township"], t1["escalated"], t1["open"], t1["overdue"]) == (3, 1, 1, 1, 1, 1)
    assert (t2["found"], t2["escalated"], t2["open"], t2["overdue"]) == (1, 1, 1, 1)
    v1 = next(r for r in villages if r["village__code"] == net.v1.code)
    assert (v1["found"], v1["resolved_village"], v1["open"]) == (2, 1, 1)
    assert [r["township__code"] for r in mine] == [net.t1.code]  # a township sees only itself


def test_screening_round_and_publicity_counts(net):
    from datetime import date

    r = services.screening_record(
        actor=net.twp, region=net.t1, held_on=date(2026, 1, 3), conducted_by="何干事等3人", places="1村、2村", none_found=True
    )
    assert r.township == net.t1
    with pytest.raises(InvalidInput):
        services.screening_record(actor=net.twp, region=net.g1, held_on=date(2026, 1, 3), conducted_by="x", places="y")
    services.publicity_record(actor=net.liaison, village=net.v1, held_on=date(2026, 2, 1), form="meeting", audience=40, materials="条例")
    services.publicity_record(actor=net.twp, village=net.v2, held_on=date(2026, 3, 1), form="leaflet", audience=25)
    services.publicity_record(actor=net.twp, village=net.v2, held_on=date(2025, 3, 1), form="leaflet", audience=99)
    with pytest.raises(InvalidInput):
        services.publicity_record(actor=net.twp, village=net.v2, held_on=date(2026, 3, 1), form="leaflet", audience=-1)
    counts = selectors.publicity_counts(actor=net.office, year=2026)
    assert counts == [{"township__name": net.t1.name, "sessions": 2, "audience": 65}]
    by_village = selectors.publicity_counts(actor=net.office, year=2026, by="village")
    assert [(r["village__name"], r["sessions"]) for r in by_village] == [(net.v1.name, 1), (net.v2.name, 1)]


def test_overdue_filter(dispute, net):
    assert not selectors.dispute_list(actor=net.office, overdue=True).exists()
    with time_machine.travel(dispute.due_at + timedelta(minutes=1)):
        assert list(selectors.dispute_list(actor=net.office, overdue=True)) == [dispute]


def test_party_id_number_checked(net):
    bad = [{"name": "张三", "id_number": "340123198001011234"}]
    with pytest.raises(InvalidInput) as exc:
        services.dispute_record(actor=net.liaison, kind="land", region=net.v1, description="x", parties=bad)
    assert "parties.0.id_number" in exc.value.fields


def test_a_party_id_number_with_an_impossible_birth_date_is_refused(net):
    """One GB 11643 check for every app: 110105194913310021 has a right check character but month 13. The dispute used to
    take it (its own copy of the check had no birth date) and the petition made from it then refused it."""
    bad = [{"side": "applicant", "name": "张三", "id_number": "110105194913310021"}]
    with pytest.raises(InvalidInput) as exc:
        services.dispute_record(actor=net.liaison, kind="neighbours", region=net.g1, description="排水沟纠纷", parties=bad)
    assert "出生日期" in exc.value.message and "parties.0.id_number" in exc.value.fields
    assert not Dispute.objects.exists()
    valid = "11010519491231002" + id_check_char("11010519491231002")
    typed = valid.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))  # full-width, as a Chinese IME types it
    d = services.dispute_record(
        actor=net.liaison, kind="neighbours", region=net.g1, description="排水沟纠纷", parties=[{**bad[0], "id_number": typed}]
    )
    assert d.parties.get().id_number == valid
