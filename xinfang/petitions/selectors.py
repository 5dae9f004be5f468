"""Reads on petitions. Every selector takes `actor` and goes through the access policy."""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xinfang.access import policy
from xinfang.core import planner
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import InvalidInput
from xinfang.org.models import Region, Role, Unit, User
from xinfang.petitions import deadlines, followup, numbering, workflow
from xinfang.petitions.models import CLOSED_STATUSES, Category, Petition, Petitioner, PetitionEvent, Respondent, Status

DUE_SOON_DAYS = 3


def petition_queryset() -> QuerySet[Petition]:
    return Petition.objects.select_related("category", "region", "handling_unit", "office", "case_leader", "first_receiver", "repeat_of")


def list_queryset() -> QuerySet[Petition]:
    """What a list row shows: category, place and unit joined (small tables); the case leader and the repeated
    petition fetched per page (their few columns), not joined (a self-join doubles the columns of every row)."""
    return Petition.objects.select_related("category", "region", "handling_unit").prefetch_related(
        Prefetch("case_leader", queryset=User.objects.only("pk", "username", "name")),
        Prefetch("repeat_of", queryset=Petition.objects.only("pk", "reg_no")),
    )


def petition_list(*, actor, filters: dict | None = None) -> QuerySet[Petition]:
    """The actor's visible petitions, filtered, in the list's order (`list_ordering`). Filters: status, overdue, channel,
    category, region, handling_unit, nature, q (substring of content/requests/reg_no or a respondent's name; exact
    name/ID/phone of a petitioner whose identity the actor may see), registered_from/to, bucket.

    Codes are resolved to ids first (one small query each), so the list is one query on the petitions table with
    only the joins its rows show."""
    f = filters or {}
    qs = policy.visible_petitions(actor, list_queryset())
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
    if f.get("category"):  # the category or one under it
        code = f["category"]
        qs = qs.filter(category_id__in=list(Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True)))
    if f.get("region"):  # the place or one under it
        paths = list(Region.objects.filter(code=f["region"]).values_list("path", flat=True))
        qs = qs.filter(region_id__in=list(Region.objects.filter(path__startswith=paths[0]).values_list("pk", flat=True)) if paths else [])
    if f.get("handling_unit"):
        qs = qs.filter(handling_unit_id__in=list(Unit.objects.filter(code=f["handling_unit"]).values_list("pk", flat=True)))
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
        qs = qs.filter(search_q(actor, q))
    return qs.order_by(*ORDERINGS[list_ordering(f)].order_by())


# Above this many ids the respondent and identity matches are left to a subquery (exact, slower) rather than a list.
SEARCH_ID_LIST_MAX = 5000


def search_q(actor, q: str) -> Q:
    """One search box: the text (content, requests, reg_no: substring, case-insensitive), a respondent's name
    (substring), or a petitioner's exact name, ID number or phone (keyed hashes) — the last only among petitions
    whose identity the actor may see (a match would tell who petitioned; policy.identity_searchable).

    On PostgreSQL the text is found through the two-character-gram GIN index (migrations 0007, 0015) and the number
    through its trigram index (0015), then checked exactly; the respondent and identity matches become id lists, so
    every arm of the OR can use an index (no join, no DISTINCT). SQLite has no such index: the same tests, scanned.
    Both return the same rows."""
    from xinfang.core import inputs

    exact = inputs.identifier(q)  # ID numbers, phones, numbers typed full-width (１３９…) match what was stored
    q = inputs.halfwidth(q)  # the text as stored: digits and letters half-width, Chinese punctuation kept
    text = Q(content__icontains=q) | Q(requests__icontains=q) | Q(reg_no__icontains=q)
    respondents = Respondent.objects.filter(name__icontains=q)
    if connection.vendor == "postgresql" and len(q) >= 2:
        text = _indexed_text(q)
        respondents = respondents.filter(_grams_contain(F("name"), None, q, single=True))
    hashes = {keyed_hash(exact), keyed_hash(exact.upper())}  # an ID number's check character typed as x
    people = Petitioner.objects.filter(Q(name_hash__in=hashes) | Q(id_hash__in=hashes) | Q(phone_hash__in=hashes))
    people = people.order_by().values("petition_id")  # without the model's ordering (a join to the petition)
    # The matched petitions as a list first: as a semi-join the planner could walk the whole primary key to meet the
    # ids of people registered since the table was last analysed (beyond its statistics: 1.1 s at 1M petitions).
    identity = policy.identity_searchable(actor, Petition.objects.filter(_ids_or_subquery(people, "petition_id"))).values("pk")
    # A register's own number (historical records), exactly: through its partial index, whose condition the query
    # repeats (SQLite uses a partial index only then) and without the model's ordering (SQLite walked the date index).
    legacy = Petition.objects.filter(legacy_reg_no__in={exact, exact.upper()}).exclude(legacy_reg_no="").order_by().values("pk")
    return (
        text
        | _ids_or_subquery(respondents.values("petition_id"), "petition_id")
        | _ids_or_subquery(identity, "pk")
        | _ids_or_subquery(legacy, "pk")
    )


