"""越级访: guidance and a report upward, visible to the office (the seed's 控制和化解集体访、越级访工作制度 第4条).

Petitioning any level is the petitioner's right (DESIGN.md, principle 1). This module only records the office's own
work: what it explained to the petitioner, the report to the level above, the unit asked to act. It has no field about
the petitioner, refuses nothing to them and feeds no score; the seed school's "越级上访者……一票否决" is not built."""

from django.db import transaction
from django.utils import timezone

from xinfang.access.policy import OFFICE_ROLES, get_visible_petition
from xinfang.core import inputs
from xinfang.core.errors import InvalidInput
from xinfang.core.permissions import require_role
from xinfang.org.models import Role, Unit
from xinfang.petitions.event_types import EventType
from xinfang.petitions.events import record_event
from xinfang.reception.models import CrossLevelReport

CLOCK_SKEW_MINUTES = 2


@transaction.atomic
def cross_level_report(
    *,
    actor,
    reg_no: str,
    guidance: str,
    reported_to_unit: Unit | None = None,
    reported_to: str = "",
    reported_at=None,
    situation: str,
    responsible_unit: Unit | None = None,
    measures: str = "",
) -> CrossLevelReport:
    """Record the guidance given and the report upward for a 越级访 petition; one timeline entry (not public)."""
    require_role(actor, *OFFICE_ROLES, Role.LEADER, message="只有信访办或领导可以记录越级访的疏导和报告")
    petition = get_visible_petition(actor, reg_no, for_update=True)
    if not petition.cross_level:
        raise InvalidInput("该件未登记为越级访", fields={"reg_no": ["该件未登记为越级访"]})
    guidance = inputs.text(guidance, "guidance", "宣传疏导情况", max_len=2000)
    name = reported_to_unit.name if reported_to_unit is not None else inputs.text(reported_to, "reported_to", "报告对象", max_len=100)
    now = timezone.now()
    at = inputs.moment(reported_at, "reported_at", "报告时间", required=False) or now
    if (at - now).total_seconds() > CLOCK_SKEW_MINUTES * 60:
        raise inputs.bad("reported_at", "报告时间不能晚于现在")
    if at < petition.received_at:
        raise inputs.bad("reported_at", "报告时间不能早于收到信访的时间")
    situation = inputs.text(situation, "situation", "报告情况", max_len=2000)
    measures = inputs.text(measures, "measures", "责成采取的措施", required=False, max_len=2000)
    report = CrossLevelReport.objects.create(
        petition=petition,
        guidance=guidance,
        reported_to_unit=reported_to_unit,
        reported_to=name,
        reported_at=min(at, now),
        situation=situation,
        responsible_unit=responsible_unit,
        measures=measures,
        recorded_by=actor,
    )
    record_event(
        petition=petition,
        action=EventType.CROSS_LEVEL_GUIDANCE,
        actor=actor,
        from_status=petition.status,
        to_status=petition.status,
        data={
            "guidance": guidance,
            "reported_to": name,
            "situation": situation,
            "responsible_unit": responsible_unit.name if responsible_unit else "",
            "measures": measures,
        },
    )
    return report


def open_cross_level(actor, limit: int = 50):
    """越级访 petitions in the actor's scope with no guidance-and-report record yet (for the office's home and list)."""
    from xinfang.access.policy import visible_petitions
    from xinfang.petitions.models import CLOSED_STATUSES, Petition

    qs = Petition.objects.filter(cross_level=True, cross_level_reports__isnull=True).exclude(status__in=CLOSED_STATUSES)
    return visible_petitions(actor, qs).select_related("region").order_by("-received_at")[:limit]
