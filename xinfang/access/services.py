"""Writes of the access app: identity grants, their revocation, respondent matches.

Each one checks the actor's right, writes its record and one petition event (the
hash-chained history) in one transaction. Nothing is updated or deleted.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from xinfang.access import policy
from xinfang.access.models import (
    ALL_IDENTITY_FIELDS,
    GrantRevocation,
    IdentityField,
    IdentityGrant,
    RespondentMatch,
    RespondentMatchClearance,
)
from xinfang.core.errors import Conflict, InvalidInput, NoPermission
from xinfang.org.models import Unit, User
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Petition, Respondent


def _lock_for_identity_admin(actor, petition_or_reg_no) -> Petition:
    reg_no = petition_or_reg_no.reg_no if isinstance(petition_or_reg_no, Petition) else petition_or_reg_no
    petition = policy.get_visible_petition(actor, reg_no, for_update=True)
    if not policy.holds_identity_right(actor, petition):
        raise NoPermission("只有登记机关中有身份信息查看权限的人员可以办理身份授权和被反映人确认")
    return petition


@transaction.atomic
def identity_grant_create(
    *,
    actor: User,
    petition: Petition | str,
    reason: str,
    fields: list[str] | None = None,
    grantee_user: User | None = None,
    grantee_unit: Unit | None = None,
    expires_at: datetime | None = None,
) -> IdentityGrant:
    """Let one user or one unit see the identity of this petition's petitioners, with a recorded reason."""
    petition = _lock_for_identity_admin(actor, petition)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if len(reason) < 4:
        errors["reason"] = ["请填写授权理由（至少4个字）"]
    fields = list(dict.fromkeys(fields or ALL_IDENTITY_FIELDS))
    bad = [f for f in fields if f not in ALL_IDENTITY_FIELDS]
    if bad or not fields:
        errors["fields"] = ["请选择要授权查看的字段"]
    if (grantee_user is None) == (grantee_unit is None):
        errors["grantee"] = ["请选择授权给一名人员或一个单位（二选一）"]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["有效期必须晚于现在"]
    if grantee_user is not None:
        if policy.is_respondent(grantee_user, petition):
            errors["grantee"] = ["该人员是本件的被反映人，不能授权"]
        elif not policy.can_see(grantee_user, petition):
            errors["grantee"] = ["该人员不能查看此信访件（不在其职责范围内），授权无效"]
    if grantee_unit is not None and grantee_unit.pk in policy.respondent_unit_ids(petition):
        errors.setdefault("grantee", []).append("该单位是被反映人所在单位，不能整体授权；如确需授权请授权到具体人员")
    if errors:
        raise InvalidInput("授权信息有误：" + "；".join(m for ms in errors.values() for m in ms), fields=errors)
    grant = IdentityGrant.objects.create(
        petition=petition,
        grantee_user=grantee_user,
        grantee_unit=grantee_unit,
        fields=[f for f in ALL_IDENTITY_FIELDS if f in fields],
        reason=reason,
        granted_by=actor,
        granted_at=timezone.now(),
        expires_at=expires_at,
    )
    record_event(
        petition=petition,
        action=EventType.IDENTITY_GRANT,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={
            "grant": grant.pk,
            "grantee_user": grantee_user.username if grantee_user else "",
            "grantee_unit": grantee_unit.code if grantee_unit else "",
            "fields": grant.fields,
            "reason": reason,
            "expires_at": expires_at.isoformat() if expires_at else "",
        },
    )
    return grant


@transaction.atomic
def identity_grant_revoke(*, actor: User, grant: IdentityGrant | int, reason: str) -> GrantRevocation:
    """Revoke a grant: a new record; the grant row is never changed."""
    grant_id = grant.pk if isinstance(grant, IdentityGrant) else grant
    grant = IdentityGrant.objects.select_related("petition").filter(pk=grant_id).first()
    if grant is None:
        from xinfang.core.errors import NotFound

        raise NotFound("未找到该授权")
    petition = _lock_for_identity_admin(actor, grant.petition)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写撤销理由", fields={"reason": ["请填写撤销理由"]})
    if GrantRevocation.objects.filter(grant=grant).exists():
        raise Conflict("该授权已撤销")
    revocation = GrantRevocation.objects.create(grant=grant, revoked_by=actor, revoked_at=timezone.now(), reason=reason)
    record_event(
        petition=petition,
        action=EventType.IDENTITY_GRANT_REVOKE,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"grant": grant.pk, "reason": reason},
    )
    return revocation


