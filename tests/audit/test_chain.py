"""The record proves itself: each way an insider with database access could rewrite history is tried
here, on SQLite and on PostgreSQL, and `verify_chain` names the petition (and the event) every time.

The triggers refuse these writes; to play the insider who gets past them, `_as_insider` does what a DBA
could: on PostgreSQL `session_replication_role = replica` (superuser), on SQLite dropping the triggers.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from tests.audit.insider import as_insider
from xinfang.access import policy
from xinfang.access.models import AccessRecord
from xinfang.audit import chain as ch
from xinfang.audit import checkpoints, immutability, legacy
from xinfang.audit.models import LEGACY_KEY_ID, Chain, ChainHead, EventSeal
from xinfang.audit.verify import verify
from xinfang.core.errors import DomainError
from xinfang.petitions import services as petition_services
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Attachment, Petition, Petitioner, PetitionEvent

pytestmark = pytest.mark.django_db


def _verify_names(petition, *, seq=None, chain=Chain.EVENTS, contains=""):
    """verify() finds exactly this petition broken (at this seq), and the command names it and fails."""
    report = verify()
    links = [b for b in report.broken if b.reg_no == petition.reg_no and b.chain == chain]
    assert links, [str(b) for b in report.broken]
    if seq is not None:
        assert links[0].seq == seq, str(links[0])
    if contains:
        assert contains in links[0].problem, str(links[0])
    out = io.StringIO()
    with pytest.raises(CommandError, match="处事件链被破坏"):
        call_command("verify_chain", stdout=out)
    assert f"断裂：{petition.reg_no}" in out.getvalue()
    return links[0]


def _plain_rechain(petition, from_seq: int):
    """Recompute the plain SHA-256 of every event from `from_seq` on, as if the chain were unkeyed."""
    events = list(PetitionEvent.objects.filter(petition=petition).order_by("seq"))
    prev = events[from_seq - 2].hash if from_seq > 1 else ""
    with as_insider() as cursor:
        for e in events[from_seq - 1 :]:
            payload = ch.legacy_event_payload(
                reg_no=petition.reg_no,
                seq=e.seq,
                action=e.action,
                actor_id=e.actor_id,
                actor_label=e.actor_label,
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                data=e.data,
            )
            digest = ch.legacy_link(prev, payload)
            cursor.execute("UPDATE petitions_petitionevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.pk])
            prev = digest
        cursor.execute("UPDATE audit_chainhead SET last_hash = %s WHERE chain = 'event' AND petition_id = %s", [prev, petition.pk])


def test_intact_chains_verify_and_the_command_reports_counts_and_speed(world):
    assert world.p_in.events.count() >= 3
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="测试")
    report = verify()
    assert report.ok, [str(b) for b in report.broken]
    assert report.petitions == 2 and report.events == PetitionEvent.objects.count() and report.access_records >= 1
    out = io.StringIO()
    call_command("verify_chain", stdout=out)
    assert "事件链完好：2 件信访件" in out.getvalue() and "条事件/秒" in out.getvalue()
    # Every event is sealed with the current key and the state of the petition; the head says where the chain ends.
    head = ChainHead.objects.get(chain=Chain.EVENTS, petition=world.p_in)
    last = world.p_in.events.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    assert head.state == ch.petition_state(world.p_in.pk) == EventSeal.objects.get(event=last).state


def test_edited_event_is_named_at_that_link(world):
    event = world.p_in.events.get(seq=2)
    with as_insider() as cursor:
        cursor.execute("UPDATE petitions_petitionevent SET data = %s WHERE id = %s", ['{"note": "改过的内容"}', event.pk])
    link = _verify_names(world.p_in, seq=2, contains="签名不符")
    assert link.event_id == event.pk
    call_command("verify_chain", "--reg-no", world.p_out.reg_no, stdout=io.StringIO())  # the other petition is fine


def test_rewritten_event_with_recomputed_plain_sha256_is_named(world):
    """The attack the unkeyed chain let through: rewrite an event, recompute the SHA-256 of it and of every later one."""
    event = world.p_in.events.get(seq=2)
    with as_insider() as cursor:
        cursor.execute("UPDATE petitions_petitionevent SET actor_label = %s WHERE id = %s", ["别人", event.pk])
    _plain_rechain(world.p_in, from_seq=2)
    _verify_names(world.p_in, seq=2, contains="签名不符")


def test_deleting_the_last_event_is_named(world):
    last = world.p_in.events.order_by("-seq").first()
    with as_insider() as cursor:
        cursor.execute("DELETE FROM audit_eventseal WHERE event_id = %s", [last.pk])
        cursor.execute("DELETE FROM petitions_issueddocument WHERE event_id = %s", [last.pk])  # the notice it issued, if any
        cursor.execute("DELETE FROM petitions_petitionevent WHERE id = %s", [last.pk])
    _verify_names(world.p_in, seq=last.seq, contains="最后的事件被删除")


def test_deleting_every_event_is_named(world):
    with as_insider() as cursor:
        cursor.execute(
            "DELETE FROM audit_eventseal WHERE event_id IN (SELECT id FROM petitions_petitionevent WHERE petition_id = %s)", [world.p_in.pk]
        )
        cursor.execute("DELETE FROM petitions_issueddocument WHERE petition_id = %s", [world.p_in.pk])
        cursor.execute("DELETE FROM petitions_petitionevent WHERE petition_id = %s", [world.p_in.pk])
    _verify_names(world.p_in, contains="事件全部缺失")
    # ... and with the head gone too: the petition has no record at all.
    with as_insider() as cursor:
        cursor.execute("DELETE FROM audit_chainhead WHERE petition_id = %s", [world.p_in.pk])
    _verify_names(world.p_in, contains="没有任何事件")


def test_deleting_the_last_event_and_replaying_the_old_head_is_caught_by_the_checkpoint(world):
    """A copy of the head taken before the last event carries a valid signature; the checkpoint says more."""
    old_head = (
        ChainHead.objects.filter(chain=Chain.EVENTS, petition=world.p_in).values("last_seq", "last_hash", "state", "key_id", "mac").get()
    )
    p = petition_services.petition_set_case_leader(
        actor=world.users["office"], petition_or_reg_no=world.p_in.reg_no, version=world.p_in.version, leader=world.users["leader"]
    )
    checkpoints.create(created_by="test")
    last = p.events.order_by("-seq").first()
    with as_insider() as cursor:
        cursor.execute("DELETE FROM audit_eventseal WHERE event_id = %s", [last.pk])
        cursor.execute("DELETE FROM petitions_issueddocument WHERE event_id = %s", [last.pk])  # the notice it issued, if any
        cursor.execute("DELETE FROM petitions_petitionevent WHERE id = %s", [last.pk])
        cursor.execute(
            "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s, state = %s, key_id = %s, mac = %s WHERE chain = 'event' AND petition_id = %s",
            [old_head["last_seq"], old_head["last_hash"], old_head["state"], old_head["key_id"], old_head["mac"], p.pk],
        )
        cursor.execute("UPDATE petitions_petition SET case_leader_id = NULL WHERE id = %s", [p.pk])
    _verify_names(world.p_in, seq=last.seq, contains="检查点 #1")
    # The next checkpoint refuses to sign a head that went back.
    with pytest.raises(checkpoints.CheckpointRefused, match="退回"):
        checkpoints.create(created_by="test")


def test_petition_edited_behind_the_services_is_named(world):
    with connection.cursor() as cursor:  # petitions are updated by every lifecycle step: no trigger stops this
        cursor.execute("UPDATE petitions_petition SET content = %s WHERE id = %s", ["被改过的主要问题", world.p_in.pk])
    _verify_names(world.p_in, contains="关键字段")


def test_an_edit_behind_the_services_stays_named_after_a_gateways_answer(world):
    """An event that changes no key field (the SMS gateway's answer) seals the state the head holds, reading nothing
    back: an edit made before it behind the services' back is not sealed as if a service had made it."""
    from django.test.utils import CaptureQueriesContext

    from xinfang.petitions.event_types import EventType

    p = world.p_in
    before = ChainHead.objects.get(chain=Chain.EVENTS, petition=p).state
    with connection.cursor() as cursor:
        cursor.execute("UPDATE petitions_petition SET content = %s WHERE id = %s", ["被改过的主要问题", p.pk])
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        note = record_event(petition=p, action=EventType.MESSAGE_SENT, actor_label="短信平台", changes_key_fields=False)
    assert not [q for q in ctx.captured_queries if "petitions_petitioner" in q["sql"] or "petitions_respondent" in q["sql"]]
    assert note.seal.state == before == ChainHead.objects.get(chain=Chain.EVENTS, petition=p).state
    _verify_names(p, contains="关键字段")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE petitions_petition SET status = 'archived' WHERE id = %s",
        "UPDATE petitions_petition SET handle_due_at = NULL WHERE id = %s",
        "UPDATE petitions_petitioner SET id_hash = 'x' WHERE petition_id = %s",
        "UPDATE petitions_respondent SET user_id = NULL WHERE petition_id = %s",  # un-blocking the accused
    ],
)
def test_other_key_fields_edited_behind_the_services_are_named(world, sql):
    with connection.cursor() as cursor:
        cursor.execute(sql, [world.p_in.pk])
        assert cursor.rowcount >= 1
    _verify_names(world.p_in, contains="关键字段")


