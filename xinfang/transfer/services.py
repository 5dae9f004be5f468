"""Writes of the transfer app: import jobs (upload, header row, column and value mapping, dry run with a preview of
what the import will do, all-or-nothing import) and taking up a historical record.

How a register row becomes a petition: `registration.prepare_registration(imported=True, registered_at=<the
register's date>)` checks and completes it exactly as at the window (the same checks, defaults, limits, query code,
time limits); `history_plan` applies what the register says happened (the status, unit, reply, evaluation, archive,
each only as the register dates it: nothing is invented, no acceptance or dispatch date the register does not have);
`registration.petition_register_batch` writes 500 at a time with the numbers taken last from the same counter, in the
year of the record's own registration date. Every row is a **historical record** (`Petition.historical`): closed ones
are archived, open ones wait in the office's 历史待办 bucket; none is in a live worklist, the sweep or the current
period's KPIs until the office takes it up (`historical_take_up`). `LegacyRecord` keeps source, number and row, the
number unique within its source.

The import runs in ONE transaction: any failure rolls back every petition, petitioner, event and registration number
of the file. Progress during the import is published in the cache (the job row itself is only committed at the end).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xinfang.core.errors import DomainError, InvalidInput, InvalidTransition, NoPermission
from xinfang.org.models import Role
from xinfang.petitions import registration, timelimits
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import CLOSED_STATUSES, Petition, Status
from xinfang.petitions.steps import _check_version, _lock, current_due
from xinfang.transfer import grids, importers, row_reader
from xinfang.transfer.models import ColumnMapping, ImportJob, JobStatus, LegacyRecord

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 200
BATCH = getattr(settings, "XINFANG_IMPORT_BATCH", 500)
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
    """Store the uploaded file and find its header row (title rows, merged cells and blank lines skipped). The
    header row and the mapping start from the ones saved for this source."""
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
    saved = ColumnMapping.objects.filter(source=source).first()
    grid = grids.read_grid(data, ext, importers.HEADER_SCAN_ROWS)
    header_row = importers.detect_header_row(grid)
    if saved and saved.header_row and saved.header_row <= len(grid):  # the same source's layout, if its headers still match
        headers = importers._header_names(grid[saved.header_row - 1])
        if saved.mapping and all(h in headers for h in saved.mapping.values()):
            header_row = saved.header_row
    headers = importers.read_table(data, ext, header_row).headers
    job = ImportJob(
        created_by=actor,
        source=source,
        original_name=(filename or "")[:255],
        extension=ext,
        sha256=hashlib.sha256(data).hexdigest(),
        header_row=header_row,
        headers=headers,
        mapping=importers.guess_mapping(headers, saved.mapping if saved else None),
        values=saved.values if saved else {},
    )
    job.file.save(job.sha256 + ext, ContentFile(data), save=False)
    job.save()
    return job


def _job_for(actor, job_id) -> ImportJob:
    from xinfang.transfer.selectors import import_job_get

    return import_job_get(actor=actor, job_id=job_id)


_MAPPABLE = (JobStatus.UPLOADED, JobStatus.INVALID, JobStatus.VALIDATED)


def _lock_mappable(actor, job_id) -> ImportJob:
    _check_actor(actor)
    job = ImportJob.objects.select_for_update().get(pk=_job_for(actor, job_id).pk)
    if job.status not in _MAPPABLE:
        raise InvalidTransition("该导入任务已开始或已完成，不能再修改映射")
    return job


@transaction.atomic
def import_job_set_header_row(*, actor, job_id: int, header_row) -> ImportJob:
    """The clerk's choice of header row: the headers are read again from that row and the mapping guessed anew."""
    job = _lock_mappable(actor, job_id)
    try:
        row = int(str(header_row).strip())
    except (TypeError, ValueError):
        raise InvalidInput("请选择表头所在的行", fields={"header_row": ["请选择表头所在的行"]}) from None
    if not 1 <= row <= importers.HEADER_SCAN_ROWS * 5:
        raise InvalidInput("表头行号超出范围", fields={"header_row": ["表头行号超出范围"]})
    table = importers.read_table(_read_file(job), job.extension, row)
    saved = ColumnMapping.objects.filter(source=job.source).first()
    job.header_row, job.headers = row, table.headers
    job.mapping = importers.guess_mapping(table.headers, saved.mapping if saved else None)
    job.status, job.errors, job.error_count, job.message = JobStatus.UPLOADED, [], 0, ""
    job.save(update_fields=["header_row", "headers", "mapping", "status", "errors", "error_count", "message"])
    return job


