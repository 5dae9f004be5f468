"""Pages of the access app: the access log (auditors), identity grants and respondent
confirmation for one petition (registering office), and attachment downloads through the policy."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.access import policy, selectors, services
from xinfang.access.forms import AccessLogFilterForm, GrantForm, MatchForm, RevokeForm
from xinfang.access.models import RespondentMatch
from xinfang.core.errors import DomainError, NoPermission, NotFound
from xinfang.core.uploads import sniff
from xinfang.org.models import Role, Unit, User
from xinfang.petitions.models import Attachment


def _domain_error_page(request, exc: DomainError, status: int | None = None):
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return render(request, "access/denied.html", {"message": exc.message}, status=status or exc.status)


@login_required
@require_GET
def access_log(request):
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        qs = selectors.access_records(
            actor=request.user,
            user=filters.get("user", ""),
            petition=filters.get("petition", ""),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    except DomainError as exc:
        return _domain_error_page(request, exc)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    from django.conf import settings

    return render(
        request,
        "access/log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "window": settings.XINFANG_ACCESS_LOG_WINDOW_MINUTES,
            "own_only": not selectors.can_audit(request.user),
        },
    )


def _grantable_users(petition):
    """Staff who could see the petition and might need identity: handlers of its unit, leaders, supervisors, office staff."""
    pool = (
        User.objects.filter(is_active=True, unit__isnull=False)
        .filter(Q(unit_id=petition.handling_unit_id) | Q(groups__name__in=[Role.LEADER, Role.SUPERVISOR]) | Q(pk=petition.case_leader_id))
        .distinct()
        .select_related("unit", "unit__region")
    )
    candidates = [u for u in pool if not policy.holds_identity_right(u, petition) and policy.can_see(u, petition)]
    return User.objects.filter(pk__in=[u.pk for u in candidates]).select_related("unit").order_by("unit__code", "name")


@login_required
@require_http_methods(["GET", "POST"])
def grants(request, reg_no: str):
    try:
        petition = policy.get_visible_petition(request.user, reg_no)
        grant_list = selectors.grants_for_petition(actor=request.user, petition=petition)
        respondents = selectors.respondents_with_matches(actor=request.user, petition=petition)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    users = _grantable_users(petition)
    units = Unit.objects.filter(active=True).exclude(pk__in=policy.respondent_unit_ids(petition)).order_by("code")
    form = GrantForm(users=users, units=units)
    if request.method == "POST":
        op = request.POST.get("op", "grant")
        try:
            if op == "grant":
                form = GrantForm(request.POST, users=users, units=units)
                if form.is_valid():
                    d = form.cleaned_data
                    services.identity_grant_create(
                        actor=request.user,
                        petition=petition,
                        reason=d["reason"],
                        fields=d["fields"],
                        grantee_user=d["grantee_user"],
                        grantee_unit=d["grantee_unit"],
                        expires_at=d["expires_at"],
                    )
                    messages.success(request, "已授权，并记入信访件历史")
                    return redirect("access:grants", reg_no=petition.reg_no)
                messages.error(request, "请检查标出的字段")
            elif op == "revoke":
                rf = RevokeForm(request.POST)
                if not rf.is_valid():
                    raise services.InvalidInput("请填写撤销理由", fields={"reason": ["请填写撤销理由"]})
                services.identity_grant_revoke(
                    actor=request.user, grant=int(request.POST.get("grant", "0") or 0), reason=rf.cleaned_data["reason"]
                )
                messages.success(request, "已撤销授权（撤销记录已保存）")
                return redirect("access:grants", reg_no=petition.reg_no)
            elif op == "match":
                mf = MatchForm(request.POST)
                if not mf.is_valid():
                    raise services.InvalidInput("请选择要确认的账号")
                user = User.objects.filter(pk=mf.cleaned_data["user"]).first()
                if user is None:
                    raise NotFound("未找到该账号")
                services.respondent_match_confirm(actor=request.user, respondent=mf.cleaned_data["respondent"], user=user)
                messages.success(request, f"已确认 {user.display_name} 为被反映人：该账号今后无法看到本件")
                return redirect("access:grants", reg_no=petition.reg_no)
            elif op == "clear":
                match_id = request.POST.get("match", "")
                match = (
                    RespondentMatch.objects.filter(pk=int(match_id), respondent__petition=petition).first() if match_id.isdigit() else None
                )
                if match is None:
                    raise NotFound("未找到该匹配")
                services.respondent_match_clear(actor=request.user, match=match, reason=request.POST.get("reason", ""))
                messages.success(request, f"已排除对 {match.user.display_name} 的推定（记入信访件历史）：该账号不再因此回避")
                return redirect("access:grants", reg_no=petition.reg_no)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message)
            messages.error(request, exc.message)
            for field, errs in exc.fields.items() if op == "grant" else ():  # other forms' errors are in the message
                if field in form.fields:
                    for e in errs:
                        form.add_error(field, e)
    return render(
        request,
        "access/grants.html",
        {"petition": petition, "grants": grant_list, "respondents": respondents, "form": form, "protected": policy.is_protected(petition)},
    )


# Download types we let a browser keep its own type for (still as an attachment, never inline).
SAFE_DOWNLOAD_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}


@login_required
@require_GET
def attachment_download(request, pk: int):
    """An attachment, through the policy: the petition must be visible, and for a protected petition
    (confidential or 检举控告) the file is identity material: only those who see the identity may
    download it, and each download is written to the access log."""
    attachment = Attachment.objects.select_related("petition").filter(pk=pk).first()
    if attachment is None or not policy.can_see(request.user, attachment.petition):
        raise Http404("未找到该附件")
    petition = attachment.petition
    if policy.is_protected(petition) and not policy.can_view_identity(request.user, petition):
        return _domain_error_page(request, NoPermission("该件为保密件，附件可能含有信访人身份信息，需登记机关授权后才能下载"))
    _fields, grant = policy.visible_identity_fields(request.user, petition)
    policy.log_access(
        request.user, petition, ["attachment"], purpose=f"下载附件 {attachment.original_name}"[:200], path=request.path, grant=grant
    )
    handle = attachment.file.open("rb")
    head = handle.read(8192)
    handle.seek(0)
    mime, _ext = sniff(head)
    content_type = mime if mime in SAFE_DOWNLOAD_TYPES else "application/octet-stream"
    name = attachment.original_name or (attachment.sha256 + (mimetypes.guess_extension(mime or "") or ""))
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def can_manage_grants(user, petition) -> bool:
    """For the petition page: whether to show the link to /access/grants/<reg_no>/."""
    return policy.holds_identity_right(user, petition)
