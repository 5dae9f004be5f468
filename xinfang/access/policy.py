"""The one access policy: what an actor may see of petitions, and whose identity is shown.

Every selector, page, API view, export, document and notification that touches petitions
goes through here; nothing filters petitions on its own.

- Scope follows the unit and region tree: the petition office (clerk, office, admin) sees
  its jurisdiction (and what it registered); a handling unit only what is assigned to it
  (from assignment on); a supervisor the townships of their supervision group(s); a leader
  their jurisdiction plus what they lead or instructed; viewers and network roles no
  individual petitions (aggregates only).
- Respondent block: a user recorded as a respondent of a petition (linked directly, or a
  name + unit match confirmed by the office: `RespondentMatch`) never sees it (404), and is
  never chosen as its handler, leader or approver (`assert_not_respondent`).
- Identity: for protected petitions (confidential, and every 检举控告 by default) only the
  registering office's holders of `view_identity` (clerk and office roles, or the
  `access.view_identity` permission) see name, ID number, phone, address and work unit;
  anyone else only through an `IdentityGrant` for that petition. Every unmasked view is
  written to `AccessRecord` (`identity_for_display` / `petitioner_identity`).

Role lookups and the list of petitions naming the actor (the respondent block) are cached on the user instance, the
block until a respondent or match is written (`respondents_changed`); a list then costs one query (subqueries).
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.core.errors import NotFound
from xinfang.org.models import ORGAN_KINDS, NetworkPost, PostRole, Region, Role, Unit
from xinfang.petitions.event_types import EventType
from xinfang.petitions.models import Nature, Petition, PetitionEvent, Respondent

if TYPE_CHECKING:
    from xinfang.access.models import IdentityGrant

OFFICE_ROLES = (Role.ADMIN, Role.CLERK, Role.OFFICE)
IDENTITY_ROLES = (Role.CLERK, Role.OFFICE)
IDENTITY_PERMISSION = "access.view_identity"
IDENTITY_FIELDS = ("name", "id_number", "phone", "address", "work_unit")
HIDDEN = "（已隐藏）"


def _active(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.unit_id is not None


def _region_q(region_path: str) -> Q:
    """The petitions whose region lies in the subtree at `region_path`. An EXISTS on the region row, not a join: in the
    worklist's counts (a scope in each of 14 buckets) PostgreSQL spent 7–13 ms planning the joins at 1M petitions,
    and the EXISTS under the scope's OR runs as cheaply (docs/data.md, 2026-12-04)."""
    return Q(Exists(Region.objects.filter(pk=OuterRef("region_id"), path__startswith=region_path)))


def supervised_township_paths(actor) -> list[str]:
    """Region paths of the townships covered by the actor's active supervisor posts (cached per user instance)."""
    cached = getattr(actor, "_xf_supervised_paths", None)
    if cached is None:
        cached = list(
            NetworkPost.objects.filter(role=PostRole.SUPERVISOR, user=actor, ended_on__isnull=True)
            .exclude(supervision_group__townships__path__isnull=True)
            .values_list("supervision_group__townships__path", flat=True)
            .distinct()
        )
        actor._xf_supervised_paths = cached
    return cached


def _jurisdiction_path(actor) -> str:
    path = getattr(actor, "_xf_region_path", None)
    if path is None:
        path = actor.unit.region.path
        actor._xf_region_path = path
    return path


def review_unit_ids(actor) -> list[int]:
    """For a holder of the reviewer role (the staff of a review organ, a city or province held in this deployment): the
    review organs whose work the user does: the own unit, its internal offices (units under it at the same level that
    are not organs of their own: a city government's departments and bureau answer their reviews themselves, the county
    government under it is the county's), and, for a petition bureau, the government it serves. Empty for everyone else
    (their scope is the region and unit tree)."""
    cached = getattr(actor, "_xf_review_units", None)
    if cached is not None:
        return cached
    ids: list[int] = []
    unit = actor.unit if actor.unit_id else None
    if unit is not None and actor.has_role(Role.REVIEWER):
        offices = Unit.objects.filter(parent_id=unit.pk, region_id=unit.region_id).exclude(kind__in=ORGAN_KINDS)
        ids = [unit.pk, *offices.values_list("pk", flat=True)]
        if unit.is_petition_office and unit.parent_id:
            ids.append(unit.parent_id)
    actor._xf_review_units = ids
    return ids


