"""首问责任: any staff member logs that they brought a visitor to the petition office (a phone page); the clerk's
registration links the log, and the petition's 首问责任人 is the one who brought the visitor in. Counted per unit."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import Conflict, NoPermission
from xinfang.reception.models import FirstReceipt

CLOCK_SKEW = timedelta(minutes=2)
OPEN_DAYS = 7  # a log not registered within a week is no longer offered to the clerk (it stays on record)


@transaction.atomic
def first_receipt_log(*, actor, brought_at=None, place: str = "", matter: str = "", headcount=1) -> FirstReceipt:
    """Any staff member of a unit may log it (the seed: 本单位工作人员均有责任). The time is when the visitor was brought
    to the office (now when not given; not in the future, not more than a week back)."""
    if actor is None or not actor.is_authenticated or actor.unit_id is None:
        raise NoPermission("只有本单位工作人员可以登记首问")
    now = timezone.now()
    at = inputs.moment(brought_at, "brought_at", "引领时间", required=False) or now
    if at > now + CLOCK_SKEW:
        raise inputs.bad("brought_at", "引领时间不能晚于现在")
    if now - at > timedelta(days=OPEN_DAYS):
        raise inputs.bad("brought_at", f"引领时间不能早于{OPEN_DAYS}天前")
    return FirstReceipt.objects.create(
        receiver=actor,
        unit=actor.unit,
        brought_at=min(at, now),
        place=inputs.text(place, "place", "地点", required=False, max_len=100),
        matter=inputs.text(matter, "matter", "来访事由", required=False, max_len=200),
        headcount=inputs.integer(headcount or 1, "headcount", "来访人数", low=1, high=100000),
    )


def open_receipts(*, now=None):
    """Logs not yet registered, from the last week: what the clerk may link at registration."""
    now = now or timezone.now()
    return (
        FirstReceipt.objects.filter(petition__isnull=True, brought_at__gte=now - timedelta(days=OPEN_DAYS))
        .select_related("receiver", "unit")
        .order_by("-brought_at", "-pk")
    )


def receipt_for_registration(*, value, channel: str) -> FirstReceipt:
    """The open log a registration names (by id), checked: a visit, not linked yet. InvalidInput otherwise."""
    from xinfang.petitions.models import Channel

    if isinstance(value, FirstReceipt):
        value = value.pk
    if channel != Channel.VISIT:
        raise inputs.bad("first_receipt", "首问登记只适用于来访登记")
    pk = inputs.integer(value, "first_receipt", "首问登记")
    receipt = open_receipts().filter(pk=pk).first()
    if receipt is None:
        raise inputs.bad("first_receipt", "未找到该首问登记，或已关联其他信访件")
    return receipt


def first_receipt_link(*, receipt: FirstReceipt, petition, actor) -> FirstReceipt:
    """Link the log to the petition just registered, once (a conditional update: a second registration loses)."""
    now = timezone.now()
    claimed = FirstReceipt.objects.filter(pk=receipt.pk, petition__isnull=True).update(petition=petition, linked_by=actor, linked_at=now)
    if not claimed:
        raise Conflict("该首问登记已关联其他信访件")
    receipt.petition, receipt.linked_by, receipt.linked_at = petition, actor, now
    return receipt


def my_receipts(actor, limit: int = 20):
    return FirstReceipt.objects.filter(receiver=actor).select_related("petition").order_by("-brought_at", "-pk")[:limit]


def per_unit(*, start: date, end: date) -> list[dict]:
    """首问 counted per unit over [start, end] (by the day the visitor was brought in): logged, and registered (linked).
    One grouped query."""
    rows = (
        FirstReceipt.objects.filter(brought_at__date__gte=start, brought_at__date__lte=end)
        .values("unit__code", "unit__name")
        .annotate(logged=Count("pk"), registered=Count("pk", filter=Q(petition__isnull=False)))
        .order_by("-logged", "unit__code")
    )
    return [{"code": r["unit__code"], "unit": r["unit__name"], "logged": r["logged"], "registered": r["registered"]} for r in rows]


def first_receiver_text(petition) -> str:
    """The 首问责任人 as the dossier and forms print it: the name, and when a staff member brought the visitor in, their
    unit and the time (张三（县人社局，06-16 09:50 引领至信访办）)."""
    if not petition.first_receiver_id:
        return ""
    name = petition.first_receiver.display_name
    receipt = FirstReceipt.objects.filter(petition=petition).select_related("unit", "receiver").first()
    return receipt_label(receipt) if receipt is not None else name


def receipt_label(receipt: FirstReceipt) -> str:
    """钱科员（县人社局，06-16 09:50 引领至信访办）: written into the register event, so the petition page reads it free."""
    return f"{receipt.receiver.display_name}（{receipt.unit.name}，{timezone.localtime(receipt.brought_at):%m-%d %H:%M} 引领至信访办）"
