"""Statistics pages: thin views over `selectors` (reads) and `reports`/`tables` (files)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from xinfang.core.errors import DomainError, InvalidInput, NoPermission
from xinfang.core.permissions import holds_role
from xinfang.org.models import Region, RegionLevel
from xinfang.petitions.models import Channel, Status

from . import breakdowns, kpis, selectors


def _deny(request, exc: DomainError):
    return render(request, "stats/denied.html", {"message": exc.message}, status=403)


def quick_periods(today: date) -> list[tuple[str, date, date]]:
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    q_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return [
        ("本月", month_start, today),
        ("上月", last_month_end.replace(day=1), last_month_end),
        ("本季度", q_start, today),
        ("本年", today.replace(month=1, day=1), today),
        ("上一年", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]


def _filter_or_default(request):
    """Parse the filter; on bad input show the message and fall back to the default period."""
    try:
        return selectors.parse_filter(request.user, request.GET), None
    except NoPermission:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return selectors.parse_filter(request.user, {}), exc


def _common(request, f) -> dict:
    path = selectors.scope_path(request.user)
    regions = Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
    if path != "/":
        regions = regions.filter(path__startswith=path)
    today = timezone.localdate()
    return {
        "f": f,
        "query": urlencode(f.params()),
        "regions": regions.order_by("path").only("code", "name", "level", "path"),
        "quick": [
            (label, urlencode({"start": s.isoformat(), "end": e.isoformat(), **({"region": f.region.code} if f.region else {})}))
            for label, s, e in quick_periods(today)
        ],
        "can_drill": selectors.can_drill_down(request.user),
    }


@login_required
def dashboard(request):
    try:
        f, _ = _filter_or_default(request)
    except NoPermission as exc:
        return _deny(request, exc)
    data = selectors.dashboard(actor=request.user, f=f)
    chart_data = {
        "series": data["series"],
        "category": data["breakdowns"]["category"][:12],
        "channel": data["breakdowns"]["channel"],
        "township": data["breakdowns"]["township"],
    }
    counts = [
        (code, kpis.COUNT_LABELS[code], data["counts"][code], data["previous_counts"][code], data["last_year_counts"][code])
        for code in ("total", "overdue", "collective", "cross_level")
    ]
    max_township = max([r["count"] for r in data["breakdowns"]["township"]] or [0])
    for r in data["breakdowns"]["township"]:
        r["heat"] = _heat(r["count"], max_township)
    return render(
        request,
        "stats/dashboard.html",
        {
            **_common(request, f),
            "kpi_list": list(data["kpis"].values()),
            "counts": counts,
            "breakdowns": data["breakdowns"],
            "periods": data["periods"],
            "chart_data": chart_data,
            "grain_label": breakdowns.GRAIN_LABELS[data["series"]["grain"]],
        },
    )


def _heat(n: int, top: int) -> int:
    """0..4, for the township heat table's CSS class."""
    if not top or not n:
        return 0
    return min(4, 1 + int(4 * n / (top + 1)))


@login_required
def drill_down(request, code):
    try:
        f = selectors.parse_filter(request.user, request.GET)
        part = request.GET.get("part", "den")
        qs = selectors.drill_down(actor=request.user, f=f, code=code, part=part)
    except NoPermission as exc:
        return _deny(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("stats:dashboard"))
    definitions = kpis.kpi_definitions(timezone.now())
    kpi = definitions.get(code)
    title = kpi.label if kpi else kpis.COUNT_LABELS.get(code, code)
    part_label = {"den": kpi.denominator_label, "num": kpi.numerator_label, "miss": "未达标件"}[part] if kpi else title
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    status_labels, channel_labels = dict(Status.choices), dict(Channel.choices)
    rows = [
        {"p": p, "status": status_labels.get(p.status, p.status), "channel": channel_labels.get(p.channel, p.channel)}
        for p in page.object_list
    ]
    return render(
        request,
        "stats/drill_down.html",
        {
            **_common(request, f),
            "code": code,
            "title": title,
            "part": part,
            "part_label": part_label,
            "is_kpi": kpi is not None,
            "page": page,
            "rows": rows,
            "now": timezone.now(),
        },
    )


