"""Registration's helpers for the page's script: the earlier petitioner's details for “使用该信访人信息”."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse

from xinfang.access import policy
from xinfang.core.errors import NotFound
from xinfang.org.models import Role
from xinfang.petitions import reuse


@login_required
def earlier_petitioner(request, reg_no):
    try:
        policy.get_visible_petition(request.user, reg_no)  # 404 alike for absent and out of scope, before any role answer
    except NotFound:
        raise Http404("未找到该信访件") from None
    if not request.user.has_role(Role.CLERK, Role.OFFICE):  # the registration page's roles
        raise PermissionDenied
    try:
        data = reuse.earlier_petitioner(
            actor=request.user,
            reg_no=reg_no,
            id_number=request.GET.get("id_number", "")[:18],
            phone=request.GET.get("phone", "")[:20],
            path=request.path,
        )
    except NotFound:
        raise Http404("未找到该信访件") from None
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
