"""School safety information pages: thin; the rules are in services.py / selectors.py."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import DomainError, NotFound
from xinfang.org.models import NetworkPolicy, NetworkPost, PostRole, Role
from xinfang.safety import exports, selectors, services
from xinfang.safety.forms import FailureForm, RecognitionForm, SafetyReportForm
from xinfang.safety.models import Recognition, ReportingFailure, ValueRating


def _month(request) -> date:
    raw = request.GET.get("month", "")
    try:
        y, m = (int(x) for x in raw.split("-"))
        return date(y, m, 1)
    except ValueError:
        return selectors.month_of(timezone.now())


@login_required
def index(request):
    actor = request.user
    month = selectors.month_of(timezone.now())
    officer = selectors.home_count(actor)
    schools = selectors.schools_overview(actor=actor, month=month)
    if not officer and not schools.exists():
        if actor.has_role(Role.SAFETY_OFFICER):
            # The navigation offers 校园安全 to safety officers; without a post, say what to do instead of 403.
            return render(request, "core/no_post.html", {"role_label": "安全信息员", "what": "学校安全信息员"})
        raise PermissionDenied
    mine = selectors.report_list(actor=actor).filter(reporter=actor)[:10] if officer else []
    return render(
        request,
        "safety/index.html",
        {"officer": officer, "schools": schools, "month": month, "mine": mine, "nav_active": "safety"},
    )


@login_required
def report_new(request):
    actor = request.user
    posts = list(selectors.officer_posts(actor))
    if not posts:
        raise PermissionDenied
    form = SafetyReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.safety_report_file(actor=actor, post_id=request.POST.get("post_id") or None, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            count = selectors.officer_month_count(report.post, report.month)
            q = selectors.quota()
            msg = f"安全信息已报送。本月已报 {count} 条（要求 {q} 条）"
            if report.is_major:
                msg += "；重大信息已提请学校领导小组组长和信访办立即处理"
            messages.success(request, msg)
            return redirect("safety:index")
    return render(request, "safety/report_form.html", {"form": form, "posts": posts, "nav_active": "safety"})


def _school(request, pk):
    try:
        return selectors.get_school(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def school(request, pk):
    actor = request.user
    school = _school(request, pk)
    month = _month(request)
    manage = selectors.can_manage_school(actor, school)
    year = month.year
    posts = list(NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=school).order_by("ended_on", "name"))
    active_posts = [p for p in posts if p.ended_on is None]
    ctx = {
        "school": school,
        "month": month,
        "manage": manage,
        "sheet": selectors.monthly_sheet(school=school, month=month),
        "reports": selectors.report_list(actor=actor, school=school, month=month),
        "major_open": selectors.report_list(actor=actor, school=school, major_open=True),
        "ratings": ValueRating.choices,
        "nav_active": "safety",
        "year": year,
        "posts": posts,
        "active_count": len(active_posts),
        "policy": NetworkPolicy.current(),
    }
    if manage:
        ctx.update(
            {
                "year_record": selectors.year_record(school=school, year=year),
                "recognitions": Recognition.objects.filter(school=school).select_related("post", "report").order_by("-year", "kind")[:30],
                "failures": ReportingFailure.objects.filter(school=school).select_related("post")[:30],
                "recognition_form": RecognitionForm(posts=posts),
                "failure_form": FailureForm(posts=active_posts),
            }
        )
    return render(request, "safety/school.html", ctx)


@login_required
def sheet_xlsx(request, pk):
    school = _school(request, pk)
    if not selectors.can_manage_school(request.user, school):
        raise PermissionDenied
    month = _month(request)
    data = exports.monthly_sheet_xlsx(school=school, month=month, rows=selectors.monthly_sheet(school=school, month=month))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from xinfang.core.downloads import attach

    return attach(response, f"校园安全信息月报-{school.name}-{month:%Y-%m}.xlsx", fallback=f"safety-{school.code}-{month:%Y-%m}.xlsx")


@login_required
@require_POST
def report_action(request, pk, action):
    actor = request.user
    try:
        if action == "rate":
            report = services.safety_report_rate(
                actor=actor, report_id=pk, version=request.POST.get("version"), rating=request.POST.get("rating")
            )
            messages.success(request, "已评定")
        elif action == "attend":
            report = services.safety_report_attend(
                actor=actor, report_id=pk, version=request.POST.get("version"), note=request.POST.get("note")
            )
            messages.success(request, "已记录处理情况")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or "safety:index")
    return redirect(f"/safety/schools/{report.school_id}/?month={report.month:%Y-%m}")


@login_required
@require_POST
def school_action(request, pk, action):
    actor = request.user
    school = _school(request, pk)
    posts = list(NetworkPost.objects.filter(role=PostRole.SAFETY_OFFICER, school=school))
    form = (RecognitionForm if action == "recognition" else FailureForm)(request.POST, posts=posts)
    if action not in ("recognition", "failure"):
        raise Http404
    if not form.is_valid():
        messages.error(
            request, "请检查填写的内容：" + "；".join(f"{form.fields[k].label}{v[0]}" for k, v in form.errors.items() if k in form.fields)
        )
        return redirect("safety:school", pk=school.pk)
    d = form.cleaned_data
    try:
        if action == "recognition":
            services.recognition_award(
                actor=actor,
                school=school,
                post_id=d["post_id"],
                kind=d["kind"],
                year=int(request.POST.get("year") or timezone.localdate().year),
                reason=d["reason"],
                report_id=d["report_id"],
            )
            messages.success(request, "已记录表彰奖励")
        else:
            services.reporting_failure_record(actor=actor, school=school, **d)
            messages.success(request, "已记录学校决定")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("safety:school", pk=school.pk)
