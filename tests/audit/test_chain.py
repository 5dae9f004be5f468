"""The tamper-evident record: verify_chain finds the first broken link; nothing is deleted;
on PostgreSQL the database itself refuses UPDATE/DELETE of events and DELETE of records."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from xinfang.access.models import AccessRecord
from xinfang.audit.chain import verify_chains, verify_petition_chain
from xinfang.core.errors import DomainError
from xinfang.petitions.models import Attachment, Petition, Petitioner, PetitionEvent

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")


def _raw_update_event(event_id: int, sql_set: str, params: list):
    """Edit a stored event behind the application's back (on PostgreSQL the trigger must be disabled first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # as a DBA could: user triggers off
        cursor.execute(f"UPDATE petitions_petitionevent SET {sql_set} WHERE id = %s", [*params, event_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_intact_chain_verifies(world):
    assert world.p_in.events.count() >= 3
    assert verify_petition_chain(world.p_in) is None
    assert list(verify_chains()) == []
    out = io.StringIO()
    call_command("verify_chain", stdout=out)
    assert "事件链完好：2 件信访件" in out.getvalue()


def test_edited_event_content_is_detected_at_that_link(world):
    event = world.p_in.events.get(seq=2)
    _raw_update_event(event.pk, "data = %s", ['{"note": "改过的内容"}'])
    broken = verify_petition_chain(world.p_in)
    assert broken is not None and broken.seq == 2 and "内容哈希不符" in broken.problem
    assert [b.reg_no for b in verify_chains()] == [world.p_in.reg_no]
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 件信访件的事件链被破坏"):
        call_command("verify_chain", stdout=out)
    assert f"断裂：{world.p_in.reg_no} 第2条事件" in out.getvalue()
    call_command("verify_chain", "--reg-no", world.p_out.reg_no, stdout=io.StringIO())  # the other chain is fine


def test_recomputed_hash_still_breaks_the_next_link(world):
    """An attacker who rewrites an event and its own hash breaks the next event's prev_hash."""
    event = world.p_in.events.get(seq=1)
    _raw_update_event(event.pk, "actor_label = %s, hash = %s", ["别人", "0" * 64])
    broken = verify_petition_chain(world.p_in)
    assert broken.seq == 1  # its own content no longer matches
    last = world.p_in.events.order_by("-seq").first()
    _raw_update_event(last.pk, "seq = %s", [last.seq + 5])
    assert verify_petition_chain(world.p_in).seq == 1


def test_removed_event_is_a_gap(world):
    event = world.p_in.events.get(seq=2)
    _raw_update_event(event.pk, "seq = %s", [99])
    broken = verify_petition_chain(world.p_in)
    assert broken.seq == 3 and "序号不连续" in broken.problem


@pytest.mark.parametrize("model", [Petition, PetitionEvent, Petitioner, Attachment, AccessRecord])
def test_model_and_queryset_delete_raise(world, model):
    if model is Attachment or model is AccessRecord:
        from xinfang.access import policy

        policy.identity_for_display(world.users["clerk"], world.p_in, purpose="测试")
    obj = model.objects.first()
    if obj is not None:
        with pytest.raises(DomainError):
            obj.delete()
    with pytest.raises(DomainError):
        model.objects.all().delete()


@on_postgres
def test_postgres_refuses_raw_update_and_delete_of_events(world):
    event_id = world.p_in.events.first().pk
    for sql in ("UPDATE petitions_petitionevent SET action = 'x' WHERE id = %s", "DELETE FROM petitions_petitionevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="refused"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event_id])
    assert PetitionEvent.objects.filter(pk=event_id).exists()


@on_postgres
@pytest.mark.parametrize("table", ["petitions_petition", "petitions_petitioner", "access_accessrecord"])
def test_postgres_refuses_raw_delete_of_records(world, table):
    from xinfang.access import policy

    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="测试")
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] > 0


@on_postgres
def test_postgres_still_allows_updating_petitions(world):
    """The trigger guards history, not work: petitions are updated by every lifecycle step."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE petitions_petition SET content = content WHERE id = %s", [world.p_in.pk])
        assert cursor.rowcount == 1