@transaction.atomic
def import_job_set_mapping(*, actor, job_id: int, mapping: dict, values: dict | None = None, validate: bool = True) -> ImportJob:
    """Check and save the column mapping (and the value mapping, when given) on the job and as the source's saved
    ones. With `validate` the job waits for its dry run; without, it waits for the value mapping (the page)."""
    job = _lock_mappable(actor, job_id)
    job.mapping = importers.check_mapping(mapping, job.headers)
    if values is not None:
        job.values = importers.check_values(values, importers.Lookups.load())
    job.status = JobStatus.VALIDATING if validate else JobStatus.UPLOADED
    job.processed_rows = 0
    job.errors, job.error_count, job.message = [], 0, ""
    job.warnings, job.warning_count, job.skipped, job.preview = [], 0, [], {}
    job.save(
        update_fields=[
            "mapping",
            "values",
            "status",
            "processed_rows",
            "errors",
            "error_count",
            "message",
            "warnings",
            "warning_count",
            "skipped",
            "preview",
        ]
    )
    saved_values = {**(ColumnMapping.objects.filter(source=job.source).values_list("values", flat=True).first() or {})}
    for key, pairs in job.values.items():
        saved_values[key] = {**saved_values.get(key, {}), **pairs}
    ColumnMapping.objects.update_or_create(
        source=job.source, defaults={"mapping": job.mapping, "header_row": job.header_row, "values": saved_values, "updated_by": actor}
    )
    return job


def import_job_set_values(*, actor, job_id: int, values: dict) -> ImportJob:
    """The clerk's value mapping (the values page): saved per source; the job then waits for its dry run."""
    job = _job_for(actor, job_id)
    return import_job_set_mapping(actor=actor, job_id=job.pk, mapping=job.mapping, values=values, validate=True)


def import_job_value_choices(*, actor, job_id: int) -> dict:
    """{field: [{raw, count, code, why, known}]} for the values page: the distinct values of the mapped coded columns."""
    job = _job_for(actor, job_id)
    table = importers.read_table(_read_file(job), job.extension, job.header_row)
    return importers.value_choices(table.rows, job.mapping, job.values, importers.Lookups.load())


def import_job_preview_rows(*, actor, job_id: int, limit: int = 12) -> list[list]:
    """The first rows of the file as they stand, for choosing the header row."""
    job = _job_for(actor, job_id)
    return grids.read_grid(_read_file(job), job.extension, limit)


def _read_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != job.sha256:
        raise InvalidInput("导入文件已被改动（校验和不符），请重新上传")
    return data


# ---------------------------------------------------------------------------
# Dry run and the preview of what the import will do
# ---------------------------------------------------------------------------