# A query whose grams occur in at least this many petitions is "common": its rows are found by walking the list's own
# order and testing each (a page fills at once); a rarer one by the gram index, then sorted.
COMMON_TERM_ROWS = 2000


def _indexed_text(q: str) -> Q:
    """The text arm on PostgreSQL: the words (content, requests) through their gram index, OR the registration number
    through its trigram index. The planner estimates the gram index well for one gram (its statistics hold each gram's
    frequency) but multiplies the frequencies of several grams and of the substring tests as if independent, so it
    takes a common phrase (征地补偿: 10% of rows) for a rare one and sorts 100,000 rows for one page. Hence:
    - two characters: the one gram IS the test (q has no line break, the separator of the indexed text), so the gram
      containment alone is exact and well estimated;
    - longer: a probe of at most COMMON_TERM_ROWS gram candidates decides: rare → gram index + substring test;
      common → the substring test alone (the page is found by walking the registration order).
    The number's arm is left out when q has a character no registration number holds: a trigram index cannot answer
    two characters, and an arm without an index would make the whole OR a scan (工资, 危桥)."""
    words = Q(content__icontains=q) | Q(requests__icontains=q)
    grams = Q(_grams_contain(F("content"), F("requests"), q))
    if len(q) == 2:
        text = grams
    elif Petition.objects.filter(grams).order_by().values("pk")[:COMMON_TERM_ROWS].count() >= COMMON_TERM_ROWS:
        text = words
    else:
        text = words & grams
    if numbering.may_be_in_registration_number(q):
        text |= Q(reg_no__icontains=q)
    return text


def _ids_or_subquery(qs: QuerySet, field: str) -> Q:
    ids = list(qs.values_list(field, flat=True)[: SEARCH_ID_LIST_MAX + 1])
    if len(ids) > SEARCH_ID_LIST_MAX:
        return Q(pk__in=qs)
    return Q(pk__in=set(ids))


def _grams_contain(a, b, q: str, *, single: bool = False):
    """`xf_text_grams(content, requests) @> xf_grams(q)` (or `xf_grams(name) @> xf_grams(q)`): the SQL functions and
    indexes of petitions migrations 0007 and 0015. Every petition whose text contains q has all of q's grams."""
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import BooleanField, Func, TextField, Value

    grams = ArrayField(TextField())
    lhs = Func(a, function="xf_grams", output_field=grams) if single else Func(a, b, function="xf_text_grams", output_field=grams)
    rhs = Func(Value(q, output_field=TextField()), function="xf_grams", output_field=grams)
    return Func(lhs, rhs, function="", arg_joiner=" @> ", template="(%(expressions)s)", output_field=BooleanField())


# ---------------------------------------------------------------------------
# Paging (keyset): a page is the rows after (or before) the last row shown, found through the index of the
# ordering column, so page 1 and page 20,000 cost the same. Counts stop at COUNT_CAP ("1000+").
# ---------------------------------------------------------------------------

# Counting stops after a thousand ("1000+"): on a 2-core server at a million petitions counting ten thousand rows of a
# bucket costs 25–40 ms, a thousand 3–5 ms, and a worklist shows a dozen buckets. Exact totals are the statistics'.
COUNT_CAP = 1_000


@dataclass(frozen=True)
class Ordering:
    code: str
    field: str
    descending: bool  # registered: newest first; due: soonest first, no due time last

    def order_by(self, *, reverse: bool = False) -> list:
        desc = self.descending != reverse
        nulls = {} if self.descending else ({"nulls_first": True} if desc else {"nulls_last": True})
        col = F(self.field).desc(**nulls) if desc else F(self.field).asc(**nulls)
        return [col, "-pk" if desc else "pk"]


ORDERINGS = {"registered": Ordering("registered", "registered_at", True), "due": Ordering("due", "due_at", False)}


def list_paging(filters: dict | None) -> dict:
    """The ordering and count cap of a list with these filters (`petition_page`'s keyword arguments)."""
    return {"ordering": list_ordering(filters), "cap": COUNT_CAP}  # one cap for lists, searches and buckets


