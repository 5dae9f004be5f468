"""Reads for supervision: worklists, the supervisor's township page, accountability counts, recipients.

Petitions are always read through `xinfang.access.policy`.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from xinfang.access.policy import (
    OFFICE_ROLES,
    get_visible_petition,
    supervised_township_paths,
    visible_petitions,
    with_visible_petition,
)
from xinfang.core.errors import NoPermission, NotFound
from xinfang.org.models import LeadingGroupMember, NetworkPost, PostRole, Region, RegionLevel, Role, Unit, User
from xinfang.petitions.models import OPEN_STATUSES, Petition, Status
from xinfang.supervision.models import AccountabilityRecord, InspectionRecord, OrderStatus, SupervisionOrder, Urging

DUE_SOON = timedelta(days=3)
UNIT_STEPS = (Status.ASSIGNED, Status.IN_PROGRESS)


def is_supervising_staff(actor) -> bool:
    """Office, leaders and admins issue orders, urge, close and decide accountability (a review organ's reviewer role is
    none of these: it only reviews)."""
    return actor.is_superuser or actor.has_role(*OFFICE_ROLES, Role.LEADER)


# ---- recipients -------------------------------------------------------------------------------


def unit_staff(unit: Unit):
    """Who works a unit's petitions: office roles in a petition office, unit handlers elsewhere."""
    role = Role.OFFICE if unit.is_petition_office else Role.UNIT_HANDLER
    return list(User.objects.filter(unit=unit, is_active=True, groups__name=role).distinct().order_by("pk"))


def unit_head(unit: Unit) -> list:
    """The unit's head: the leading group's head (组长) if it has an account, else its handlers."""
    head = LeadingGroupMember.objects.filter(unit=unit, position=LeadingGroupMember.Position.HEAD, user__is_active=True).first()
    if head is not None and head.user_id:
        return [head.user]
    return unit_staff(unit)


def region_prefixes(region: Region) -> list[str]:
    parts = [p for p in region.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def supervisors_for_region(region: Region) -> list:
    """Supervisors whose group covers the township the region lies in."""
    posts = (
        NetworkPost.objects.filter(
            role=PostRole.SUPERVISOR,
            ended_on__isnull=True,
            user__isnull=False,
            user__is_active=True,
            supervision_group__townships__path__in=region_prefixes(region),
        )
        .select_related("user")
        .order_by("user_id")
    )
    seen, users = set(), []
    for post in posts:
        if post.user_id not in seen:
            seen.add(post.user_id)
            users.append(post.user)
    return users


# ---- worklists --------------------------------------------------------------------------------


def orders_for(actor, *, status: str | None = None):
    """The orders this actor works: office/leader all (in their petition scope), a handler their unit's, a supervisor their townships'."""
    qs = SupervisionOrder.objects.select_related("petition", "unit", "issued_by", "answered_by", "closed_by")
    if status:
        qs = qs.filter(status=status)
    if is_supervising_staff(actor) or actor.has_role(Role.SUPERVISOR):
        return with_visible_petition(actor, qs).order_by("status", "answer_due_at")
    if actor.has_role(Role.UNIT_HANDLER):
        return with_visible_petition(actor, qs.filter(unit_id=actor.unit_id)).order_by("status", "answer_due_at")
    return qs.none()


def get_order(actor, pk: int) -> SupervisionOrder:
    order = orders_for(actor).filter(pk=pk).first()
    if order is None:
        raise NotFound("未找到该督办单")
    return order


def petition_supervision(actor, reg_no: str) -> dict:
    """Orders, urgings and accountability records of one petition (for its page)."""
    petition = get_visible_petition(actor, reg_no)
    return {
        "petition": petition,
        "orders": list(petition.supervision_orders.select_related("unit", "issued_by", "answered_by").order_by("-issued_at")),
        "urgings": list(petition.urgings.select_related("unit", "by").order_by("-at")),
        "accountability": list(petition.accountability_records.select_related("unit").order_by("-decided_at")),
    }


def petitions_due(actor, *, now=None, region_paths: list[str] | None = None) -> dict:
    """Open petitions with a due time in the actor's scope: overdue and due within 3 days."""
    now = now or timezone.now()
    qs = visible_petitions(actor, Petition.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False))
    if actor.has_role(Role.UNIT_HANDLER) and not (is_supervising_staff(actor) or actor.has_role(Role.SUPERVISOR)):
        qs = qs.filter(status__in=UNIT_STEPS)  # a handling unit acts only while the petition is assigned / in progress
    if region_paths is not None:
        q = Q(pk__in=[])
        for path in region_paths:
            q |= Q(region__path__startswith=path)
        qs = qs.filter(q)
    qs = qs.select_related("handling_unit", "region", "case_leader").order_by("due_at")
    return {
        "overdue": list(qs.filter(due_at__lt=now)[:200]),
        "due_soon": list(qs.filter(due_at__gte=now, due_at__lte=now + DUE_SOON)[:200]),
    }


