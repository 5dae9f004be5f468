"""Reads of the access app: the access log for auditors, grants and respondent candidates of a petition,
and search by identity (keyed hashes) through the policy."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinfang.access import policy
from xinfang.access.models import AccessRecord, IdentityGrant, RespondentMatch
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role, User
from xinfang.petitions.models import Petition, Respondent

AUDITOR_ROLES = (Role.ADMIN,)
# The registering office reads the log of its own petitions (who looked at its petitioners' identity).
OWN_LOG_ROLES = (Role.OFFICE,)


def can_audit(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active and (actor.has_role(*AUDITOR_ROLES) or actor.is_superuser)


def reads_own_log(actor) -> bool:
    """An office user (not an auditor) who reads the records of the petitions their own unit registered."""
    return actor is not None and actor.is_authenticated and actor.is_active and bool(actor.unit_id) and actor.has_role(*OWN_LOG_ROLES)


def may_read_access_log(actor) -> bool:
    return can_audit(actor) or reads_own_log(actor)


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def access_records(*, actor, user: str = "", petition: str = "", date_from: date | None = None, date_to: date | None = None) -> QuerySet:
    """The access log, newest first, filtered by username/name, reg_no and dates: all of it for auditors (admin role);
    for the office, the records of the petitions its unit registered (that it may see: never one it is accused in)."""
    if not may_read_access_log(actor):
        raise NoPermission("只有系统管理员（审计）和登记机关的信访办可以查看身份信息查看记录")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("开始日期不能晚于结束日期", fields={"date_to": ["开始日期不能晚于结束日期"]})
    qs = AccessRecord.objects.select_related("user", "user__unit", "petition")
    if not can_audit(actor):
        own = policy.visible_petitions(actor, Petition.objects.filter(office_id=actor.unit_id))
        qs = qs.filter(petition_id__in=own.values("pk"))
    if user:
        qs = qs.filter(Q(user__username=user) | Q(user__name=user))
    if petition:
        qs = qs.filter(petition__reg_no=petition.strip())
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to) + timezone.timedelta(days=1))
    return qs.order_by("-at", "-pk")


def grants_for_petition(*, actor, petition: Petition) -> list[IdentityGrant]:
    if not policy.holds_identity_right(actor, petition):
        raise NoPermission("只有登记机关中有身份信息查看权限的人员可以管理身份授权")
    return list(
        IdentityGrant.objects.filter(petition=petition)
        .select_related("grantee_user", "grantee_user__unit", "grantee_unit", "granted_by", "revocation", "revocation__revoked_by")
        .order_by("-granted_at", "-pk")
    )


def respondents_with_matches(*, actor, petition: Petition) -> list[dict]:
    """Each respondent with its linked user, confirmed matches and candidate users (same name, same unit)."""
    if not policy.holds_identity_right(actor, petition):
        raise NoPermission("只有登记机关中有身份信息查看权限的人员可以确认被反映人")
    respondents = list(
        Respondent.objects.filter(petition=petition)
        .select_related("user", "unit")
        .prefetch_related("matches__user__unit", "matches__clearance__cleared_by")
        .order_by("pk")
    )
    names = {r.name for r in respondents if r.name}
    candidates = list(User.objects.filter(name__in=names, is_active=True).select_related("unit")) if names else []
    out = []
    for r in respondents:
        matched = {m.user_id for m in r.matches.all()} | ({r.user_id} if r.user_id else set())
        cands = [
            u
            for u in candidates
            if u.name == r.name
            and u.pk not in matched
            and (not (r.unit_id or r.unit_name) or u.unit_id == r.unit_id or (u.unit and u.unit.name == r.unit_name))
        ]
        out.append({"respondent": r, "matches": list(r.matches.all()), "candidates": cands})
    return out


def petitions_by_identity(*, actor, value: str) -> QuerySet[Petition]:
    """Petitions whose petitioner has this ID number or phone (keyed-hash match, nothing decrypted), among
    those the actor may match by identity (`policy.identity_searchable`): a protected petition is never
    confirmed to someone who may not see its petitioner."""
    h = keyed_hash(value)
    if not h:
        return Petition.objects.none()
    return policy.identity_searchable(actor).filter(Q(petitioners__id_hash=h) | Q(petitioners__phone_hash=h)).distinct()


def matches_of_user(user) -> QuerySet[RespondentMatch]:
    return RespondentMatch.objects.filter(user=user)
