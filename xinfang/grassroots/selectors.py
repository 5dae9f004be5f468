"""Reads of grassroots work, and who may see and do what.

Scope (what an actor sees) follows the region tree:
- office, clerk, admin, leader, viewer-free county roles: the whole jurisdiction of their unit;
- a township unit handler (unit_handler whose unit is a township government): that township;
- a supervisor: the townships of their supervision group(s);
- a village handler (驻村承办员 post): the villages they cover; a liaison: their village;
  an information officer: their villager group's village.
Information reports are also always visible to the person who filed them.

Identity of dispute parties (name, phone, ID number, address) is shown only to
`can_view_dispute_identity`: the office (office/admin roles), the handlers of the dispute's own
township (unit_handler of that township's government) and the village handlers (驻村承办员)
posted to the dispute's village. Everyone else in scope (liaisons, information officers,
supervisors, leaders) sees masked names and phones; ID number and address hidden.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from xinfang.access.policy import HIDDEN, mask_name, mask_phone, supervised_township_paths
from xinfang.grassroots.models import (
    Dispute,
    DisputeLevel,
    DisputeStatus,
    InfoReport,
    PublicityRecord,
    ScreeningRound,
)
from xinfang.org.models import NetworkPost, PostRole, Region, Role, UnitKind

COUNTY_ROLES = (Role.ADMIN, Role.OFFICE, Role.CLERK, Role.LEADER)
IDENTITY_ROLES = (Role.ADMIN, Role.OFFICE)


@dataclass(frozen=True)
class Scope:
    """Region paths the actor sees (prefixes); `everything` for county-wide roles."""

    paths: tuple[str, ...]
    everything: bool = False

    def q(self, field: str = "region") -> Q:
        if self.everything:
            return Q(pk__isnull=False)  # not Q(): an empty Q vanishes when OR-ed with another
        if not self.paths:
            return Q(pk__in=[])
        q = Q(pk__in=[])
        for p in self.paths:
            q |= Q(**{f"{field}__path__startswith": p})
        return q

    def covers(self, region: Region) -> bool:
        return self.everything or any(region.path.startswith(p) for p in self.paths)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.paths


def _posts(actor, *roles):
    return NetworkPost.objects.filter(user=actor, role__in=roles, ended_on__isnull=True).select_related("region", "region__parent")


def is_township_handler(actor) -> bool:
    return actor.has_role(Role.UNIT_HANDLER) and actor.unit_id is not None and actor.unit.kind == UnitKind.TOWNSHIP


def actor_scope(actor) -> Scope:
    """The actor's scope, computed once per user object (one request)."""
    if actor is None:
        return Scope(())
    cached = getattr(actor, "_grassroots_scope", None)
    if cached is None:
        cached = _compute_scope(actor)
        if getattr(actor, "pk", None):
            actor._grassroots_scope = cached
    return cached


def _compute_scope(actor) -> Scope:
    if actor is None or not actor.is_authenticated or not actor.is_active or actor.unit_id is None:
        return Scope(())
    if actor.is_superuser or actor.has_role(*COUNTY_ROLES):
        unit_region = actor.unit.region
        if unit_region.parent_id is None:
            return Scope((unit_region.path,), everything=True)
        return Scope((unit_region.path,))
    paths: set[str] = set()
    if is_township_handler(actor):
        paths.add(actor.unit.region.path)
    if actor.has_role(Role.SUPERVISOR):
        paths.update(supervised_township_paths(actor))
    for post in _posts(actor, PostRole.HANDLER, PostRole.LIAISON, PostRole.INFO_OFFICER):
        if post.region_id is None:
            continue
        region = post.region.parent if post.role == PostRole.INFO_OFFICER and post.region.parent_id else post.region
        paths.add(region.path)
    return Scope(tuple(sorted(paths)))


def reporting_regions(actor) -> QuerySet[Region]:
    """The places an actor may file a report, dispute or publicity record for (within their scope)."""
    scope = actor_scope(actor)
    return Region.objects.filter(region_q(scope)).filter(level__in=["village", "group"]).order_by("code")


def region_q(scope: Scope) -> Q:
    if scope.everything:
        return Q(pk__isnull=False)
    q = Q(pk__in=[])
    for p in scope.paths:
        q |= Q(path__startswith=p)
    return q


def default_region(actor) -> Region | None:
    """The actor's own place: the group of an information officer, the village of a liaison."""
    post = _posts(actor, PostRole.INFO_OFFICER, PostRole.LIAISON, PostRole.HANDLER).first()
    return post.region if post else None


# ---- rights -----------------------------------------------------------------------------


