"""Pages of the emergency response group (应急处置工作组), its 后勤保障 resources and the unit's urgent-report organs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from xinfang.core.errors import DomainError
from xinfang.core.forms import apply_errors
from xinfang.reception import emergency, selectors, services
from xinfang.reception.forms import GroupForm, MemberForm, ResourceForm, RuleForm
from xinfang.reception.models import EmergencyGroup, ReportingRule


def _groups_for(user):
    qs = EmergencyGroup.objects.select_related("unit").order_by("unit__code", "name")
    return qs if services.is_manager(user) else qs.filter(unit_id=user.unit_id)


@login_required
def groups(request):
    user = request.user
    if not (services.is_manager(user) or emergency.can_edit(user, user.unit)):
        raise PermissionDenied
    form = GroupForm(request.POST or None, initial={"unit": user.unit, "name": f"{user.unit.name}应急处置工作组" if user.unit else ""})
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"] if services.is_manager(user) else user.unit
        try:
            group = emergency.emergency_group_save(actor=user, unit=unit or user.unit, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已建立应急处置工作组")
            return redirect("reception:emergency_group", pk=group.pk)
    return render(request, "reception/emergency_list.html", {"rows": _groups_for(user), "form": form, "manager": services.is_manager(user)})


@login_required
def group(request, pk: int):
    user = request.user
    g = _groups_for(user).filter(pk=pk).first()
    if g is None:
        raise Http404
    if not emergency.can_edit(user, g.unit):
        raise PermissionDenied
    rule = ReportingRule.objects.filter(unit=g.unit).first()
    forms = {
        "group": GroupForm(initial={"name": g.name}),
        "member": MemberForm(unit=g.unit),
        "resource": ResourceForm(),
        "rule": RuleForm(
            initial={"organs": list(rule.organs.all()) if rule else [], "external_organs": rule.external_organs if rule else ""}
        ),
    }
    if request.method == "POST":
        op = request.POST.get("op", "")
        row = request.POST.get("row") or None
        try:
            if op == "group":
                forms["group"] = GroupForm(request.POST)
                if forms["group"].is_valid():
                    emergency.emergency_group_save(actor=user, unit=g.unit, name=forms["group"].cleaned_data["name"], pk=g.pk)
                    messages.success(request, "已保存工作组名称")
                    return redirect("reception:emergency_group", pk=g.pk)
            elif op == "member":
                forms["member"] = MemberForm(request.POST, unit=g.unit)
                if forms["member"].is_valid():
                    d = dict(forms["member"].cleaned_data)
                    if row is None:
                        d["active"] = True
                    emergency.emergency_member_save(actor=user, group_id=g.pk, pk=int(row) if row else None, **d)
                    messages.success(request, "已保存成员")
                    return redirect("reception:emergency_group", pk=g.pk)
            elif op == "resource":
                forms["resource"] = ResourceForm(request.POST)
                if forms["resource"].is_valid():
                    d = dict(forms["resource"].cleaned_data)
                    if row is None:
                        d["active"] = True
                    emergency.emergency_resource_save(actor=user, group_id=g.pk, pk=int(row) if row else None, **d)
                    messages.success(request, "已保存后勤保障资源")
                    return redirect("reception:emergency_group", pk=g.pk)
            elif op == "rule":
                forms["rule"] = RuleForm(request.POST)
                if forms["rule"].is_valid():
                    d = forms["rule"].cleaned_data
                    emergency.reporting_rule_save(actor=user, unit=g.unit, organs=list(d["organs"]), external_organs=d["external_organs"])
                    messages.success(request, "已保存紧急报告对象")
                    return redirect("reception:emergency_group", pk=g.pk)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "输入有误"))
            if isinstance(exc, DomainError) and op in forms and not row:
                apply_errors(forms[op], exc)
        else:
            bound = forms.get(op)
            if bound is not None and bound.is_bound and bound.errors:
                messages.error(request, "；".join(e for errs in bound.errors.values() for e in errs))
    return render(
        request,
        "reception/emergency_group.html",
        {
            "g": g,
            "members": g.members.select_related("user"),
            "resources": g.resources.all(),
            "organs": selectors.organs_to_tell(g.unit),
            "kinds": g.resources.model.Kind.choices,
            **{f"{k}_form": v for k, v in forms.items()},
        },
    )
