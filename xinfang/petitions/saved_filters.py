"""Saved worklist filters: a user keeps the filter set in force under a name, applies it from the worklist with one
click and may delete it again (a preference of their own, not a record that must be kept, so a plain model)."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models, transaction
from django.http import QueryDict

from xinfang.core.errors import InvalidInput, NotFound

MAX_PER_USER = 20
# The worklist's query keys a saved filter keeps (the bucket and ListFilterForm's fields); a cursor or anything else is
# dropped.
KEYS = ("bucket", "q", "status", "channel", "category", "registered_from", "registered_to")


class SavedFilter(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "petitions"
        verbose_name = verbose_name_plural = "常用筛选"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_user_name")]

    def __str__(self) -> str:
        return self.name


def clean_query(query: str) -> str:
    """Only the worklist's own filter keys with a value, in a fixed order."""
    data = QueryDict(query or "")
    return urlencode([(k, data[k].strip()) for k in KEYS if data.get(k, "").strip()])


def saved_filters(*, actor) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=actor)) if actor.pk else []


@transaction.atomic
def saved_filter_save(*, actor, name: str, query: str) -> SavedFilter:
    """Save (or, under a name already used, replace) the actor's filter set."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写筛选名称", fields={"name": ["请填写名称"]})
    if len(name) > 40:
        raise InvalidInput("筛选名称不超过40字", fields={"name": ["不超过40字"]})
    cleaned = clean_query(query)
    if not cleaned:
        raise InvalidInput("当前没有筛选条件，无需保存", fields={"query": ["先选择分类或填写筛选条件"]})
    existing = SavedFilter.objects.select_for_update().filter(user=actor, name=name).first()
    if existing is not None:
        existing.query = cleaned
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=actor).count() >= MAX_PER_USER:
        raise InvalidInput(f"最多保存{MAX_PER_USER}个常用筛选，请先删除不用的", fields={"name": [f"已有{MAX_PER_USER}个"]})
    return SavedFilter.objects.create(user=actor, name=name, query=cleaned)


@transaction.atomic
def saved_filter_delete(*, actor, pk) -> str:
    """Delete one of the actor's own saved filters (someone else's is not found); returns its name."""
    found = SavedFilter.objects.filter(user=actor, pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound("未找到该常用筛选")
    name = found.name
    found.delete()
    return name
