"""首问责任 pages: any staff member logs on a phone that they brought a visitor to the office; the office sees the logs
waiting for registration and the counts per unit."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from xinfang.core.errors import DomainError
from xinfang.core.forms import apply_errors
from xinfang.org.models import Role
from xinfang.reception import first_receipts, services
from xinfang.reception.forms import FirstReceiptForm


def _can_register(user) -> bool:
    return user.is_superuser or user.has_role(Role.CLERK, Role.OFFICE)


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
    """The counts the seed's reception rules ask for, per unit: 首问 logged and registered."""
    if not (services.is_manager(request.user) or request.user.has_role(Role.VIEWER)):
        raise PermissionDenied
    start, end = _period(request)
    return render(
        request,
        "reception/figures.html",
        {"start": start, "end": end, "first": first_receipts.per_unit(start=start, end=end), "manager": services.is_manager(request.user)},
    )