def scope_q(actor) -> Q | None:
    """A Q selecting the petitions in the actor's scope (before the respondent block), or None for "nothing".

    A reviewer (the staff of a review organ, Role.REVIEWER) sees the cases under review at that organ and the reviews it
    was asked before, not the county's worklists."""
    if not _active(actor):
        return None
    q = Q(pk__in=[])
    granted = False
    upper = review_unit_ids(actor)
    if upper:
        # The review asked of the organ now, and the earlier ones it was asked (its own opinion stays readable after a
        # 复核 goes one level up): the request events name the organ's code (petitions.review).
        codes = list(Unit.objects.filter(pk__in=upper).values_list("code", flat=True))
        asked = PetitionEvent.objects.filter(
            petition=OuterRef("pk"),
            action__in=[EventType.REQUEST_REVIEW, EventType.REQUEST_REREVIEW],
            data__organ__in=codes,
            data__organ_external=False,
        )
        q |= Q(review_unit_id__in=upper) | Q(Exists(asked))
        granted = True
    if actor.has_role(*OFFICE_ROLES) or actor.is_superuser:
        q |= Q(office_id=actor.unit_id) | _region_q(_jurisdiction_path(actor))  # the cheap test first: OR keeps the order
        granted = True
    if actor.has_role(Role.LEADER):
        instructed = PetitionEvent.objects.filter(petition=OuterRef("pk"), actor=actor, action=EventType.INSTRUCT)
        q |= _region_q(_jurisdiction_path(actor)) | Q(case_leader=actor) | Q(Exists(instructed))
        granted = True
    if actor.has_role(Role.UNIT_HANDLER):
        # Only what is assigned to the unit: handling_unit is set by the assignment and
        # cleared/replaced when the petition is returned or re-routed.
        q |= Q(handling_unit_id=actor.unit_id)
        granted = True
    if actor.has_role(Role.SUPERVISOR):
        for path in supervised_township_paths(actor):
            q |= _region_q(path)
        granted = True
    return q if granted else None


# The respondent block is resolved to the list of petitions naming the actor, once per user instance (a request) and
# again after a respondent or a match is written in this process (`respondents_changed`). Almost everyone is named in
# no petition, and an empty list leaves the lists' statements without the block: as a correlated EXISTS it was
# planned and run for every row (two thirds of the worklist counts' time on SQLite at 50,000 petitions). Above
# BLOCK_LIST_MAX petitions the EXISTS again.
BLOCK_LIST_MAX = 500
_block_generation = 0


def respondents_changed() -> None:
    """A respondent, a match or a clearance was written: every cached block is read again at its next use (now, for
    the writer's own transaction, and again once it commits, for the other threads of this process)."""
    _next_block_generation()
    if connection.in_atomic_block:
        transaction.on_commit(_next_block_generation)  # not respondents_changed: a callback must not add another


def _next_block_generation() -> None:
    global _block_generation
    _block_generation += 1


def blocked_petition_ids(actor) -> list[int] | None:
    """The petitions where the actor is a respondent (respondent_block_q), or None when they are more than
    BLOCK_LIST_MAX. One query per user instance until respondents change."""
    cached = actor.__dict__.get("_xf_blocked")
    if cached is not None and cached[0] == _block_generation:
        return cached[1]
    generation = _block_generation
    linked = Respondent.objects.filter(Q(user=actor) | _match_q(actor)).order_by().values_list("petition_id", flat=True)
    ids = sorted(set(linked[: BLOCK_LIST_MAX + 1]))
    result = ids if len(ids) <= BLOCK_LIST_MAX else None
    actor.__dict__["_xf_blocked"] = (generation, result)
    return result


def respondent_block_q(actor) -> Q:
    """Petitions where the actor is a respondent: linked directly, by a match the office confirmed, or by a match
    presumed at registration (same name, same unit) that the office has not cleared."""
    ids = blocked_petition_ids(actor)
    if ids is not None:
        return Q(pk__in=ids)  # excluded: nothing at all for the many named nowhere
    linked = Respondent.objects.filter(petition=OuterRef("pk")).filter(Q(user=actor) | _match_q(actor))
    return Q(Exists(linked))


def _match_q(user) -> Q:
    # One filter() call: user and clearance are conditions on the same match row.
    return Q(matches__user=user, matches__clearance__isnull=True)


