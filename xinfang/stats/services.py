"""Writes of the statistics app: assessment schemes and score sheets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from xinfang.core.errors import InvalidInput, StaleVersion
from xinfang.core.permissions import require_role
from xinfang.org.models import PostRole, Role

from .assessment import score_lines
from .models import POST_METRICS, UNIT_METRICS, AssessmentLine, AssessmentRule, AssessmentScheme, AssessmentSheet, Metric, Target
from .selectors import scope_path

MANAGE_ROLES = (Role.ADMIN, Role.OFFICE)


def _require_manager(actor):
    require_role(actor, *MANAGE_ROLES, message="仅信访办或系统管理员可以管理考核")


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["应为数字"]
        return None


@transaction.atomic
def scheme_save(
    *,
    actor,
    code: str,
    name: str,
    target: str,
    post_role: str = "",
    base_points=100,
    rules: list[dict],
    note: str = "",
    version: int | None = None,
) -> AssessmentScheme:
    """Create a scheme, or replace an existing one's settings and rules (version-checked)."""
    _require_manager(actor)
    errors: dict = {}
    if not code or not name:
        errors["name" if code else "code"] = ["必填"]
    if target not in Target.values:
        errors["target"] = ["考核对象应为单位或网络岗位"]
    if target == Target.NETWORK and post_role not in PostRole.values:
        errors["post_role"] = ["请选择网络岗位"]
    base = _decimal(base_points, "base_points", errors)
    allowed = UNIT_METRICS if target == Target.UNIT else POST_METRICS
    parsed, seen = [], set()
    for i, r in enumerate(rules):
        metric = r.get("metric")
        if metric not in allowed:
            errors[f"rules.{i}.metric"] = ["该计分事项不适用于此考核对象"]
            continue
        if metric in seen:
            errors[f"rules.{i}.metric"] = ["同一计分事项只能设置一条规则"]
        seen.add(metric)
        points = _decimal(r.get("points"), f"rules.{i}.points", errors)
        cap = _decimal(r.get("cap"), f"rules.{i}.cap", errors)
        if points is None and f"rules.{i}.points" not in errors:
            errors[f"rules.{i}.points"] = ["必填"]
        if cap is not None and cap < 0:
            errors[f"rules.{i}.cap"] = ["封顶分应为正数"]
        parsed.append((metric, points, cap))
    if not parsed and not errors:
        errors["rules"] = ["至少设置一条计分规则"]
    if errors:
        raise InvalidInput("考核方案有误，请检查标出的项目", fields=errors)
    scheme = AssessmentScheme.objects.select_for_update().filter(code=code).first()
    if scheme is None:
        scheme = AssessmentScheme.objects.create(
            code=code, name=name, target=target, post_role=post_role if target == Target.NETWORK else "", base_points=base, note=note
        )
    else:
        if version is not None and version != scheme.version:
            raise StaleVersion("该考核方案已被他人修改，请刷新后重试")
        scheme.name, scheme.target, scheme.note, scheme.base_points = name, target, note, base
        scheme.post_role = post_role if target == Target.NETWORK else ""
        scheme.version += 1
        scheme.save()
    # A new set of rules for the new version; the old rules (and old sheets' lines) stay as they were.
    AssessmentRule.objects.bulk_create(
        [
            AssessmentRule(scheme=scheme, scheme_version=scheme.version, metric=m, points=p, cap=c, position=i)
            for i, (m, p, c) in enumerate(parsed)
        ]
    )
    return scheme


@transaction.atomic
def sheet_generate(*, actor, scheme: AssessmentScheme, start: date, end: date, now=None) -> AssessmentSheet:
    """Compute a period score sheet and store every line of it."""
    _require_manager(actor)
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", fields={"end": ["结束日期不能早于开始日期"]})
    if not scheme.active:
        raise InvalidInput("该考核方案已停用", fields={"scheme": ["方案已停用"]})
    path = scope_path(actor)
    lines, notes = score_lines(scheme, start=start, end=end, scope_path=path, now=now or timezone.now())
    sheet = AssessmentSheet.objects.create(
        scheme=scheme,
        scheme_version=scheme.version,
        start=start,
        end=end,
        scope_path=path,
        base_points=scheme.base_points,
        generated_by=actor,
        notes=sorted(set(notes)),
    )
    AssessmentLine.objects.bulk_create([AssessmentLine(sheet=sheet, **line) for line in lines])
    return sheet


DEFAULT_SCHEMES = [
    {
        "code": "unit-default",
        "name": "承办单位信访工作考核",
        "target": Target.UNIT,
        "rules": [
            {"metric": Metric.UNIT_ON_TIME, "points": "1", "cap": "20"},
            {"metric": Metric.UNIT_SATISFIED, "points": "0.5", "cap": "10"},
            {"metric": Metric.UNIT_REPLIED_LATE, "points": "-2"},
            {"metric": Metric.UNIT_OVERDUE_OPEN, "points": "-3"},
            {"metric": Metric.UNIT_RETURNED, "points": "-1"},
            {"metric": Metric.UNIT_SUPERVISION_ORDERS, "points": "-1"},
            {"metric": Metric.UNIT_ACCOUNTABILITY, "points": "-5"},
        ],
    },
    {
        "code": "safety-officer",
        "name": "学校安全信息员考核",
        "target": Target.NETWORK,
        "post_role": PostRole.SAFETY_OFFICER,
        "rules": [
            {"metric": Metric.POST_SAFETY_REPORTS, "points": "1", "cap": "24"},
            {"metric": Metric.POST_SAFETY_QUOTA_MISSED, "points": "-5"},
            {"metric": Metric.POST_REPORTING_FAILURES, "points": "-10"},
        ],
    },
    {
        "code": "info-officer",
        "name": "村组信息员考核",
        "target": Target.NETWORK,
        "post_role": PostRole.INFO_OFFICER,
        "rules": [{"metric": Metric.POST_INFO_REPORTS, "points": "2", "cap": "40"}],
    },
    {
        "code": "supervisor",
        "name": "包联乡镇督查员考核",
        "target": Target.NETWORK,
        "post_role": PostRole.SUPERVISOR,
        "rules": [{"metric": Metric.POST_INSPECTIONS, "points": "2", "cap": "40"}],
    },
]


def ensure_default_schemes(*, actor) -> int:
    n = 0
    for spec in DEFAULT_SCHEMES:
        if not AssessmentScheme.objects.filter(code=spec["code"]).exists():
            scheme_save(actor=actor, **spec)
            n += 1
    return n
