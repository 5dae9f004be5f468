"""Reads on petitions. Every selector takes `actor` and goes through the access policy."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from difflib import SequenceMatcher

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from xinfang.access import policy
from xinfang.core.crypto import keyed_hash
from xinfang.org.models import Role
from xinfang.petitions import deadlines, workflow
from xinfang.petitions.models import CLOSED_STATUSES, Category, Petition, Petitioner, PetitionEvent, Status

DUE_SOON_DAYS = 3


def petition_queryset() -> QuerySet[Petition]:
    return Petition.objects.select_related("category", "region", "handling_unit", "office", "case_leader", "first_receiver", "repeat_of")


def petition_list(*, actor, filters: dict | None = None) -> QuerySet[Petition]:
    """The actor's visible petitions, filtered. Filters: status, overdue, channel, category, region,
    handling_unit, q (Chinese substring on content/requests/reg_no, exact on names/ID/phone), registered_from/to, bucket."""
    f = filters or {}
    qs = policy.visible_petitions(actor, petition_queryset())
    now = timezone.now()
    if f.get("bucket"):
        qs = qs.filter(bucket_q(f["bucket"], actor, now))
    if f.get("status"):
        statuses = [s for s in str(f["status"]).split(",") if s in Status.values]
        qs = qs.filter(status__in=statuses)
    if str(f.get("overdue", "")).lower() in ("1", "true", "yes"):
        qs = qs.filter(due_at__lt=now).exclude(status__in=CLOSED_STATUSES)
    elif str(f.get("overdue", "")).lower() in ("0", "false", "no"):
        qs = qs.exclude(due_at__lt=now)
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("category"):
        qs = qs.filter(Q(category__code=f["category"]) | Q(category__parent__code=f["category"]))
    if f.get("region"):
        qs = qs.filter(region__path__contains=f"/{f['region']}/")
    if f.get("handling_unit"):
        qs = qs.filter(handling_unit__code=f["handling_unit"])
    if f.get("nature"):
        qs = qs.filter(nature=f["nature"])
    for key, lookup in (("registered_from", "gte"), ("registered_to", "lt")):
        value = f.get(key)
        if value:
            day = value if hasattr(value, "year") else _parse_day(value)
            if day is not None:
                start = timezone.make_aware(datetime.combine(day, time.min))
                if key == "registered_to":
                    start += timedelta(days=1)
                qs = qs.filter(**{f"registered_at__{lookup}": start})
    q = (f.get("q") or "").strip()
    if q:
        h = keyed_hash(q)
        people = Petitioner.objects.filter(Q(name_hash=h) | Q(id_hash=h) | Q(phone_hash=h)).values("petition_id")
        # A name/ID/phone match would tell who petitioned: only among petitions whose identity the actor may see.
        searchable = policy.identity_searchable(actor, Petition.objects.all()).values("pk")
        qs = qs.filter(
            Q(content__contains=q)
            | Q(requests__contains=q)
            | Q(reg_no__icontains=q)
            | Q(respondents__name__contains=q)
            | (Q(pk__in=people) & Q(pk__in=searchable))
        ).distinct()
    return qs.order_by(*_ordering(f.get("bucket")))


def _ordering(bucket):
    if bucket in ("overdue", "due_soon", "triage_today"):
        return ["due_at", "pk"]
    return ["-registered_at", "-pk"]


def _parse_day(value):
    from django.utils.dateparse import parse_date

    return parse_date(str(value)[:10])


# ---------------------------------------------------------------------------
# Worklists (待办)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    code: str
    label: str
    roles: tuple[str, ...]


BUCKETS = [
    Bucket("triage_today", "今日待阅办", (Role.CLERK, Role.OFFICE)),
    Bucket("to_decide", "待受理", (Role.OFFICE,)),
    Bucket("awaiting_instruction", "待批示", (Role.OFFICE, Role.LEADER)),
    Bucket("to_assign", "待交办", (Role.OFFICE,)),
    Bucket("to_acknowledge", "待签收", (Role.UNIT_HANDLER, Role.OFFICE)),
    Bucket("in_progress", "办理中", (Role.UNIT_HANDLER, Role.OFFICE, Role.LEADER, Role.SUPERVISOR)),
    Bucket("due_soon", "3日内到期", (Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR)),
    Bucket("overdue", "已超期", (Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR)),
    Bucket("to_approve", "待审核结果", (Role.OFFICE,)),
    Bucket("to_reply", "待答复", (Role.OFFICE,)),
    Bucket("to_archive", "待归档", (Role.OFFICE,)),
    Bucket("my_cases", "我包案的", (Role.LEADER,)),
]
BUCKET_BY_CODE = {b.code: b for b in BUCKETS}


def bucket_q(code: str, actor, now) -> Q:
    open_q = ~Q(status__in=CLOSED_STATUSES)
    if code == "triage_today":  # 当日阅办: not yet triaged (those of earlier days stay until read, marked overdue)
        return Q(status=Status.REGISTERED, triaged_at__isnull=True)
    if code == "to_decide":  # read, the accept / decline / forward decision still to take (15 days)
        return Q(status=Status.REGISTERED, triaged_at__isnull=False)
    if code == "awaiting_instruction":
        return Q(status=Status.AWAITING_INSTRUCTION)
    if code == "to_assign":
        return Q(status=Status.ACCEPTED)
    if code == "to_acknowledge":
        return Q(status=Status.ASSIGNED)
    if code == "in_progress":
        return Q(status=Status.IN_PROGRESS)
    if code == "due_soon":  # the same days deadlines.due_state calls due_today / due_soon
        return open_q & Q(due_at__gte=now.replace(microsecond=0), due_at__lte=deadlines.due_soon_until(now, soon_days=DUE_SOON_DAYS))
    if code == "overdue":  # deadlines.on_time compares to the second
        return open_q & Q(due_at__lt=now.replace(microsecond=0))
    if code == "to_approve":
        return Q(status=Status.RESULT_REPORTED)
    if code == "to_reply":
        return Q(status__in=[Status.AWAITING_REPLY, Status.UNDER_REVIEW, Status.UNDER_REREVIEW])
    if code == "to_archive":
        return Q(status__in=[Status.REPLIED, Status.EVALUATED]) & (
            # workflow.window_passed: the delivered answer's window
            Q(delivered_at__isnull=False, review_request_due_at__lt=now)
            | Q(satisfaction__in=["satisfied", "basically_satisfied"])
            | Q(review_level__gte=2)
        )
    if code == "my_cases":
        return open_q & Q(case_leader=actor)
    return Q(pk__in=[])


def buckets_for(actor) -> list[Bucket]:
    roles = set(actor.role_codes) if actor is not None and actor.is_authenticated else set()
    return [b for b in BUCKETS if roles & set(b.roles)]


def worklist_counts(*, actor) -> list[dict]:
    """[{code, label, count}] for the actor's buckets, in one aggregate query."""
    buckets = buckets_for(actor)
    if not buckets:
        return []
    now = timezone.now()
    qs = policy.visible_petitions(actor, Petition.objects.all())
    agg = qs.aggregate(**{b.code: Count("pk", filter=bucket_q(b.code, actor, now)) for b in buckets})
    return [{"code": b.code, "label": b.label, "count": agg[b.code] or 0} for b in buckets]


