"""Transfer pages: thin. Import (upload → mapping → dry run → import, with a progress bar), exports, dossier PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.downloads import attach
from xinfang.core.errors import DomainError, NotFound
from xinfang.transfer import dossier, exporters, importers, selectors, services, tasks
from xinfang.transfer.models import JobStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer(request):
    if not services.can_import(request.user):
        raise PermissionDenied
    return request.user


def _job(request, job_id):
    try:
        return selectors.import_job_get(actor=request.user, job_id=job_id)
    except NotFound:
        raise Http404 from None


@login_required
def index(request):
    user = _importer(request)
    error, source = "", ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        source = request.POST.get("source", "").strip()
        try:
            if upload is None:
                from xinfang.core.errors import InvalidInput

                raise InvalidInput("请选择要导入的文件")
            job = services.import_job_create(actor=user, source=source, filename=upload.name, data=upload.read())
        except DomainError as exc:
            error = exc.message
            messages.error(request, exc.message)
        else:
            return redirect("transfer:mapping", job_id=job.pk)
    return render(
        request,
        "transfer/index.html",
        {
            "jobs": selectors.import_job_list(actor=user),
            "sources": selectors.saved_mappings(),
            "required_labels": "、".join(f.label for f in importers.FIELDS if f.required),
            "error": error,
            "source": source,
        },
    )


@login_required
def mapping(request, job_id):
    """Header row and column mapping: the first rows of the file to choose the header row from, then our fields."""
    user = _importer(request)
    job = _job(request, job_id)
    current = dict(job.mapping)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "header":
                services.import_job_set_header_row(actor=user, job_id=job.pk, header_row=request.POST.get("header_row"))
                messages.success(request, "已按所选行重新读取表头")
                return redirect("transfer:mapping", job_id=job.pk)
            current = {f.key: request.POST.get(f.key, "") for f in importers.FIELDS}
            services.import_job_set_mapping(actor=user, job_id=job.pk, mapping=current, validate=False)
        except DomainError as exc:
            errors = exc.fields or {}
            messages.error(request, exc.message)
        else:
            return redirect("transfer:values", job_id=job.pk)
        job.refresh_from_db()
    rows = [{"f": f, "selected": current.get(f.key, ""), "errors": errors.get(f.key, [])} for f in importers.FIELDS]
    grid = services.import_job_preview_rows(actor=user, job_id=job.pk, limit=12)
    width = max((len(r) for r in grid), default=0)
    preview = [{"n": n, "cells": [("" if c == "" else str(c)) for c in r] + [""] * (width - len(r))} for n, r in enumerate(grid, start=1)]
    return render(
        request,
        "transfer/mapping.html",
        {"job": job, "rows": rows, "editable": job.status in _MAPPABLE, "grid": preview, "header_errors": errors.get("header_row", [])},
    )


@login_required
def values(request, job_id):
    """What the register's words mean (是/否, status words, unit and place names): recognised ones shown, unknown
    ones with a suggestion to confirm; saved per source. Saving starts the dry run."""
    user = _importer(request)
    job = _job(request, job_id)
    if job.status not in _MAPPABLE:
        return redirect("transfer:job", job_id=job.pk)
    choices = services.import_job_value_choices(actor=user, job_id=job.pk)
    if request.method == "POST":
        chosen = {}
        for key, items in choices.items():
            for i, item in enumerate(items):
                chosen.setdefault(key, {})[item["raw"]] = request.POST.get(f"v-{key}-{i}", "")
        try:
            services.import_job_set_values(actor=user, job_id=job.pk, values=chosen)
            tasks.start(job.pk, "validate")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("transfer:job", job_id=job.pk)
    lookups = importers.Lookups.load()
    sections = [
        {
            "key": key,
            "label": importers.FIELD_BY_KEY[key].label,
            "header": job.mapping.get(key, ""),
            "targets": importers.target_choices(key, lookups),
            "items": items,
            "unknown": sum(1 for i in items if not i["known"]),
        }
        for key, items in choices.items()
    ]
    return render(request, "transfer/values.html", {"job": job, "sections": sections})


_MAPPABLE = (JobStatus.UPLOADED, JobStatus.INVALID, JobStatus.VALIDATED)


def _panel_context(job):
    return {
        "job": job,
        "progress": selectors.import_job_progress(job),
        "errors": job.errors[:200],
        "warnings": job.warnings[:100],
        "mappable": job.status in _MAPPABLE,
        "effects": selectors.import_effects(job),
    }


@login_required
def job(request, job_id):
    _importer(request)
    job = _job(request, job_id)
    return render(request, "transfer/job.html", _panel_context(job))


@login_required
def job_progress(request, job_id):
    """htmx: the job panel (progress bar, status, errors); it keeps polling while the job runs."""
    _importer(request)
    return render(request, "transfer/_job_panel.html", _panel_context(_job(request, job_id)))


@login_required
@require_POST
def job_run(request, job_id):
    user = _importer(request)
    job = _job(request, job_id)
    try:
        services.import_job_start(actor=user, job_id=job.pk)
        tasks.start(job.pk, "import")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("transfer:job", job_id=job.pk)


@login_required
@require_POST
def take_up(request, reg_no):
    """The office takes up an open historical record (历史待办): it becomes live work from today."""
    try:
        services.historical_take_up(
            actor=request.user, reg_no=reg_no, version=request.POST.get("version"), reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已接续办理：该件进入正常待办，期限自今日起算")
    return redirect("petitions:detail", reg_no=reg_no)


@login_required
def export(request, fmt):
    filters = exporters.filters_from(request.GET)
    rows = exporters.export_rows(actor=request.user, filters=filters, path=request.path)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exporters.csv_chunks(rows), content_type="text/csv; charset=utf-8")
        return attach(response, f"信访件-{stamp}.csv", fallback=f"petitions-{stamp}.csv")
    response = FileResponse(exporters.xlsx_file(rows), content_type=XLSX)
    return attach(response, f"信访件-{stamp}.xlsx", fallback=f"petitions-{stamp}.xlsx")


@login_required
def dossier_pdf(request, reg_no):
    try:
        data, name = dossier.build_dossier(actor=request.user, reg_no=reg_no, path=request.path)
    except NotFound:
        raise Http404 from None
    return attach(HttpResponse(data, content_type="application/pdf"), name, inline=True, fallback=f"dossier-{reg_no}.pdf")