@login_required
def league(request):
    try:
        f, _ = _filter_or_default(request)
    except NoPermission as exc:
        return _deny(request, exc)
    data = selectors.stats_league(actor=request.user, f=f)
    return render(request, "stats/league.html", {**_common(request, f), **data})


@login_required
def hot(request):
    try:
        f, _ = _filter_or_default(request)
    except NoPermission as exc:
        return _deny(request, exc)
    data = selectors.stats_hot_issues(actor=request.user, f=f)
    top = max([t["count"] for t in data["terms"]] or [1])
    for t in data["terms"]:
        t["size"] = 1 + min(4, int(4 * t["count"] / top))
    return render(request, "stats/hot.html", {**_common(request, f), **data})


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    from xinfang.core.downloads import attach

    return attach(HttpResponse(content, content_type=content_type), filename)


@login_required
def report_page(request):
    if not selectors.can_view_stats(request.user):
        return _deny(request, NoPermission("无权查看统计数据"))
    today = timezone.localdate()
    if "format" in request.GET:
        from . import reports, tables

        try:
            kind = request.GET.get("kind", "monthly")
            year = int(request.GET.get("year") or today.year)
            raw = request.GET.get("number") or request.GET.get({"monthly": "month", "quarterly": "quarter"}.get(kind, ""), "")
            number = int(raw or 0) or None
            fmt = request.GET["format"]
            if fmt not in ("docx", "pdf", "xlsx"):
                raise InvalidInput("文件格式应为 docx、pdf 或 xlsx", fields={"format": ["无效的格式"]})
            data = reports.report_data(actor=request.user, kind=kind, year=year, number=number, region=request.GET.get("region", ""))
        except ValueError:
            messages.error(request, "年份、月份或季度应为数字")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            name = f"{data['title']}-{data['period_label']}"
            if fmt == "docx":
                return file_response(reports.render_docx(data), f"{name}.docx", DOCX)
            if fmt == "pdf":
                return file_response(reports.render_pdf(data), f"{name}.pdf", "application/pdf")
            return file_response(tables.render_xlsx(data), f"{name.replace('分析报告', '统计报表')}.xlsx", XLSX)
    f = selectors.parse_filter(request.user, {})
    return render(
        request,
        "stats/reports.html",
        {
            **_common(request, f),
            "years": list(range(today.year, today.year - 6, -1)),
            "months": list(range(1, 13)),
            "this_month": today.month,
            "this_quarter": (today.month - 1) // 3 + 1,
            "quarters": [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")],
        },
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def assessment(request):
    from . import services
    from .models import AssessmentScheme

    if not selectors.can_view_stats(request.user):
        return _deny(request, NoPermission("无权查看统计数据"))
    can_manage = holds_role(request.user, *services.MANAGE_ROLES)
    if request.method == "POST":
        try:
            scheme = AssessmentScheme.objects.filter(pk=request.POST.get("scheme") or 0).first()
            if scheme is None:
                raise InvalidInput("请选择考核方案", fields={"scheme": ["请选择考核方案"]})
            start, end = selectors._date(request.POST.get("start", "")), selectors._date(request.POST.get("end", ""))
            if start is None or end is None:
                raise InvalidInput("请填写正确的考核起止日期（YYYY-MM-DD）", fields={"start": ["日期格式有误"]})
            sheet = services.sheet_generate(actor=request.user, scheme=scheme, start=start, end=end)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "考核评分表已生成")
            return redirect(reverse("stats:sheet", args=[sheet.pk]))
    today = timezone.localdate()
    return render(
        request,
        "stats/assessment.html",
        {
            "query": "",
            "schemes": selectors.assessment_schemes(actor=request.user),
            "sheets": selectors.assessment_sheets(actor=request.user),
            "can_manage": can_manage,
            "default_start": today.replace(month=1, day=1),
            "default_end": today,
        },
    )


@login_required
def assessment_sheet(request, pk):
    try:
        data = selectors.assessment_sheet(actor=request.user, pk=pk)
    except NoPermission as exc:
        return _deny(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("stats:assessment"))
    if request.GET.get("format") == "xlsx":
        from .exports import sheet_xlsx

        return file_response(sheet_xlsx(data), f"{data['sheet'].scheme.name}-{data['sheet'].start}-{data['sheet'].end}.xlsx", XLSX)
    return render(request, "stats/sheet.html", {"query": "", **data})
