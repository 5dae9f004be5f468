"""Unit league table (承办单位排行): per handling unit, one grouped query per figure family.

- assigned: petitions of the period with this handling unit;
- replied / on_time: replied, and replied by the handling due time;
- overdue: open petitions whose current due time has passed;
- returned: "return" events (退回) on the period's petitions written by a user of the unit;
- satisfied / evaluated: evaluations of the unit's petitions;
- supervision orders: 督办单 on the period's petitions issued to the unit, counted when the
  supervision app provides `SupervisionOrder` (with a `unit` foreign key); otherwise the
  column is None and the page says so.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.petitions.event_types import EventType
from xinfang.petitions.models import CLOSED_STATUSES, Petition, PetitionEvent, Satisfaction

from .kpis import _replied_on_time, rate

SUPERVISION_NOTE = "督办模块尚未提供督办单数据（SupervisionOrder），此列暂不统计"


def supervision_order_model():
    try:
        model = apps.get_model("supervision", "SupervisionOrder")
    except LookupError:
        return None
    field_names = {f.name for f in model._meta.get_fields()}
    return model if "unit" in field_names else None


def league_table(qs: QuerySet[Petition], *, lo: datetime, hi: datetime, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    rows = (
        qs.order_by()
        .filter(handling_unit__isnull=False)
        .values("handling_unit_id")
        .annotate(
            assigned=Count("pk"),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
            on_time=Count("pk", filter=Q(replied_at__isnull=False) & _replied_on_time()),
            overdue=Count("pk", filter=Q(due_at__lt=now) & ~Q(status__in=CLOSED_STATUSES)),
            evaluated=Count("pk", filter=Q(evaluated_at__isnull=False)),
            satisfied=Count(
                "pk",
                filter=Q(evaluated_at__isnull=False, satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
            ),
        )
    )
    by_unit = {r.pop("handling_unit_id"): r for r in rows}
    returned = dict(
        PetitionEvent.objects.filter(action=EventType.RETURN, petition__in=qs.order_by().values("pk"))
        .order_by()
        .values("actor__unit_id")
        .annotate(n=Count("pk"))
        .values_list("actor__unit_id", "n")
    )
    order_model = supervision_order_model()
    orders = {}
    if order_model is not None:
        orders = dict(
            order_model.objects.filter(petition__in=qs.order_by().values("pk"))
            .order_by()
            .values("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
    unit_ids = set(by_unit) | {u for u in returned if u} | {u for u in orders if u}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    table = []
    for uid in unit_ids:
        r = by_unit.get(uid, {"assigned": 0, "replied": 0, "on_time": 0, "overdue": 0, "evaluated": 0, "satisfied": 0})
        table.append(
            {
                "unit": units[uid].code,
                "unit_name": units[uid].name,
                **r,
                "on_time_rate": rate(r["on_time"], r["replied"]),
                "satisfaction_rate": rate(r["satisfied"], r["evaluated"]),
                "returned": returned.get(uid, 0),
                "supervision_orders": orders.get(uid, 0) if order_model is not None else None,
            }
        )
    table.sort(key=lambda r: (-(r["on_time_rate"] or 0), r["overdue"], -r["assigned"], r["unit"]))
    for i, r in enumerate(table, 1):
        r["rank"] = i
    return {"rows": table, "supervision_note": None if order_model is not None else SUPERVISION_NOTE}
