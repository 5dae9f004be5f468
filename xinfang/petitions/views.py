"""Petition pages: thin; the rules are in services.py and selectors.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.access import policy
from xinfang.access import views as access_views
from xinfang.core import inputs
from xinfang.core.errors import DomainError, NotFound
from xinfang.core.forms import apply_errors
from xinfang.grassroots.selectors import disputes_for_petition
from xinfang.org.models import Region, Role
from xinfang.petitions import attachments, documents, followup, panel, receipts, result_lines, selectors, services, timelimits, workflow
from xinfang.petitions import worklist as worklist_page
from xinfang.petitions.action_inputs import ARCHIVE_CATEGORIES
from xinfang.petitions.batch import offered_batch_actions as batch_actions
from xinfang.petitions.event_types import DATA_LABELS
from xinfang.petitions.forms import ListFilterForm, RegisterForm, action_inputs
from xinfang.petitions.models import Attachment, Category, DeliveryMethod, Outcome, ReplyMethod, Satisfaction
from xinfang.petitions.saved_filters import clean_query, saved_filters

PAGE_SIZE = 25


def _petition_or_404(user, reg_no):
    """The petition as the user may see it; 404 alike for absent, out of scope and respondent-blocked."""
    try:
        return selectors.petition_detail(actor=user, reg_no=reg_no)
    except NotFound:
        raise Http404("未找到该信访件") from None


def _register_field(name: str) -> str | None:
    """The registration form's field for a service's field name (petitioners[0].name → name, representatives[1].phone →
    rep2_phone)."""
    mapping = {"petitioners[0].name": "name", "petitioners[0].id_number": "id_number", "petitioners[0].phone": "phone"}
    target = mapping.get(name, name)
    if target.startswith("representatives["):
        idx = target[len("representatives[") : target.index("]")]
        return f"rep{int(idx) + 1}_{target.rsplit('.', 1)[-1]}" if "." in target else None
    return target


@login_required
def worklist(request):
    user = request.user
    buckets = selectors.worklist_counts(actor=user)
    if not buckets and not user.has_role(Role.ADMIN, Role.SUPERVISOR):
        raise PermissionDenied
    bucket = request.GET.get("bucket", "")
    if bucket and bucket not in selectors.BUCKET_BY_CODE:
        bucket = ""
    form = ListFilterForm(request.GET or None)
    filters = {"bucket": bucket}
    if form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    qs = selectors.petition_list(actor=user, filters=filters)
    try:
        page = selectors.petition_page(qs, cursor=request.GET.get("cursor"), size=PAGE_SIZE, **selectors.list_paging(filters))
    except DomainError as exc:  # a stale or edited cursor: say so and start from the first page
        messages.error(request, exc.message)
        page = selectors.petition_page(qs, size=PAGE_SIZE, **selectors.list_paging(filters))
    query = request.GET.copy()
    query.pop("cursor", None)
    now = timezone.now()
    who = worklist_page.petitioners(user, list(page.rows), path=request.path)
    rows = [{"p": p, "due": selectors.due_state(p.due_at, now), "who": who.get(p.pk, "")} for p in page.rows]
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    title, scope = worklist_page.heading(selectors.BUCKET_BY_CODE.get(bucket), cleaned, dict(form.fields["category"].choices))
    return render(
        request,
        "petitions/worklist.html",
        {
            "title": title,
            "scope": scope,
            "batch_actions": batch_actions(user),
            "batch_units": worklist_page.batch_units() if any(code == "assign" for code, _ in batch_actions(user)) else [],
            "back": request.get_full_path(),
            "buckets": buckets,
            "bucket": bucket,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            **_saved_filters(user, query.urlencode()),
            "now": now,
            # A due on this page in a year whose holidays are not entered says so.
            "calendar_notices": timelimits.calendar_notices(*(r["p"].due_at for r in rows)),
        },
    )


def _saved_filters(user, query: str) -> dict:
    """常用筛选: the user's saved filters, the filter set in force, and whether it is saved already."""
    mine, current = saved_filters(actor=user), clean_query(query)
    return {"saved_filters": mine, "filter_query": current, "filter_saved": any(sf.query == current for sf in mine)}


