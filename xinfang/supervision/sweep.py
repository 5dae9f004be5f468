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

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinfang.petitions.models import OPEN_STATUSES, Petition, Status
from xinfang.supervision import selectors
from xinfang.supervision.models import OrderStatus, ReminderMark, SupervisionOrder, Threshold
from xinfang.supervision.notifications import notify_batch, notify_many

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


def highest_reached(now: datetime) -> list[tuple[str, Q]]:
    """[(threshold, Q on due_at)]: which threshold is the highest `thresholds_for` reaches at `now`, as ranges of the
    stored due time (from the same constants). The candidate query leaves out a petition whose highest reached
    threshold is claimed (the lower ones are claimed with it, in one batch), so later sweeps cost in proportion to
    the thresholds newly reached, not to the backlog."""
    ranges = []
    for i, (threshold, after) in enumerate(ESCALATION):
        q = Q(due_at__lte=now - after)
        if i + 1 < len(ESCALATION):
            q &= Q(due_at__gt=now - ESCALATION[i + 1][1])
        ranges.append((threshold, q))
    tomorrow = timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=1), datetime.min.time()))
    ranges.append((Threshold.DUE_TODAY, Q(due_at__gt=now, due_at__lt=tomorrow)))
    ranges.append((Threshold.DUE_3D, Q(due_at__gt=now, due_at__gte=tomorrow, due_at__lte=now + SOON)))
    return ranges


def sweep_petitions(now: datetime | None = None) -> int:
    now = now or timezone.now()
    pending = Q(pk__in=[])
    for threshold, due_range in highest_reached(now):
        claimed = ReminderMark.objects.filter(
            petition=OuterRef("pk"), step=OuterRef("status"), due_at=OuterRef("due_at"), threshold=threshold
        )
        pending |= due_range & ~Q(Exists(claimed))
    candidates = (
        Petition.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False, due_at__lte=now + SOON, paused_at__isnull=True)
        .filter(pending)
        .select_related("handling_unit", "office", "region", "case_leader")
        .order_by("due_at")
    )
    sent = 0
    chunk: list[Petition] = []
    recipients: dict = {}  # per sweep: the same unit's staff, head, supervisors are looked up once
    for petition in candidates.iterator(chunk_size=BATCH):
        chunk.append(petition)
        if len(chunk) == BATCH:
            sent += _sweep_chunk(chunk, now, recipients)
            chunk = []
    if chunk:
        sent += _sweep_chunk(chunk, now, recipients)
    return sent


BATCH = 500


def _sweep_chunk(petitions: list[Petition], now: datetime, cache: dict) -> int:
    """Claim the chunk's reminders in one `INSERT … ON CONFLICT DO NOTHING RETURNING` (what comes back is ours; another
    sweep won the rest) and write their messages in one insert, in one transaction: messages go out after commit."""
    claimed = set(
        ReminderMark.objects.filter(petition_id__in=[p.pk for p in petitions]).values_list("petition_id", "step", "threshold", "due_at")
    )
    wanted = [(p, t) for p in petitions for t in thresholds_for(p.due_at, now) if (p.pk, p.status, t, p.due_at) not in claimed]
    if not wanted:
        return 0
    with transaction.atomic():
        won = _claim(wanted, now)
        notes = []
        for petition, threshold in wanted:
            if (petition.pk, threshold) in won:
                notes.extend(_reminder(petition, threshold, cache))
        notify_batch(notes)
    return len(won)


def _claim(wanted: list[tuple[Petition, str]], now: datetime) -> set[tuple[int, str]]:
    table = ReminderMark._meta.db_table
    ops = connection.ops
    won: set[tuple[int, str]] = set()
    for k in range(0, len(wanted), 1000):
        rows = wanted[k : k + 1000]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
        params = []
        for p, t in rows:
            params += [p.pk, p.status, t, ops.adapt_datetimefield_value(p.due_at), ops.adapt_datetimefield_value(now)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (petition_id, step, threshold, due_at, created_at) VALUES {values} "
                "ON CONFLICT (petition_id, step, threshold, due_at) DO NOTHING RETURNING petition_id, threshold",
                params,
            )
            won.update((pid, t) for pid, t in cursor.fetchall())
    return won


def _recipients_key(petition: Petition, threshold: str) -> tuple:
    """What `recipients_for` depends on for this threshold (the sweep looks each up once)."""
    if threshold == Threshold.OVERDUE_3D:
        return (threshold, petition.region_id)
    if threshold == Threshold.OVERDUE_7D:
        return (threshold, petition.case_leader_id, petition.office_id)
    return (threshold, responsible_unit(petition).pk)


def _reminder(petition: Petition, threshold: str, cache: dict) -> list[dict]:
    key = _recipients_key(petition, threshold)
    if key not in cache:
        cache[key] = recipients_for(petition, threshold)
    local_due = timezone.localtime(petition.due_at)
    triage = _is_triage(petition)
    title = TRIAGE_TITLES.get(threshold, TITLES[threshold]) if triage else TITLES[threshold]
    step = "当日阅办" if triage else f"当前环节（{petition.get_status_display()}）"
    return [
        {
            "recipient": user,
            "title": f"{title}：{petition.reg_no}",
            "body": f"{step}期限 {local_due:%Y-%m-%d %H:%M}。",
            "url": f"/petitions/{petition.reg_no}/",
            "kind": f"reminder_{threshold}",
            "dedupe_key": f"remind:{petition.pk}:{petition.status}:{threshold}:{int(petition.due_at.timestamp())}",
        }
        for user in cache[key]
    ]


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
