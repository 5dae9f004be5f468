"""The worklist's saved filters (常用筛选): save the filter set in force under a name, delete one. Applying one is a
plain link to the worklist with its query."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from xinfang.core.errors import DomainError
from xinfang.petitions import saved_filters


def _back(request):
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/petitions/") and not back.startswith("//") else "petitions:worklist")


@login_required
@require_POST
def filter_save(request):
    try:
        saved = saved_filters.saved_filter_save(actor=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", ""))
    except DomainError as exc:
        messages.error(request, f"常用筛选未保存：{exc.message}")
        return _back(request)
    messages.success(request, f"已保存常用筛选“{saved.name}”")
    return redirect(f"/petitions/?{saved.query}")


@login_required
@require_POST
def filter_delete(request, pk):
    try:
        name = saved_filters.saved_filter_delete(actor=request.user, pk=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除常用筛选“{name}”")
    return _back(request)