def visible_petitions(actor, queryset: QuerySet[Petition] | None = None) -> QuerySet[Petition]:
    """The petitions this actor may see: scope, minus any where the actor is a respondent. One query."""
    qs = queryset if queryset is not None else Petition.objects.all()
    q = scope_q(actor)
    if q is None:
        return qs.none()
    # Every condition is on the petition row itself or an EXISTS subquery: no join multiplies rows.
    return qs.filter(q).exclude(respondent_block_q(actor))


def with_visible_petition(actor, queryset: QuerySet, field: str = "petition") -> QuerySet:
    """Rows of another model (orders, urgings, summaries) whose petition the actor may see.

    A correlated EXISTS on the row's petition, so the cost follows the rows asked: `petition__in=<visible petitions>`
    made SQLite build the list of every visible petition first (80 ms at 50,000 petitions for a page with no orders)."""
    visible = visible_petitions(actor, Petition.objects.filter(pk=OuterRef(f"{field}_id")))
    if visible.query.is_empty():  # no scope at all
        return queryset.none()
    return queryset.filter(Exists(visible))


def can_see(actor, petition: Petition) -> bool:
    """Whether the actor may see this petition (scope and respondent block). Cached per (actor, petition)."""
    if not _active(actor):
        return False
    cache = actor.__dict__.setdefault("_xf_can_see", {})
    if petition.pk not in cache:
        cache[petition.pk] = visible_petitions(actor, Petition.objects.filter(pk=petition.pk)).exists()
    return cache[petition.pk]


def can_see_many(actor, petitions) -> None:
    """can_see() for a page of petitions in one query (a list page would otherwise ask once per row)."""
    if not _active(actor):
        return
    cache = actor.__dict__.setdefault("_xf_can_see", {})
    unknown = [p.pk for p in petitions if p.pk not in cache]
    if not unknown:
        return
    visible = set(visible_petitions(actor, Petition.objects.filter(pk__in=unknown)).values_list("pk", flat=True))
    for pk in unknown:
        cache[pk] = pk in visible


def get_visible_petition(actor, reg_no: str, *, for_update: bool = False) -> Petition:
    """The petition, or NotFound (404) alike for absent, out of scope and respondent-blocked."""
    qs = visible_petitions(actor, Petition.objects.filter(reg_no=reg_no))
    if for_update:
        qs = Petition.objects.select_for_update().filter(pk__in=qs.values("pk"))
    petition = qs.first()
    if petition is None:
        raise NotFound("未找到该信访件")
    return petition


def is_respondent(user, petition: Petition) -> bool:
    """Whether `user` is a respondent of the petition (linked, or a confirmed match)."""
    if user is None or user.pk is None:
        return False
    return Respondent.objects.filter(petition=petition).filter(Q(user=user) | _match_q(user)).exists()


def assert_not_respondent(user, petition: Petition, *, as_what: str = "办理人") -> None:
    """Refuse choosing a respondent as the petition's handler, leader or approver (for the lifecycle services)."""
    from xinfang.core.errors import InvalidInput

    if is_respondent(user, petition):
        raise InvalidInput(f"该人员是本件的被反映人，不能作为{as_what}", fields={"user": ["被反映人回避"]})


def respondent_unit_ids(petition: Petition) -> set[int]:
    """Units where a respondent works: the recorded unit, and the unit of a linked, confirmed or presumed (not
    cleared) account."""
    ids = set()
    for r in Respondent.objects.filter(petition=petition).select_related("user").prefetch_related("matches__user", "matches__clearance"):
        if r.unit_id:
            ids.add(r.unit_id)
        if r.user is not None and r.user.unit_id:  # joined by select_related: no query
            ids.add(r.user.unit_id)
        for m in r.matches.all():
            if m.user.unit_id and not hasattr(m, "clearance"):
                ids.add(m.user.unit_id)
    return ids


# ---------------------------------------------------------------- accusations never reach the accused
#
# 《信访工作条例》第四十六条第（五）项: passing a petitioner's 检举、揭发 material, or word of it, to the person or
# the unit accused (“转给被检举、揭发的人员或者单位”) is a breach. So a 检举控告 is never assigned or forwarded to a
# unit where a respondent works — no override, no written reason — and goes to that unit's superior or to the
# discipline organ (纪检监察机关). One guard, used by the assign and forward services (409 `respondent_unit`), the
# assign form's unit choices and the routing suggestions.

DISCIPLINE_NAMES = ("纪委", "监委", "纪检", "监察委", "纪律检查")