def import_job_validate(*, job_id: int, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """The dry run: read every row, collect row-level errors and warnings (row, column, reason), and work out what the
    import will do to the worklists and the figures (`preview`). Writes only the job."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != JobStatus.VALIDATING:
        raise InvalidTransition("该导入任务不在校验阶段")
    try:
        data = _read_file(job)
        job.total_rows = importers.count_rows(data, job.extension, job.header_row)
        job.started_at = timezone.now()
        job.save(update_fields=["total_rows", "started_at"])
        errors, warnings, skipped, count, preview = _validate_rows(job, data, on_progress)
    except DomainError as exc:
        job.status, job.message, job.finished_at = JobStatus.INVALID, exc.message[:500], timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    job.error_count = len(errors)
    job.errors = errors[: importers.MAX_ERRORS]
    job.warning_count = len(warnings)
    job.warnings = warnings[: importers.MAX_WARNINGS]
    job.skipped = skipped[: importers.MAX_WARNINGS]
    job.preview = preview
    job.processed_rows = count
    job.finished_at = timezone.now()
    if errors:
        job.status = JobStatus.INVALID
        job.message = f"共{count}行，{len({e['row'] for e in errors})}行有错误，请改正文件或取值对应后重新校验"
    elif count == 0:
        job.status, job.message = JobStatus.INVALID, "文件中没有数据行"
    else:
        job.status, job.message = JobStatus.VALIDATED, f"共{count}行，全部通过校验" + (f"（{len(warnings)}处提示）" if warnings else "")
    job.save(
        update_fields=[
            "error_count",
            "errors",
            "warning_count",
            "warnings",
            "skipped",
            "preview",
            "processed_rows",
            "finished_at",
            "status",
            "message",
        ]
    )
    return job


def _validate_rows(job: ImportJob, data: bytes, on_progress):
    reader = row_reader.RowReader(job.mapping, importers.Lookups.load(), values=job.values)
    table = importers.read_table(data, job.extension, job.header_row)
    errors: list[dict] = []
    warnings: list[dict] = []
    seen: dict[str, int] = {}
    count = 0
    plan = Counter()
    years = Counter()
    for n, raw in table.rows:
        count += 1
        parsed, row_errors = reader.read(n, raw)
        if parsed is not None:
            first = seen.setdefault(parsed.legacy_reg_no, n)
            if first != n:
                row_errors.append({"row": n, "column": job.mapping["legacy_reg_no"], "reason": f"原登记编号与第{first}行重复"})
            else:
                warnings.extend(parsed.warnings)
                plan[_target(parsed.history["status"])] += 1
                years[timezone.localtime(parsed.register["registered_at"]).year] += 1
                plan["with_reply_date"] += parsed.history["replied_at"] is not None
                plan["with_satisfaction"] += bool(parsed.history["satisfaction"]) and parsed.history["replied_at"] is not None
        errors.extend(row_errors)
        if count % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            if on_progress:
                on_progress(count, job.total_rows)
    # Already imported from this source (the same register twice would duplicate petitions): numbers are unique
    # within a source, so two registers numbered 1, 2, 3… do not collide.
    legacy = list(seen)
    for i in range(0, len(legacy), 1000):
        chunk = legacy[i : i + 1000]
        for number in LegacyRecord.objects.filter(source=job.source, legacy_reg_no__in=chunk).values_list("legacy_reg_no", flat=True):
            errors.append(
                {"row": seen[number], "column": job.mapping["legacy_reg_no"], "reason": f"原登记编号“{number}”已从“{job.source}”导入过"}
            )
    errors.sort(key=lambda e: (e["row"], e["column"]))
    if on_progress:
        on_progress(count, job.total_rows)
    return errors, warnings, [list(x) for x in table.skipped], count, _preview(plan, years)


def _target(status: str) -> str:
    """Where a register status lands: archived (closed), declined/forwarded (closed), or 历史待办 (open)."""
    if status == importers.CLOSED:
        return "archived"
    if status in (Status.DECLINED, Status.FORWARDED):
        return "closed_other"
    return "open"


def _preview(plan: Counter, years: Counter) -> dict:
    """What the import will do, for the page before confirming: the records by where they land, by year, and what
    changes in the worklists and the figures (the same rules as bucket_q and stats.kpis)."""
    this_year = timezone.localtime().year
    rows = plan["archived"] + plan["closed_other"] + plan["open"]
    return {
        "rows": rows,
        "archived": plan["archived"],
        "closed_other": plan["closed_other"],
        "open": plan["open"],
        "years": sorted([[y, n] for y, n in years.items()]),
        "this_year": years.get(this_year, 0),
        "current_year": this_year,
        "with_reply_date": plan["with_reply_date"],
        "with_satisfaction": plan["with_satisfaction"],
    }


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
    """All or nothing: every row becomes a historical record with its history, or nothing is written."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.IMPORTING:
        raise InvalidTransition("该导入任务未处于导入阶段")
    actor = job.created_by
    current_row = 0
    try:
        data = _read_file(job)
        with transaction.atomic():
            reader = row_reader.RowReader(job.mapping, importers.Lookups.load(), values=job.values)
            table = importers.read_table(data, job.extension, job.header_row)
            count, first, last = 0, "", ""
            batch: list[tuple[row_reader.ParsedRow, registration.Registration]] = []

            def flush():
                nonlocal first, last, batch
                petitions = registration.petition_register_batch(registrations=[r for _p, r in batch])
                LegacyRecord.objects.bulk_create(
                    [
                        LegacyRecord(source=job.source, legacy_reg_no=p.legacy_reg_no, petition=petition, job=job, row=p.row)
                        for (p, _r), petition in zip(batch, petitions, strict=True)
                    ]
                )
                first = first or petitions[0].reg_no
                last = petitions[-1].reg_no
                batch = []

            for n, raw in table.rows:
                current_row = n
                parsed, errors = reader.read(n, raw)
                if errors:
                    e = errors[0]
                    raise InvalidInput(f"第{e['row']}行“{e['column']}”：{e['reason']}")
                batch.append((parsed, prepare_row(actor=actor, parsed=parsed, source=job.source, job_id=job.pk)))
                count += 1
                if len(batch) >= BATCH:
                    flush()
                    _publish(job.pk, count)
                    if on_progress:
                        on_progress(count, job.total_rows)
            if batch:
                flush()
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
        message=f"已导入{count}件历史记录",
    )
    _publish(job.pk, count)
    if on_progress:
        on_progress(count, job.total_rows)
    job.refresh_from_db()
    return job


def prepare_row(*, actor, parsed: row_reader.ParsedRow, source: str, job_id: int | None = None) -> registration.Registration:
    """One register row through registration's own checks and defaults, then its history applied (nothing written)."""
    reg = registration.prepare_registration(actor=actor, imported=True, legacy_reg_no=parsed.legacy_reg_no, **parsed.register)
    reg.petition.historical = True
    reg.extra_events = history_plan(petition=reg.petition, history=parsed.history, source=source, job_id=job_id, row=parsed.row)
    return reg


