"""Pages of the 设置 section: the region tree, units, supervision groups, posts, coverage, import.
Thin: parse with a form, call one service or selector, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from xinfang.core.errors import DomainError, NotFound
from xinfang.org import selectors, services
from xinfang.org.coverage import coverage_report
from xinfang.org.forms import AddTownshipForm, EndPostForm, ImportForm, LeadingGroupMemberForm, NetworkPostForm, TrainingForm
from xinfang.org.importing import import_network, template_workbook
from xinfang.org.models import MANAGED_BY, PostRole, Region, RegionLevel, UnitKind


def manager_required(view):
    """Admin and office only; others get 403 (a Chinese page)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.can_manage_network(request.user):
            return render(request, "org/forbidden.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped


@manager_required
def index(request):
    county = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").first()
    children = selectors.region_children_with_posts(county) if county else []
    return render(request, "org/index.html", {"region": county, "children": children, "trail": [county] if county else []})


@manager_required
def region_detail(request, code):
    region = selectors.region_by_code(code)
    return render(
        request,
        "org/region.html",
        {
            "region": region,
            "children": selectors.region_children_with_posts(region),
            "trail": selectors.region_breadcrumb(region),
            "own_posts": selectors.region_posts(region),
        },
    )


@manager_required
def unit_list(request):
    kind = request.GET.get("kind") or None
    if kind and kind not in UnitKind.values:
        kind = None
    return render(request, "org/units.html", {"units": selectors.unit_list_with_counts(kind=kind), "kinds": UnitKind.choices, "kind": kind})


@manager_required
def unit_detail(request, code):
    unit = selectors.unit_by_code(code)
    form = LeadingGroupMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leading_group_member_add(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已加入信访工作领导小组：{form.cleaned_data['name']}")
            return redirect("org:unit", code=unit.code)
    return render(
        request,
        "org/unit.html",
        {
            "unit": unit,
            "leading_group": selectors.unit_leading_group(unit),
            "staff": selectors.unit_staff(unit),
            "posts": selectors.unit_network_posts(unit),
            "form": form,
        },
    )


@manager_required
def supervision(request):
    form = AddTownshipForm(request.POST or None, initial={"township": request.GET.get("township")})
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_group_add_township(
                actor=request.user, group=form.cleaned_data["group"], township=form.cleaned_data["township"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{form.cleaned_data['township'].name}已纳入{form.cleaned_data['group'].name}")
            return redirect("org:supervision")
    return render(
        request,
        "org/supervision.html",
        {
            "groups": selectors.supervision_groups(),
            "form": form,
            "uncovered": selectors.townships_without_group(),
            "managed_by": MANAGED_BY,
        },
    )


@manager_required
def post_new(request):
    role = request.POST.get("role") or request.GET.get("role") or PostRole.LIAISON
    if role not in PostRole.values:
        role = PostRole.LIAISON
    initial = {k: v for k, v in request.GET.items() if k != "role"}
    if role == PostRole.HANDLER and "region" in initial:
        initial["villages"] = [initial.pop("region")]
    form = NetworkPostForm(request.POST or None, role=role, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            posts = services.network_post_create(actor=request.user, role=role, **form.service_data())
        except DomainError as exc:
            for field, errs in exc.fields.items():
                if field in form.fields:
                    for err in errs:
                        form.add_error(field, err)
            messages.error(request, exc.message)
        else:
            post = posts[0]
            messages.success(request, f"已设置{post.get_role_display()}：{post.name}")
            return redirect(_post_home(post))
    return render(
        request,
        "org/post_form.html",
        {
            "form": form,
            "role": role,
            "role_label": PostRole(role).label,
            "roles": PostRole.choices,
            "managed_by": MANAGED_BY[PostRole(role)],
        },
    )


def _post_home(post) -> str:
    if post.role == PostRole.SUPERVISOR:
        return reverse("org:supervision")
    if post.role == PostRole.SAFETY_OFFICER and post.school_id:
        return reverse("org:unit", args=[post.school.code])
    if post.region_id and post.region.parent_id:
        return reverse("org:region", args=[post.region.parent.code])
    return reverse("org:coverage")


@manager_required
def post_end(request, pk):
    post = selectors.post_by_id(pk)
    form = EndPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_post_end(actor=request.user, post=post, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{post.name} 已办理离岗")
            return redirect(_post_home(post))
    return render(request, "org/post_end.html", {"post": post, "form": form})


@manager_required
def post_training(request, pk):
    post = selectors.post_by_id(pk)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supervisor_record_training(actor=request.user, post=post, trained_on=form.cleaned_data["trained_on"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已登记 {post.name} 的岗前培训")
            return redirect("org:coverage")
    return render(request, "org/post_training.html", {"post": post, "form": form})


@manager_required
def coverage(request):
    sections = coverage_report()
    return render(request, "org/coverage.html", {"sections": sections, "total": sum(s.count for s in sections)})


@manager_required
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        commit = request.POST.get("mode") == "commit"
        try:
            result = import_network(form.cleaned_data["file"], actor=request.user, commit=commit)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.errors:
                messages.error(request, f"共 {len(result.errors)} 行有误，未导入任何数据。请改正后重新上传。")
            elif result.committed:
                messages.success(request, f"导入完成：{result.summary()}")
            else:
                messages.success(request, f"检查通过（尚未写入）：{result.summary()}。确认无误后点“导入”。")
    return render(request, "org/import.html", {"form": form, "result": result})


@manager_required
def import_template(request):
    response = HttpResponse(template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from xinfang.core.downloads import attach

    return attach(response, "组织网络导入模板.xlsx", fallback="network-template.xlsx")
