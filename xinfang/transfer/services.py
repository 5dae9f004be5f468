"""Writes of the transfer app: import jobs (upload, mapping, dry run, all-or-nothing import).

How a legacy row becomes a petition: `petition_register(imported=True, legacy_reg_no=...)`
gives it a new gap-free registration number (the register's own number is kept in
`legacy_reg_no`) and the `register` event; then its history is written as events with
`record_event(imported=True)` (accept / decline / forward / assign / acknowledge / reply /
evaluate / archive, dated from the register), and the petition's status and dates are set to
match. We write the events directly instead of driving the lifecycle services because the
services check today's permissions, time limits and the current time, which do not apply to
a record of what happened years ago.

The import runs in ONE transaction: any failure rolls back every petition, petitioner, event
and registration number of the file (the counter row is locked for the whole import, so
numbers stay gap-free). Progress during the import is published in the cache (the job row
itself is only committed at the end).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.audit.chain import seal_new_petitions
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import DomainError, InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions import services as petition_services
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Nature, Petition, Petitioner, PetitionEvent, RegistrationCounter, Status
from xinfang.transfer import importers
from xinfang.transfer.models import ColumnMapping, ImportJob, JobStatus

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 200
# Files with more rows than this take the bulk path (bulk_create in batches); smaller files go
# through petition_register row by row. Both write the same rows (tests compare them).
BULK_THRESHOLD = getattr(settings, "XINFANG_IMPORT_BULK_THRESHOLD", 1000)
BULK_BATCH = 1000
IMPORT_ROLES = (Role.ADMIN, Role.OFFICE, Role.CLERK)


def can_import(actor) -> bool:
    return bool(actor and actor.is_authenticated and actor.has_role(*IMPORT_ROLES))


def _check_actor(actor):
    if not can_import(actor):
        raise NoPermission("只有管理员、信访办或登记员可以导入历史台账")


def progress_key(job_id: int) -> str:
    return f"xinfang:transfer:job:{job_id}:processed"


def _publish(job_id: int, processed: int) -> None:
    cache.set(progress_key(job_id), processed, timeout=24 * 3600)


# ---------------------------------------------------------------------------
# Upload and mapping
# ---------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor, source: str, filename: str, data: bytes) -> ImportJob:
    """Store the uploaded file and read its headers. The mapping starts from the saved one for this source."""
    _check_actor(actor)
    source = (source or "").strip()
    if not source:
        raise InvalidInput("请填写来源名称（如“2019-2023年县信访局台账”）", fields={"source": ["请填写来源名称"]})
    if len(source) > 100:
        raise InvalidInput("来源名称最多100字", fields={"source": ["最多100字"]})
    ext = os.path.splitext(filename or "")[1].lower()
    if ext not in (".xlsx", ".csv"):
        raise InvalidInput("只支持 .xlsx 和 .csv 文件", fields={"file": ["只支持 .xlsx 和 .csv 文件"]})
    if not data:
        raise InvalidInput("文件是空的", fields={"file": ["文件是空的"]})
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("文件超过200MB，请分成几个文件导入", fields={"file": ["文件超过200MB"]})
    headers, _rows = importers.read_table(data, ext)
    saved = ColumnMapping.objects.filter(source=source).first()
    job = ImportJob(
        created_by=actor,
        source=source,
        original_name=(filename or "")[:255],
        extension=ext,
        sha256=hashlib.sha256(data).hexdigest(),
        headers=headers,
        mapping=importers.guess_mapping(headers, saved.mapping if saved else None),
    )
    job.file.save(job.sha256 + ext, ContentFile(data), save=False)
    job.save()
    return job


def _job_for(actor, job_id) -> ImportJob:
    from xinfang.transfer.selectors import import_job_get

    return import_job_get(actor=actor, job_id=job_id)


@transaction.atomic
def import_job_set_mapping(*, actor, job_id: int, mapping: dict) -> ImportJob:
    """Check and save the mapping on the job and as the source's saved mapping; the job waits for its dry run."""
    _check_actor(actor)
    job = ImportJob.objects.select_for_update().get(pk=_job_for(actor, job_id).pk)
    if job.status not in (JobStatus.UPLOADED, JobStatus.INVALID, JobStatus.VALIDATED):
        raise InvalidTransition("该导入任务已开始或已完成，不能再修改列映射")
    job.mapping = importers.check_mapping(mapping, job.headers)
    job.status = JobStatus.VALIDATING
    job.processed_rows = 0
    job.errors, job.error_count, job.message = [], 0, ""
    job.save(update_fields=["mapping", "status", "processed_rows", "errors", "error_count", "message"])
    ColumnMapping.objects.update_or_create(source=job.source, defaults={"mapping": job.mapping, "updated_by": actor})
    return job


