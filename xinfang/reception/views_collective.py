"""集体访 pages: the open checklists, one checklist, and the units' 预案 (editable templates)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from xinfang.core.errors import DomainError
from xinfang.core.forms import apply_errors
from xinfang.reception import collective, services
from xinfang.reception.forms import PlanForm
from xinfang.reception.models import CollectiveStep, CollectiveVisitResponse, ResponsePlan


@login_required
def open_list(request):
    if not (services.is_manager(request.user) or request.user.unit_id):
        raise PermissionDenied
    rows = [(r, collective.checklist(r)) for r in collective.open_plans(request.user)[:100]]
    return render(request, "reception/collective_list.html", {"rows": rows, "manager": services.is_manager(request.user)})


@login_required
def detail(request, pk: int):
    user = request.user
    response = CollectiveVisitResponse.objects.select_related("petition", "unit", "plan").filter(pk=pk).first()
    if response is None or not (services.is_manager(user) or user.unit_id == response.unit_id):
        raise Http404
    if request.method == "POST":
        op, d = request.POST.get("op", ""), request.POST
        try:
            if op == "leader":
                collective.collective_leader_arrived(
                    actor=user, pk=pk, name=d.get("name", ""), at=d.get("at", ""), is_unit_leader=d.get("is_unit_leader") == "on"
                )
            elif op in ("superior_told", "police_informed", "plan_step"):
                collective.collective_step_record(
                    actor=user,
                    pk=pk,
                    kind=op,
                    person=d.get("person", ""),
                    at=d.get("at", ""),
                    label=d.get("label", ""),
                    note=d.get("note", ""),
                )
            elif op == "representatives":
                collective.collective_representatives_set(actor=user, pk=pk, count=d.get("representatives_count", ""))
            elif op == "close":
                collective.collective_plan_close(actor=user, pk=pk, outcome=d.get("outcome", ""))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录")
            return redirect("reception:collective", pk=pk)
    return render(
        request,
        "reception/collective_detail.html",
        {
            "r": response,
            "items": collective.checklist(response),
            "minutes": collective.leader_minutes(response),
            "arrivals": response.arrivals.all(),
            "steps": response.steps.select_related("by"),
            "kinds": CollectiveStep.Kind,
        },
    )


@login_required
def plans(request):
    if not services.is_manager(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"unit": request.user.unit})
    if request.method == "POST" and form.is_valid():
        try:
            plan = collective.plan_save(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, f"已保存预案：{plan.title}")
            return redirect("reception:plans")
    rows = ResponsePlan.objects.select_related("unit").order_by("unit__code", "visit_type")
    return render(request, "reception/plans.html", {"form": form, "rows": rows})


@login_required
def plan_edit(request, pk: int):
    if not services.is_manager(request.user):
        raise PermissionDenied
    plan = ResponsePlan.objects.filter(pk=pk).first()
    if plan is None:
        raise Http404
    initial = {k: getattr(plan, k) for k in ("unit", "visit_type", "title", "steps", "checklist", "active")}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            collective.plan_save(actor=request.user, pk=plan.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存预案")
            return redirect("reception:plans")
    return render(request, "reception/plan_form.html", {"form": form, "plan": plan})
