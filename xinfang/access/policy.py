"""The one access policy: what an actor may see of petitions, and whose identity is shown.

Every selector, page, API view, export, document and notification that touches petitions
goes through here; nothing filters petitions on its own.

- Scope follows the unit and region tree: the petition office (clerk, office, admin) sees
  its jurisdiction; a handling unit only what is assigned to it; a supervisor the townships
  of their supervision group(s); a leader their jurisdiction plus what they lead or
  instructed; viewers and network roles no individual petitions.
- Respondent block: a user recorded as a respondent of a petition never sees it (404).
- Identity: for confidential petitions only the registering office's clerk/office roles (or
  a per-petition grant) see name, ID number, phone, address and work unit.
"""

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.org.models import NetworkPost, PostRole, Role
from xinfang.petitions.models import Petition

OFFICE_ROLES = (Role.ADMIN, Role.CLERK, Role.OFFICE)
IDENTITY_ROLES = (Role.CLERK, Role.OFFICE)


def _region_q(prefix: str, region_path: str) -> Q:
    return Q(**{f"{prefix}region__path__startswith": region_path})


def supervised_township_paths(actor) -> list[str]:
    return list(
        NetworkPost.objects.filter(role=PostRole.SUPERVISOR, user=actor, ended_on__isnull=True)
        .values_list("supervision_group__townships__path", flat=True)
        .exclude(supervision_group__townships__path__isnull=True)
    )


def scope_q(actor) -> Q | None:
    """A Q selecting the petitions in the actor's scope, or None for "nothing"."""
    if actor is None or not actor.is_authenticated or not actor.is_active or actor.unit_id is None:
        return None
    unit = actor.unit
    q = Q(pk__in=[])
    granted = False
    if actor.has_role(*OFFICE_ROLES) or actor.is_superuser:
        q |= _region_q("", unit.region.path)
        granted = True
    if actor.has_role(Role.LEADER):
        q |= _region_q("", unit.region.path) | Q(case_leader=actor) | Q(events__actor=actor, events__action="instruct")
        granted = True
    if actor.has_role(Role.UNIT_HANDLER):
        q |= Q(handling_unit=unit)
        granted = True
    if actor.has_role(Role.SUPERVISOR):
        for path in supervised_township_paths(actor):
            q |= _region_q("", path)
        granted = True
    return q if granted else None


def visible_petitions(actor, queryset: QuerySet[Petition] | None = None) -> QuerySet[Petition]:
    """The petitions this actor may see: scope, minus any where the actor is a respondent."""
    qs = queryset if queryset is not None else Petition.objects.all()
    q = scope_q(actor)
    if q is None:
        return qs.none()
    blocked = Petition.objects.filter(respondents__user=actor).values("pk")
    return qs.filter(pk__in=Petition.objects.filter(q).values("pk")).exclude(pk__in=blocked)


def get_visible_petition(actor, reg_no: str, *, for_update: bool = False) -> Petition:
    """The petition, or NotFound (404) alike for absent, out of scope and respondent-blocked."""
    qs = visible_petitions(actor, Petition.objects.filter(reg_no=reg_no))
    if for_update:
        qs = Petition.objects.select_for_update().filter(pk__in=qs.values("pk"))
    petition = qs.first()
    if petition is None:
        raise NotFound("未找到该信访件")
    return petition


def can_view_identity(actor, petition: Petition) -> bool:
    """Whether the actor sees the petitioners' identity unmasked."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.has_role(*IDENTITY_ROLES) and actor.unit_id == petition.office_id:
        return True
    if not petition.confidential:
        return visible_petitions(actor, Petition.objects.filter(pk=petition.pk)).exists()
    return False


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "****"


HIDDEN = "（已隐藏）"


def petitioner_identity(actor, petition: Petition, petitioner) -> dict:
    """The identity fields of one petitioner as this actor may see them."""
    data = {
        "name": petitioner.name,
        "id_number": petitioner.id_number,
        "phone": petitioner.phone,
        "address": petitioner.address,
        "work_unit": petitioner.work_unit,
        "masked": False,
    }
    if can_view_identity(actor, petition):
        return data
    return {
        "name": mask_name(petitioner.name),
        "id_number": HIDDEN if petitioner.id_number else "",
        "phone": mask_phone(petitioner.phone),
        "address": HIDDEN if petitioner.address else "",
        "work_unit": HIDDEN if petitioner.work_unit else "",
        "masked": True,
    }