def _read_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != job.sha256:
        raise InvalidInput("导入文件已被改动（校验和不符），请重新上传")
    return data


# ---------------------------------------------------------------------------
# Dry run
# ---------------------------------------------------------------------------


def import_job_validate(*, job_id: int, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """The dry run: read every row, collect row-level errors (row, column, reason). Writes only the job."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != JobStatus.VALIDATING:
        raise InvalidTransition("该导入任务不在校验阶段")
    try:
        data = _read_file(job)
        job.total_rows = importers.count_rows(data, job.extension)
        job.started_at = timezone.now()
        job.save(update_fields=["total_rows", "started_at"])
        errors, count = _validate_rows(job, data, on_progress)
    except DomainError as exc:
        job.status, job.message, job.finished_at = JobStatus.INVALID, exc.message[:500], timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    job.error_count = len(errors)
    job.errors = errors[: importers.MAX_ERRORS]
    job.processed_rows = count
    job.finished_at = timezone.now()
    if errors:
        job.status = JobStatus.INVALID
        job.message = f"共{count}行，{len({e['row'] for e in errors})}行有错误，请改正文件后重新上传"
    elif count == 0:
        job.status, job.message = JobStatus.INVALID, "文件中没有数据行"
    else:
        job.status, job.message = JobStatus.VALIDATED, f"共{count}行，全部通过校验"
    job.save(update_fields=["error_count", "errors", "processed_rows", "finished_at", "status", "message"])
    return job


def _validate_rows(job: ImportJob, data: bytes, on_progress) -> tuple[list[dict], int]:
    reader = importers.RowReader(job.mapping, importers.Lookups.load())
    _headers, rows = importers.read_table(data, job.extension)
    errors: list[dict] = []
    seen: dict[str, int] = {}
    count = 0
    for n, raw in rows:
        count += 1
        parsed, row_errors = reader.read(n, raw)
        if parsed is not None:
            first = seen.setdefault(parsed.legacy_reg_no, n)
            if first != n:
                header = job.mapping["legacy_reg_no"]
                row_errors.append({"row": n, "column": header, "reason": f"原登记编号与第{first}行重复"})
        errors.extend(row_errors)
        if count % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            if on_progress:
                on_progress(count, job.total_rows)
    # Already imported before (the same register imported twice would duplicate petitions).
    legacy = list(seen)
    for i in range(0, len(legacy), 1000):
        chunk = legacy[i : i + 1000]
        for number in Petition.objects.filter(imported=True, legacy_reg_no__in=chunk).values_list("legacy_reg_no", flat=True):
            errors.append({"row": seen[number], "column": job.mapping["legacy_reg_no"], "reason": f"原登记编号“{number}”已导入过"})
    errors.sort(key=lambda e: (e["row"], e["column"]))
    if on_progress:
        on_progress(count, job.total_rows)
    return errors, count


# ---------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------


@transaction.atomic
def import_job_start(*, actor, job_id: int) -> ImportJob:
    """Claim a validated job for importing (a second click or a second worker gets a conflict)."""
    _check_actor(actor)
    job = _job_for(actor, job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.VALIDATED).update(
        status=JobStatus.IMPORTING, processed_rows=0, started_at=timezone.now(), message=""
    )
    if not claimed:
        raise InvalidTransition("只有校验通过且尚未导入的任务可以导入")
    _publish(job.pk, 0)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """All or nothing: every row becomes a petition with its history, or nothing is written."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.IMPORTING:
        raise InvalidTransition("该导入任务未处于导入阶段")
    actor = job.created_by
    current_row = 0
    try:
        data = _read_file(job)
        with transaction.atomic():
            reader = importers.RowReader(job.mapping, importers.Lookups.load())
            _headers, rows = importers.read_table(data, job.extension)
            count, first, last = 0, "", ""

            def parsed_rows():
                nonlocal current_row
                for n, raw in rows:
                    current_row = n
                    parsed, errors = reader.read(n, raw)
                    if errors:
                        e = errors[0]
                        raise InvalidInput(f"第{e['row']}行“{e['column']}”：{e['reason']}")
                    yield parsed

            def progress(done):
                _publish(job.pk, done)
                if on_progress:
                    on_progress(done, job.total_rows)

            if job.total_rows > BULK_THRESHOLD:
                count, first, last = import_bulk(
                    actor=actor, parsed_rows=parsed_rows(), source=job.source, job_id=job.pk, on_progress=progress
                )
            else:
                for parsed in parsed_rows():
                    petition = import_row(actor=actor, parsed=parsed, source=job.source, job_id=job.pk)
                    count += 1
                    first = first or petition.reg_no
                    last = petition.reg_no
                    if count % PROGRESS_EVERY == 0:
                        progress(count)
            if count == 0:
                raise InvalidInput("文件中没有数据行")
    except Exception as exc:  # noqa: BLE001 - the job records any failure; nothing was written
        message = exc.message if isinstance(exc, DomainError) else f"第{current_row}行导入时出错：{exc.__class__.__name__}"
        if isinstance(exc, DomainError) and current_row and not message.startswith("第"):
            message = f"第{current_row}行：{message}"
        if not isinstance(exc, DomainError):
            log.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=message[:500], finished_at=timezone.now())
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        processed_rows=count,
        imported_count=count,
        first_reg_no=first,
        last_reg_no=last,
        finished_at=timezone.now(),
        message=f"已导入{count}件（{first} 至 {last}）",
    )
    _publish(job.pk, count)
    if on_progress:
        on_progress(count, job.total_rows)
    job.refresh_from_db()
    return job


