"""Staff pages of the knowledge base (应知应会) and the routing settings page. Thin: selectors do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from xinfang.core.errors import DomainError
from xinfang.knowledge import routing, selectors
from xinfang.knowledge.models import ArticleKind
from xinfang.org.models import Region, Role

ROUTING_ROLES = (Role.ADMIN, Role.OFFICE, Role.CLERK)


@login_required
def library(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    articles = selectors.article_list(actor=request.user, q=q, kind=kind)
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "kind": kind, "kinds": ArticleKind.choices, "can_route": request.user.has_role(*ROUTING_ROLES)}
    return render(request, "knowledge/library.html", context)


@login_required
def detail(request, pk: int):
    try:
        article = selectors.article_get(actor=request.user, pk=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "knowledge/detail.html", {"article": article})


@login_required
@require_http_methods(["GET", "POST"])
def routing_settings(request):
    user = request.user
    if not (user.is_superuser or user.has_role(*ROUTING_ROLES)):
        raise PermissionDenied
    if request.method == "POST":
        if not (user.is_superuser or user.has_role(Role.ADMIN, Role.OFFICE)):
            raise PermissionDenied
        run, ev = routing.train()
        if run.method == "classifier":
            messages.success(request, f"已用 {run.samples} 件历史信访件重新训练；承办单位留出准确率 {run.unit_accuracy:.1%}")
        else:
            messages.warning(request, "；".join(ev.notes) or "历史数据不足，继续使用关键词规则")
        return redirect("knowledge:routing")
    content = request.GET.get("content", "").strip()
    region = Region.objects.filter(code=request.GET.get("region", "")).first()
    suggestions = selectors.suggest_routing(content, region=region) if content else []
    return render(
        request,
        "knowledge/routing.html",
        {
            "latest": selectors.latest_routing_run(),
            "runs": selectors.routing_runs(),
            "content": content,
            "suggestions": suggestions,
            "min_history": routing.MIN_HISTORY,
            "can_train": user.is_superuser or user.has_role(Role.ADMIN, Role.OFFICE),
        },
    )