def history_plan(*, petition: Petition, history: dict, source: str, job_id, row: int = 0) -> list[dict]:
    """Apply a register row's history to the unsaved petition, only as the register dates it, and return the event
    that records it ({action, from_status, to_status, at, data, public}).

    Closed in the register (已办结/已答复/已评价/已归档, 是 in a 是否办结 column): archived, with the unit, the reply
    date and text and the evaluation; the archive date is the register's, else the reply date, else the received
    date (the event says which). Declined / forwarded: so. Open: the status the register gives, with its unit, and no
    current due time (it is not live work until taken up). No acceptance, dispatch or delivery date is made up, so
    no KPI that needs one counts the record (stats/kpis.py); the review window stays unset (it runs from a delivery
    the register does not record)."""
    p = petition
    target = history["status"]
    unit = history["handling_unit"]
    data = {
        "legacy": True,
        "source": source,
        "job": job_id or 0,
        "row": row,
        "legacy_reg_no": p.legacy_reg_no,
        "status_word": history.get("status_word", ""),
        "received_at": p.received_at.isoformat(),
    }
    if unit is not None:
        p.handling_unit = unit
        data["handling_unit"] = unit.code
    if target == importers.CLOSED:
        p.status = Status.ARCHIVED
        if history["replied_at"] is not None:
            p.replied_at = p.first_replied_at = history["replied_at"]
            data["replied_at"] = history["replied_at"].isoformat()
        p.reply_text = history["reply_text"]
        if history["satisfaction"]:
            p.satisfaction = history["satisfaction"]
            data["satisfaction"] = history["satisfaction"]
            if p.replied_at is not None:  # the register records the evaluation with the answer: dated by it
                p.evaluated_at = p.replied_at
        when, basis = history["archived_at"], "归档日期"
        if when is None:
            when, basis = (p.replied_at, "答复日期") if p.replied_at is not None else (p.received_at, "收到日期")
        p.archived_at = when
        data.update(archived_at=when.isoformat(), archived_at_from=basis)
    elif target in (Status.DECLINED, Status.FORWARDED):
        p.status = target
    else:
        p.status = target
    p.due_at = None  # a historical record has no live step (historical_take_up gives it one)
    return [
        {
            "action": EventType.IMPORT,
            "from_status": Status.REGISTERED,
            "to_status": p.status,
            "data": data,
            "public": False,
            "at": timezone.now(),
        }
    ]


# ---------------------------------------------------------------------------
# Taking up a historical record (历史待办 → live work)
# ---------------------------------------------------------------------------

TAKE_UP_STATUSES = (Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)


def may_take_up(actor, petition: Petition) -> bool:
    return bool(actor and actor.has_role(Role.OFFICE) and petition.historical and petition.status in TAKE_UP_STATUSES)


@transaction.atomic
def historical_take_up(*, actor, reg_no: str, version, reason: str = "") -> Petition:
    """The office takes up an open historical record: it becomes live work in its state, its time limits counted
    from now (the office receives it from the register today; the register's own dates stay on the record), so it
    enters the live worklists, the sweep and the current figures from here on. One `take_up` event."""
    from xinfang.core import inputs

    petition = _lock(actor, reg_no)
    if not (actor and actor.has_role(Role.OFFICE)):
        raise NoPermission("只有信访办可以接续办理历史待办件")
    if not petition.historical:
        raise InvalidTransition("该件不是历史记录")
    if petition.status not in TAKE_UP_STATUSES or petition.status in CLOSED_STATUSES:
        raise InvalidTransition("已办结的历史记录无需接续办理")
    _check_version(petition, version)
    reason = inputs.text(reason, "reason", "说明", required=False, max_len=500)
    now = timezone.now()
    p = petition
    if p.status == Status.REGISTERED:
        p.triage_due_at = timelimits.due_for("triage", now)
        p.dispatch_due_at = timelimits.due_for("dispatch", now)
        p.accept_due_at = timelimits.due_for("accept", now)
    elif p.status == Status.ACCEPTED:
        p.dispatch_due_at = timelimits.due_for("dispatch", now)
        p.handle_due_at = timelimits.due_for("handle", now)
    else:
        p.handle_due_at = timelimits.due_for("handle", now)
    p.historical = False
    p.due_at = current_due(p)
    p.version += 1
    p.save(update_fields=["historical", "triage_due_at", "dispatch_due_at", "accept_due_at", "handle_due_at", "due_at", "version"])
    record_event(
        petition=p,
        action=EventType.TAKE_UP,
        actor=actor,
        from_status=p.status,
        to_status=p.status,
        data={"reason": reason, "due_at": p.due_at.isoformat() if p.due_at else "", "legacy_reg_no": p.legacy_reg_no},
    )
    return p