def import_row(*, actor, parsed: importers.ParsedRow, source: str, job_id: int | None = None) -> Petition:
    """Register one legacy row and write its history as imported events (inside the import's transaction)."""
    petition, _code = petition_services.petition_register(actor=actor, imported=True, legacy_reg_no=parsed.legacy_reg_no, **parsed.register)
    changed, steps = history_plan(petition=petition, history=parsed.history, source=source, job_id=job_id)
    if not steps:
        return petition
    # The petition first, then its events: each event seals the petition's state as written (record_event reads it back).
    petition.version += 1
    petition.save(update_fields=sorted(changed | {"version"}))
    for st in steps:
        record_event(petition=petition, actor=actor, imported=True, **st)
    return petition


def history_plan(*, petition: Petition, history: dict, source: str, job_id) -> tuple[set[str], list[dict]]:
    """Apply a legacy row's history to the (registered) petition in memory.

    Returns (the fields changed, the events to write: {action, from_status, to_status, at, data, public}),
    oldest first. Used by both the per-row path and the bulk path, so they write the same thing.
    """
    target = history["status"]
    if target == Status.REGISTERED:
        return set(), []
    p = petition
    received = p.received_at
    legacy = {"legacy": True, "source": source, "job": job_id or 0}
    state = Status.REGISTERED
    changed: set[str] = set()
    steps: list[dict] = []

    def step(action, to_status, at, data=None, public=True):
        nonlocal state
        steps.append(
            {"action": action, "from_status": state, "to_status": to_status, "data": {**legacy, **(data or {})}, "public": public, "at": at}
        )
        state = to_status

    if target == Status.DECLINED:
        step("decline", Status.DECLINED, received, {"reason": "历史台账记载：不予受理"})
        p.dispatched_at = received
        changed |= {"dispatched_at"}
    elif target == Status.FORWARDED:
        step("forward", Status.FORWARDED, received, {"authority": "", "reason": "历史台账记载：已转送"})
        p.dispatched_at = received
        changed |= {"dispatched_at"}
    else:
        step("accept", Status.ACCEPTED, received)
        p.accepted_at = received
        p.handle_due_at = petition_services.due_for("handle", received)
        changed |= {"accepted_at", "handle_due_at"}
        unit = history["handling_unit"]
        if unit is not None:
            step("assign", Status.ASSIGNED, received, {"handling_unit": unit.code}, public=False)
            p.handling_unit, p.assigned_at, p.dispatched_at = unit, received, received
            changed |= {"handling_unit", "assigned_at", "dispatched_at"}
            if target != Status.ASSIGNED:
                step("acknowledge", Status.IN_PROGRESS, received, public=False)
        replied = history["replied_at"]
        if replied is not None:
            step("reply", Status.REPLIED, replied, {"text": history["reply_text"], "method": ""})
            p.replied_at, p.reply_text = replied, history["reply_text"]
            p.review_request_due_at = replied + timedelta(days=30)
            changed |= {"replied_at", "reply_text", "review_request_due_at"}
            if history["satisfaction"]:
                step("evaluate", Status.EVALUATED, replied, {"satisfaction": history["satisfaction"]})
                p.satisfaction, p.evaluated_at = history["satisfaction"], replied
                changed |= {"satisfaction", "evaluated_at"}
        if target == Status.ARCHIVED:
            when = history["archived_at"] or replied or received
            step("archive", Status.ARCHIVED, when, {"archive_category": "历史导入"}, public=False)
            p.archived_at, p.archive_category = when, "历史导入"
            changed |= {"archived_at", "archive_category"}
    p.status = state
    p.due_at = petition_services.current_due(p)
    changed |= {"status", "due_at"}
    return changed, steps


def _locked_counter(office, year) -> RegistrationCounter:
    if not RegistrationCounter.objects.filter(office=office, year=year).exists():
        try:
            with transaction.atomic():
                RegistrationCounter.objects.create(office=office, year=year, last=0)
        except IntegrityError:
            pass
    return RegistrationCounter.objects.select_for_update().get(office=office, year=year)


