"""Reads of school safety information, and who may do what.

- A safety information officer is a user with an active NetworkPost(role=safety_officer); they
  file reports for their school and see their own record.
- A school is managed (rate reports, attend to major items, recognition, failures) by the
  county office (office/admin roles) and by the school's leading-group head or deputy
  (LeadingGroupMember with a linked user).
- Months are calendar months in Asia/Shanghai; a report counts for the month it was filed in.
"""

from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinfang.core.errors import NotFound
from xinfang.org.models import LeadingGroupMember, NetworkPolicy, NetworkPost, PostRole, Role, Unit, UnitKind
from xinfang.safety.models import Importance, SafetyReport, ValueRating


def month_of(moment: datetime) -> date:
    """The first day of the calendar month (site zone, Asia/Shanghai) that `moment` falls in."""
    return timezone.localtime(moment).date().replace(day=1)


def month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def officer_posts(actor) -> QuerySet[NetworkPost]:
    return NetworkPost.objects.filter(user=actor, role=PostRole.SAFETY_OFFICER, ended_on__isnull=True).select_related("school")


def is_county_manager(actor) -> bool:
    return actor.is_superuser or actor.has_role(Role.ADMIN, Role.OFFICE)


def managed_schools(actor) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.SCHOOL, active=True).select_related("region")
    if is_county_manager(actor):
        return qs.order_by("code")
    ids = LeadingGroupMember.objects.filter(user=actor, position__in=["head", "deputy"]).values("unit_id")
    return qs.filter(pk__in=ids).order_by("code")


def can_manage_school(actor, school: Unit) -> bool:
    return is_county_manager(actor) or LeadingGroupMember.objects.filter(user=actor, unit=school, position__in=["head", "deputy"]).exists()


def visible_schools(actor) -> QuerySet[Unit]:
    own = officer_posts(actor).values("school_id")
    return Unit.objects.filter(Q(pk__in=managed_schools(actor).values("pk")) | Q(pk__in=own), kind=UnitKind.SCHOOL).order_by("code")


def get_school(*, actor, pk: int) -> Unit:
    school = visible_schools(actor).filter(pk=pk).select_related("region").first()
    if school is None:
        raise NotFound("未找到该学校，或您无权查看")
    return school


def report_list(*, actor, school: Unit | None = None, month: date | None = None, major_open: bool = False) -> QuerySet[SafetyReport]:
    qs = SafetyReport.objects.select_related("post", "school", "reporter", "attended_by")
    managed = managed_schools(actor).values("pk")
    qs = qs.filter(Q(school__in=managed) | Q(post__user=actor))
    if school is not None:
        qs = qs.filter(school=school)
    if month is not None:
        qs = qs.filter(month=month)
    if major_open:
        qs = qs.filter(importance=Importance.MAJOR, attended_at__isnull=True)
    return qs.order_by("-reported_at", "-pk")


def quota() -> int:
    return NetworkPolicy.current().safety_monthly_quota


def officer_month_count(post: NetworkPost, month: date) -> int:
    return SafetyReport.objects.filter(post=post, month=month).count()


def _posts_active_in(school: Unit, start: date, end: date) -> QuerySet[NetworkPost]:
    return NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=school, start_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


def monthly_sheet(*, school: Unit, month: date) -> list[dict]:
    """The monthly record and assessment sheet: per officer active that month, the count, the
    school's value ratings, major items, the quota and how many are missing. One query."""
    q = quota()
    rows = (
        _posts_active_in(school, month, month_end(month))
        .annotate(
            total=Count("safety_reports", filter=Q(safety_reports__month=month)),
            high=Count("safety_reports", filter=Q(safety_reports__month=month, safety_reports__value_rating=ValueRating.HIGH)),
            medium=Count("safety_reports", filter=Q(safety_reports__month=month, safety_reports__value_rating=ValueRating.MEDIUM)),
            major=Count("safety_reports", filter=Q(safety_reports__month=month, safety_reports__importance=Importance.MAJOR)),
        )
        .order_by("name", "pk")
    )
    return [
        {
            "post": p,
            "name": p.name,
            "total": p.total,
            "high": p.high,
            "medium": p.medium,
            "major": p.major,
            "quota": q,
            "missed": max(0, q - p.total),
            "met": p.total >= q,
            "ended": p.ended_on is not None,
        }
        for p in rows
    ]


def year_record(*, school: Unit, year: int) -> list[dict]:
    """Per officer over the year: reports, high-value ones, months meeting the quota; ranked for
    the year-end shortlist (1–2 advanced individuals per school). One grouped query plus the posts."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    posts = {p.pk: p for p in _posts_active_in(school, start, end)}
    per_month = (
        SafetyReport.objects.filter(school=school, month__gte=start, month__lte=end, post_id__in=posts)
        .values("post_id", "month")
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(value_rating=ValueRating.HIGH)))
    )
    q = quota()
    stats = {pk: {"post": p, "name": p.name, "total": 0, "high": 0, "months_met": 0} for pk, p in posts.items()}
    for row in per_month:
        s = stats[row["post_id"]]
        s["total"] += row["n"]
        s["high"] += row["high"]
        s["months_met"] += row["n"] >= q
    ranked = sorted(stats.values(), key=lambda s: (-s["months_met"], -s["high"], -s["total"], s["name"]))
    return ranked


def home_count(actor) -> list[dict]:
    """For each of the actor's officer posts: this month's count against the quota."""
    month = month_of(timezone.now())
    q = quota()
    posts = officer_posts(actor).annotate(n=Count("safety_reports", filter=Q(safety_reports__month=month)))
    return [{"post": p, "school": p.school, "count": p.n, "quota": q, "missing": max(0, q - p.n)} for p in posts]


def month_of_now() -> date:
    return month_of(timezone.now())


def schools_overview(*, actor, month: date):
    """Schools the actor manages with this month's item count, officers under quota and open major
    items: one query (subqueries for the per-officer counts)."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    q = quota()
    per_post = SafetyReport.objects.filter(post=OuterRef("pk"), month=month).order_by().values("post").annotate(c=Count("pk")).values("c")
    under = (
        NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=OuterRef("pk"), ended_on__isnull=True)
        .annotate(n=Coalesce(Subquery(per_post, output_field=IntegerField()), Value(0)))
        .filter(n__lt=q)
        .order_by()
        .values("school")
        .annotate(c=Count("pk"))
        .values("c")
    )
    officers = (
        NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("school")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return managed_schools(actor).annotate(
        month_reports=Count("safety_reports", filter=Q(safety_reports__month=month)),
        major_open=Count("safety_reports", filter=Q(safety_reports__importance=Importance.MAJOR, safety_reports__attended_at__isnull=True)),
        under_quota=Coalesce(Subquery(under, output_field=IntegerField()), Value(0)),
        officers=Coalesce(Subquery(officers, output_field=IntegerField()), Value(0)),
    )