def _village_handler_of(actor, village_id) -> bool:
    return NetworkPost.objects.filter(user=actor, role=PostRole.HANDLER, region_id=village_id, ended_on__isnull=True).exists()


def _liaison_of(actor, village_id) -> bool:
    return NetworkPost.objects.filter(user=actor, role=PostRole.LIAISON, region_id=village_id, ended_on__isnull=True).exists()


def _township_handler_of(actor, township_id) -> bool:
    return is_township_handler(actor) and actor.unit.region_id == township_id


def is_office(actor) -> bool:
    return actor.is_superuser or actor.has_role(*IDENTITY_ROLES)


def identity_checker(actor):
    """A function dispute -> bool answering `can_view_dispute_identity` for many disputes with
    the actor's posts loaded once (lists and API pages)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return lambda dispute: False
    if is_office(actor):
        return lambda dispute: True
    township_id = actor.unit.region_id if is_township_handler(actor) else None
    villages = set(NetworkPost.objects.filter(user=actor, role=PostRole.HANDLER, ended_on__isnull=True).values_list("region_id", flat=True))
    return lambda dispute: dispute.township_id == township_id or dispute.village_id in villages


def can_view_dispute_identity(actor, dispute: Dispute) -> bool:
    """The office, the dispute's own township handlers and its village handlers (see module doc)."""
    return identity_checker(actor)(dispute)


def can_act_on_dispute(actor, dispute: Dispute) -> bool:
    """Who works the dispute at its current level: village → its handlers, liaison and the township;
    township → the township's handlers; county → the office."""
    if is_office(actor):
        return True
    if dispute.level == DisputeLevel.COUNTY:
        return False
    if _township_handler_of(actor, dispute.township_id):
        return True
    if dispute.level == DisputeLevel.VILLAGE:
        return _village_handler_of(actor, dispute.village_id) or _liaison_of(actor, dispute.village_id)
    return False


def can_register_petition(actor) -> bool:
    """Turning a dispute or report into a petition registers one: the petition office's clerk/office."""
    return actor.has_role(Role.CLERK, Role.OFFICE)


def can_record_dispute(actor) -> bool:
    return is_office(actor) or is_township_handler(actor) or _posts(actor, PostRole.HANDLER, PostRole.LIAISON).exists()


def can_manage_reports(actor, report: InfoReport) -> bool:
    """Acknowledge / follow up / convert: the township's handlers, its supervisors, the office."""
    if is_office(actor):
        return True
    if _township_handler_of(actor, report.township_id):
        return True
    if actor.has_role(Role.SUPERVISOR):
        return any(report.township.path.startswith(p) for p in supervised_township_paths(actor))
    return False


def can_file_report(actor) -> bool:
    if actor.has_role(Role.LIAISON, Role.INFO_OFFICER, Role.SUPERVISOR, Role.OFFICE, Role.ADMIN) or is_township_handler(actor):
        return not actor_scope(actor).empty
    return bool(_posts(actor, PostRole.HANDLER).exists())


# ---- parties ---------------------------------------------------------------------------


def party_identity(actor, dispute: Dispute, party, *, allowed: bool | None = None) -> dict:
    if allowed is None:
        allowed = can_view_dispute_identity(actor, dispute)
    data = {
        "side": party.get_side_display(),
        "name": party.name,
        "phone": party.phone,
        "id_number": party.id_number,
        "address": party.address,
        "masked": False,
    }
    if allowed:
        return data
    return {
        "side": party.get_side_display(),
        "name": mask_name(party.name),
        "phone": mask_phone(party.phone),
        "id_number": HIDDEN if party.id_number else "",
        "address": HIDDEN if party.address else "",
        "masked": True,
    }


# ---- lists -----------------------------------------------------------------------------


def dispute_list(*, actor, status: str = "", level: str = "", township: str = "", overdue: bool = False) -> QuerySet[Dispute]:
    scope = actor_scope(actor)
    qs = Dispute.objects.filter(scope.q("region")).select_related("region", "village", "township", "petition")
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if township:
        qs = qs.filter(township__code=township)
    if overdue:
        qs = qs.filter(status=DisputeStatus.OPEN, due_at__lt=timezone.now())
    return qs.order_by("-found_at", "-pk")


def get_dispute(*, actor, pk: int) -> Dispute:
    from xinfang.core.errors import NotFound

    dispute = (
        dispute_list(actor=actor)
        .filter(pk=pk)
        .select_related("screening", "source_report", "created_by")
        .prefetch_related("parties", "sessions", "events__actor")
        .first()
    )
    if dispute is None:
        raise NotFound("未找到该矛盾纠纷，或不在您的工作范围内")
    return dispute


