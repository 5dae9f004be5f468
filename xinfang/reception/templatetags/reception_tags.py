"""Panels the reception app adds to other apps' pages (the petition page): 越级访 guidance and report, collective-visit plan."""

from django import template

register = template.Library()


@register.inclusion_tag("reception/_cross_level_panel.html", takes_context=True)
def cross_level_panel(context, petition):
    from xinfang.access.policy import OFFICE_ROLES
    from xinfang.core.permissions import holds_role
    from xinfang.org.models import Role, Unit
    from xinfang.reception.models import CrossLevelReport

    user = context["request"].user
    return {
        "p": petition,
        "rows": CrossLevelReport.objects.filter(petition=petition).select_related("reported_to_unit", "responsible_unit", "recorded_by"),
        "can_record": holds_role(user, *OFFICE_ROLES, Role.LEADER),
        "units": Unit.objects.filter(active=True).exclude(kind__in=["school", "village_committee"]).order_by("kind", "code"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reception/_collective_panel.html", takes_context=True)
def collective_panel(context, petition):
    from xinfang.reception import collective
    from xinfang.reception.models import CollectiveVisitResponse

    response = CollectiveVisitResponse.objects.filter(petition=petition).prefetch_related("arrivals", "steps").first()
    return {"r": response, "items": collective.checklist(response) if response else []}
