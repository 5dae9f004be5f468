"""Reads of the organization."""

from django.db.models import QuerySet

from xinfang.org.models import Region, Unit


def region_list(*, level: str | None = None, parent: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.select_related("parent").order_by("code")
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs


def unit_list(*, kind: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent", "region").filter(active=True).order_by("code")
    if kind:
        qs = qs.filter(kind=kind)
    return qs