# ---------------------------------------------------------------------------
# One petition
# ---------------------------------------------------------------------------


def petition_detail(*, actor, reg_no: str) -> Petition:
    visible = policy.get_visible_petition(actor, reg_no)
    return (
        petition_queryset()
        .select_related("reception_leader")
        .prefetch_related(
            Prefetch("petitioners", queryset=Petitioner.objects.order_by("position", "pk")),
            "respondents",
            "attachments",
            Prefetch("events", queryset=PetitionEvent.objects.select_related("actor").order_by("seq")),
            Prefetch("repeats", queryset=Petition.objects.only("pk", "reg_no", "status", "registered_at", "repeat_of_id")),
        )
        .get(pk=visible.pk)
    )


def petition_events(*, actor, reg_no: str):
    petition = policy.get_visible_petition(actor, reg_no)
    return petition, list(PetitionEvent.objects.filter(petition=petition).select_related("actor").order_by("seq"))


def identities(*, actor, petition: Petition, purpose: str = "查看信访件详情", path: str = "") -> list[dict]:
    """The petitioners as this actor may see them (masked by the access policy; an unmasked view is logged once)."""
    people = list(petition.petitioners.all())
    shown = policy.identity_for_display(actor, petition, purpose=purpose, path=path)
    for person, data in zip(people, shown, strict=True):
        data["is_representative"] = person.is_representative
    return shown


def repeat_chain(*, actor, petition: Petition) -> list[Petition]:
    """The earlier petitions this one repeats (oldest first), as far as the actor may see."""
    chain, seen, node = [], {petition.pk}, petition.repeat_of
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.repeat_of
    if not chain:
        return []
    visible = set(policy.visible_petitions(actor, Petition.objects.filter(pk__in=[p.pk for p in chain])).values_list("pk", flat=True))
    return [p for p in reversed(chain) if p.pk in visible]


def available_actions(*, actor, petition: Petition) -> list[str]:
    """The actions this actor may take now: the table, then the guards of the law (workflow.refusal, the same rules the
    services raise)."""
    actions = workflow.actions_for(petition.status, actor.role_codes)
    now = timezone.now()
    out = []
    for a in actions:
        if workflow.refusal(a, petition, actor, now) is not None:
            continue
        if a == "report_back" and (petition.channel != "from_superior" or petition.reported_back_at is not None):
            continue
        if a == "progress" and petition.status == Status.REGISTERED and not actor.has_role(Role.OFFICE):
            continue
        if a == "report_result":
            if petition.status == Status.ACCEPTED and not actor.has_role(Role.OFFICE):
                continue
            if petition.status == Status.IN_PROGRESS and not actor.has_role(Role.UNIT_HANDLER):
                continue
        out.append(a)
    return out


