"""Reads of the knowledge base and the routing suggestion that the triage page calls."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from xinfang.core.errors import NotFound
from xinfang.knowledge import routing
from xinfang.knowledge.models import ArticleKind, KnowledgeArticle, RoutingModelRun
from xinfang.org.models import Role

# The review organs above the county read it too (laws, responsibilities, standard answers).
STAFF_ROLES = (
    Role.ADMIN,
    Role.CLERK,
    Role.OFFICE,
    Role.LEADER,
    Role.UNIT_HANDLER,
    Role.SUPERVISOR,
    Role.LIAISON,
    Role.INFO_OFFICER,
    Role.REVIEWER,
)


def is_staff_reader(actor) -> bool:
    return actor is not None and actor.is_authenticated and (actor.is_superuser or actor.has_role(*STAFF_ROLES))


def article_list(*, actor=None, q: str = "", kind: str = "", public_only: bool = False) -> QuerySet[KnowledgeArticle]:
    """Active articles; the public (portal) part for anyone, everything for staff. `q` matches every word given."""
    qs = KnowledgeArticle.objects.filter(active=True).select_related("unit", "category")
    if public_only or not is_staff_reader(actor):
        qs = qs.filter(public=True)
    if kind in ArticleKind.values:
        qs = qs.filter(kind=kind)
    for word in (q or "").split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(keywords__icontains=word) | Q(unit__name__icontains=word))
    return qs.order_by("kind", "title")


def article_get(*, actor=None, pk: int, public_only: bool = False) -> KnowledgeArticle:
    article = article_list(actor=actor, public_only=public_only).filter(pk=pk).first()
    if article is None:
        raise NotFound("未找到该条目")
    return article


def responsibility_articles(unit_ids) -> dict[int, KnowledgeArticle]:
    """The department-responsibility article of each unit (one query)."""
    found = {}
    for article in KnowledgeArticle.objects.filter(active=True, kind=ArticleKind.RESPONSIBILITY, unit_id__in=list(unit_ids)).order_by("pk"):
        found.setdefault(article.unit_id, article)
    return found


def suggest_routing(content: str, region=None, limit: int = 3, petition=None) -> list[dict]:
    """Top 3 routing suggestions for a petition's content, best first.

    Each: {"category": Category|None, "unit": Unit, "confidence": float 0–1 (None for "rule"), "reason": str,
    "method": "classifier"|"keywords"|"rule", "article_url": str ("" when the unit has no
    responsibility article)}. A suggestion only: the office decides. Given the `petition`, a 检举控告 is
    never suggested to a unit where a respondent works: its superior and the discipline organ come first
    ("rule", `routing.for_petition`).
    """
    suggestions = routing.suggest(content, region=region, limit=limit)
    if petition is not None:
        suggestions = routing.for_petition(suggestions, petition, limit=limit)
    articles = responsibility_articles(s["unit"].pk for s in suggestions)
    for s in suggestions:
        article = articles.get(s["unit"].pk)
        s["article_url"] = reverse("knowledge:detail", args=[article.pk]) if article else ""
    return suggestions


def latest_routing_run() -> RoutingModelRun | None:
    return RoutingModelRun.objects.order_by("-trained_at", "-pk").first()


def routing_runs(limit: int = 10):
    return RoutingModelRun.objects.order_by("-trained_at", "-pk")[:limit]