def test_changed_access_record_is_named(world):
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="查看详情")
    policy.identity_for_display(world.users["office"], world.p_in, purpose="查看详情")
    first = AccessRecord.objects.filter(petition=world.p_in).order_by("seq").first()
    with as_insider() as cursor:
        cursor.execute("UPDATE access_accessrecord SET user_id = %s WHERE id = %s", [world.users["admin"].pk, first.pk])
    _verify_names(world.p_in, seq=1, chain=Chain.ACCESS, contains="签名不符")


def test_deleted_access_record_is_named(world):
    for purpose in ("查看详情", "导出交办单"):  # two kinds of view: two records (the same view twice is one, within the window)
        policy.identity_for_display(world.users["clerk"], world.p_in, purpose=purpose)
    last = AccessRecord.objects.filter(petition=world.p_in).order_by("-seq").first()
    with as_insider() as cursor:
        cursor.execute("DELETE FROM access_accessrecord WHERE id = %s", [last.pk])
    _verify_names(world.p_in, seq=last.seq, chain=Chain.ACCESS, contains="最后的记录被删除")


def test_deleted_petition_is_named_by_its_registration_number(world):
    checkpoints.create(created_by="test")
    p = world.p_out
    with as_insider() as cursor:
        for sql in (
            "DELETE FROM audit_eventseal WHERE event_id IN (SELECT id FROM petitions_petitionevent WHERE petition_id = %s)",
            "DELETE FROM petitions_petitionevent WHERE petition_id = %s",
            "DELETE FROM audit_chainhead WHERE petition_id = %s",
            "DELETE FROM access_accessrecord WHERE petition_id = %s",
            "DELETE FROM petitions_petitioner WHERE petition_id = %s",
            "DELETE FROM petitions_respondent WHERE petition_id = %s",
            "DELETE FROM petitions_petition WHERE id = %s",
        ):
            cursor.execute(sql, [p.pk])
    problems = [str(b) for b in verify().broken]
    assert any(p.reg_no in b and "登记编号缺失" in b for b in problems), problems
    assert any(f"id={p.pk}" in b and "检查点 #1" in b for b in problems), problems