def accused_unit_ids(petition: Petition) -> set[int]:
    """Units a 检举控告 may never go to (empty for other natures: their respondents stay blocked as persons)."""
    if petition.nature != Nature.REPORT:
        return set()
    return respondent_unit_ids(petition)


def _accused_unit_names(petition: Petition) -> list[str]:
    from xinfang.org.models import Unit

    names = set(Unit.objects.filter(pk__in=accused_unit_ids(petition)).values_list("name", flat=True))
    if petition.nature == Nature.REPORT:
        names |= {n for n in Respondent.objects.filter(petition=petition).values_list("unit_name", flat=True) if n}
    return sorted(n.strip() for n in names if n and n.strip())


def _same_organ(a: str, b: str) -> bool:
    """Free-text organ names: equal, or one inside the other (县人社局 / 县人社局劳动监察大队) once 3 characters long."""
    a, b = "".join(a.split()), "".join(b.split())
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 3 and (a in b or b in a)))


def assert_not_accused_unit(petition: Petition, *, unit=None, authority: str = "") -> None:
    """Refuse sending a 检举控告 to a unit where a respondent works (assign: `unit`; forward: the `authority` named)."""
    from xinfang.core.errors import Conflict, ErrorCode

    rule = "检举控告材料不得转给被检举、揭发的人员或者单位（《信访工作条例》第四十六条）"
    if unit is not None and unit.pk in accused_unit_ids(petition):
        msg = f"“{unit.name}”是被反映人所在单位，{rule}；请交其上级机关或纪检监察机关办理"
        raise Conflict(msg, code=ErrorCode.RESPONDENT_UNIT, fields={"handling_unit": [msg]})
    if authority and petition.nature == Nature.REPORT:
        hit = next((n for n in _accused_unit_names(petition) if _same_organ(authority, n)), None)
        if hit:
            same = "".join(authority.split()) == "".join(hit.split())
            msg = f"“{authority}”是被反映人所在单位{'' if same else f'（{hit}）'}，{rule}；请转送其上级机关或纪检监察机关"
            raise Conflict(msg, code=ErrorCode.RESPONDENT_UNIT, fields={"authority": [msg]})


def assignable_units(petition: Petition, units):
    """The units the assign form offers: `units` minus those the guard would refuse."""
    excluded = accused_unit_ids(petition)
    return units.exclude(pk__in=excluded) if excluded else units


def discipline_organs():
    """Active units that are discipline organs (纪检监察机关) by name, e.g. 县纪委监委."""
    from xinfang.org.models import Unit

    q = Q()
    for word in DISCIPLINE_NAMES:
        q |= Q(name__contains=word)
    return Unit.objects.filter(q, active=True).order_by("code")


def accused_alternatives(petition: Petition) -> list[tuple]:
    """[(unit, reason)] to offer instead of the accused units: each one's superior (when it is not accused itself),
    then the discipline organs; in that order, without repeats."""
    from xinfang.org.models import Unit

    excluded = accused_unit_ids(petition)
    if not excluded:
        return []
    out, seen = [], set(excluded)
    for unit in Unit.objects.filter(pk__in=excluded).select_related("parent").order_by("code"):
        parent = unit.parent
        if parent is not None and parent.active and parent.pk not in seen:
            seen.add(parent.pk)
            out.append((parent, f"被反映人所在单位“{unit.name}”回避，交其上级机关办理"))
    for organ in discipline_organs():
        if organ.pk not in seen:
            seen.add(organ.pk)
            out.append((organ, "检举控告，交纪检监察机关办理"))
    return out


# ---------------------------------------------------------------- identity


def is_protected(petition: Petition) -> bool:
    """Identity is protected for confidential petitions and for every 检举控告 (report)."""
    return bool(petition.confidential or petition.nature == Nature.REPORT)


def holds_identity_right(actor, petition: Petition) -> bool:
    """`view_identity` in the registering office: clerk/office role there, or the explicit permission.

    The superuser flag does not confer it (the admin never shows identity in clear).
    """
    if not _active(actor) or actor.unit_id != petition.office_id:
        return False
    if actor.has_role(*IDENTITY_ROLES):
        return True
    return _explicit_identity_perm(actor)


