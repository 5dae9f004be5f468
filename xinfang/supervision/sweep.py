"""The reminder sweep: safe to run every minute, from cron, with several copies at once.

Reminders come from the stored due times (`Petition.due_at`, `SupervisionOrder.answer_due_at`,
`UrgentReport.raised_at`), never from a job having run. Each reminder is claimed before it
is sent: a unique insert of a `ReminderMark` (petition, step, threshold, due_at) or a
conditional update; whoever loses the claim sends nothing. Messages go out after commit.
The responsible unit is the handling unit while the petition is assigned / in progress, else the
registering office (its steps: accept, dispatch, approve, reply, review).

Thresholds for an open petition's current step:
  due_3d      due within 3 days            → the responsible unit's staff
  due_today   due today (local date)       → the responsible unit's staff
  overdue     past due                     → the responsible unit's head (leading group head, else its staff)
  overdue_3d  3 days past due              → the supervisors whose group covers the township
  overdue_7d  7 days past due              → the case leader (else the petition office's head)
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xinfang.petitions.models import OPEN_STATUSES, Petition, Status
from xinfang.supervision import selectors
from xinfang.supervision.models import OrderStatus, ReminderMark, SupervisionOrder, Threshold
from xinfang.supervision.notifications import notify_many

SOON = timedelta(days=3)
UNIT_STEPS = {Status.ASSIGNED, Status.IN_PROGRESS}
ESCALATION = [(Threshold.OVERDUE, timedelta(0)), (Threshold.OVERDUE_3D, timedelta(days=3)), (Threshold.OVERDUE_7D, timedelta(days=7))]
TITLES = {
    Threshold.DUE_3D: "3天内到期",
    Threshold.DUE_TODAY: "今日到期",
    Threshold.OVERDUE: "已超期",
    Threshold.OVERDUE_3D: "超期3天，督查组跟进",
    Threshold.OVERDUE_7D: "超期7天，请包案领导过问",
}
# 当日阅办: a registered petition not read yet is due at the end of the day it came in (its due_at until triaged).
TRIAGE_TITLES = {Threshold.DUE_3D: "待阅办", Threshold.DUE_TODAY: "今日待阅办", Threshold.OVERDUE: "未按时阅办"}


def _is_triage(petition: Petition) -> bool:
    return petition.status == Status.REGISTERED and petition.triaged_at is None and petition.due_at == petition.triage_due_at


def thresholds_for(due_at: datetime, now: datetime) -> list[str]:
    """The thresholds reached at `now` for a step due at `due_at` (pure)."""
    if now >= due_at:
        return [t for t, after in ESCALATION if now >= due_at + after]
    if timezone.localdate(due_at) == timezone.localdate(now):
        return [Threshold.DUE_TODAY]
    if due_at - now <= SOON:
        return [Threshold.DUE_3D]
    return []


def responsible_unit(petition: Petition):
    """Whose step it is: the handling unit while assigned / in progress, otherwise the registering office."""
    if petition.status in UNIT_STEPS and petition.handling_unit_id:
        return petition.handling_unit
    return petition.office


def recipients_for(petition: Petition, threshold: str) -> list:
    unit = responsible_unit(petition)
    if threshold in (Threshold.DUE_3D, Threshold.DUE_TODAY):
        return selectors.unit_staff(unit)
    if threshold == Threshold.OVERDUE:
        return selectors.unit_head(unit)
    if threshold == Threshold.OVERDUE_3D:
        return selectors.supervisors_for_region(petition.region)
    if petition.case_leader_id and petition.case_leader.is_active:
        return [petition.case_leader]
    return selectors.unit_head(petition.office)


def _claim_and_send(petition: Petition, threshold: str) -> bool:
    try:
        with transaction.atomic():
            ReminderMark.objects.create(petition=petition, step=petition.status, threshold=threshold, due_at=petition.due_at)
            local_due = timezone.localtime(petition.due_at)
            triage = _is_triage(petition)
            title = TRIAGE_TITLES.get(threshold, TITLES[threshold]) if triage else TITLES[threshold]
            step = "当日阅办" if triage else f"当前环节（{petition.get_status_display()}）"
            notify_many(
                recipients=recipients_for(petition, threshold),
                title=f"{title}：{petition.reg_no}",
                body=f"{step}期限 {local_due:%Y-%m-%d %H:%M}。",
                url=f"/petitions/{petition.reg_no}/",
                kind=f"reminder_{threshold}",
                dedupe_key=f"remind:{petition.pk}:{petition.status}:{threshold}:{int(petition.due_at.timestamp())}",
            )
    except IntegrityError:
        return False  # another sweep claimed it
    return True


def sweep_petitions(now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = ReminderMark.objects.filter(
        petition=OuterRef("pk"), step=OuterRef("status"), due_at=OuterRef("due_at"), threshold=Threshold.OVERDUE_7D
    )
    candidates = (
        Petition.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False, due_at__lte=now + SOON, paused_at__isnull=True)
        .exclude(Exists(done))
        .select_related("handling_unit", "office", "region", "case_leader")
        .order_by("due_at")
    )
    sent = 0
    chunk: list[Petition] = []
    for petition in candidates.iterator(chunk_size=500):
        chunk.append(petition)
        if len(chunk) == 500:
            sent += _sweep_chunk(chunk, now)
            chunk = []
    if chunk:
        sent += _sweep_chunk(chunk, now)
    return sent


def _sweep_chunk(petitions: list[Petition], now: datetime) -> int:
    # One query tells which thresholds are already claimed, so a sweep every minute does not retry them;
    # the unique insert in _claim_and_send stays the claim when sweeps race.
    claimed = set(
        ReminderMark.objects.filter(petition_id__in=[p.pk for p in petitions]).values_list("petition_id", "step", "threshold", "due_at")
    )
    sent = 0
    for petition in petitions:
        for threshold in thresholds_for(petition.due_at, now):
            if (petition.pk, petition.status, threshold, petition.due_at) in claimed:
                continue
            sent += _claim_and_send(petition, threshold)
    return sent


def sweep_orders(now: datetime | None = None) -> int:
    """Supervision orders past their answer time: tell the unit head and the issuer, once (conditional update)."""
    now = now or timezone.now()
    sent = 0
    due = SupervisionOrder.objects.filter(status=OrderStatus.OPEN, answer_due_at__lte=now, overdue_notified_at__isnull=True)
    for order in due.select_related("unit", "issued_by", "petition"):
        with transaction.atomic():
            if not SupervisionOrder.objects.filter(pk=order.pk, overdue_notified_at__isnull=True).update(overdue_notified_at=now):
                continue
            notify_many(
                recipients=selectors.unit_head(order.unit) + [order.issued_by],
                title=f"督办单超期未答复：{order.petition.reg_no}",
                body=f"{order.unit.name} 应于 {timezone.localtime(order.answer_due_at):%Y-%m-%d %H:%M} 前答复。",
                url=f"/supervision/orders/{order.pk}/",
                kind="order_overdue",
                dedupe_key=f"order:{order.pk}:overdue",
            )
            sent += 1
    return sent


def run(now: datetime | None = None) -> dict:
    """One pass of every reminder. Returns how many reminders each part claimed."""
    from xinfang.reception.services import urgent_report_sweep

    now = now or timezone.now()
    return {"petitions": sweep_petitions(now), "orders": sweep_orders(now), "urgent_reports": urgent_report_sweep(now=now)}