def import_bulk(*, actor, parsed_rows, source: str, job_id: int | None, on_progress=None) -> tuple[int, str, str]:
    """The bulk path for large files, inside the caller's transaction: the same petitions, petitioners and
    hash-chained events as petition_register + record_event, written with bulk_create in batches.

    The registration counter row stays locked until the import commits (registrations at the window wait
    for it), so the numbers are consecutive and a rollback leaves no gap.
    """
    office = petition_services.registering_office(actor)
    now = timezone.now()
    year = timezone.localtime(now).year
    counter = _locked_counter(office, year)
    seq = counter.last
    label = actor.display_name if actor is not None else ""
    count, first, last = 0, "", ""
    batch: list = []

    def flush():
        nonlocal batch
        _bulk_write(actor=actor, label=label, items=batch)
        batch = []

    for parsed in parsed_rows:
        seq += 1
        batch.append(_bulk_petition(actor=actor, office=office, year=year, seq=seq, now=now, parsed=parsed, source=source, job_id=job_id))
        count += 1
        first = first or batch[-1][0].reg_no
        last = batch[-1][0].reg_no
        if len(batch) >= BULK_BATCH:
            flush()
            if on_progress:
                on_progress(count)
    if batch:
        flush()
    counter.last = seq
    counter.save(update_fields=["last"])
    return count, first, last


def _bulk_petition(*, actor, office, year, seq, now, parsed, source, job_id):
    reg = parsed.register
    received = reg["received_at"]
    nature = reg["nature"]
    confidential = reg["confidential"] if reg["confidential"] is not None else nature == Nature.REPORT
    _code, code_hash = petition_services.new_query_code()
    reg_no = f"{office.code.upper()}-{year}-{seq:06d}"
    dispatch_due = petition_services.due_for("dispatch", received)
    accept_due = petition_services.due_for("accept", received)
    p = Petition(
        reg_no=reg_no,
        office=office,
        year=year,
        seq=seq,
        query_code_hash=code_hash,
        status=Status.REGISTERED,
        channel=reg["channel"],
        received_at=received,
        first_receiver=actor,
        nature=nature,
        category=reg["category"],
        content=reg["content"],
        requests=reg["requests"],
        region=reg["region"],
        anonymous=bool(reg["anonymous"]),
        confidential=bool(confidential),
        headcount=reg["headcount"],
        collective=reg["headcount"] >= petition_services.COLLECTIVE_HEADCOUNT,
        first_time=True,
        dispatch_due_at=dispatch_due,
        accept_due_at=accept_due,
        imported=True,
        legacy_reg_no=parsed.legacy_reg_no[:64],
    )
    p.due_at = petition_services.current_due(p)
    events = [
        {
            "action": "register",
            "from_status": "",
            "to_status": Status.REGISTERED,
            "at": now,
            "public": True,
            "data": {
                "channel": p.channel,
                "reg_no": reg_no,
                "collective": p.collective,
                "repeat_of": "",
                "matter_ended": False,
                "attachments": [],
                "dispatch_due_at": dispatch_due.isoformat(),
                "accept_due_at": accept_due.isoformat(),
            },
        }
    ]
    _changed, steps = history_plan(petition=p, history=parsed.history, source=source, job_id=job_id)
    p.version = 2 if steps else 1
    return p, events + steps, reg["petitioners"]


def _bulk_write(*, actor, label, items) -> None:
    Petition.objects.bulk_create([p for p, _e, _people in items], batch_size=500)
    people = []
    for p, _events, persons in items:
        for position, person in enumerate(persons):
            people.append(
                Petitioner(
                    petition=p,
                    name=person["name"],
                    id_number=person.get("id_number", ""),
                    phone=person.get("phone", ""),
                    address=person.get("address", ""),
                    work_unit=person.get("work_unit", ""),
                    id_hash=keyed_hash(person.get("id_number", "")),
                    phone_hash=keyed_hash(person.get("phone", "")),
                    name_hash=keyed_hash(person["name"]),
                    position=position,
                )
            )
    Petitioner.objects.bulk_create(people, batch_size=500)
    # The keyed chain (seq, prev_hash, HMAC, seals, heads) is the audit app's: the same as record_event writes.
    seal_new_petitions(
        [
            (
                p,
                [
                    PetitionEvent(
                        action=e["action"],
                        actor=actor,
                        actor_label=label,
                        at=e["at"],
                        from_status=e["from_status"],
                        to_status=e["to_status"],
                        data=e["data"],
                        public=e["public"],
                        imported=True,
                    )
                    for e in events
                ],
            )
            for p, events, _people in items
        ]
    )
