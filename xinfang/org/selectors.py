"""Reads of the organization."""

from datetime import date, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from xinfang.org.models import (
    LeadingGroupMember,
    NetworkPolicy,
    NetworkPost,
    PostRole,
    Region,
    RegionLevel,
    Role,
    SupervisionGroup,
    Unit,
    User,
)


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


def region_by_code(code: str) -> Region:
    from xinfang.core.errors import NotFound

    region = Region.objects.select_related("parent__parent__parent").filter(code=code).first()
    if region is None:
        raise NotFound(f"没有代码为 {code} 的行政区划")
    return region


def _missing_below(level: str, role: str):
    """Count of regions of `level` under the outer region (path prefix) with no active `role`: a subquery."""
    gaps = (
        Region.objects.filter(level=level, path__startswith=OuterRef("path"))
        .exclude(Exists(NetworkPost.objects.filter(role=role, ended_on__isnull=True, region=OuterRef("pk"))))
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(gaps, output_field=IntegerField()), 0)


def region_children_with_posts(region: Region) -> list[Region]:
    """The children of `region`, each with `.active_posts` (its liaison / info officer / handlers)
    and `.child_count`: two queries for the whole level."""
    active = NetworkPost.objects.filter(ended_on__isnull=True).order_by("role", "name")
    children = list(
        region.children.annotate(
            child_count=Count("children", distinct=True),
            missing_liaisons=_missing_below(RegionLevel.VILLAGE, PostRole.LIAISON),
            missing_info_officers=_missing_below(RegionLevel.GROUP, PostRole.INFO_OFFICER),
        )
        .prefetch_related(Prefetch("network_posts", queryset=active, to_attr="active_posts"), "supervision_groups")
        .order_by("code")
    )
    for child in children:
        roles = {p.role for p in child.active_posts}
        child.has_liaison = PostRole.LIAISON in roles
        child.has_info_officer = PostRole.INFO_OFFICER in roles
    return children


def region_posts(region: Region) -> list[NetworkPost]:
    """The active posts held at this very region (a village's liaison and handlers)."""
    return list(region.network_posts.filter(ended_on__isnull=True).select_related("home_unit").order_by("role", "name"))


def region_breadcrumb(region: Region) -> list[Region]:
    chain, node = [], region
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def unit_list_with_counts(*, kind: str | None = None) -> QuerySet[Unit]:
    return unit_list(kind=kind).annotate(
        staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        leading_count=Count("leading_group", distinct=True),
    )


def unit_by_code(code: str) -> Unit:
    from xinfang.core.errors import NotFound

    unit = Unit.objects.select_related("parent", "region").filter(code=code).first()
    if unit is None:
        raise NotFound(f"没有代码为 {code} 的单位")
    return unit


def unit_leading_group(unit: Unit) -> list[LeadingGroupMember]:
    order = Case(*(When(position=p, then=Value(i)) for i, p in enumerate(LeadingGroupMember.Position.values)), output_field=IntegerField())
    return list(unit.leading_group.select_related("user").annotate(rank=order).order_by("rank", "name"))


def unit_staff(unit: Unit) -> list[User]:
    """Active staff, each with `.role_labels` (Chinese role names): two queries."""
    staff = list(unit.staff.filter(is_active=True).prefetch_related("groups").order_by("username"))
    valid = dict(Role.choices)
    for person in staff:
        person.role_labels = [valid[g.name] for g in person.groups.all() if g.name in valid]
    return staff


def unit_network_posts(unit: Unit) -> list[NetworkPost]:
    """Posts held at a school, or by people seconded from / working in this unit."""
    return list(
        NetworkPost.objects.filter(Q(school=unit) | Q(home_unit=unit), ended_on__isnull=True)
        .select_related("region", "school", "supervision_group")
        .order_by("role", "name")
    )


def supervision_groups() -> list[SupervisionGroup]:
    members = NetworkPost.objects.filter(role=PostRole.SUPERVISOR, ended_on__isnull=True).select_related("home_unit").order_by("name")
    groups = list(
        SupervisionGroup.objects.prefetch_related(
            Prefetch("townships", queryset=Region.objects.order_by("code")),
            Prefetch("posts", queryset=members, to_attr="active_members"),
        ).order_by("code")
    )
    limit = date.today() + timedelta(days=NetworkPolicy.current().term_warning_days)
    for group in groups:
        for member in group.active_members:
            member.ending_soon = member.end_on is not None and member.end_on <= limit
    return groups


def townships_without_group() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.TOWNSHIP, supervision_groups__isnull=True).order_by("code")


def post_by_id(post_id: int) -> NetworkPost:
    from xinfang.core.errors import NotFound

    post = NetworkPost.objects.select_related("region__parent", "school", "supervision_group", "home_unit").filter(pk=post_id).first()
    if post is None:
        raise NotFound("没有该岗位")
    return post


def my_posts(user) -> list[NetworkPost]:
    """The network posts the user holds (linked by account)."""
    return list(
        NetworkPost.objects.filter(user=user, ended_on__isnull=True)
        .select_related("region__parent__parent", "school", "supervision_group", "home_unit")
        .prefetch_related("supervision_group__townships")
        .order_by("role", "start_on")
    )


def post_list(
    *, role: str | None = None, region: str | None = None, school: str | None = None, active: bool = True
) -> QuerySet[NetworkPost]:
    """Posts for the API: `region` matches the region and everything under it (path prefix)."""
    qs = NetworkPost.objects.select_related("user", "region", "school", "supervision_group", "home_unit").order_by("role", "id")
    if active:
        qs = qs.filter(ended_on__isnull=True)
    if role:
        qs = qs.filter(role=role)
    if region:
        node = Region.objects.filter(code=region).only("path").first()
        qs = qs.filter(region__path__startswith=node.path) if node else qs.none()
    if school:
        qs = qs.filter(school__code=school)
    return qs