def test_a_checkpoint_changed_in_the_database_is_refused(world):
    cp = checkpoints.create(created_by="test")
    with as_insider() as cursor:
        cursor.execute("UPDATE audit_checkpoint SET events = events + 1 WHERE id = %s", [cp.pk])
    problems = [str(b) for b in verify().broken]
    assert any("检查点 #1" in b and "签名不符" in b for b in problems), problems


# ------------------------------------------------------------------ the database refuses


def _refused(sql, params=()):
    with pytest.raises((DatabaseError, IntegrityError), match="refused"), transaction.atomic(), connection.cursor() as cursor:
        if sql.startswith("TRUNCATE"):
            # The test's own transaction has deferred FK checks pending, which TRUNCATE would refuse first;
            # an insider's fresh session has none, so it meets the trigger.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, list(params))


@pytest.mark.parametrize("table", ["petitions_petitionevent", "audit_eventseal", "access_accessrecord", "audit_checkpoint"])
def test_the_database_refuses_update_delete_and_truncate_of_history(world, table):
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="测试")
    checkpoints.create(created_by="test")
    column = {
        "petitions_petitionevent": "action",
        "audit_eventseal": "key_id",
        "access_accessrecord": "purpose",
        "audit_checkpoint": "created_by",
    }[table]
    _refused(f"UPDATE {table} SET {column} = 'x'")
    _refused(f"DELETE FROM {table}")  # SQLite: a DELETE without WHERE fires the row trigger too
    if connection.vendor == "postgresql":
        _refused(f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] > 0


@pytest.mark.parametrize("table", ["petitions_petition", "petitions_petitioner", "audit_chainhead"])
def test_the_database_refuses_deleting_records(world, table):
    _refused(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        _refused(f"TRUNCATE {table} CASCADE")


def test_the_database_still_lets_the_lifecycle_update_petitions_and_heads(world):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE petitions_petition SET content = content WHERE id = %s", [world.p_in.pk])
        assert cursor.rowcount == 1
    record_event(petition=world.p_in, action="progress", actor=world.users["office"], data={"note": "继续办理"})
    assert verify().ok


def test_every_trigger_is_installed_and_verify_chain_says_when_one_is_missing(world):
    assert immutability.expected(connection.vendor) <= immutability.installed(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER xinfang_petitions_petitionevent_no_update"
            + (" ON petitions_petitionevent" if connection.vendor == "postgresql" else "")
        )
    out = io.StringIO()
    with pytest.raises(CommandError, match="触发器缺失"):
        call_command("verify_chain", stdout=out)
    immutability.install(connection)


@pytest.mark.parametrize("model", [Petition, PetitionEvent, Petitioner, Attachment, AccessRecord])
def test_model_and_queryset_delete_raise(world, model):
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="测试")
    obj = model.objects.first()
    if obj is not None:
        with pytest.raises(DomainError):
            obj.delete()
    with pytest.raises(DomainError):
        model.objects.all().delete()