def disputes_for_petition(petition, actor=None) -> QuerySet[Dispute]:
    """The disputes a petition came from (the link back from the petition page)."""
    qs = Dispute.objects.filter(petition=petition).select_related("village", "township")
    if actor is not None:
        qs = qs.filter(actor_scope(actor).q("region")) if not is_office(actor) else qs
    return qs


def report_list(*, actor, status: str = "", urgency: str = "", mine: bool = False) -> QuerySet[InfoReport]:
    scope = actor_scope(actor)
    qs = InfoReport.objects.filter(scope.q("region") | Q(reporter=actor)).select_related("region", "region__parent", "township", "reporter")
    if mine:
        qs = qs.filter(reporter=actor)
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    return qs.order_by("-created_at", "-pk")


def get_report(*, actor, pk: int) -> InfoReport:
    from xinfang.core.errors import NotFound

    report = report_list(actor=actor).filter(pk=pk).prefetch_related("notes__actor", "disputes").first()
    if report is None:
        raise NotFound("未找到该信息，或不在您的工作范围内")
    return report


def screening_list(*, actor) -> QuerySet[ScreeningRound]:
    return (
        ScreeningRound.objects.filter(actor_scope(actor).q("region"))
        .select_related("region", "township", "recorded_by")
        .annotate(found=Count("disputes"))
        .order_by("-held_on", "-pk")
    )


def publicity_list(*, actor, year: int | None = None) -> QuerySet[PublicityRecord]:
    qs = PublicityRecord.objects.filter(actor_scope(actor).q("village")).select_related("village", "township", "recorded_by")
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-pk")


# ---- figures (one query per figure family) -----------------------------------------------


def _dispute_figures(qs, group_fields: list[str]):
    now = timezone.now()
    return list(
        qs.values(*group_fields)
        .annotate(
            found=Count("pk"),
            resolved_village=Count("pk", filter=Q(status=DisputeStatus.RESOLVED, resolved_level=DisputeLevel.VILLAGE)),
            resolved_township=Count("pk", filter=Q(status=DisputeStatus.RESOLVED, resolved_level=DisputeLevel.TOWNSHIP)),
            resolved_county=Count("pk", filter=Q(status=DisputeStatus.RESOLVED, resolved_level=DisputeLevel.COUNTY)),
            escalated=Count("pk", filter=Q(escalations__gt=0)),
            petitioned=Count("pk", filter=Q(petition__isnull=False)),
            open=Count("pk", filter=Q(status=DisputeStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=DisputeStatus.OPEN, due_at__lt=now)),
        )
        .order_by(*group_fields)
    )


def figures_scope(actor) -> Scope:
    """Scope for aggregate figures: the actor's scope, and for viewers (aggregates only, no
    individual records) their unit's jurisdiction."""
    scope = actor_scope(actor)
    if scope.empty and actor is not None and actor.is_authenticated and actor.has_role(Role.VIEWER) and actor.unit_id:
        region = actor.unit.region
        return Scope((region.path,), everything=region.parent_id is None)
    return scope


def dispute_figures(*, actor, start: date | None = None, end: date | None = None, by: str = "township") -> list[dict]:
    """Per township (or per village): found, resolved at village / township / county level,
    escalated, turned into petitions, open, open too long (past the level's target). One query."""
    qs = Dispute.objects.filter(figures_scope(actor).q("region"))
    if start:
        qs = qs.filter(found_at__date__gte=start)
    if end:
        qs = qs.filter(found_at__date__lte=end)
    if by == "village":
        return _dispute_figures(qs, ["township__name", "village__code", "village__name"])
    return _dispute_figures(qs, ["township__code", "township__name"])


def dispute_totals(*, actor) -> dict:
    now = timezone.now()
    return Dispute.objects.filter(actor_scope(actor).q("region")).aggregate(
        found=Count("pk"),
        open=Count("pk", filter=Q(status=DisputeStatus.OPEN)),
        resolved=Count("pk", filter=Q(status=DisputeStatus.RESOLVED)),
        overdue=Count("pk", filter=Q(status=DisputeStatus.OPEN, due_at__lt=now)),
    )


def publicity_counts(*, actor, year: int, by: str = "township") -> list[dict]:
    qs = PublicityRecord.objects.filter(figures_scope(actor).q("village"), held_on__year=year)
    fields = ["township__name", "village__name"] if by == "village" else ["township__name"]
    return list(qs.values(*fields).annotate(sessions=Count("pk"), audience=Sum("audience")).order_by(*fields))