def list_ordering(filters: dict | None) -> str:
    return "due" if (filters or {}).get("bucket") in ("overdue", "due_soon", "triage_today") else "registered"


@dataclass
class ListPage:
    rows: list
    count: int  # exact up to COUNT_CAP; `capped` when there are more
    capped: bool
    next: str | None  # cursor of the following page
    previous: str | None
    number: int  # 1 for the first page (shown to people; the cursor carries it)

    @property
    def count_label(self) -> str:
        return count_label(self.count, self.capped)


def count_label(count: int, capped: bool) -> str:
    if not capped:
        return f"{count:,}"
    return f"{count // 10_000}万+" if count >= 10_000 else f"{count}+"


def capped_count(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counting stops after cap + 1 rows (COUNT_CAP), so a million matches cost what a thousand do."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def petition_page(qs: QuerySet[Petition], *, ordering: str, cursor: str | None = None, size: int = 50, cap: int | None = None) -> ListPage:
    """One page of an ordered list (`petition_list`). `cursor` is a token from a previous page's next/previous;
    a cursor made for another ordering, or not ours, is refused (InvalidInput, field `cursor`). The count stops at
    `cap` (COUNT_CAP by default; `list_paging(filters)` gives both)."""
    order = ORDERINGS[ordering]
    count, capped = capped_count(qs, cap)
    if not cursor:
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return ListPage(rows, count, capped, _cursor(order, rows[-1], "next", 2) if more else None, None, 1)
    position = _read_cursor(cursor, order)
    forward = position["d"] == "next"
    page_qs = qs.filter(_after(order, position["v"], position["id"], before=not forward))
    if not forward:
        page_qs = page_qs.order_by(*order.order_by(reverse=True))
    rows = list(page_qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    number = max(position["n"], 1)
    if not rows:
        return ListPage([], count, capped, None, None, number)
    following = _cursor(order, rows[-1], "next", number + 1) if (more or not forward) else None
    preceding = _cursor(order, rows[0], "prev", number - 1) if (number > 1 and (more or forward)) else None
    return ListPage(rows, count, capped, following, preceding, number)


def _after(order: Ordering, value, pk: int, *, before: bool) -> Q:
    """Rows after (before) the row with key (value, pk) in the list's order. The bare range on the column comes first
    so the index bounds the scan; the tie on equal values goes by pk."""
    f = order.field
    later = (not order.descending) != before  # does the list move to larger values?
    cmp, eq_cmp = ("gt", "gt") if later else ("lt", "lt")
    pk_tie = Q(**{f: value, f"pk__{eq_cmp}": pk})
    if order.descending:  # registered_at is never null
        return Q(**{f"{f}__{cmp}e": value}) & (Q(**{f"{f}__{cmp}": value}) | pk_tie)
    # due_at: nulls come last in the list's order
    if value is None:
        return (
            Q(**{f"{f}__isnull": True, f"pk__{eq_cmp}": pk})
            if not before
            else Q(**{f"{f}__isnull": False}) | Q(**{f"{f}__isnull": True, f"pk__{eq_cmp}": pk})
        )
    rest = Q(**{f"{f}__{cmp}": value}) | pk_tie
    if not before:
        return (Q(**{f"{f}__{cmp}e": value}) & rest) | Q(**{f"{f}__isnull": True})
    return Q(**{f"{f}__{cmp}e": value}) & rest


def _cursor(order: Ordering, row: Petition, direction: str, number: int) -> str:
    value = getattr(row, order.field)
    data = {"o": order.code, "v": value.isoformat() if value is not None else None, "id": row.pk, "d": direction, "n": number}
    return urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _read_cursor(token: str, order: Ordering) -> dict:
    bad = InvalidInput("分页游标无效，请从第一页重新浏览", fields={"cursor": ["分页游标无效"]})
    try:
        data = json.loads(urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        assert isinstance(data, dict) and data.get("o") == order.code and data.get("d") in ("next", "prev")
        pk, number = int(data["id"]), int(data.get("n", 1))
        value = data.get("v")
        if value is not None:
            value = parse_datetime(str(value))
            assert value is not None and timezone.is_aware(value)
    except (ValueError, TypeError, KeyError, AssertionError, UnicodeDecodeError):
        raise bad from None
    return {"v": value, "id": pk, "d": data["d"], "n": number}


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
    Bucket("due_soon", "3日内到期", (Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR, Role.REVIEWER)),
    Bucket("overdue", "已超期", (Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR, Role.REVIEWER)),
    Bucket("to_approve", "待审核结果", (Role.OFFICE,)),
    # A review organ's reviewer: the reviews asked of it (its scope, access.policy) waiting for its answer.
    Bucket("to_reply", "待答复", (Role.OFFICE, Role.REVIEWER)),
    Bucket("to_archive", "待归档", (Role.OFFICE,)),
    Bucket("my_cases", "我包案的", (Role.LEADER,)),
    Bucket("dissatisfied", "不满意件", (Role.OFFICE, Role.LEADER)),
    Bucket("needs_case_leader", "待包案", (Role.OFFICE, Role.LEADER)),
    Bucket("historical_open", "历史待办", (Role.OFFICE,)),
]
BUCKET_BY_CODE = {b.code: b for b in BUCKETS}


def bucket_q(code: str, actor, now) -> Q:
    """The petitions of a worklist bucket. Historical records (legacy registers, Petition.historical) are in no live
    bucket: the open ones wait in 历史待办 until the office takes one up (transfer.services.historical_take_up)."""
    if code == "historical_open":
        return Q(historical=True) & ~Q(status__in=CLOSED_STATUSES)
    return _live_bucket_q(code, actor, now) & Q(historical=False)


def _live_bucket_q(code: str, actor, now) -> Q:
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
            | Q(last_satisfaction__in=["satisfied", "basically_satisfied"])
            | Q(review_level__gte=2)
        )
    if code == "my_cases":
        return open_q & Q(case_leader=actor)
    if code == "dissatisfied":  # the latest answer found unsatisfactory, no 回访 since (followup.py)
        return followup.dissatisfied_q()
    if code == "needs_case_leader":  # repeat or long open, no case leader: a leader should take it (followup.py)
        return followup.case_leader_due_q(now)
    return Q(pk__in=[])


def buckets_for(actor) -> list[Bucket]:
    roles = set(actor.role_codes) if actor is not None and actor.is_authenticated else set()
    return [b for b in BUCKETS if roles & set(b.roles)]


def worklist_counts(*, actor) -> list[dict]:
    """[{code, label, count, capped, count_label}] for the actor's buckets: each bucket counted up to COUNT_CAP through
    its own index (status, due time), all in one query."""
    buckets = buckets_for(actor)
    if not buckets:
        return []
    now = timezone.now()
    qs = policy.visible_petitions(actor, Petition.objects.all())
    counts = capped_counts({b.code: qs.filter(bucket_q(b.code, actor, now)) for b in buckets})
    out = []
    for b in buckets:
        n, capped = counts[b.code]
        out.append({"code": b.code, "label": b.label, "count": n, "capped": capped, "count_label": count_label(n, capped)})
    return out


def capped_counts(querysets: dict[str, QuerySet], cap: int | None = None) -> dict[str, tuple[int, bool]]:
    """{name: (count, capped)} for several querysets in one statement: SELECT (SELECT count(*) FROM (… LIMIT cap+1)), …"""
    cap = COUNT_CAP if cap is None else cap
    parts, params = [], []
    for qs in querysets.values():
        sql, p = qs.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(*planner.with_constants(connection, "SELECT " + ", ".join(parts), params))
        row = cursor.fetchone()
    return {name: (min(n, cap), n > cap) for name, n in zip(querysets, row, strict=True)}


# ---------------------------------------------------------------------------
# One petition
# ---------------------------------------------------------------------------


DETAIL_RELATED = ("category", "region", "office", "handling_unit", "case_leader", "first_receiver", "repeat_of", "reception_leader")


def petition_detail(*, actor, reg_no: str) -> Petition:
    """The petition with everything its page shows. The row the policy found is kept and its relations are fetched
    one small query each (none for an empty one): joining the eight of them made PostgreSQL spend 20–40 ms planning
    a 9-table join to read one row."""
    petition = policy.get_visible_petition(actor, reg_no)
    prefetch_related_objects(
        [petition],
        *DETAIL_RELATED,
        Prefetch("petitioners", queryset=Petitioner.objects.order_by("position", "pk")),
        "respondents",
        "attachments",
        Prefetch("events", queryset=PetitionEvent.objects.select_related("actor").order_by("seq")),
        Prefetch("repeats", queryset=Petition.objects.only("pk", "reg_no", "status", "registered_at", "repeat_of_id")),
    )
    return petition


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
    """The actions this actor may take now: the workflow table, then each action's guard (workflow.offered: the same
    rules the services raise)."""
    return workflow.offered(petition, actor, timezone.now())


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
    """overdue / due_today / due_soon / ok / '' (deadlines.due_state: pure, so the page and the sweep agree)."""
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
