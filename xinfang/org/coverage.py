"""Coverage of the network: where a post is missing or about to lapse.

One query per section (six in all, plus the policy row), whatever the size of the county.
Each row carries the URL where the gap is fixed (the post form, prefilled).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from xinfang.org.models import NetworkPolicy, NetworkPost, PostRole, Region, RegionLevel, Unit, UnitKind


@dataclass
class CoverageRow:
    code: str  # region code, school code or post id
    name: str
    where: str  # the township / village / group it belongs to
    detail: str
    fix_url: str
    fix_label: str


@dataclass
class CoverageSection:
    key: str
    title: str
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def _new_post_url(**params) -> str:
    return reverse("org:post-new") + "?" + urlencode(params)


def _active(role: str, **where):
    return NetworkPost.objects.filter(role=role, ended_on__isnull=True, **where)


def villages_without_liaison() -> list[CoverageRow]:
    qs = (
        Region.objects.filter(level=RegionLevel.VILLAGE)
        .annotate(has=Exists(_active(PostRole.LIAISON, region=OuterRef("pk"))))
        .filter(has=False)
        .select_related("parent")
        .order_by("code")
    )
    return [
        CoverageRow(
            v.code, v.name, v.parent.name if v.parent else "", "未设联络员", _new_post_url(role="liaison", region=v.code), "设置联络员"
        )
        for v in qs
    ]


def groups_without_info_officer() -> list[CoverageRow]:
    qs = (
        Region.objects.filter(level=RegionLevel.GROUP)
        .annotate(has=Exists(_active(PostRole.INFO_OFFICER, region=OuterRef("pk"))))
        .filter(has=False)
        .select_related("parent__parent")
        .order_by("code")
    )
    rows = []
    for g in qs:
        village = g.parent
        where = f"{village.parent.name if village and village.parent else ''}{village.name if village else ''}"
        rows.append(CoverageRow(g.code, g.name, where, "未设信息员", _new_post_url(role="info_officer", region=g.code), "设置信息员"))
    return rows


def townships_without_group() -> list[CoverageRow]:
    qs = Region.objects.filter(level=RegionLevel.TOWNSHIP, supervision_groups__isnull=True).order_by("code")
    url = reverse("org:supervision")
    return [CoverageRow(t.code, t.name, "", "未纳入任何督查组", f"{url}?township={t.code}#add-township", "纳入督查组") for t in qs]


def schools_short(policy: NetworkPolicy) -> list[CoverageRow]:
    qs = (
        Unit.objects.filter(kind=UnitKind.SCHOOL, active=True)
        .annotate(n=Count("safety_posts", filter=Q(safety_posts__role=PostRole.SAFETY_OFFICER, safety_posts__ended_on__isnull=True)))
        .filter(n__lt=policy.safety_officers_min)
        .select_related("region")
        .order_by("code")
    )
    rows = []
    for s in qs:
        detail = "未设安全信息员" if s.n == 0 else f"安全信息员 {s.n} 名，少于下限 {policy.safety_officers_min} 名"
        rows.append(
            CoverageRow(s.code, s.name, s.region.name, detail, _new_post_url(role="safety_officer", school=s.code), "设置安全信息员")
        )
    return rows


def _supervisors():
    return _active(PostRole.SUPERVISOR).select_related("supervision_group", "home_unit").order_by("supervision_group__code", "name")


def supervisors_untrained() -> list[CoverageRow]:
    return [
        CoverageRow(
            str(p.pk),
            p.name,
            p.supervision_group.name if p.supervision_group else "",
            f"未登记岗前培训（原单位：{p.home_unit.name if p.home_unit else '—'}）",
            reverse("org:post-training", args=[p.pk]),
            "登记培训",
        )
        for p in _supervisors().filter(trained_on__isnull=True)
    ]


def supervisors_term_ending(policy: NetworkPolicy, today: date) -> list[CoverageRow]:
    limit = today + timedelta(days=policy.term_warning_days)
    rows = []
    for p in _supervisors().filter(end_on__isnull=False, end_on__lte=limit).order_by("end_on", "name"):
        left = (p.end_on - today).days
        detail = f"抽调期满 {p.end_on:%Y-%m-%d}（" + (f"还剩 {left} 天）" if left >= 0 else f"已过 {-left} 天）")
        params = {"role": "supervisor", "supervision_group": p.supervision_group.code if p.supervision_group else ""}
        if p.home_unit:
            params["home_unit"] = p.home_unit.code
        rows.append(
            CoverageRow(
                str(p.pk), p.name, p.supervision_group.name if p.supervision_group else "", detail, _new_post_url(**params), "选派接任"
            )
        )
    return rows


def coverage_report(*, today: date | None = None) -> list[CoverageSection]:
    today = today or date.today()
    policy = NetworkPolicy.current()
    return [
        CoverageSection("villages_without_liaison", "未设联络员的行政村", villages_without_liaison()),
        CoverageSection("groups_without_info_officer", "未设信息员的村民小组", groups_without_info_officer()),
        CoverageSection("townships_without_group", "未纳入督查组的乡镇", townships_without_group()),
        CoverageSection("schools_short", "安全信息员不足的学校", schools_short(policy)),
        CoverageSection("supervisors_untrained", "未完成岗前培训的督查员", supervisors_untrained()),
        CoverageSection(
            "supervisors_term_ending", f"{policy.term_warning_days} 天内抽调期满的督查员", supervisors_term_ending(policy, today)
        ),
    ]


def coverage_counts(*, today: date | None = None) -> dict[str, int]:
    """Just the numbers (the home panel): count queries, no rows loaded."""
    today = today or date.today()
    policy = NetworkPolicy.current()
    limit = today + timedelta(days=policy.term_warning_days)
    sup = NetworkPost.objects.filter(role=PostRole.SUPERVISOR, ended_on__isnull=True)
    return {
        "villages_without_liaison": Region.objects.filter(level=RegionLevel.VILLAGE)
        .exclude(Exists(_active(PostRole.LIAISON, region=OuterRef("pk"))))
        .count(),
        "groups_without_info_officer": Region.objects.filter(level=RegionLevel.GROUP)
        .exclude(Exists(_active(PostRole.INFO_OFFICER, region=OuterRef("pk"))))
        .count(),
        "townships_without_group": Region.objects.filter(level=RegionLevel.TOWNSHIP, supervision_groups__isnull=True).count(),
        "schools_short": Unit.objects.filter(kind=UnitKind.SCHOOL, active=True)
        .annotate(n=Count("safety_posts", filter=Q(safety_posts__role=PostRole.SAFETY_OFFICER, safety_posts__ended_on__isnull=True)))
        .filter(n__lt=policy.safety_officers_min)
        .count(),
        "supervisors_untrained": sup.filter(trained_on__isnull=True).count(),
        "supervisors_term_ending": sup.filter(end_on__isnull=False, end_on__lte=limit).count(),
    }


SECTION_TITLES = {
    "villages_without_liaison": "未设联络员的村",
    "groups_without_info_officer": "未设信息员的组",
    "townships_without_group": "未纳入督查组的乡镇",
    "schools_short": "安全信息员不足的学校",
    "supervisors_untrained": "未培训的督查员",
    "supervisors_term_ending": "即将期满的督查员",
}
