"""The petitioner's pages: no login; a registration number + query code opens one petition for
this browser session. Thin views: services and selectors hold the rules."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.access.throttles import rate_limited
from xinfang.core.errors import DomainError, NotFound
from xinfang.knowledge import selectors as knowledge
from xinfang.org.models import Role
from xinfang.petitions.models import Petition
from xinfang.portal import documents, selectors, services
from xinfang.portal.forms import EvaluateForm, LookupForm, RecoverSendForm, RecoverVerifyForm, ReviewForm, SubmitForm
from xinfang.portal.limits import client_ip
from xinfang.portal.models import PublishedSummary

GRANT_SECONDS = 30 * 60
GRANTS = "portal_grants"
RECEIPT_SECONDS = 15 * 60  # the plain query code stays in the session this long, for the receipt page and PDF
RECEIPT = "portal_receipt"


def _grant(request, reg_no: str) -> None:
    grants = {k: v for k, v in request.session.get(GRANTS, {}).items() if v > time.time()}
    grants[reg_no] = time.time() + GRANT_SECONDS
    request.session[GRANTS] = grants


def _granted(request, reg_no: str) -> Petition:
    """The petition this session unlocked with its query code; 404 otherwise (no enumeration)."""
    if request.session.get(GRANTS, {}).get(reg_no, 0) < time.time():
        raise Http404("请先输入登记编号和查询码")
    petition = Petition.objects.filter(reg_no=reg_no).select_related("category", "office").first()
    if petition is None:
        raise Http404
    return petition


def home(request):
    return render(request, "portal/home.html", {"summaries": selectors.published_summaries(limit=3)})


@never_cache
@rate_limited("public", methods=("POST",))
@require_http_methods(["GET", "POST"])
def submit(request):
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            petition, code = services.portal_submit(
                nature=d["nature"],
                category_code=d["category"],
                region_code=d["region"],
                content=d["content"],
                requests=d["requests"],
                anonymous=d["anonymous"],
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                address=d["address"],
                confidential=d["confidential"],
                public_consent=d["public_consent"] == "yes",
                refuse_messages=d["refuse_messages"],
                attachments=d["attachments"],
                client_address=client_ip(request),
            )
        except DomainError as exc:
            form.add_domain_errors(exc)
            messages.error(request, exc.message)
        else:
            request.session[RECEIPT] = {"reg_no": petition.reg_no, "code": code, "until": time.time() + RECEIPT_SECONDS}
            _grant(request, petition.reg_no)
            return redirect("portal:receipt")
    elif request.method == "POST":
        messages.error(request, "请检查标出的内容")
    return render(request, "portal/submit.html", {"form": form, "promise": selectors.submission_promise()})


def _receipt_data(request):
    data = request.session.get(RECEIPT)
    if data and data.get("until", 0) < time.time():
        request.session.pop(RECEIPT, None)  # the code is not kept: it exists only as a hash from now on
        return None
    return data


@never_cache
def receipt(request):
    data = _receipt_data(request)
    if not data:
        return redirect("portal:track")
    petition = Petition.objects.select_related("category").get(reg_no=data["reg_no"])
    return render(
        request,
        "portal/receipt.html",
        {"view": selectors.public_view(petition), "code": data["code"], "promise": selectors.submission_promise()},
    )


@never_cache
def receipt_pdf(request):
    data = _receipt_data(request)
    if not data:
        raise Http404
    petition = Petition.objects.select_related("category", "office").get(reg_no=data["reg_no"])
    pdf = documents.receipt_pdf(
        view=selectors.public_view(petition),
        query_code=data["code"],
        office_name=petition.office.name,
        promise=selectors.submission_promise(),
    )
    return _pdf(pdf, f"回执-{petition.reg_no}.pdf")


@never_cache
@rate_limited("public", methods=("POST",))
@require_http_methods(["GET", "POST"])
def track(request):
    form = LookupForm(request.POST or None, initial={"reg_no": request.GET.get("reg_no", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            petition = services.portal_lookup(
                reg_no=form.cleaned_data["reg_no"], query_code=form.cleaned_data["query_code"], client_address=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            _grant(request, petition.reg_no)
            return redirect("portal:detail", reg_no=petition.reg_no)
    return render(request, "portal/track.html", {"form": form, "contact": services.office_contact()}, status=status)


@never_cache
@rate_limited("public", methods=("POST",))
@require_http_methods(["GET", "POST"])
def recover(request):
    """Forgot the query code, or the number is delayed: a code to the phone on file opens the
    petition at once and gives a new query code (shown once)."""
    send_form = RecoverSendForm(
        request.POST if request.POST.get("step") == "send" else None, initial={"reg_no": request.GET.get("reg_no", "")}
    )
    verify_form = RecoverVerifyForm(request.POST if request.POST.get("step") == "verify" else None)
    status, new_code, sent = 200, "", ""
    try:
        if request.method == "POST" and send_form.is_bound and send_form.is_valid():
            sent = services.portal_recovery_send(reg_no=send_form.cleaned_data["reg_no"], client_address=client_ip(request))
            verify_form = RecoverVerifyForm(initial={"reg_no": services.normalise_reg_no(send_form.cleaned_data["reg_no"])})
        elif request.method == "POST" and verify_form.is_bound and verify_form.is_valid():
            petition, new_code = services.portal_recovery_verify(
                reg_no=verify_form.cleaned_data["reg_no"], sms_code=verify_form.cleaned_data["sms_code"], client_address=client_ip(request)
            )
            _grant(request, petition.reg_no)
            return render(
                request, "portal/recover.html", {"petition": petition, "new_code": new_code, "contact": services.office_contact()}
            )
    except DomainError as exc:
        (verify_form if verify_form.is_bound else send_form).add_error(None, exc.message)
        status = exc.status
    context = {"send_form": send_form, "verify_form": verify_form, "sent": sent, "contact": services.office_contact()}
    return render(request, "portal/recover.html", context, status=status)


@never_cache
def detail(request, reg_no: str):
    petition = _granted(request, reg_no)
    view = selectors.public_view(petition)
    return render(
        request,
        "portal/detail.html",
        {
            "view": view,
            "evaluate_form": EvaluateForm(initial={"version": view.version}),
            "review_form": ReviewForm(initial={"version": view.version}),
            **_message_context(petition),
        },
    )


def _message_context(petition) -> dict:
    from xinfang.messaging import selectors as message_selectors
    from xinfang.portal.mine import may_add_material

    return {
        "message_list": message_selectors.portal_messages(petition),
        "refused": message_selectors.refused(petition),
        "anonymous": petition.anonymous,
        "can_add_material": may_add_material(petition),
    }


@never_cache
def document(request, reg_no: str, seq: int):
    petition = _granted(request, reg_no)
    found = selectors.public_document(petition, seq)
    if found is None:
        raise Http404
    step, view = found
    if step.document == "登记回执":
        raise Http404
    # The same notice the office issued at that decision (petitions.notices), addressed to the petitioner by name.
    from xinfang.petitions import notices

    event = petition.events.filter(seq=seq).first()
    issued = notices.issued_at_event(petition, event) if event is not None else None
    if issued is not None:
        return _pdf(bytes(issued.pdf), f"{issued.title}-{petition.reg_no}.pdf")
    return _pdf(documents.notice_pdf(view=view, step=step, office_name=petition.office.name), f"{step.document}-{petition.reg_no}.pdf")


@require_POST
def evaluate(request, reg_no: str):
    petition = _granted(request, reg_no)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意、基本满意或不满意")
        return redirect("portal:detail", reg_no=reg_no)
    try:
        services.portal_evaluate(petition=petition, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "感谢您的评价，已记录。")
    return redirect("portal:detail", reg_no=reg_no)


@require_POST
def review(request, reg_no: str):
    petition = _granted(request, reg_no)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写申请理由")
        return redirect("portal:detail", reg_no=reg_no)
    try:
        petition = services.portal_request_review(petition=petition, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "您的申请已提交，将在30日内书面答复。")
    return redirect("portal:detail", reg_no=reg_no)


@require_POST
def leave(request):
    request.session.pop(GRANTS, None)
    request.session.pop(RECEIPT, None)
    return redirect("portal:home")


def published(request):
    return render(request, "portal/published.html", {"summaries": selectors.published_summaries(limit=100)})


def info(request):
    return render(
        request,
        "portal/info.html",
        {
            "reception_days": selectors.upcoming_reception_days(),
            "limits": selectors.time_limits(),
            "articles": knowledge.article_list(public_only=True),
            "contact": services.office_contact(),
        },
    )


def guide(request, pk: int):
    try:
        article = knowledge.article_get(pk=pk, public_only=True)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "portal/guide.html", {"article": article})


def _pdf(data: bytes, filename: str) -> HttpResponse:
    from xinfang.core.downloads import attach

    response = attach(HttpResponse(data, content_type="application/pdf"), filename)
    response["Cache-Control"] = "no-store"
    return response


def portal_url(reg_no: str) -> str:
    return reverse("portal:detail", args=[reg_no])


# --- the office's side: lockouts and publication ------------------------------------------

OFFICE_ROLES = (Role.OFFICE, Role.CLERK, Role.ADMIN)


def _office_only(request):
    user = request.user
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.has_role(*OFFICE_ROLES)


@login_required
@require_http_methods(["GET", "POST"])
def office(request):
    if not _office_only(request):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "clear":
                services.lockout_clear(actor=request.user, reg_no=request.POST.get("reg_no", ""))
                messages.success(request, "已解除查询锁定")
            elif action == "reissue":
                # The new code is shown on this answer only (never stored in plain, never in a message cookie).
                petition, code = services.query_code_reissue(actor=request.user, reg_no=request.POST.get("reg_no", ""))
                return render(request, "portal/office.html", {**_office_context(request), "reissued": (petition.reg_no, code)})
            elif action == "publish":
                petition = Petition.objects.filter(reg_no=request.POST.get("reg_no", "")).first()
                if petition is None:
                    raise NotFound("未找到该信访件")
                services.summary_publish(
                    actor=request.user,
                    petition=petition,
                    title=request.POST.get("title", ""),
                    summary=request.POST.get("summary", ""),
                    result=request.POST.get("result", ""),
                )
                messages.success(request, "已在门户公开")
            elif action == "withdraw":
                summary = PublishedSummary.objects.filter(pk=request.POST.get("summary_id") or 0).first()
                if summary is None:
                    raise NotFound("未找到该公开事项")
                services.summary_withdraw(actor=request.user, summary=summary, reason=request.POST.get("reason", ""))
                messages.success(request, "已撤回公开")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("portal:office")
    return render(request, "portal/office.html", _office_context(request))


def _office_context(request) -> dict:
    return {
        "lockouts": selectors.active_lockouts(),
        "lockout_log": selectors.lockout_log(),
        "publishable": selectors.publishable_petitions(request.user),
        "summaries": selectors.live_summaries(request.user),
    }