@login_required
@require_POST
def batch(request):
    """批量交办/签收/催办/归档 on the worklist's ticked rows: all or nothing, each refusal named by its number."""
    from xinfang.petitions.batch import BATCH_ACTIONS, petitions_batch

    action = request.POST.get("action", "")
    rows = []
    for value in request.POST.getlist("rows"):
        reg_no, _sep, version = value.rpartition(":")
        rows.append((reg_no, version))
    keep = {"assign": ("handling_unit", "complexity", "note"), "acknowledge": ("committed_date", "note"), "urge": ("note",)}
    inputs = {k: request.POST.get(k, "") for k in keep.get(action, ()) if request.POST.get(k, "") != ""}
    if action == "assign":
        inputs["result_required"] = True
    try:
        done = petitions_batch(actor=request.user, action=action, rows=rows, inputs=inputs)
    except DomainError as exc:
        messages.error(request, exc.message)
        for reg_no, why in (exc.fields or {}).items():
            messages.error(request, f"{reg_no}：{why[0] if isinstance(why, list) else why}")
    else:
        messages.success(request, f"已批量{BATCH_ACTIONS[action]} {len(done)} 件：{'、'.join(done)}")
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/petitions/") and not back.startswith("//") else "petitions:worklist")


@login_required
def register(request):
    user = request.user
    if not user.has_role(Role.CLERK, Role.OFFICE):
        raise PermissionDenied
    form = RegisterForm(request.POST or None, request.FILES or None, initial=RegisterForm.initial_from_query(request.GET))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            kwargs["category"] = inputs.by_code(Category, form.cleaned_data["category"], "category", "问题类别")
            kwargs["region"] = inputs.by_code(Region, form.cleaned_data["region"], "region", "问题发生地")
            repeat = (form.cleaned_data.get("repeat_of") or "").strip()
            kwargs["repeat_of"] = policy.get_visible_petition(user, repeat) if repeat else None
            kwargs["attachments"] = request.FILES.getlist("attachments")
            petition, code = services.petition_register(actor=user, **kwargs)
        except NotFound:
            form.add_error("repeat_of", "未找到该登记编号")
        except DomainError as exc:
            apply_errors(form, exc, rename=_register_field, message_if_none=True)
        else:
            messages.success(request, f"已登记，登记编号 {petition.reg_no}")
            return _receipt_redirect(request, petition.reg_no, code)
    if form.errors:  # the error summary at the top takes the focus, not the first field
        form.fields["channel"].widget.attrs.pop("autofocus", None)
    return render(request, "petitions/register.html", {"form": form})


@login_required
def repeat_candidates(request):
    """htmx: earlier petitions with the same ID number / phone, or similar content in the same region."""
    region = Region.objects.filter(code=request.GET.get("region", "")).first()
    found = selectors.repeat_candidates(
        actor=request.user,
        id_numbers=[request.GET.get("id_number", "").strip()] if len(request.GET.get("id_number", "").strip()) >= 15 else [],
        phones=[request.GET.get("phone", "").strip()] if len(request.GET.get("phone", "").strip()) >= 7 else [],
        content=request.GET.get("content", "")[:2000],
        region=region,
        limit=5,
    )
    return render(request, "petitions/_repeat_candidates.html", {"candidates": found})


def _receipt_redirect(request, reg_no: str, code: str):
    """Post-redirect-get: the code waits in the session under a one-time token the receipt's address carries."""
    token = receipts.keep(request.session, reg_no, code)
    return redirect(f"{reverse('petitions:receipt', args=[reg_no])}?t={token}")


@login_required
def receipt(request, reg_no):
    """The query code shows once, on the first view of the receipt after registration (or a reissue); a reload, the back
    button or a later visit shows 已告知 and how to issue a new code."""
    petition = _petition_or_404(request.user, reg_no)
    token = request.GET.get("t", "")
    code = receipts.show_once(request.session, reg_no, token)
    response = render(
        request,
        "petitions/receipt.html",
        {
            "p": petition,
            "query_code": code,
            "token": token if code else "",
            "print_minutes": receipts.PRINT_MINUTES,
            "may_reissue": request.user.has_role(Role.CLERK, Role.OFFICE, Role.ADMIN),
        },
    )
    response["Cache-Control"] = "no-store"  # the back button asks again instead of showing a kept copy with the code
    return response


@login_required
@require_POST
def receipt_done(request, reg_no):
    receipts.drop(request.session, request.POST.get("t", ""))
    return redirect("petitions:detail", reg_no=reg_no)


@login_required
@require_POST
def receipt_reissue(request, reg_no):
    """A new query code for the petitioner (the old one stops working): the portal's service, one event on the history."""
    from xinfang.portal.services import query_code_reissue

    _petition_or_404(request.user, reg_no)
    try:
        petition, code = query_code_reissue(actor=request.user, reg_no=reg_no)
    except DomainError as exc:
        messages.error(request, f"查询码未重新发放：{exc.message}")
        return redirect("petitions:receipt", reg_no=reg_no)
    messages.success(request, "已重新发放查询码，原查询码即时失效")
    return _receipt_redirect(request, petition.reg_no, code)