def _explicit_identity_perm(actor) -> bool:
    """The `access.view_identity` permission given to the user or a group (never implied by is_superuser)."""
    perms = getattr(actor, "_xf_identity_perm", None)
    if perms is None:
        from django.contrib.auth.models import Permission

        perms = Permission.objects.filter(
            Q(user=actor) | Q(group__user=actor), content_type__app_label="access", codename="view_identity"
        ).exists()
        actor._xf_identity_perm = perms
    return perms


def active_grants(actor, petition: Petition):
    from xinfang.access.models import IdentityGrant

    now = timezone.now()
    return (
        IdentityGrant.objects.filter(petition=petition, revocation__isnull=True)
        .filter(Q(grantee_user=actor) | Q(grantee_unit_id=actor.unit_id))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-granted_at", "-pk")
    )


def visible_identity_fields(actor, petition: Petition) -> tuple[frozenset, "IdentityGrant | None"]:
    """(the identity fields this actor sees unmasked, the grant it relies on or None). Cached per (actor, petition)."""
    if not _active(actor):
        return frozenset(), None
    cache = actor.__dict__.setdefault("_xf_identity_fields", {})
    key = (petition.pk, petition.confidential, petition.nature)
    if key in cache:
        return cache[key]
    result: tuple[frozenset, IdentityGrant | None] = (frozenset(), None)
    if not can_see(actor, petition):
        pass
    elif holds_identity_right(actor, petition):
        result = (frozenset(IDENTITY_FIELDS), None)
    else:
        if not is_protected(petition):
            result = (frozenset(IDENTITY_FIELDS), None)
        else:
            fields: set = set()
            first = None
            for grant in active_grants(actor, petition):
                fields |= set(grant.fields or IDENTITY_FIELDS)
                first = first or grant
            result = (frozenset(fields & set(IDENTITY_FIELDS)), first)
    cache[key] = result
    return result


def identity_searchable(actor, queryset: QuerySet[Petition] | None = None) -> QuerySet[Petition]:
    """Visible petitions that may be matched by identity (ID number, phone, name search; repeat detection).

    Matching a protected petition by ID or phone would tell the searcher who the petitioner is, so only
    petitions whose identity the actor may see are searchable: not protected, or registered by the
    actor's office with the identity right there, or covered by an active grant. One query.
    """
    from xinfang.access.models import IdentityGrant

    qs = visible_petitions(actor, queryset)
    if not _active(actor):
        return qs.none()
    q = Q(confidential=False) & ~Q(nature=Nature.REPORT)
    if actor.has_role(*IDENTITY_ROLES) or _explicit_identity_perm(actor):
        q |= Q(office_id=actor.unit_id)
    grants = (
        IdentityGrant.objects.filter(petition=OuterRef("pk"), revocation__isnull=True)
        .filter(Q(grantee_user=actor) | Q(grantee_unit_id=actor.unit_id))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    )
    return qs.filter(q | Q(Exists(grants)))


def can_view_identity(actor, petition: Petition) -> bool:
    """Whether the actor sees the petitioners' whole identity unmasked."""
    fields, _grant = visible_identity_fields(actor, petition)
    return fields == frozenset(IDENTITY_FIELDS)


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


def _masked_value(field: str, value: str) -> str:
    if not value:
        return ""
    if field == "name":
        return mask_name(value)
    if field == "phone":
        return mask_phone(value)
    return HIDDEN


def _identity_dict(petitioner, fields: frozenset) -> dict:
    data = {}
    for f in IDENTITY_FIELDS:
        value = getattr(petitioner, f) or ""
        data[f] = value if f in fields else _masked_value(f, value)
    data["masked"] = fields != frozenset(IDENTITY_FIELDS)
    data["is_representative"] = petitioner.is_representative
    return data


def _ordered(fields) -> list[str]:
    """Identity fields in their natural order (name, ID, phone, address, work unit), then anything else."""
    return [f for f in IDENTITY_FIELDS if f in fields] + sorted(f for f in fields if f not in IDENTITY_FIELDS)


def _window_start():
    """Views by one person of one petition in the same way (fields, purpose, grant) within this window are one record:
    a clerk reloading a case 25 times in 5 minutes is one view (settings.XINFANG_ACCESS_LOG_WINDOW_MINUTES, default 30)."""
    minutes = int(getattr(settings, "XINFANG_ACCESS_LOG_WINDOW_MINUTES", 30))
    return timezone.now() - timedelta(minutes=minutes) if minutes > 0 else None


