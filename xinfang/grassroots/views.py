"""Pages of grassroots work: thin; every rule is in services.py / selectors.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import DomainError, NotFound
from xinfang.grassroots import documents, selectors, services
from xinfang.grassroots.forms import (
    DisputeForm,
    PetitionForm,
    PublicityRecordForm,
    ReasonForm,
    ReportForm,
    ScreeningForm,
    SessionForm,
    party_forms,
)
from xinfang.grassroots.models import LEVEL_NEXT, DisputeKind, DisputeStatus, MediationSession, ReportStatus
from xinfang.org.models import Region, RegionLevel, Role


def _receipt(request, reg_no: str, code: str):
    """The new petition's receipt, the one place its query code is shown, once (petitions.receipts: a one-time token in
    the session, post-redirect-get); a flash message would show it again on the next page."""
    from django.urls import reverse

    from xinfang.petitions import receipts

    token = receipts.keep(request.session, reg_no, code)
    return redirect(f"{reverse('petitions:receipt', args=[reg_no])}?t={token}")


def _fail(request, form, exc: DomainError):
    messages.error(request, exc.message)
    if form is not None:
        for field, errors in exc.fields.items():
            if field in form.fields:
                for e in errors:
                    form.add_error(field, e)


def _page(request, qs, per=20):
    return Paginator(qs, per).get_page(request.GET.get("page"))


@login_required
def index(request):
    actor = request.user
    scope = selectors.actor_scope(actor)
    if scope.empty and not selectors.can_file_report(actor):
        if actor.has_role(Role.LIAISON, Role.INFO_OFFICER, Role.SUPERVISOR):
            # The navigation offers 基层 to the network roles; without a post, say what to do instead of 403.
            return render(request, "core/no_post.html", {"role_label": "基层网络人员", "what": "联络员、信息员或督查员"})
        raise PermissionDenied
    ctx = {
        "nav_active": "grassroots",
        "totals": selectors.dispute_totals(actor=actor),
        "reports": selectors.report_list(actor=actor)[:8],
        "new_reports": selectors.report_list(actor=actor, status=ReportStatus.NEW).count(),
        "disputes": selectors.dispute_list(actor=actor, status=DisputeStatus.OPEN)[:8],
        "can_file": selectors.can_file_report(actor),
        "can_record": selectors.can_record_dispute(actor),
    }
    return render(request, "grassroots/index.html", ctx)


# ---- information reports ----------------------------------------------------------------


@login_required
def report_new(request):
    actor = request.user
    if not selectors.can_file_report(actor):
        raise PermissionDenied
    regions = selectors.reporting_regions(actor)
    initial = {}
    own = selectors.default_region(actor)
    if own is not None:
        initial["region"] = own.pk
    form = ReportForm(request.POST or None, request.FILES or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.report_file(
                actor=actor,
                region=d["region"],
                kind=d["kind"],
                urgency=d["urgency"],
                text=d["text"],
                headcount=d["headcount"] or 0,
                photo=d["photo"],
            )
        except DomainError as exc:
            _fail(request, form, exc)
        else:
            msg = "信息已报送"
            if report.urgency == "urgent":
                msg += "（紧急信息已同时报告值班室）" if report.urgent_ref else "（已标记为紧急，请同时电话报告乡镇值班室）"
            messages.success(request, msg)
            return redirect("grassroots:report", pk=report.pk)
    return render(request, "grassroots/report_form.html", {"form": form, "nav_active": "grassroots"})


@login_required
def report_list(request):
    actor = request.user
    qs = selectors.report_list(
        actor=actor, status=request.GET.get("status", ""), urgency=request.GET.get("urgency", ""), mine=request.GET.get("mine") == "1"
    )
    return render(
        request,
        "grassroots/report_list.html",
        {
            "page": _page(request, qs),
            "statuses": ReportStatus.choices,
            "nav_active": "grassroots",
            "f": request.GET,
            "can_file": selectors.can_file_report(actor),
        },
    )


@login_required
def report_detail(request, pk):
    actor = request.user
    try:
        report = selectors.get_report(actor=actor, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    can_manage = selectors.can_manage_reports(actor, report)
    if request.method == "POST" and can_manage:
        action = request.POST.get("action")
        version = request.POST.get("version")
        try:
            if action == "acknowledge":
                services.report_acknowledge(actor=actor, report_id=report.pk, version=version)
                messages.success(request, "已签收")
            elif action == "follow_up":
                services.report_follow_up(actor=actor, report_id=report.pk, version=version, text=request.POST.get("text", ""))
                messages.success(request, "已记录跟进情况")
            elif action == "to_dispute":
                dispute = services.report_to_dispute(
                    actor=actor,
                    report_id=report.pk,
                    version=version,
                    kind=request.POST.get("kind", "other"),
                    description=request.POST.get("description", ""),
                    parties=[
                        {"side": "applicant", "name": request.POST.get("party_name", ""), "phone": request.POST.get("party_phone", "")}
                    ],
                )
                messages.success(request, f"已转为矛盾纠纷 {dispute.number}")
                return redirect("grassroots:dispute", pk=dispute.pk)
            elif action == "to_petition":
                from xinfang.petitions.models import Category

                _, petition, code = services.report_to_petition(
                    actor=actor,
                    report_id=report.pk,
                    version=version,
                    channel=request.POST.get("channel", "visit"),
                    nature=request.POST.get("nature", "request"),
                    category=Category.objects.filter(pk=request.POST.get("category") or 0).first(),
                    petitioners=[{"name": request.POST.get("petitioner_name", ""), "phone": request.POST.get("petitioner_phone", "")}],
                )
                messages.success(request, f"已登记信访件 {petition.reg_no}")
                return _receipt(request, petition.reg_no, code)
            return redirect("grassroots:report", pk=report.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            report = selectors.get_report(actor=actor, pk=pk)
    return render(
        request,
        "grassroots/report_detail.html",
        {
            "report": report,
            "can_manage": can_manage,
            "kinds": DisputeKind.choices,
            "can_petition": can_manage and selectors.can_register_petition(actor),
            "petition_form": PetitionForm(initial={"version": report.version}),
            "nav_active": "grassroots",
        },
    )


@login_required
def report_photo(request, pk):
    try:
        report = selectors.get_report(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not report.photo:
        raise Http404("没有照片")
    response = FileResponse(report.photo.open("rb"), content_type=report.photo_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- disputes ----------------------------------------------------------------------------


@login_required
def dispute_list(request):
    actor = request.user
    qs = selectors.dispute_list(
        actor=actor,
        status=request.GET.get("status", ""),
        level=request.GET.get("level", ""),
        overdue=request.GET.get("overdue") == "1",
    )
    return render(
        request,
        "grassroots/dispute_list.html",
        {
            "page": _page(request, qs),
            "nav_active": "grassroots",
            "f": request.GET,
            "now": timezone.now(),
            "can_record": selectors.can_record_dispute(actor),
            "statuses": DisputeStatus.choices,
        },
    )


@login_required
def dispute_new(request):
    actor = request.user
    if not selectors.can_record_dispute(actor):
        raise PermissionDenied
    regions = selectors.reporting_regions(actor)
    own = selectors.default_region(actor)
    form = DisputeForm(request.POST or None, regions=regions, initial={"region": own.pk if own else None})
    if not (selectors.is_office(actor) or selectors.is_township_handler(actor)):
        form.fields["level"].choices = [("village", "村级")]  # only the township or the office take a dispute in above village level
    parties = party_forms(request.POST or None)
    valid = request.method == "POST" and form.is_valid() and all(p.is_valid() for p in parties)
    if request.method == "POST" and not valid:
        messages.error(request, "请检查标出的字段")
    if valid:
        d = form.cleaned_data
        try:
            dispute = services.dispute_record(
                actor=actor,
                kind=d["kind"],
                region=d["region"],
                description=d["description"],
                risk=d["risk"],
                level=d["level"],
                mediator=d["mediator"],
                parties=[p.cleaned_data for p in parties],
            )
        except DomainError as exc:
            _fail(request, form, exc)
        else:
            messages.success(request, f"已登记矛盾纠纷 {dispute.number}")
            return redirect("grassroots:dispute", pk=dispute.pk)
    return render(request, "grassroots/dispute_form.html", {"form": form, "parties": parties, "nav_active": "grassroots"})


def _dispute_context(request, dispute, **extra):
    actor = request.user
    allowed = selectors.can_view_dispute_identity(actor, dispute)
    can_act = dispute.status == DisputeStatus.OPEN and selectors.can_act_on_dispute(actor, dispute)
    ctx = {
        "dispute": dispute,
        "parties": [selectors.party_identity(actor, dispute, p, allowed=allowed) for p in dispute.parties.all()],
        "identity": allowed,
        "can_act": can_act,
        "can_escalate": can_act and dispute.level in LEVEL_NEXT,
        "next_level": LEVEL_NEXT.get(dispute.level),
        "can_petition": dispute.petition_id is None and selectors.can_register_petition(actor),
        "now": timezone.now(),
        "nav_active": "grassroots",
        "session_form": SessionForm(initial={"version": dispute.version, "mediator": dispute.mediator}),
        "escalate_form": ReasonForm(initial={"version": dispute.version}, prefix="esc"),
        "resolve_form": ReasonForm(initial={"version": dispute.version}, prefix="res"),
        "petition_form": PetitionForm(initial={"version": dispute.version}),
    }
    ctx.update(extra)
    return ctx


@login_required
def dispute_detail(request, pk):
    try:
        dispute = selectors.get_dispute(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "grassroots/dispute_detail.html", _dispute_context(request, dispute))


@login_required
@require_POST
def dispute_action(request, pk, action):
    actor = request.user
    try:
        dispute = selectors.get_dispute(actor=actor, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    forms_by_action = {
        "session": SessionForm(request.POST),
        "escalate": ReasonForm(request.POST, prefix="esc"),
        "resolve": ReasonForm(request.POST, prefix="res"),
        "petition": PetitionForm(request.POST),
    }
    form = forms_by_action.get(action)
    if form is None:
        raise Http404
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "session":
                services.dispute_add_session(
                    actor=actor,
                    dispute_id=dispute.pk,
                    version=d["version"],
                    held_on=d["held_on"],
                    place=d["place"],
                    mediator=d["mediator"],
                    participants=d["participants"],
                    summary=d["summary"],
                    agreement_reached=d["agreement_reached"],
                    agreement_terms=d["agreement_terms"],
                )
                messages.success(request, "已记录调解" + ("，纠纷已化解" if d["agreement_reached"] else ""))
            elif action == "escalate":
                services.dispute_escalate(actor=actor, dispute_id=dispute.pk, version=d["version"], reason=d["reason"])
                messages.success(request, "已上报上一级调处")
            elif action == "resolve":
                services.dispute_resolve(actor=actor, dispute_id=dispute.pk, version=d["version"], note=d["reason"])
                messages.success(request, "纠纷已化解办结")
            elif action == "petition":
                _, petition, query_code = services.dispute_to_petition(
                    actor=actor,
                    dispute_id=dispute.pk,
                    version=d["version"],
                    channel=d["channel"],
                    nature=d["nature"],
                    category=d["category"],
                    requests=d["requests"],
                )
                messages.success(request, f"已登记信访件 {petition.reg_no}")
                return _receipt(request, petition.reg_no, query_code)
            return redirect("grassroots:dispute", pk=dispute.pk)
        except DomainError as exc:
            _fail(request, form, exc)
    else:
        messages.error(request, "请检查标出的字段")
    dispute = selectors.get_dispute(actor=actor, pk=pk)
    key = {"session": "session_form", "escalate": "escalate_form", "resolve": "resolve_form", "petition": "petition_form"}[action]
    return render(
        request, "grassroots/dispute_detail.html", _dispute_context(request, dispute, **{key: form, "open_action": action}), status=400
    )


@login_required
def agreement(request, pk, session_id):
    actor = request.user
    try:
        dispute = selectors.get_dispute(actor=actor, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not selectors.can_view_dispute_identity(actor, dispute):
        raise PermissionDenied("调解协议书含当事人身份信息，仅限本乡镇、驻村承办员和信访办打印")
    session = MediationSession.objects.filter(dispute=dispute, pk=session_id, agreement_reached=True).first()
    if session is None:
        raise Http404("该次调解未达成协议")
    data = documents.agreement_docx(session)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    from xinfang.core.downloads import attach

    return attach(response, f"调解协议书-{dispute.number}-{session.pk}.docx", fallback=f"agreement-{dispute.number}-{session.pk}.docx")


# ---- screening, publicity, figures -----------------------------------------------------------


@login_required
def screening(request):
    actor = request.user
    can_record = selectors.can_record_dispute(actor)
    regions = Region.objects.none()
    if can_record:
        scope = selectors.actor_scope(actor)
        regions = Region.objects.filter(selectors.region_q(scope), level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]).order_by("code")
    form = ScreeningForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.screening_record(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                _fail(request, form, exc)
            else:
                messages.success(request, "排查记录已保存")
                return redirect("grassroots:screening")
    return render(
        request,
        "grassroots/screening.html",
        {"form": form, "can_record": can_record, "page": _page(request, selectors.screening_list(actor=actor)), "nav_active": "grassroots"},
    )


@login_required
def publicity(request):
    actor = request.user
    year = int(request.GET.get("year") or timezone.localdate().year)
    can_record = selectors.can_record_dispute(actor) or selectors.can_file_report(actor)
    regions = selectors.reporting_regions(actor).filter(level=RegionLevel.VILLAGE)
    form = PublicityRecordForm(
        request.POST or None, regions=regions, initial={"village": getattr(selectors.default_region(actor), "pk", None)}
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.publicity_record(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                _fail(request, form, exc)
            else:
                messages.success(request, "宣传记录已保存")
                return redirect("grassroots:publicity")
    return render(
        request,
        "grassroots/publicity.html",
        {
            "form": form,
            "can_record": can_record,
            "year": year,
            "by_township": selectors.publicity_counts(actor=actor, year=year),
            "by_village": selectors.publicity_counts(actor=actor, year=year, by="village"),
            "page": _page(request, selectors.publicity_list(actor=actor, year=year)),
            "nav_active": "grassroots",
        },
    )


@login_required
def figures(request):
    actor = request.user
    if selectors.figures_scope(actor).empty:
        raise PermissionDenied
    by = "village" if request.GET.get("by") == "village" else "township"
    return render(
        request,
        "grassroots/figures.html",
        {
            "rows": selectors.dispute_figures(actor=actor, by=by),
            "by": by,
            "viewer_only": selectors.actor_scope(actor).empty,
            "nav_active": "grassroots",
        },
    )
