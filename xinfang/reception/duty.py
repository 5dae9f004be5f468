"""Writes for each unit's duty rule and a principal's away-overnight report (the seed's 节假日期间信访事项的应急处置:
"坚持每天一名副校级教干带班", "节假日期间学校校长及值班人员的手机保持24小时开机。校长外出办事当日不能返校的向教办报告")."""

from django.db import transaction
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import NoPermission
from xinfang.core.permissions import holds_role
from xinfang.org.models import Role, Unit
from xinfang.reception import selectors
from xinfang.reception.models import AwayReport, DutyRule
from xinfang.reception.services import CLOCK_SKEW, _require_manager, is_manager


@transaction.atomic
def duty_rule_save(*, actor, unit: Unit, daily_leader: bool, holiday_duty: bool) -> DutyRule:
    _require_manager(actor)
    if unit is None:
        raise inputs.bad("unit", "请选择单位")
    rule, _ = DutyRule.objects.select_for_update().get_or_create(unit=unit)
    rule.daily_leader, rule.holiday_duty, rule.updated_by = bool(daily_leader), bool(holiday_duty), actor
    rule.save(update_fields=["daily_leader", "holiday_duty", "updated_by", "updated_at"])
    return rule


def default_away_organ(unit: Unit | None) -> str:
    """Whom a principal reports to: the unit's 教办 if its urgent-report rule names one, else its superior unit."""
    if unit is None:
        return ""
    names = [o["name"] for o in selectors.organs_to_tell(unit)]
    return next((n for n in names if "教办" in n or "教育办" in n), unit.parent.name if unit.parent_id else (names[0] if names else ""))


def can_report_away(actor, unit: Unit | None) -> bool:
    return is_manager(actor) or (unit is not None and actor.unit_id == unit.pk and holds_role(actor, Role.LEADER, Role.UNIT_HANDLER))


@transaction.atomic
def away_report(
    *, actor, leaves_on, returns_on, purpose: str, acting: str, reported_to: str = "", reported_at=None, principal=None
) -> AwayReport:
    """校长外出办事当日不能返校的向教办报告: the principal (or the office for them) records the trip, who is in charge meanwhile,
    and when the 教办 was told. Only a trip that does not return the same day needs the report."""
    principal = principal or actor
    unit = principal.unit
    if not can_report_away(actor, unit) or not (actor.pk == principal.pk or is_manager(actor)):
        raise NoPermission("只有本人或信访办可以登记外出报告")
    leaves = inputs.day(leaves_on, "leaves_on", "外出日期", required=True)
    returns = inputs.day(returns_on, "returns_on", "返校日期", required=True)
    if returns <= leaves:
        raise inputs.bad("returns_on", "当日能返校的无需报告；返校日期应晚于外出日期")
    now = timezone.now()
    at = inputs.moment(reported_at, "reported_at", "报告时间", required=False) or now
    if at > now + CLOCK_SKEW:
        raise inputs.bad("reported_at", "报告时间不能晚于现在")
    return AwayReport.objects.create(
        unit=unit,
        principal=principal,
        leaves_on=leaves,
        returns_on=returns,
        purpose=inputs.text(purpose, "purpose", "外出事由及去向", max_len=200),
        acting=inputs.text(acting, "acting", "外出期间负责人及电话", max_len=100),
        reported_to=inputs.text(reported_to or default_away_organ(unit), "reported_to", "报告对象", max_len=100),
        reported_at=min(at, now),
        recorded_by=actor,
    )


def away_reports(actor, *, since=None):
    since = since or timezone.localdate()
    qs = AwayReport.objects.filter(returns_on__gte=since).select_related("unit", "principal").order_by("leaves_on", "pk")
    return qs if is_manager(actor) else qs.filter(unit_id=actor.unit_id)
