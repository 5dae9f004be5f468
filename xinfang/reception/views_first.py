"""首问责任, 越级访, duty-rule and away-report pages: any staff member logs on a phone that they brought a visitor to the office; the office sees the logs
waiting for registration and the counts per unit."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import DomainError, NotFound
from xinfang.core.forms import apply_errors
from xinfang.org.models import Role
from xinfang.reception import collective, first_receipts, services
from xinfang.reception.forms import FirstReceiptForm


def _can_register(user) -> bool:
    return user.has_role(Role.CLERK, Role.OFFICE)  # as the registration page itself


@login_required
def log(request):
    user = request.user
    if user.unit_id is None:
        raise PermissionDenied
    form = FirstReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = first_receipts.first_receipt_log(actor=user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            at = timezone.localtime(receipt.brought_at)
            messages.success(request, f"已记录：{at:%H:%M} 引领来访人到信访办，首问责任人 {user.display_name}")
            return redirect("reception:first")
    ctx = {"form": form, "mine": first_receipts.my_receipts(user), "can_register": _can_register(user)}
    if ctx["can_register"]:
        ctx["open"] = list(first_receipts.open_receipts()[:50])
    return render(request, "reception/first.html", ctx)


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start") or "") if request.GET.get("start") else today.replace(day=1)
        end = date.fromisoformat(request.GET.get("end") or "") if request.GET.get("end") else today
    except ValueError:
        start, end = today.replace(day=1), today
    return (start, end) if start <= end else (end, start)


@login_required
def figures(request):
    """The counts the seed's reception rules ask for: 首问 per unit (logged, registered); 集体访 and how fast the leader
    arrived."""
    if not (services.is_manager(request.user) or request.user.has_role(Role.VIEWER)):
        raise PermissionDenied
    start, end = _period(request)
    return render(
        request,
        "reception/figures.html",
        {
            "start": start,
            "end": end,
            "first": first_receipts.per_unit(start=start, end=end),
            "collective": collective.figures(start=start, end=end),
            "manager": services.is_manager(request.user),
        },
    )


@login_required
@require_POST
def cross_level(request, reg_no: str):
    """The 越级访 panel's form on the petition page posts here and goes back to the petition."""
    from xinfang.org.models import Unit
    from xinfang.reception.cross_level import cross_level_report

    def unit(name):
        raw = request.POST.get(name) or ""
        return Unit.objects.filter(pk=int(raw), active=True).first() if raw.isdigit() else None

    try:
        cross_level_report(
            actor=request.user,
            reg_no=reg_no,
            guidance=request.POST.get("guidance", ""),
            reported_to_unit=unit("reported_to_unit"),
            reported_to=request.POST.get("reported_to", ""),
            reported_at=request.POST.get("reported_at", ""),
            situation=request.POST.get("situation", ""),
            responsible_unit=unit("responsible_unit"),
            measures=request.POST.get("measures", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录越级访的宣传疏导与报告")
    return redirect(f"/petitions/{reg_no}/#cross-level")


@login_required
def cross_level_list(request):
    """The office's list of 越级访 petitions still without guidance-and-report."""
    from xinfang.reception.cross_level import open_cross_level

    if not services.is_manager(request.user):
        raise PermissionDenied
    return render(request, "reception/cross_level_list.html", {"rows": open_cross_level(request.user)})


@login_required
@require_POST
def duty_rule(request):
    from xinfang.org.models import Unit
    from xinfang.reception.duty import duty_rule_save

    raw = request.POST.get("unit") or ""
    unit = Unit.objects.filter(pk=int(raw), active=True).first() if raw.isdigit() else None
    try:
        duty_rule_save(
            actor=request.user,
            unit=unit,
            daily_leader=request.POST.get("daily_leader") == "on",
            holiday_duty=request.POST.get("holiday_duty") == "on",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已保存{unit.name}的值班规则")
    return redirect("reception:duty")


@login_required
def away(request):
    """校长外出办事当日不能返校的向教办报告 (a phone page for the principal)."""
    from xinfang.reception import duty as duty_rules
    from xinfang.reception.forms import AwayForm

    user = request.user
    if not duty_rules.can_report_away(user, user.unit):
        raise PermissionDenied
    today = timezone.localdate()
    form = AwayForm(
        request.POST or None,
        initial={"leaves_on": today, "returns_on": today + timedelta(days=1), "reported_to": duty_rules.default_away_organ(user.unit)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            duty_rules.away_report(actor=user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已登记外出报告")
            return redirect("reception:away")
    return render(request, "reception/away.html", {"form": form, "rows": duty_rules.away_reports(user, since=today - timedelta(days=30))})