@login_required
def receipt_pdf(request, reg_no):
    """The printed receipt carries the code while its receipt is fresh (the same token, a few minutes); otherwise 已告知."""
    petition = _petition_or_404(request.user, reg_no)
    code = receipts.printable(request.session, reg_no, request.GET.get("t", ""))
    data = receipts.receipt_pdf(
        petition, actor=request.user, query_code=code, portal_url=receipts.portal_address(request), path=request.path
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Cache-Control"] = "no-store"  # it may carry the query code
    from xinfang.core.downloads import attach

    return attach(response, f"回执-{reg_no}.pdf", inline=True, fallback=f"receipt-{reg_no}.pdf")


# The details the timeline shows of each entry, in order (their names: event_types.DATA_LABELS).
TIMELINE_FIELDS = (
    "handling_unit_name",
    "leader_name",
    "authority",
    "route_label",
    "route_organ",
    "track_label",
    "organ_name",
    "organ_address",
    "decided_at",
    "scan_name",
    "rereview_organ",
    "rereview_at",
    "outcome_label",
    "agreed",
    "instruction",
    "reason",
    "own_unit_reason",
    "committed_date",
    "days",
    "new_due_at",
    "ground_label",
    "paused_days",
    "counted_days",
    "delivered_at",
    "method",
    "review_request_due_at",
    "return_due_at",
    "outcome",
    "findings",
    "text",
    "satisfaction",
    "comment",
    "note",
    "names",
    "answer",
    "matter",
    "decision",
    "step_label",
    "attempt",
    "error",
    "next_attempt_at",
)
CHOICE_LABELS = {
    "outcome": dict(Outcome.choices),
    "satisfaction": dict(Satisfaction.choices),
    "method": dict(DeliveryMethod.choices) | dict(ReplyMethod.choices),
    "agreed": {True: "认可"},
}


def _event_details(event) -> list[str]:
    out = []
    for key in TIMELINE_FIELDS:
        label = DATA_LABELS[key]
        value = event.data.get(key)
        if value in (None, "", False):
            continue
        value = CHOICE_LABELS.get(key, {}).get(value, value)
        if key.endswith("_at") and isinstance(value, str):
            value = _local_day(value)
        out.append(f"{label}：{value}")
    if event.data.get("explain_to_superior"):
        out.append("已作为说明情况报送上级")
    return out


def _local_day(iso: str) -> str:
    from datetime import datetime

    try:
        return f"{timezone.localtime(datetime.fromisoformat(iso)):%Y-%m-%d}"
    except ValueError:
        return iso


@login_required
def detail(request, reg_no):
    user = request.user
    petition = _petition_or_404(user, reg_no)
    now = timezone.now()
    people = selectors.identities(actor=user, petition=petition, path=request.path)
    action_panel = panel.action_panel(actor=user, petition=petition, now=now)
    actions = action_panel["actions"]
    # The leader who received the visit on a reception day may take the case (包案) with one press.
    take_case = (
        petition.reception_leader_id == user.pk
        and petition.case_leader_id != user.pk
        and any(a["code"] == "set_case_leader" for a in actions)
    )
    answered = petition.status in ("replied", "evaluated")
    clocks = [
        (label, value, selectors.due_state(value, now))
        for label, value in (
            ("当日阅办期限", petition.triage_due_at if petition.status == "registered" and petition.triaged_at is None else None),
            ("转送/交办期限", petition.dispatch_due_at if petition.dispatched_at is None else None),
            ("受理告知期限", petition.accept_due_at if petition.accepted_at is None and petition.status == "registered" else None),
            ("呈批期限", petition.instruction_due_at),
            ("办理期限（法定）", petition.handle_due_at if petition.replied_at is None else None),
            ("内部查处期限", petition.internal_due_at if petition.replied_at is None else None),
            ("复查/复核答复期限", petition.review_due_at),
            ("上级要求报结", petition.superior_due_at if petition.reported_back_at is None else None),
            ("提出异议（退回）期限", workflow.return_due(petition) if petition.status in ("assigned", "in_progress") else None),
            ("申请复查/复核截止", petition.review_request_due_at if answered and petition.delivered_at else None),
        )
        if value is not None
    ]
    pause = selectors.pause_record(petition)
    events = [{"e": e, "label": workflow.label(e.action), "details": _event_details(e)} for e in petition.events.all()]
    return render(
        request,
        "petitions/detail.html",
        {
            **action_panel,  # actions, the step at hand, 受理并交办, 分办建议 (routing)
            "result": panel.take_result(request.session, petition.reg_no),
            "p": petition,
            "people": people,
            "clocks": clocks,
            "events": events,
            "chain": selectors.repeat_chain(actor=user, petition=petition),
            "due_state": selectors.due_state(petition.due_at, now),
            "take_case": take_case,
            "may_attach": attachments.may_attach(user, petition),
            "attachment_kinds": Attachment.Kind.choices,
            "disputes": list(disputes_for_petition(petition, actor=user)),
            # The access app's identity-grant page answers only the registering office's roles.
            "can_grant": user.has_role(Role.CLERK, Role.OFFICE),
            # Every date printed under 时限 that falls in a year whose holidays are not entered says so.
            "calendar_notices": timelimits.calendar_notices(
                petition.received_at, petition.due_at, *(value for _label, value, _state in clocks), pause and pause["latest_due"]
            ),
            "pause": pause,
            "pauses": selectors.pauses(petition),
            "answered": answered,
            "window_open": workflow.window_open(petition, now),
            "refused": selectors.refused_actions(actor=user, petition=petition),
            "case_leader_prompt": followup.case_leader_prompt(petition, timezone.now()),
            "docs": documents.available(petition),
            "archive_label": ARCHIVE_CATEGORIES.get(petition.archive_category, petition.archive_category),
            "now": now,
        },
    )


@login_required
@require_POST
def act(request, reg_no, action):
    petition = _petition_or_404(request.user, reg_no)
    if action not in workflow.BY_ACTION:
        raise Http404("未知的操作")
    inputs = action_inputs(action, petition, request.POST)
    try:
        done = services.petition_act(
            actor=request.user, petition_or_reg_no=reg_no, action=action, version=request.POST.get("version"), **inputs
        )
    except DomainError as exc:
        return _acted(request, reg_no, f"{workflow.label(action)}未完成：{_failure(exc)}", ok=False, action=action)
    return _acted(request, reg_no, result_lines.result_line(action, done), ok=True, action=action)


def _failure(exc: DomainError) -> str:
    detail_msgs = [f"{v[0] if isinstance(v, list) else v}" for v in (exc.fields or {}).values()]
    extra = f"（{'；'.join(detail_msgs)}）" if detail_msgs and detail_msgs[0] not in exc.message else ""
    return f"{exc.message}{extra}"


def _acted(request, reg_no: str, text: str, *, ok: bool, action: str = ""):
    """Back to the petition, at its action panel, where the line says what happened (the worklist if it is no longer
    visible, e.g. a handler who returned it)."""
    try:
        policy.get_visible_petition(request.user, reg_no)
    except NotFound:
        (messages.success if ok else messages.error)(request, text)
        return redirect("petitions:worklist")
    panel.remember_result(request.session, reg_no, text, ok, action)
    return redirect(f"{reverse('petitions:detail', args=[reg_no])}#action-result")


@login_required
@require_POST
def accept_assign(request, reg_no):
    """受理并交办: accept and assign in one step (both events, one transaction), the assign inputs from the same form."""
    petition = _petition_or_404(request.user, reg_no)
    inputs = action_inputs("assign", petition, request.POST)
    try:
        done = services.petition_accept_and_assign(
            actor=request.user, petition_or_reg_no=reg_no, version=request.POST.get("version"), **inputs
        )
    except DomainError as exc:
        return _acted(request, reg_no, f"受理并交办未完成：{_failure(exc)}（信访件仍为已登记）", ok=False, action="accept_assign")
    return _acted(request, reg_no, result_lines.result_line("accept_assign", done), ok=True, action="accept_assign")


@login_required
def document(request, reg_no, kind, fmt="docx"):
    """A notice as issued (its stored bytes, the same on every reprint) or a live form, .docx or .pdf, named in Chinese."""
    from xinfang.core.downloads import attach
    from xinfang.petitions import notices

    petition = _petition_or_404(request.user, reg_no)
    if kind not in documents.available(petition, as_codes=True):
        raise Http404("该文书尚不可生成")
    data, filename = notices.printed(kind, petition, actor=request.user, path=request.path, fmt=fmt)
    mime = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return attach(HttpResponse(data, content_type=mime), filename, fallback=f"{kind}-{reg_no}.{fmt}")


@login_required
@require_POST
def attach(request, reg_no):
    _petition_or_404(request.user, reg_no)
    try:
        stored = services.petition_attach(
            actor=request.user, petition_or_reg_no=reg_no, files=request.FILES.getlist("attachments"), kind=request.POST.get("kind", "")
        )
    except DomainError as exc:
        messages.error(request, f"附件未上传：{exc.message}")
    else:
        messages.success(request, f"已添加附件 {len(stored)} 个")
    return redirect("petitions:detail", reg_no=reg_no)


@login_required
def attachment(request, reg_no, pk):
    """Old link form: the download itself is the access app's view (identity rule for protected petitions,
    access log, safe headers)."""
    petition = _petition_or_404(request.user, reg_no)
    if not Attachment.objects.filter(petition=petition, pk=pk).exists():
        raise Http404("未找到附件")
    return access_views.attachment_download(request, pk)
