"""Registration at scale: the number taken last and gap-free through rollbacks, the response built from what the
service holds (equal to a fresh read), and a bounded number of queries."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from tests.tokens import api_token
from xinfang.access.models import AccessRecord
from xinfang.core.errors import InvalidInput
from xinfang.petitions.models import Petition, RegistrationCounter
from xinfang.petitions.services import petition_register

from .test_api import body

pytestmark = pytest.mark.django_db


def client_for(user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


class Boom(Exception):
    pass


def _form(users, county, category, **over) -> dict:
    data = dict(
        actor=users.clerk,
        channel="phone",
        received_at=timezone.now(),
        petitioners=[{"name": "赵六"}],
        nature="inquiry",
        category=category,
        content="咨询社保转移接续",
        region=county.region,
    )
    data.update(over)
    return data


def _register(users, county, category, **over):
    return petition_register(**_form(users, county, category, **over))


def _waits_on_a_lock(pid: int) -> bool:
    """Whether PostgreSQL backend `pid` comes to wait on a lock within 10 s (pg_stat_activity, polled from the calling
    thread's own connection): how the concurrency tests below order two transactions without sleeping blindly."""
    with connections["default"].temporary_connection() as cursor:
        for _ in range(200):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once otherwise
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == "Lock":
                return True
            threading.Event().wait(0.05)
    return False


def test_a_rolled_back_registration_gives_its_number_back(county, category, users):
    first, _ = _register(users, county, category)
    with pytest.raises(Boom), transaction.atomic():
        _register(users, county, category)
        raise Boom  # e.g. the import it was part of failed
    # The duplicate external id fails after the number was taken: the number goes back with the transaction.
    _register(users, county, category, external_channel="open311", external_id="x-1", actor=None, office=county.office)
    with pytest.raises(InvalidInput):
        _register(users, county, category, external_channel="open311", external_id="x-1", actor=None, office=county.office)
    last, _ = _register(users, county, category)
    assert [first.seq, last.seq] == [1, 3]
    assert sorted(Petition.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert RegistrationCounter.objects.get(office=county.office).last == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_with_rollbacks_stay_gap_free(county, category, users):
    if connection.vendor != "postgresql":
        pytest.skip("并发登记编号需在 PostgreSQL 上验证（SQLite 的写事务本身就是串行的）")
    _register(users, county, category, external_channel="t", external_id="taken", actor=None, office=county.office)
    kept, failed, errors = [], [], []

    def worker(n):
        try:
            for i in range(6):
                try:
                    if i % 3 == 2:  # fails at the petition row, after its number was taken
                        _register(users, county, category, external_channel="t", external_id="taken", actor=None, office=county.office)
                    elif i % 3 == 1:  # fails after the service returned, inside the caller's transaction
                        with transaction.atomic():
                            _register(users, county, category)
                            raise Boom
                    else:
                        kept.append(_register(users, county, category, petitioners=[{"name": f"并发{n}"}])[0].seq)
                except (InvalidInput, Boom):
                    failed.append(n)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(failed) == 32
    assert sorted(kept) == list(range(2, 18))  # number 1 is the "taken" one
    assert sorted(Petition.objects.values_list("seq", flat=True)) == list(range(1, 18))
    assert RegistrationCounter.objects.get(office=county.office).last == 17


def test_registration_response_is_what_a_read_returns(county, category, users):
    c = client_for(users.clerk)
    r = c.post("/api/v1/petitions/", body(county), format="json")
    assert r.status_code == 201, r.content
    made = r.json()
    # Nothing was read back and nothing disclosed: the echo of what the clerk typed is not an access record.
    assert not AccessRecord.objects.exists()
    assert made.pop("query_code")
    again = c.get(f"/api/v1/petitions/{made['reg_no']}/").json()
    assert made == again
    assert made["petitioners"][0]["name"] == "张三" and made["respondents"] == [{"name": "李某", "unit": "某站", "post": "站长"}]


def test_registration_response_is_masked_as_the_caller_may_see(county, category, users, make_user):
    # A clerk of another unit registers for the county bureau (its office): a report's identity is masked for them.
    from xinfang.org.models import Role, Unit, UnitKind

    desk = Unit.objects.create(code="desk", name="来访接待窗口", kind=UnitKind.DEPARTMENT, region=county.region, parent=county.office)
    clerk = make_user(Role.CLERK, unit=desk)
    r = client_for(clerk).post("/api/v1/petitions/", body(county), format="json")
    assert r.status_code == 201, r.content
    person = r.json()["petitioners"][0]
    assert person["masked"] is True and person["name"] == "张*" and person["id_number"] != body(county)["petitioners"][0]["id_number"]


def test_registration_queries_are_bounded(county, category, users, django_assert_max_num_queries):
    c = client_for(users.clerk)
    c.post("/api/v1/petitions/", body(county), format="json")  # the office's counter row exists from here on
    # Token (2), category, region, roles, the clerk's unit (with its region), the respondent's unit and its presumed
    # account; the id (PostgreSQL), petitioners, respondents, the number, the petition; the register event, its seal
    # and its chain's head (the chain starts from the rows written: no head to lock, no state read back, no
    # savepoint); the clerk's respondent block (policy.blocked_petition_ids: the registration just wrote respondents)
    # and the policy's scope check for masking. No read-back, no access record. The body is a collective visit: its
    # checklist opens in the same transaction (the unit's 预案, the insert: collective_plan_open).
    with django_assert_max_num_queries(22 if connection.vendor == "postgresql" else 21):
        r = c.post("/api/v1/petitions/", body(county), format="json")
    assert r.status_code == 201


def test_the_register_event_seals_the_state_a_read_gives(county, category, users):
    """The register event's state comes from the rows the service wrote, not a read-back (the office's counter row is
    held meanwhile): it must equal what a read of the stored petition gives, whatever was registered, or the nightly
    verification would report a petition nobody touched."""
    from datetime import timedelta

    from xinfang.audit.chain import petition_state, verify_petition_chain
    from xinfang.audit.models import EventSeal

    registered = [
        _register(users, county, category)[0],
        _register(users, county, category, anonymous=True, petitioners=[])[0],
        _register(
            users,
            county,
            category,
            channel="visit",
            nature="report",
            petitioners=[{"name": "张三", "phone": "13800138000", "address": "第1镇"}, {"name": "王五"}],
            representatives=[{"name": "代表甲", "phone": "13900000001"}],
            headcount=6,
            respondents=[{"name": "李某", "unit": county.dept.name, "post": "站长"}, {"name": users.handler.name, "user": users.handler}],
            superior_doc_no="市信转〔2026〕3号",
            superior_due_at=timezone.now() + timedelta(days=20),
            requests="请求查处",
        )[0],
    ]
    for petition in registered:
        assert petition.events.get(seq=1).data["reg_no"] == petition.reg_no
        seal = EventSeal.objects.get(event__petition=petition, event__seq=1)
        assert seal.state == petition_state(petition.pk), petition.reg_no
        assert verify_petition_chain(petition) is None


def test_the_number_is_taken_by_the_last_statement_before_the_commit(county, category, users):
    """PostgreSQL: the petition and its first event, seal and chain head go in one statement, then the counter's
    `UPDATE … RETURNING`, and nothing after it but the commit: the office's next registration waits on the counter
    row only that long. SQLite serialises writers: there the petition row is written first."""
    from django.test.utils import CaptureQueriesContext

    _register(users, county, category)  # the counter row exists from here on
    with CaptureQueriesContext(connection) as ctx:
        petition, _code = _register(users, county, category)
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    counter = [i for i, sql in enumerate(statements) if sql.startswith(f"UPDATE {RegistrationCounter._meta.db_table}")]
    assert len(counter) == 1
    if connection.vendor == "postgresql":
        assert counter[0] == len(statements) - 1
        together = statements[-2]
        for table in ("petitions_petition", "petitions_petitionevent", "audit_eventseal", "audit_chainhead"):
            assert f'INSERT INTO "{table}"' in together
        assert petition.seq == 2 and RegistrationCounter.objects.get(office=county.office).last == 2
    else:
        assert statements[counter[0] + 1].startswith('INSERT INTO "petitions_petition"')


@pytest.mark.django_db(transaction=True)
def test_a_number_written_first_by_a_registration_in_flight_is_taken_again(county, category, users):
    """Two registrations of one office at once both start from the same last number. The one that writes it first
    keeps it; the other waits on the number's unique key, and once the first commits it is written again with the
    next number, its first event sealing that one (the chain verifies), and the counter moves once for each."""
    if connection.vendor != "postgresql":
        pytest.skip("同时登记取号需在 PostgreSQL 上验证（SQLite 的写事务本身就是串行的）")
    from xinfang.audit.chain import verify_petition_chain

    first_done, release, seqs, errors = threading.Event(), threading.Event(), {}, []
    table = RegistrationCounter._meta.db_table

    def hold_after_the_number(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith(f"UPDATE {table}"):
            first_done.set()
            release.wait(10)  # the number is taken, the commit not yet made
        return result

    def first():
        try:
            with connection.execute_wrapper(hold_after_the_number):
                seqs["first"] = _register(users, county, category, petitioners=[{"name": "先登"}])[0].seq
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    _register(users, county, category)  # number 1; the counter row exists
    thread = threading.Thread(target=first)
    thread.start()
    assert first_done.wait(10)
    second_pid = connection.cursor().connection.info.backend_pid
    inserts, waited = [], []

    def count_inserts(execute, sql, params, many, context):
        if 'INSERT INTO "petitions_petition"' in sql:
            inserts.append(sql)
        return execute(sql, params, many, context)

    def let_the_first_commit_once_the_second_waits():
        waited.append(_waits_on_a_lock(second_pid))
        release.set()

    watcher = threading.Thread(target=let_the_first_commit_once_the_second_waits)
    watcher.start()
    with connection.execute_wrapper(count_inserts):
        second, _code = _register(users, county, category, petitioners=[{"name": "后登"}])
    watcher.join()
    thread.join()
    assert errors == [] and waited == [True]
    assert (seqs["first"], second.seq) == (2, 3)
    assert len(inserts) == 2  # written with number 2, rolled back to its savepoint, written with 3
    assert second.reg_no.endswith("-000003") and verify_petition_chain(second) is None
    assert second.events.get(seq=1).data["reg_no"] == second.reg_no  # the event written again names the new number
    assert sorted(Petition.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert RegistrationCounter.objects.get(office=county.office).last == 3


@pytest.mark.django_db(transaction=True)
def test_a_registration_meeting_a_writer_that_took_the_number_first_tries_again(county, category, users, monkeypatch):
    """The batch path and the demo take the number before they write the petition. A registration that wrote the
    same number meanwhile and then waits on the counter row deadlocks with such a writer: PostgreSQL ends the side
    that waited first (the registration), which rolls back to its savepoint and takes the next number."""
    if connection.vendor != "postgresql":
        pytest.skip("死锁只在 PostgreSQL 上发生（SQLite 的写事务本身就是串行的）")
    from xinfang.petitions.numbering import next_registration_number

    _register(users, county, category)  # number 1
    template = Petition.objects.get(seq=1)
    took, errors, outcome = threading.Event(), [], {}
    main_pid = connection.cursor().connection.info.backend_pid

    def writer_taking_the_number_first():
        try:
            with transaction.atomic():
                seq, reg_no = next_registration_number(county.office, template.year)
                took.set()
                outcome["waited"] = _waits_on_a_lock(main_pid)  # the registration waits on the counter row
                template.pk, template.seq, template.reg_no = None, seq, reg_no
                template.save(force_insert=True)
            outcome["writer"] = seq
        except Exception as exc:  # the deadlock's other side, should PostgreSQL pick this one
            errors.append(repr(exc))
        finally:
            connections.close_all()

    from xinfang.petitions import numbering

    real_reserve = numbering.reserve_ids

    def reserve_then_let_the_writer_take_the_number(office_id, year):
        reserved = real_reserve(office_id, year)  # reads the last number before the writer moves the counter
        thread.start()
        assert took.wait(10)
        return reserved

    thread = threading.Thread(target=writer_taking_the_number_first)
    monkeypatch.setattr(numbering, "reserve_ids", reserve_then_let_the_writer_take_the_number)
    petition, _code = _register(users, county, category, petitioners=[{"name": "后登"}])
    thread.join()
    assert outcome["waited"]
    if errors:  # PostgreSQL ended the writer instead: the registration kept number 2
        assert petition.seq == 2 and "deadlock" in errors[0]
    else:
        assert (outcome["writer"], petition.seq) == (2, 3)
    assert sorted(Petition.objects.values_list("seq", flat=True)) == list(range(1, petition.seq + 1))
    assert RegistrationCounter.objects.get(office=county.office).last == petition.seq


@pytest.mark.django_db(transaction=True)
def test_a_batch_meeting_a_registration_that_wrote_its_number_first_numbers_again(county, category, users):
    """The other order of the same deadlock: a registration writes number 2, then a batch (the legacy import) takes
    number 2 from the counter and waits on the registration's row, then the registration waits on the counter row.
    PostgreSQL ends the batch's side (it waited first); the batch rolls back to its savepoint and, once the
    registration has committed, takes number 3 — the import goes on instead of failing as a whole."""
    if connection.vendor != "postgresql":
        pytest.skip("死锁只在 PostgreSQL 上发生（SQLite 的写事务本身就是串行的）")
    from xinfang.petitions.registration import petition_register_batch, prepare_registration

    _register(users, county, category)  # number 1; the counter row exists
    wrote, errors, seqs = threading.Event(), [], {}
    table = RegistrationCounter._meta.db_table
    batch_pid = connection.cursor().connection.info.backend_pid

    def wait_for_the_batch_then_take_the_number(execute, sql, params, many, context):
        if sql.startswith(f"UPDATE {table}"):  # the number is written; the counter not yet moved
            wrote.set()
            seqs["batch waited"] = _waits_on_a_lock(batch_pid)  # on this registration's number
        return execute(sql, params, many, context)

    def registration():
        try:
            with connection.execute_wrapper(wait_for_the_batch_then_take_the_number):
                seqs["registration"] = _register(users, county, category, petitioners=[{"name": "先登"}])[0].seq
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    reg = prepare_registration(**_form(users, county, category, channel="letter", petitioners=[{"name": "台账"}], imported=True))
    thread = threading.Thread(target=registration)
    thread.start()
    assert wrote.wait(10)
    [imported] = petition_register_batch(registrations=[reg])
    thread.join()
    assert errors == [] and seqs["batch waited"]
    assert (seqs["registration"], imported.seq) == (2, 3)
    assert imported.events.get(seq=1).data["reg_no"] == imported.reg_no
    assert sorted(Petition.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert RegistrationCounter.objects.get(office=county.office).last == 3
