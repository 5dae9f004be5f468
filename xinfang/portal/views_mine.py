"""My cases (phone + SMS code → every petition on that phone), added material, the petitioner's message settings, and
the SMS gateway's delivery-report callback. Thin views: `portal.mine` and `messaging.services` hold the rules."""

import json
import time

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.access.throttles import rate_limited
from xinfang.core.errors import DomainError
from xinfang.messaging import gateway as gw
from xinfang.messaging import services as messaging
from xinfang.portal import mine, selectors, services
from xinfang.portal.forms import MaterialForm, MessagesForm, MineSendForm, MineVerifyForm
from xinfang.portal.limits import client_ip
from xinfang.portal.views import _grant, _granted

MINE = "portal_mine"


def _mine_hash(request) -> str:
    state = request.session.get(MINE) or {}
    if state.get("until", 0) < time.time():
        request.session.pop(MINE, None)
        return ""
    return state.get("hash", "")


@never_cache
@rate_limited("public", methods=("POST",))
@require_http_methods(["GET", "POST"])
def mine_start(request):
    step = request.POST.get("step")
    send_form = MineSendForm(request.POST if step == "send" else None)
    verify_form = MineVerifyForm(request.POST if step == "verify" else None)
    status, sent = 200, ""
    try:
        if step == "send" and send_form.is_valid():
            sent = mine.mine_send_code(phone=send_form.cleaned_data["phone"], client_address=client_ip(request))
            verify_form = MineVerifyForm(initial={"phone": send_form.cleaned_data["phone"]})
        elif step == "verify" and verify_form.is_valid():
            phone_hash = mine.mine_verify(phone=verify_form.cleaned_data["phone"], sms_code=verify_form.cleaned_data["sms_code"])
            request.session.cycle_key()  # a new session id once the phone is proven
            request.session[MINE] = {"hash": phone_hash, "until": time.time() + mine.MINE_SECONDS}
            return redirect("portal:mine_list")
    except DomainError as exc:
        form = verify_form if step == "verify" else send_form
        form.add_error(None, exc.message)
        status = exc.status
    context = {"send_form": send_form, "verify_form": verify_form, "sent": sent, "contact": services.office_contact()}
    return render(request, "portal/mine.html", context, status=status)


@never_cache
def mine_list(request):
    phone_hash = _mine_hash(request)
    if not phone_hash:
        return redirect("portal:mine")
    cases = []
    for petition in mine.mine_petitions(phone_hash):
        _grant(request, petition.reg_no)  # each case's page and notices open in this session too
        view = selectors.public_view(petition)
        documents = [s for s in view.steps if s.document and s.document != "登记回执"]
        cases.append({"view": view, "documents": documents, "open": mine.may_add_material(petition)})
    left = int((request.session[MINE]["until"] - time.time()) // 60)
    return render(request, "portal/mine_list.html", {"cases": cases, "minutes_left": max(1, left)})


@require_POST
def mine_leave(request):
    request.session.pop(MINE, None)
    request.session.pop("portal_grants", None)
    return redirect("portal:home")


@never_cache
@rate_limited("public", methods=("POST",))
@require_http_methods(["GET", "POST"])
def material(request, reg_no: str):
    petition = _granted(request, reg_no)
    form = MaterialForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            stored = mine.portal_add_material(petition=petition, files=form.cleaned_data["attachments"], note=form.cleaned_data["note"])
        except DomainError as exc:
            form.add_error("attachments" if "attachments" in (exc.fields or {}) else None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已收到您补充的{len(stored)}份材料，已转告承办单位。")
            return redirect("portal:detail", reg_no=reg_no)
    elif request.method == "POST":
        status = 400
    view = selectors.public_view(petition)
    return render(request, "portal/material.html", {"view": view, "form": form, "open": mine.may_add_material(petition)}, status=status)


@require_POST
def message_settings(request, reg_no: str):
    petition = _granted(request, reg_no)
    if petition.anonymous:
        raise Http404
    form = MessagesForm(request.POST)
    form.is_valid()
    refused = bool(form.cleaned_data.get("refused"))
    messaging.set_refusal(petition=petition, refused=refused, via="portal")
    messages.success(request, "已设置为不接收短信告知，您仍可在此查看。" if refused else "已设置为接收短信告知。")
    return redirect(f"/portal/track/{reg_no}/#messages")


@csrf_exempt
@require_POST
def sms_report(request):
    """The gateway pushes delivery reports here, signed with the shared secret (X-Signature over the body)."""
    if not gw.signature_ok(request.body, request.headers.get("X-Signature", "")):
        return JsonResponse({"code": "SIGNATURE", "message": "签名错误"}, status=403)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"code": "BAD_REQUEST", "message": "不是JSON"}, status=400)
    changed = messaging.apply_reports(gw.parse_reports(body if isinstance(body, dict) else {}))
    return JsonResponse({"code": "OK", "applied": changed})
