"""The time-limit and holiday settings page (/petitions/settings/time-limits/). Thin: timelimits.py does the work."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from xinfang.core.errors import DomainError, InvalidInput
from xinfang.petitions import deadlines, holiday_notice, timelimits

WEEKDAYS = "一二三四五六日"


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _page(
    request,
    *,
    year: int,
    status: int = 200,
    errors: dict | None = None,
    holiday_form: dict | None = None,
    posted: dict | None = None,
    notice_text: str = "",
):
    now = timezone.now()
    this_year = deadlines.to_local(now).year
    calendar = timelimits.work_calendar()
    rows = []
    for row in timelimits.limits_table():
        limit = deadlines.Limit(row.amount, row.unit, row.day_kind)
        example = deadlines.due_at(now, limit, calendar)
        entered = (posted or {}).get(row.step) or {"amount": row.amount, "day_kind": row.day_kind}
        rows.append(
            {
                "row": row,
                "limit": limit,
                "example": example,
                "legal_max": timelimits.LEGAL_MAXIMUM.get(row.step),
                "legal_fixed": row.step in timelimits.LEGAL_FIXED,
                "entered": entered,
            }
        )
    days = timelimits.holidays_of_year(year)
    for d in days:
        d["weekday"] = "周" + WEEKDAYS[d["date"].weekday()]
    builtin_missing = sum(1 for d in days if d["source"] == "builtin")
    notices = [n for n in (timelimits.calendar_notice(y) for y in sorted({year, this_year, this_year + 1})) if n]
    ns = _ns(request)
    context = {
        "nav_active": "settings",
        "url_limit": f"{ns}:limit_update",
        "url_holiday": f"{ns}:holiday_set",
        "url_import": f"{ns}:holiday_import",
        "url_load": f"{ns}:holidays_load",
        "url_pause": f"{ns}:pause_update",
        "grounds": [
            {
                "row": g,
                "roles": g.role_codes,
                "entered": (posted or {}).get(f"pause:{g.code}") or {"max_days": g.max_days, "roles": g.role_codes},
            }
            for g in timelimits.pause_ground_rows()
        ],
        "pause_roles": list(timelimits.PAUSE_ROLES.items()),
        "notice_text": notice_text,
        "notice_example": NOTICE_EXAMPLE,
        "rows": rows,
        "now": now,
        "year": year,
        "years": sorted(set(range(this_year - 2, this_year + 3)) | {year}),
        "days": days,
        "groups": timelimits.group_days(days),
        "days_off": sum(1 for d in days if not d["is_workday"]),
        "make_up": sum(1 for d in days if d["is_workday"]),
        "builtin_missing": builtin_missing,
        "builtin_known": year in timelimits.chinesecalendar_years(),
        "notices": notices,
        "can_edit": timelimits.can_edit_settings(request.user),
        "errors": errors or {},
        "holiday_form": holiday_form or {},
        "changes": timelimits.recent_changes(10),
    }
    return render(request, "petitions/time_limits.html", context, status=status)


def _ns(request) -> str:
    """ "timelimits" when mounted in the project urls, "petitions:timelimits" if included from petitions/urls.py."""
    match = getattr(request, "resolver_match", None)
    return match.namespace if match and match.namespace else "timelimits"


def _back(request, year: int):
    return redirect(f"{reverse(_ns(request) + ':index')}?year={year}")


@login_required
@require_GET
def index(request):
    this_year = deadlines.to_local(timezone.now()).year
    return _page(request, year=_year(request.GET.get("year"), this_year))


@login_required
@require_POST
def limit_update(request, step: str):
    year = _year(request.POST.get("year"), deadlines.to_local(timezone.now()).year)
    try:
        row = timelimits.time_limit_update(
            actor=request.user,
            step=step,
            amount=request.POST.get("amount", ""),
            day_kind=request.POST.get("day_kind", ""),
            expected_amount=_int(request.POST.get("expected_amount")),
            expected_day_kind=request.POST.get("expected_day_kind", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        posted = {step: {"amount": request.POST.get("amount", ""), "day_kind": request.POST.get("day_kind", "")}}
        return _page(request, year=year, status=exc.status, errors={step: exc.message}, posted=posted)
    messages.success(request, f"已保存：{row.label} {deadlines.Limit(row.amount, row.unit, row.day_kind).describe()}")
    return _back(request, year)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput("页面数据不完整，请刷新后重试") from None


@login_required
@require_POST
def holiday_set(request):
    year = _year(request.POST.get("year"), deadlines.to_local(timezone.now()).year)
    form = {"date": request.POST.get("date", ""), "name": request.POST.get("name", ""), "kind": request.POST.get("kind", "")}
    try:
        day = parse_date(form["date"].strip()) if form["date"].strip() else None
    except ValueError:
        day = None
    try:
        if day is None:
            raise InvalidInput("请填写有效的日期，例如 2027-01-01", fields={"date": ["日期无效"]})
        if form["kind"] not in ("holiday", "workday"):
            raise InvalidInput("请选择“放假”或“调休上班”", fields={"kind": ["请选择"]})
        row = timelimits.holiday_set(actor=request.user, day=day, is_workday=form["kind"] == "workday", name=form["name"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, year=year, status=exc.status, errors={"holiday": exc.message}, holiday_form=form)
    messages.success(request, f"已保存：{row.date:%Y-%m-%d} {'调休上班' if row.is_workday else '放假'}（{row.name}）")
    return _back(request, row.date.year)


# The format the settings page and `manage.py load_holidays --file` read (holiday_notice.parse_holiday_notice).
NOTICE_EXAMPLE = "2027-01-01,休,元旦\n2027-02-05~2027-02-11,休,春节\n2027-02-14,班,春节"
MAX_NOTICE_BYTES = 64 * 1024


@login_required
@require_POST
def holidays_load(request):
    """Enter a year's State Council notice in one step: pasted lines or an uploaded .csv/.txt of the same lines."""
    year = _year(request.POST.get("year"), deadlines.to_local(timezone.now()).year)
    text = request.POST.get("text", "")
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if upload.size > MAX_NOTICE_BYTES:
                raise InvalidInput("文件过大（放假安排不超过 64KB）", fields={"file": ["文件过大"]})
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gb18030")
                except UnicodeDecodeError:
                    raise InvalidInput(
                        "文件不是文本（请保存为 UTF-8 或 GBK 编码的 .csv/.txt）", fields={"file": ["文件编码无法识别"]}
                    ) from None
        result = holiday_notice.holidays_load(actor=request.user, text=text)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, year=year, status=exc.status, errors={"load": exc.message}, notice_text=text)
    years = "、".join(str(y) for y in result["years"])
    msg = f"已录入 {years} 年放假安排：新增 {result['created']} 天，更正 {result['updated']} 天，未变 {result['unchanged']} 天"
    messages.success(request, msg)
    for y, lacking in result["missing"].items():
        messages.warning(request, f"{y} 年的录入中没有：{'、'.join(lacking)}。如国务院通知中有这些节日，请补录，否则期限会按周末计算")
    return _back(request, result["years"][0])


@login_required
@require_POST
def pause_update(request, code: str):
    year = _year(request.POST.get("year"), deadlines.to_local(timezone.now()).year)
    try:
        row = timelimits.pause_ground_update(
            actor=request.user,
            code=code,
            max_days=request.POST.get("max_days", ""),
            roles=request.POST.getlist("roles"),
            expected_max_days=request.POST.get("expected_max_days"),
            expected_roles=request.POST.get("expected_roles", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        posted = {f"pause:{code}": {"max_days": request.POST.get("max_days", ""), "roles": request.POST.getlist("roles")}}
        return _page(request, year=year, status=exc.status, errors={f"pause:{code}": exc.message}, posted=posted)
    messages.success(request, f"已保存：{row.label} 最长 {row.max_days} 日")
    return _back(request, year)


@login_required
@require_POST
def holiday_import(request):
    year = _year(request.POST.get("year"), date.today().year)
    try:
        created, kept = timelimits.holidays_import(actor=request.user, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, year=year, status=exc.status, errors={"import": exc.message})
    messages.success(request, f"已从内置日历导入 {year} 年：新增 {created} 天，已有 {kept} 天保持不变")
    return _back(request, year)