def refused_actions(*, actor, petition: Petition) -> dict[str, str]:
    """{action: why not} for actions the table offers this actor now but a time limit of the law refuses, so a page can say
    why (a late return: ask the office; an extension after expiry)."""
    now = timezone.now()
    shown = {"extend", "return", "request_review", "request_rereview"}
    out = {}
    for a in workflow.actions_for(petition.status, actor.role_codes):
        if a in shown:
            refused = workflow.refusal(a, petition, actor, now)
            if refused is not None and refused.code not in ("invalid_transition", "permission_denied"):
                out[a] = refused.message
    return out


def pause_record(petition: Petition) -> dict | None:
    """The running pause for the page: {ground, label, since, reason, max_days, latest_due} (events prefetched), or None."""
    from xinfang.petitions import timelimits

    if petition.paused_at is None:
        return None
    ground = timelimits.pause_ground(petition.pause_ground)
    reason = ""
    for e in reversed(list(petition.events.all())):
        if e.action == "pause":
            reason = (e.data or {}).get("reason", "")
            break
    return {
        "ground": petition.pause_ground,
        "label": ground.label if ground else "（未注明事由）",
        "since": petition.paused_at,
        "reason": reason,
        "max_days": ground.max_days if ground else None,
        "latest_due": petition.due_at,
    }


def pauses(petition: Petition) -> list[dict]:
    """Every pause of the petition, oldest first: {ground_label, since, until, days, counted_days, reason} (events prefetched)."""
    out: list[dict] = []
    for e in petition.events.all():
        data = e.data or {}
        if e.action == "pause":
            out.append(
                {
                    "ground_label": data.get("ground_label") or "（未注明事由）",
                    "since": e.at,
                    "until": None,
                    "days": None,
                    "counted_days": None,
                    "reason": data.get("reason", ""),
                }
            )
        elif e.action == "resume" and out and out[-1]["until"] is None:
            out[-1].update(until=e.at, days=data.get("paused_days"), counted_days=data.get("counted_days"))
    return out


def due_state(due_at, now=None) -> str:
    """overdue / due_today / due_soon / ok / '' (the deadline engineer's pure function)."""
    return deadlines.due_state(due_at, now or timezone.now(), soon_days=DUE_SOON_DAYS)


# ---------------------------------------------------------------------------
# Repeat detection
# ---------------------------------------------------------------------------


def repeat_candidates(
    *, actor, id_numbers=(), phones=(), content: str = "", region=None, exclude=None, limit: int = 10, similarity: float = 0.6
) -> list[dict]:
    """Earlier petitions that may be the same matter: same ID number or phone (keyed hashes), or very
    similar content in the same region. Returns [{petition, reasons: [...], score}] best first."""
    hashes_id = [keyed_hash(v) for v in id_numbers if v]
    hashes_phone = [keyed_hash(v) for v in phones if v]
    found: dict[int, dict] = {}
    base = policy.visible_petitions(actor, petition_queryset())
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    if hashes_id or hashes_phone:
        people = Petitioner.objects.filter(Q(id_hash__in=hashes_id) | Q(phone_hash__in=hashes_phone)).values_list(
            "petition_id", "id_hash", "phone_hash"
        )
        matched: dict[int, set] = {}
        for pid, idh, ph in people[:500]:
            reasons = matched.setdefault(pid, set())
            if idh and idh in hashes_id:
                reasons.add("身份证号相同")
            if ph and ph in hashes_phone:
                reasons.add("电话相同")
        # Only among petitions whose identity the actor may see (a match would reveal a protected petitioner).
        for p in policy.identity_searchable(actor, base).filter(pk__in=list(matched))[:limit]:
            found[p.pk] = {"petition": p, "reasons": sorted(matched[p.pk]), "score": 1.0}
    content = (content or "").strip()
    if region is not None and len(content) >= 8:
        since = timezone.now() - timedelta(days=730)
        for p in base.filter(region=region, registered_at__gte=since).order_by("-registered_at")[:200]:
            ratio = SequenceMatcher(None, content, p.content).ratio()
            if ratio >= similarity:
                entry = found.setdefault(p.pk, {"petition": p, "reasons": [], "score": 0.0})
                entry["reasons"].append(f"同地内容相似（{int(ratio * 100)}%）")
                entry["score"] = max(entry["score"], ratio)
    ranked = sorted(found.values(), key=lambda e: (-e["score"], -e["petition"].registered_at.timestamp()))
    return ranked[:limit]


def categories():
    return Category.objects.filter(active=True).select_related("parent").order_by("code")