@transaction.atomic
def respondent_match_confirm(*, actor: User, respondent: Respondent | int, user: User, note: str = "") -> RespondentMatch:
    """The office confirms that a respondent recorded by name and unit is this user: from now on the user gets 404."""
    respondent_id = respondent.pk if isinstance(respondent, Respondent) else respondent
    respondent = Respondent.objects.select_related("petition").filter(pk=respondent_id).first()
    if respondent is None:
        from xinfang.core.errors import NotFound

        raise NotFound("未找到该被反映人")
    petition = _lock_for_identity_admin(actor, respondent.petition)
    match, created = RespondentMatch.objects.get_or_create(
        respondent=respondent, user=user, defaults={"confirmed_by": actor, "confirmed_at": timezone.now(), "note": note[:200]}
    )
    if not created and not match.presumed:
        raise Conflict("已确认过该账号")
    if not created:  # registration presumed it: the office now confirms it
        match.presumed, match.confirmed_by, match.confirmed_at = False, actor, timezone.now()
        match.note = (note or match.note)[:200]
        match.save(update_fields=["presumed", "confirmed_by", "confirmed_at", "note"])
    # Also link the respondent to the account when it has none, so that every check keyed on
    # Respondent.user (the lifecycle's choice of handler/leader/approver) sees the confirmed match too.
    Respondent.objects.filter(pk=respondent.pk, user__isnull=True).update(user=user)
    policy.respondents_changed()  # an update sends no signal
    record_event(
        petition=petition,
        action=EventType.RESPONDENT_MATCH,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"respondent": respondent.pk, "user": user.username},
    )
    return match


def presume_respondent_matches(respondents) -> list[RespondentMatch]:
    """At registration (DESIGN.md, "Accusations never reach the accused"): a respondent whose name and unit match
    a user's is treated as that user — blocked from the petition everywhere, never its handler, its unit never
    its handling unit — until the office clears the match (`respondent_match_clear`). Two queries."""
    if respondents:
        policy.respondents_changed()  # bulk-created rows (and their links to accounts) send no signal
    rows = [r for r in respondents if r.pk and r.name and (r.unit_id or r.unit_name)]
    if not rows:
        return []
    users = list(User.objects.filter(name__in={r.name for r in rows}, unit__isnull=False).select_related("unit"))
    now = timezone.now()
    matches = [
        RespondentMatch(respondent=r, user=u, presumed=True, confirmed_at=now, note="登记时按姓名与单位推定")
        for r in rows
        for u in users
        if u.name == r.name and u.pk != r.user_id and (u.unit_id == r.unit_id or (r.unit_name and u.unit.name == r.unit_name))
    ]
    return RespondentMatch.objects.bulk_create(matches)


@transaction.atomic
def respondent_match_clear(*, actor: User, match: RespondentMatch | int, reason: str) -> RespondentMatchClearance:
    """The office clears a match presumed at registration (a namesake in the same unit, not the person accused):
    a new record and an event; from then on the account is not blocked by this match."""
    match_id = match.pk if isinstance(match, RespondentMatch) else match
    match = RespondentMatch.objects.select_related("respondent__petition", "user").filter(pk=match_id).first()
    if match is None:
        from xinfang.core.errors import NotFound

        raise NotFound("未找到该匹配")
    petition = _lock_for_identity_admin(actor, match.respondent.petition)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput("请写明排除的理由（至少4个字），例如核实后确认不是同一人", fields={"reason": ["请写明排除的理由"]})
    if not match.presumed:
        raise Conflict("这是信访办确认过的匹配，不能排除")
    if RespondentMatchClearance.objects.filter(match=match).exists():
        raise Conflict("该匹配已排除")
    clearance = RespondentMatchClearance.objects.create(match=match, cleared_by=actor, cleared_at=timezone.now(), reason=reason)
    record_event(
        petition=petition,
        action=EventType.RESPONDENT_MATCH_CLEAR,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={"respondent": match.respondent_id, "user": match.user.username, "reason": reason},
    )
    return clearance


def parse_fields(values) -> list[str]:
    """Field codes from a form/API list, ignoring unknown ones (the service reports an empty choice)."""
    return [v for v in (values or []) if v in IdentityField.values]