# ------------------------------------------------------------------ keys, legacy chains, the lifecycle


def test_key_rotation_keeps_old_events_verifiable_and_dropping_an_old_key_is_named(world, settings):
    old = settings.XINFANG_CHAIN_KEYS[0]
    checkpoints.create(created_by="test")
    settings.XINFANG_CHAIN_KEYS = ["a-new-chain-key-for-the-rotation-test-0123456789", old]
    p = petition_services.petition_set_case_leader(
        actor=world.users["office"], petition_or_reg_no=world.p_in.reg_no, version=world.p_in.version, leader=world.users["leader"]
    )
    seals = list(EventSeal.objects.filter(event__petition=p).order_by("event__seq").values_list("key_id", flat=True))
    assert len(set(seals)) == 2 and seals[-1] != seals[0]
    assert verify().ok
    cp = checkpoints.create(created_by="test")
    assert cp.key_id == seals[-1]
    settings.XINFANG_CHAIN_KEYS = ["a-new-chain-key-for-the-rotation-test-0123456789"]
    link = _verify_names(world.p_in, seq=1, contains="不在 XINFANG_CHAIN_KEY 中")
    assert link.event_id is not None


def test_events_of_an_upgraded_database_are_sealed_as_written_and_then_anchored(world):
    """Before the keyed chain, events carried plain SHA-256 links and no seal or head. They are sealed as they
    are (never rewritten); recomputing a legacy event's plain SHA-256 is then caught by the signed head."""
    p = world.p_out
    _plain_rechain(p, from_seq=1)
    with as_insider() as cursor:
        cursor.execute("DELETE FROM audit_eventseal")
        cursor.execute("DELETE FROM audit_chainhead WHERE chain = 'event'")
    assert legacy.needed()
    sealed, broken = legacy.seal_legacy()
    # p_in's events are keyed HMACs, not plain SHA-256: they do not verify as legacy and are left for verify_chain.
    assert sealed == 1 and broken == [world.p_in.reg_no]
    assert set(EventSeal.objects.filter(event__petition=p).values_list("key_id", flat=True)) == {LEGACY_KEY_ID}
    assert not legacy.needed()  # once anything is sealed, never again
    links = verify().broken
    assert [b.reg_no for b in links] == [world.p_in.reg_no]
    # A new event on the legacy chain is keyed and links to the last legacy hash.
    record_event(petition=p, action="progress", actor=world.users["office"], data={"note": "升级后的事件"})
    assert [b.reg_no for b in verify().broken] == [world.p_in.reg_no]
    event = p.events.get(seq=1)
    with as_insider() as cursor:
        cursor.execute("UPDATE petitions_petitionevent SET actor_label = %s WHERE id = %s", ["别人", event.pk])
    _plain_rechain(p, from_seq=1)  # (also rewrites the keyed event's prev_hash: its signature then fails)
    assert any(b.reg_no == p.reg_no for b in verify().broken)


def test_record_event_refuses_a_chain_whose_head_was_deleted(world):
    with as_insider() as cursor:
        cursor.execute("DELETE FROM audit_chainhead WHERE chain = 'event' AND petition_id = %s", [world.p_in.pk])
    count = PetitionEvent.objects.count()
    with pytest.raises(ch.ChainError, match="链头缺失"):
        record_event(petition=world.p_in, action="progress", actor=world.users["office"], data={"note": "x"})
    assert PetitionEvent.objects.count() == count


def test_a_whole_lifecycle_through_the_services_keeps_every_chain_intact(world):
    """Each service writes the petition first and the event last: the sealed state is the state written."""
    office, handler = world.users["office"], world.users["unit_handler"]
    p = world.p_in
    steps = [
        (handler, "acknowledge", {"committed_date": "2026-07-10"}),
        (handler, "progress", {"note": "正在调查"}),
        (handler, "report_result", {"outcome": "partial", "findings": "部分属实", "reply_draft": "经查部分属实"}),
        (office, "approve_result", {}),
        (office, "reply", {"method": "letter", "text": "经查部分属实，已责令整改"}),
    ]
    for actor, action, inputs in steps:
        p = petition_services.petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)
        report = verify()
        assert report.ok, (action, [str(b) for b in report.broken])
    policy.identity_for_display(world.users["clerk"], p, purpose="查看详情")
    assert verify().ok
