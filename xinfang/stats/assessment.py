"""Assessment counts: for each metric, one grouped query giving {subject id: count}.

Sources in other apps (supervision orders, accountability records, information reports,
inspections, safety reports, reporting failures) are read through `apps.get_model`, so a
missing app gives a note instead of an error.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, QuerySet

from xinfang.org.models import NetworkPolicy, NetworkPost, PostRole, Unit
from xinfang.petitions.event_types import EventType
from xinfang.petitions.models import CLOSED_STATUSES, Petition, PetitionEvent, Satisfaction

from .kpis import day_bounds, period_queryset
from .models import Metric


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _grouped(qs, field: str) -> dict:
    return dict(qs.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))


def unit_counts(metric: str, petitions: QuerySet[Petition], lo: datetime, hi: datetime, scope_path: str, now: datetime) -> tuple[dict, str]:
    """{unit_id: count} for one unit metric, and a note when the source is missing."""
    handled = petitions.filter(handling_unit__isnull=False)
    late = Q(replied_at__isnull=False) & (Q(handle_due_at__isnull=True) | Q(replied_at__gt=F("handle_due_at")))
    filters = {
        Metric.UNIT_ASSIGNED: Q(),
        Metric.UNIT_ON_TIME: Q(replied_at__isnull=False, replied_at__lte=F("handle_due_at")),
        Metric.UNIT_REPLIED_LATE: late,
        Metric.UNIT_OVERDUE_OPEN: Q(due_at__lt=now) & ~Q(status__in=CLOSED_STATUSES),
        Metric.UNIT_SATISFIED: Q(evaluated_at__isnull=False, satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
        Metric.UNIT_DISSATISFIED: Q(evaluated_at__isnull=False, satisfaction=Satisfaction.DISSATISFIED),
    }
    if metric in filters:
        return _grouped(handled.filter(filters[metric]), "handling_unit_id"), ""
    if metric == Metric.UNIT_RETURNED:
        qs = PetitionEvent.objects.filter(action=EventType.RETURN, petition__in=petitions.order_by().values("pk"))
        return _grouped(qs, "actor__unit_id"), ""
    in_scope = Q() if scope_path == "/" else Q(unit__region__path__startswith=scope_path)
    if metric == Metric.UNIT_SUPERVISION_ORDERS:
        model = _model("supervision.SupervisionOrder")
        if model is None:
            return {}, "督办模块未安装，督办单按 0 计"
        return _grouped(model.objects.filter(in_scope, issued_at__gte=lo, issued_at__lt=hi), "unit_id"), ""
    if metric == Metric.UNIT_ACCOUNTABILITY:
        model = _model("supervision.AccountabilityRecord")
        if model is None:
            return {}, "督办模块未安装，责任追究记录按 0 计"
        return _grouped(model.objects.filter(in_scope, decided_at__gte=lo, decided_at__lt=hi), "unit_id"), ""
    raise KeyError(metric)


def months_between(start: date, end: date) -> list[date]:
    out, d = [], start.replace(day=1)
    while d <= end:
        out.append(d)
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def post_counts(metric: str, posts: QuerySet[NetworkPost], start: date, end: date, lo: datetime, hi: datetime) -> tuple[dict, str]:
    """{post_id: count} for one network metric."""
    if metric == Metric.POST_INFO_REPORTS:
        model = _model("grassroots.InfoReport")
        if model is None:
            return {}, "基层模块未安装，信息报送按 0 计"
        by_user = _grouped(model.objects.filter(created_at__gte=lo, created_at__lt=hi, reporter__in=posts.values("user")), "reporter_id")
        return _by_post_user(posts, by_user), ""
    if metric == Metric.POST_INSPECTIONS:
        model = _model("supervision.InspectionRecord")
        if model is None:
            return {}, "督办模块未安装，督查记录按 0 计"
        by_user = _grouped(model.objects.filter(date__gte=start, date__lte=end, supervisor__in=posts.values("user")), "supervisor_id")
        return _by_post_user(posts, by_user), ""
    safety = _model("safety.SafetyReport")
    if metric == Metric.POST_SAFETY_REPORTS:
        if safety is None:
            return {}, "校园安全模块未安装，安全信息按 0 计"
        return _grouped(safety.objects.filter(post__in=posts, reported_at__gte=lo, reported_at__lt=hi), "post_id"), ""
    if metric == Metric.POST_SAFETY_QUOTA_MISSED:
        if safety is None:
            return {}, "校园安全模块未安装，月度条数按 0 计"
        quota = NetworkPolicy.current().safety_monthly_quota
        months = months_between(start, end)
        per_month = defaultdict(int)
        rows = (
            safety.objects.filter(post__in=posts, month__in=months)
            .order_by()
            .values("post_id", "month")
            .annotate(n=Count("pk"))
            .values_list("post_id", "month", "n")
        )
        for post_id, month, n in rows:
            per_month[(post_id, month)] = n
        out = {}
        for post_id, started, ended in posts.values_list("pk", "start_on", "ended_on"):
            missed = sum(
                1
                for m in months
                if (started is None or started <= m.replace(day=28)) and (ended is None or ended >= m) and per_month[(post_id, m)] < quota
            )
            if missed:
                out[post_id] = missed
        return out, f"每人每月应报送安全信息 {quota} 条"
    if metric == Metric.POST_REPORTING_FAILURES:
        model = _model("safety.ReportingFailure")
        if model is None:
            return {}, "校园安全模块未安装，未报告记录按 0 计"
        return _grouped(model.objects.filter(post__in=posts, decided_on__gte=start, decided_on__lte=end), "post_id"), ""
    raise KeyError(metric)


def _by_post_user(posts, by_user: dict) -> dict:
    return {pk: by_user[user_id] for pk, user_id in posts.values_list("pk", "user_id") if user_id in by_user}


def score_lines(scheme, *, start: date, end: date, scope_path: str, now: datetime) -> tuple[list[dict], list[str]]:
    """Every (subject, rule) line of a scheme for a period: count × points each, capped."""
    lo, hi = day_bounds(start, end)
    rules = list(scheme.current_rules())
    notes: list[str] = []
    lines: list[dict] = []
    if scheme.target == "unit":
        petitions = period_queryset(Petition.objects.all(), start, end)
        if scope_path != "/":
            petitions = petitions.filter(region__path__startswith=scope_path)
        counts = {}
        for rule in rules:
            counts[rule.metric], note = unit_counts(rule.metric, petitions, lo, hi, scope_path, now)
            if note:
                notes.append(note)
        unit_ids = {uid for c in counts.values() for uid in c if uid}
        subjects = [(f"unit:{u.code}", u.name, {"unit": u}, u.pk) for u in Unit.objects.filter(pk__in=unit_ids).order_by("code")]
    else:
        posts = NetworkPost.objects.filter(role=scheme.post_role or PostRole.SAFETY_OFFICER, start_on__lte=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=start)
        )
        if scope_path != "/":
            posts = posts.filter(
                Q(region__path__startswith=scope_path)
                | Q(school__region__path__startswith=scope_path)
                | Q(region__isnull=True, school__isnull=True)
            )
        counts = {}
        for rule in rules:
            counts[rule.metric], note = post_counts(rule.metric, posts, start, end, lo, hi)
            if note:
                notes.append(note)
        subjects = [(f"post:{p.pk}", p.name, {"post": p}, p.pk) for p in posts.order_by("name", "pk")]
    for key, name, link, pk in subjects:
        for rule in rules:
            n = counts[rule.metric].get(pk, 0)
            raw = Decimal(n) * rule.points
            capped = rule.cap is not None and abs(raw) > rule.cap
            points = (rule.cap if raw > 0 else -rule.cap) if capped else raw
            lines.append(
                {
                    "subject_key": key,
                    "subject_name": name,
                    **link,
                    "metric": rule.metric,
                    "count": n,
                    "points_each": rule.points,
                    "points": points,
                    "capped": capped,
                }
            )
    return lines, notes