def _recorded_recently(actor, petition_ids) -> set[tuple]:
    """(petition id, fields, purpose, grant id) of the actor's records still inside the window, in one query."""
    from xinfang.access.models import AccessRecord

    since = _window_start()
    if since is None or not _active(actor) or not petition_ids:
        return set()
    rows = AccessRecord.objects.filter(user=actor, petition_id__in=list(petition_ids), at__gte=since)
    return {
        (pid, tuple(fields), purpose, grant_id)
        for pid, fields, purpose, grant_id in rows.values_list("petition_id", "fields", "purpose", "via_grant_id")
    }


def _log(actor, petition: Petition, fields, *, purpose: str, path: str, grant=None) -> None:
    from xinfang.access.models import AccessRecord
    from xinfang.audit.chain import append_access_records

    ordered, purpose = _ordered(fields), (purpose or "查看")[:200]
    if (petition.pk, tuple(ordered), purpose, grant.pk if grant else None) in _recorded_recently(actor, [petition.pk]):
        return
    # Chained per petition (seq, HMAC, signed head), like the events: the log cannot lose a view unseen.
    append_access_records(
        [
            AccessRecord(
                user=actor if _active(actor) else None,
                at=timezone.now(),
                petition=petition,
                fields=ordered,
                purpose=purpose,
                path=(path or "")[:300],
                via_grant=grant,
            )
        ]
    )


def log_access(actor, petition: Petition, fields, *, purpose: str, path: str = "", grant=None) -> None:
    """Record a view of protected material that is not an identity dict (e.g. an attachment: fields=["attachment"])."""
    _log(actor, petition, set(fields), purpose=purpose, path=path, grant=grant)


def petitioner_identity(actor, petition: Petition, petitioner, *, purpose: str = "查看信访件", path: str = "") -> dict:
    """The identity fields of one petitioner as this actor may see them; an unmasked view is logged.

    For a whole petition prefer `identity_for_display` (one access record for all its petitioners).
    """
    fields, grant = visible_identity_fields(actor, petition)
    data = _identity_dict(petitioner, fields)
    shown = {f for f in fields if getattr(petitioner, f)}
    if shown:
        _log(actor, petition, shown, purpose=purpose, path=path, grant=grant)
    return data


def identity_for_display(actor, petition: Petition, *, purpose: str, path: str = "") -> list[dict]:
    """Every petitioner's identity dict as the actor may see it; writes one AccessRecord when anything is unmasked.

    `purpose` says why (e.g. "查看信访件详情", "导出交办单"); `path` is the page or API path.
    """
    fields, grant = visible_identity_fields(actor, petition)
    people = list(petition.petitioners.all())
    result = [_identity_dict(p, fields) for p in people]
    shown = {f for f in fields for p in people if getattr(p, f)}
    if shown:
        _log(actor, petition, shown, purpose=purpose, path=path, grant=grant)
    return result


def identities_as_entered(actor, petition: Petition) -> list[dict]:
    """The registration response: the petitioners the actor has just entered (the service's own objects, nothing
    decrypted), masked as the actor may see them. Not an access record: nothing stored is disclosed, and the
    register event already names who entered them."""
    fields, _grant = visible_identity_fields(actor, petition)
    return [_identity_dict(p, fields) for p in petition.petitioners.all()]


def identities_for_list(actor, petitions, *, purpose: str, path: str = "") -> dict[int, list[dict]]:
    """For a page of petitions (with `petitioners` prefetched): {petition pk: [identity dicts]}, logged in one bulk insert."""
    from xinfang.access.models import AccessRecord

    out: dict[int, list[dict]] = {}
    records = []
    now = timezone.now()
    petitions = list(petitions)
    can_see_many(actor, petitions)
    recent = _recorded_recently(actor, [p.pk for p in petitions])
    for petition in petitions:
        fields, grant = visible_identity_fields(actor, petition)
        people = list(petition.petitioners.all())
        out[petition.pk] = [_identity_dict(p, fields) for p in people]
        shown = {f for f in fields for p in people if getattr(p, f)}
        if shown and (petition.pk, tuple(_ordered(shown)), purpose[:200], grant.pk if grant else None) not in recent:
            records.append(
                AccessRecord(
                    user=actor, at=now, petition=petition, fields=_ordered(shown), purpose=purpose[:200], path=path[:300], via_grant=grant
                )
            )
    if records:
        from xinfang.audit.chain import append_access_records

        append_access_records(records)
    return out
