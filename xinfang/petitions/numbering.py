"""Registration numbers (登记编号): gap-free per office and year, from one counter row each (`RegistrationCounter`).

On PostgreSQL a registration writes its petition with the next number and takes the number by the last statement
before the commit (`write_numbered`), so the counter row is held only from that statement to the commit; the batch
path (the legacy import) takes its numbers first (`number_and_write_all`). SQLite serialises writers: there the
number is taken first (`insert_numbered`). A rollback anywhere gives the number back. Why and how it was measured:
docs/data.md ("What changed for province scale")."""

from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connection, transaction

from xinfang.audit.models import ChainHead
from xinfang.core.errors import Conflict, InvalidInput
from xinfang.core.inserts import announce_saved, insert_together
from xinfang.org.models import Unit
from xinfang.petitions.models import Petition, PetitionEvent, RegistrationCounter

# Why a number could not be taken: one message for the service, the page and the API.
EXTERNAL_ID_TAKEN = "该外部编号已登记过"
TOO_MANY_ATTEMPTS = "登记编号正被同时登记的信访件占用，请稍后重试"


def next_registration_number(office: Unit, year: int) -> tuple[int, str]:
    """Take the next gap-free number first (call inside a transaction; SQLite's registrations and the demo loader):
    one `UPDATE … RETURNING`, so the counter row is locked from here to the commit. A rollback releases the number
    with the row, so numbers stay gap-free."""
    seq = _bump_counter(office.pk, year)
    if seq is None:  # the office's first number this year
        _create_counter(office.pk, year)
        seq = _bump_counter(office.pk, year)
    assert seq is not None  # the row exists now (ours or the racing creator's)
    return seq, registration_number(office, year, seq)


def _create_counter(office_id: int, year: int) -> None:
    """The office's counter row for the year, at its first number (a racing creator wins harmlessly)."""
    try:
        with transaction.atomic():
            RegistrationCounter.objects.create(office_id=office_id, year=year, last=0)
    except IntegrityError:
        pass


def registration_number(office: Unit, year: int, seq: int) -> str:
    return f"{office.code.upper()}-{year}-{seq:06d}"


# What a registration number is made of: the office's code (ASCII, org.models.unit_code_validator), digits and dashes.
_NUMBER_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_.-")


def may_be_in_registration_number(q: str) -> bool:
    """Whether some registration number could contain q (case-insensitive): the search asks the numbers only then."""
    return bool(q) and set(q.upper()) <= _NUMBER_CHARACTERS


def _bump_counter(office_id: int, year: int, n: int = 1, *, expected: int | None = None) -> int | None:
    """Move the counter on by n and return its new last number; None if it has no row (or, with `expected`, if its
    last number is no longer that)."""
    table = RegistrationCounter._meta.db_table
    sql, params = f"UPDATE {table} SET last = last + %s WHERE office_id = %s AND year = %s", [n, office_id, year]
    if expected is not None:
        sql, params = f"{sql} AND last = %s", [*params, expected]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING last", params)
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class _Reserved:
    petition: int
    event: int
    head: int
    last: int | None  # the office's last number this year as committed when asked (None: no counter row yet)