def supervisor_townships(actor):
    paths = supervised_township_paths(actor)
    return Region.objects.filter(path__in=paths, level=RegionLevel.TOWNSHIP).order_by("code")


def supervisor_page(actor, *, now=None) -> dict:
    """The supervisor's page: their townships' open / due-soon / overdue petitions, disputes and inspections."""
    if not actor.has_role(Role.SUPERVISOR):
        raise NoPermission("仅督查员可查看包联乡镇页面")
    now = now or timezone.now()
    townships = list(supervisor_townships(actor))
    paths = [t.path for t in townships]
    due = petitions_due(actor, now=now, region_paths=paths)
    open_qs = visible_petitions(actor, Petition.objects.filter(status__in=OPEN_STATUSES))
    counts = (
        open_qs.aggregate(**{f"t{t.pk}": Count("pk", filter=Q(region__path__startswith=t.path)) for t in townships}) if townships else {}
    )
    return {
        "townships": [{"township": t, "open": counts.get(f"t{t.pk}", 0)} for t in townships],
        "overdue": due["overdue"],
        "due_soon": due["due_soon"],
        "disputes": disputes_for(actor),
        "inspections": list(InspectionRecord.objects.filter(supervisor=actor).select_related("township").order_by("-date", "-pk")[:100]),
    }


def disputes_for(actor):
    """Open disputes the supervisor may see (the grassroots app's own selector and scope); None if that app has none."""
    try:
        from xinfang.grassroots.selectors import dispute_list
    except ImportError:
        return None
    return list(dispute_list(actor=actor, status="open").select_related("township", "village")[:50])


# ---- accountability ---------------------------------------------------------------------------


def accountability_list(actor, *, unit_id: int | None = None, person: str | None = None):
    if not (is_supervising_staff(actor) or actor.has_role(Role.VIEWER)):
        raise NoPermission("无权查看责任追究记录")
    qs = AccountabilityRecord.objects.select_related("unit", "petition", "decided_by", "person")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if person:
        qs = qs.filter(person_name=person)
    return qs.order_by("-decided_at")


def accountability_by_unit_and_person(actor) -> dict:
    qs = accountability_list(actor)
    return {
        "by_unit": list(qs.order_by().values("unit_id", "unit__name").annotate(n=Count("pk")).order_by("-n", "unit__name")),
        "by_person": list(qs.order_by().values("person_name", "unit__name").annotate(n=Count("pk")).order_by("-n", "person_name")),
    }


def accountability_counts(start, end) -> dict[int, int]:
    """Accountability records decided in [start, end] (dates, local), per unit id. For the assessments engine."""
    qs = AccountabilityRecord.objects.filter(decided_at__date__gte=start, decided_at__date__lte=end)
    return {row["unit_id"]: row["n"] for row in qs.values("unit_id").annotate(n=Count("pk")).order_by()}


def urgings_for(actor):
    qs = with_visible_petition(actor, Urging.objects.select_related("petition", "unit", "by"))
    if not (is_supervising_staff(actor) or actor.has_role(Role.SUPERVISOR)):
        qs = qs.filter(unit_id=actor.unit_id)
    return qs.order_by("-at")


def open_order_count(actor) -> int:
    return orders_for(actor, status=OrderStatus.OPEN).count()
