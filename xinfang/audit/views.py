"""The checkpoints page (事件链检查点): the office and the administrator list the signed checkpoints and download
each as a printable PDF or text page (to sign, stamp and file) or as JSON with every head (to send up).
Checkpoints are made by `manage.py checkpoint` from cron; nothing here writes."""

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.audit import checkpoints
from xinfang.audit.models import Checkpoint
from xinfang.org.models import Role

ROLES = (Role.ADMIN, Role.OFFICE)
FORMATS = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "json": "application/json; charset=utf-8"}


def may_see_checkpoints(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(*ROLES))


def _refused(request):
    return render(request, "access/denied.html", {"message": "只有信访办和系统管理员可以查看事件链检查点"}, status=403)


@login_required
@require_GET
def checkpoint_list(request):
    if not may_see_checkpoints(request.user):
        return _refused(request)
    page = Paginator(Checkpoint.objects.defer("entries").order_by("-number"), 30).get_page(request.GET.get("page"))
    for cp in page.object_list:
        cp.digest_print, cp.mac_print = checkpoints.fingerprint(cp.digest), checkpoints.fingerprint(cp.mac)
    return render(
        request, "audit/checkpoints.html", {"page": page, "stale": checkpoints.age_notes(page.object_list[0]) if page.object_list else []}
    )


@login_required
@require_GET
def checkpoint_file(request, number: int, fmt: str):
    if not may_see_checkpoints(request.user):
        return _refused(request)
    cp = Checkpoint.objects.filter(number=number).first()
    if cp is None or fmt not in FORMATS:
        raise Http404("没有这一号检查点")
    if fmt == "pdf":
        body = checkpoints.export_pdf(cp)
    elif fmt == "txt":
        body = checkpoints.export_text(cp).encode("utf-8")
    else:
        out = io.StringIO()
        checkpoints.export_json(cp, out)
        body = out.getvalue().encode("utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    from xinfang.core.downloads import attach

    attach(response, f"签名检查点-{cp.number}.{fmt}", fallback=f"checkpoint-{cp.number}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response
