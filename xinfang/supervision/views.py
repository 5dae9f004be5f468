"""Supervision pages: thin; every rule is in services.py / selectors.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import DomainError, NotFound
from xinfang.core.forms import apply_errors
from xinfang.org.models import Role
from xinfang.supervision import notifications, selectors, services
from xinfang.supervision.forms import AccountabilityForm, AnswerForm, CloseForm, InspectionForm, OrderIssueForm, UrgeForm
from xinfang.supervision.models import OrderStatus


@login_required
def index(request):
    user = request.user
    now = timezone.now()
    ctx = {"now": now}
    ctx["orders"] = list(selectors.orders_for(user).exclude(status=OrderStatus.CLOSED)[:100])
    ctx["is_staff"] = selectors.is_supervising_staff(user)
    ctx["is_handler"] = user.has_role(Role.UNIT_HANDLER)
    ctx["is_supervisor"] = user.has_role(Role.SUPERVISOR)
    if not (ctx["is_staff"] or ctx["is_handler"] or ctx["is_supervisor"]):
        raise PermissionDenied
    if ctx["is_supervisor"]:
        ctx["sup"] = selectors.supervisor_page(user, now=now)
    if ctx["is_staff"] or ctx["is_handler"]:
        ctx["due"] = selectors.petitions_due(user, now=now)
    ctx["open_count"] = sum(1 for o in ctx["orders"] if o.status == OrderStatus.OPEN)
    ctx["late_count"] = sum(1 for o in ctx["orders"] if o.status == OrderStatus.OPEN and o.answer_due_at < now)
    return render(request, "supervision/index.html", ctx)


@login_required
def order_new(request):
    initial = {"reg_no": request.GET.get("petition", "")}
    form = OrderIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.order_issue(
                actor=request.user,
                reg_no=d["reg_no"].strip(),
                form=d["form"],
                requirements=d["requirements"],
                answer_due_at=d["answer_due_at"],
                unit=d["unit"],
            )
        except NotFound as exc:
            form.add_error("reg_no", exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, f"已向{order.unit.name}发出督办单")
            return redirect("supervision:order", pk=order.pk)
    return render(request, "supervision/order_form.html", {"form": form})


@login_required
def order_document(request, pk: int, fmt: str = "docx"):
    """The 督办单 as a document (.docx or .pdf), for whoever may see the order."""
    from django.http import HttpResponse

    from xinfang.core import gongwen
    from xinfang.core.downloads import attach
    from xinfang.supervision import documents

    try:
        order = selectors.get_order(request.user, pk)
    except NotFound:
        raise Http404
    notice = documents.order_notice(order)
    data = gongwen.to_pdf(notice) if fmt == "pdf" else gongwen.to_docx(notice)
    mime = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return attach(
        HttpResponse(data, content_type=mime), f"督办单-{order.petition.reg_no}-{order.pk}.{fmt}", fallback=f"order-{order.pk}.{fmt}"
    )


@login_required
def order_detail(request, pk: int):
    try:
        order = selectors.get_order(request.user, pk)
    except NotFound:
        raise Http404
    user = request.user
    can_answer = order.status == OrderStatus.OPEN and user.unit_id == order.unit_id and user.has_role(Role.UNIT_HANDLER, Role.OFFICE)
    can_close = order.status == OrderStatus.ANSWERED and (selectors.is_supervising_staff(user) or user.has_role(Role.SUPERVISOR))
    can_urge = order.status != OrderStatus.CLOSED and (selectors.is_supervising_staff(user) or user.has_role(Role.SUPERVISOR))
    answer_form = AnswerForm(initial={"version": order.version})
    close_form = CloseForm(initial={"version": order.version})
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "answer":
                answer_form = AnswerForm(request.POST)
                if answer_form.is_valid():
                    services.order_answer(actor=user, pk=order.pk, **answer_form.cleaned_data)
                    messages.success(request, "已答复督办单")
                    return redirect("supervision:order", pk=order.pk)
            elif op == "close":
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    services.order_close(actor=user, pk=order.pk, **close_form.cleaned_data)
                    messages.success(request, "督办单已办结")
                    return redirect("supervision:order", pk=order.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(answer_form if op == "answer" else close_form, exc)
    return render(
        request,
        "supervision/order_detail.html",
        {
            "order": order,
            "now": timezone.now(),
            "urgings": order.urgings.select_related("by").order_by("-at"),
            "can_answer": can_answer,
            "can_close": can_close,
            "can_urge": can_urge,
            "answer_form": answer_form,
            "close_form": close_form,
            "urge_form": UrgeForm(initial={"reg_no": order.petition.reg_no, "order": order.pk}),
        },
    )


@login_required
@require_POST
def urge(request):
    form = UrgeForm(request.POST)
    back = request.POST.get("next") or "/supervision/"
    if not back.startswith("/"):
        back = "/supervision/"
    if not form.is_valid():
        messages.error(request, "请填写催办内容")
        return redirect(back)
    try:
        services.petition_urge(
            actor=request.user, reg_no=form.cleaned_data["reg_no"], note=form.cleaned_data["note"], order_id=form.cleaned_data["order"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已催办")
    return redirect(back)


@login_required
def accountability(request):
    if not (selectors.is_supervising_staff(request.user) or request.user.has_role(Role.VIEWER)):
        raise PermissionDenied
    form = AccountabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.accountability_record(
                actor=request.user,
                unit=d["unit"],
                person_name=d["person_name"],
                matter=d["matter"],
                facts=d["facts"],
                decision=d["decision"],
                reg_no=d["reg_no"].strip() or None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已登记责任追究记录")
            return redirect("supervision:accountability")
    unit_id = request.GET.get("unit")
    person = request.GET.get("person") or None
    records = selectors.accountability_list(request.user, unit_id=int(unit_id) if (unit_id or "").isdigit() else None, person=person)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/accountability.html",
        {
            "form": form,
            "page": page,
            "grouped": selectors.accountability_by_unit_and_person(request.user),
            "can_record": selectors.is_supervising_staff(request.user),
            "filtered": bool(unit_id or person),
        },
    )


@login_required
def inspection_new(request):
    if not request.user.has_role(Role.SUPERVISOR):
        raise PermissionDenied
    form = InspectionForm(
        request.POST or None, townships=selectors.supervisor_townships(request.user), initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.inspection_record(
                actor=request.user, township=d["township"], date_=d["date"], findings=d["findings"], follow_up=d["follow_up"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已登记督查记录")
            return redirect("supervision:index")
    return render(request, "supervision/inspection_form.html", {"form": form})


@login_required
def petition_panel(request, reg_no: str):
    """Fragment for the petition page (htmx): its orders, urgings and accountability records, and the actions."""
    try:
        data = selectors.petition_supervision(request.user, reg_no)
    except NotFound:
        raise Http404
    user = request.user
    data["can_supervise"] = selectors.is_supervising_staff(user) or user.has_role(Role.SUPERVISOR)
    data["urge_form"] = UrgeForm(initial={"reg_no": reg_no})
    return render(request, "supervision/_petition_panel.html", data)


# ---- inbox ------------------------------------------------------------------------------------


@login_required
def inbox(request):
    qs = notifications.inbox_for(request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "supervision/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))})


@login_required
@require_POST
def inbox_read(request):
    raw = request.POST.get("id")
    ids = [int(raw)] if (raw or "").isdigit() else None
    notifications.mark_read(user=request.user, ids=ids)
    target = request.POST.get("go") or ""
    if ids and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("inbox")