def reserve_ids(office_id: int, year: int) -> _Reserved | None:
    """PostgreSQL: the new petition's id, its first event's and its chain head's from their sequences, and the
    counter's last committed number, in one query; so the rows that point to the petition (petitioners, respondents,
    attachments: foreign keys are checked at commit) are written before the number is taken. SQLite has one writer
    at a time anyway: None (the petition is written first there)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval(pg_get_serial_sequence(%s, 'id')),"
            " nextval(pg_get_serial_sequence(%s, 'id')),"
            f" (SELECT last FROM {RegistrationCounter._meta.db_table} WHERE office_id = %s AND year = %s)",
            [Petition._meta.db_table, PetitionEvent._meta.db_table, ChainHead._meta.db_table, office_id, year],
        )
        return _Reserved(*cursor.fetchone())


# The unique keys a number taken by a concurrent registration trips on: that registration wrote it first.
_NUMBER_KEYS = frozenset({"petitions_petition_reg_no_key", "reg_no_seq_unique"})
_EXTERNAL_ID_KEY = "external_id_unique_per_channel"
_DEADLOCK = "40P01"
MAX_NUMBER_ATTEMPTS = 50


def write_numbered(petition: Petition, first_rows, *, last: int | None) -> None:
    """PostgreSQL: give the petition the office's next number and write it with its first event, seal and chain head
    (`first_rows()`, built for the number: the event's HMAC covers it) in one statement; then take the number with
    `UPDATE … SET last = last + 1 WHERE last = <the number before> RETURNING`, the last statement before the commit.
    The counter row is held only from that statement to the commit (the office's next registration waits that long
    on it, instead of for the petition's writes), and a rollback anywhere gives the number back: numbers stay
    gap-free.

    The number is the one after the counter's last committed value. A registration of the same office in flight at
    the same moment may write the same number first: the petition's unique number key makes this insert wait for it,
    and fail once it commits, or the counter has moved past `last` by then; either way this attempt is rolled back
    to its savepoint and made again with the number after the new last one (the rows are rebuilt, so the event seals
    the number the petition gets). A writer that takes the number before it writes (the batch path; the demo loader
    runs alone) can deadlock with this one; PostgreSQL ends the side that waited first: this one tries again, the
    batch rolls back to its own savepoint and numbers again (`number_and_write_all`). The savepoint is left
    to the commit: releasing it would be one more round trip while the counter row is held."""
    office_id, year = petition.office_id, petition.year
    for _attempt in range(MAX_NUMBER_ATTEMPTS):
        if last is None:
            last = _counter_last(office_id, year)
        petition.seq = last + 1
        petition.reg_no = registration_number(petition.office, year, petition.seq)
        rows = [petition, *first_rows()]
        sid = transaction.savepoint()
        try:
            insert_together(rows)
            taken = _bump_counter(office_id, year, expected=last)
        except (IntegrityError, OperationalError) as exc:
            transaction.savepoint_rollback(sid)
            key = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            if key == _EXTERNAL_ID_KEY:
                raise InvalidInput(EXTERNAL_ID_TAKEN, fields={"external_id": [EXTERNAL_ID_TAKEN]}) from None
            if key not in _NUMBER_KEYS and not _deadlock(exc):
                raise
        else:
            if taken is not None:
                announce_saved(rows)
                return
            transaction.savepoint_rollback(sid)
        last = None
    raise Conflict(TOO_MANY_ATTEMPTS)


def _deadlock(exc: Exception) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == _DEADLOCK


def _counter_last(office_id: int, year: int) -> int:
    """The office's last committed number this year, creating its counter row at the year's first (a racing creator
    wins harmlessly)."""
    row = RegistrationCounter.objects.filter(office_id=office_id, year=year).values_list("last", flat=True).first()
    if row is not None:
        return row
    _create_counter(office_id, year)
    return RegistrationCounter.objects.values_list("last", flat=True).get(office_id=office_id, year=year)


def number_and_write_all(petitions: list[Petition]) -> None:
    """PostgreSQL: the batch's numbers, then its petition rows. A batch takes its numbers before it writes them (it
    cannot afford to lose a race and write hundreds of rows again), so it can deadlock with a registration that wrote
    one of those numbers a moment before (it read the counter before the batch moved it) and now waits on the counter
    row. PostgreSQL ends the side that waited first: when that is the batch, it rolls back to its savepoint (giving
    the numbers and the counter row back), and numbers again once the registration has committed."""
    for _attempt in range(MAX_NUMBER_ATTEMPTS):
        sid = transaction.savepoint()
        try:
            number_all(petitions)
            Petition.objects.bulk_create(petitions, batch_size=500)
        except OperationalError as exc:
            transaction.set_rollback(False)  # bulk_create's own atomic block marked ours: the savepoint undoes it all
            transaction.savepoint_rollback(sid)
            if not _deadlock(exc):
                raise
            for p in petitions:
                p._state.adding = True
            continue
        transaction.savepoint_commit(sid)
        return
    raise Conflict(TOO_MANY_ATTEMPTS)


def number_all(petitions: list[Petition]) -> None:
    """Consecutive numbers for petitions of the same office and year, in list order: one counter update per group."""
    groups: dict[tuple[int, int], list[Petition]] = {}
    for p in petitions:
        groups.setdefault((p.office_id, p.year), []).append(p)
    for (office_id, year), group in groups.items():
        last = _bump_counter(office_id, year, len(group))
        if last is None:  # the office's first number that year
            _create_counter(office_id, year)
            last = _bump_counter(office_id, year, len(group))
        assert last is not None  # the counter row exists now
        first = last - len(group) + 1
        for seq, p in enumerate(group, start=first):
            p.seq, p.reg_no = seq, registration_number(p.office, year, seq)


def reserve_petition_ids(n: int) -> list[int] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [Petition._meta.db_table, n])
        return [row[0] for row in cursor.fetchall()]


def insert_numbered(petition: Petition) -> None:
    petition.seq, petition.reg_no = next_registration_number(petition.office, petition.year)
    try:
        petition.save(force_insert=True)
    except IntegrityError:  # the one unique key a caller can repeat (the transaction is rolled back with the number)
        raise InvalidInput(EXTERNAL_ID_TAKEN, fields={"external_id": [EXTERNAL_ID_TAKEN]}) from None
