"""Reads for the portal: the petitioner's view of their petition, public information.

`public_view` is the only way the portal, the public API and the PDFs see a petition. It is
built from a whitelist: plain-words status, dates, due dates, and the public events' own
whitelisted fields (a reply's text, a decline's reason ...). Never a staff name or username,
an internal note, a respondent, a handling detail or another petitioner's data.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from xinfang.petitions import timelimits, workflow
from xinfang.petitions.event_types import PETITIONER_LABELS, EventType
from xinfang.petitions.models import Petition, PetitionEvent, Satisfaction, Status, TimeLimit
from xinfang.portal.models import PublishedSummary, QueryLockout

S = Status
PLAIN_STATUS = {
    S.REGISTERED: "已收到，正在分办",
    S.ACCEPTED: "已受理，正在办理",
    S.AWAITING_INSTRUCTION: "已受理，正在办理",
    S.ASSIGNED: "已交有关单位办理",
    S.IN_PROGRESS: "正在办理",
    S.RESULT_REPORTED: "办理完毕，正在审核答复意见",
    S.AWAITING_REPLY: "办理完毕，正在准备书面答复",
    S.REPLIED: "已答复",
    S.EVALUATED: "已答复，您已评价",
    S.UNDER_REVIEW: "复查中",
    S.UNDER_REREVIEW: "复核中",
    S.DECLINED: "不予受理（已书面告知理由）",
    S.FORWARDED: "已转送有权处理的机关",
    S.ARCHIVED: "已办结",
}

# Public events: the petitioner's label for each, the fields of `data` they may see, and the
# document (告知书/意见书) the event stands for.
# Public events: the fields of `data` the petitioner may see, and the document (告知书/意见书) the event stands for. Their
# names on the portal are event_types.PETITIONER_LABELS.
E = EventType
STEP = {
    E.REGISTER: ((), "登记回执"),
    E.ACCEPT: (("track_label", "handle_due_at"), "受理告知书"),
    E.DECLINE: (("reason", "route_label", "route_organ"), "不予受理告知书"),
    E.SWITCH_TO_STANDARD: (("reason", "handle_due_at"), ""),
    E.FORWARD_REVIEW: (("organ_name", "organ_address"), ""),
    E.RECORD_REVIEW_OPINION: (("organ_name", "decided_at", "text"), ""),
    E.ANSWER_ENDED: (("repeat_of", "rereview_organ", "rereview_at"), ""),
    E.FORWARD: (("authority", "reason"), "转送告知书"),
    E.EXTEND: (("days", "reason", "new_due_at"), "延期办理告知书"),
    # Older reply events carry the window as review_window_ends_at; newer ones as review_request_due_at (null until delivery).
    E.REPLY: (("text", "stage", "review_window_ends_at", "review_request_due_at"), "处理意见书"),
    E.RECORD_DELIVERY: (("delivered_at", "review_request_due_at"), ""),
    E.PAUSE: (("ground_label",), ""),
    E.RESUME: (("counted_days", "handle_due_at"), ""),
    E.QUERY_CODE_REISSUE: ((), ""),
    E.EVALUATE: (("satisfaction", "comment"), ""),
    E.REQUEST_REVIEW: (("reason", "organ_name", "review_due_at"), ""),
    E.REQUEST_REREVIEW: (("reason", "organ_name", "review_due_at"), ""),
    E.PORTAL_MATERIAL: (("names",), ""),
}
REPLY_TITLES = {"reply": "处理意见书", "review": "复查意见书", "rereview": "复核意见书"}
FIELD_LABELS = {
    "handle_due_at": "办结期限",
    "reason": "理由",
    "authority": "转送机关",
    "names": "材料",
    "days": "延长天数",
    "new_due_at": "新的办结期限",
    "text": "答复内容",
    "review_window_ends_at": "可申请复查/复核至",
    "review_request_due_at": "可申请复查/复核至",
    "delivered_at": "送达日期",
    "ground_label": "事由（听证、鉴定等所需时间不计入办理期限）",
    "counted_days": "办理期限顺延",
    "satisfaction": "评价",
    "comment": "意见",
    "review_due_at": "答复期限",
    "track_label": "办理程序",
    "route_label": "依法应当通过的途径",
    "route_organ": "有权处理的机关",
    "organ_name": "复查/复核机关",
    "organ_address": "机关地址",
    "decided_at": "作出意见日期",
    "repeat_of": "原信访事项编号",
    "rereview_organ": "复核机关",
    "rereview_at": "复核日期",
}


@dataclass
class PublicStep:
    seq: int
    at: datetime
    label: str
    details: list = field(default_factory=list)  # [(label, value)]
    document: str = ""  # the title of the PDF, "" for none


@dataclass
class ReviewWindow:
    kind: str  # "review" (复查) | "rereview" (复核) | ""
    label: str
    ends_at: datetime | None
    open: bool
    explanation: str


@dataclass
class PublicView:
    reg_no: str
    version: int
    status: str
    status_label: str
    closed: bool
    received_at: datetime
    nature: str
    category: str
    content: str
    requests: str
    due_label: str
    due_at: datetime | None
    overdue: bool
    steps: list
    can_evaluate: bool
    satisfaction: str
    review: ReviewWindow
    reply_text: str
    calendar_note: str = ""  # the due falls in a year whose holidays are not entered yet
    evaluate_title: str = ""  # the answer the petitioner evaluates now: 处理意见, 复查意见, 复核意见


def _fmt(key: str, value):
    if value in (None, ""):
        return None
    if key.endswith("_at") and isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
        return f"{timezone.localtime(value):%Y年%m月%d日}"
    if key == "satisfaction":
        return Satisfaction(value).label if value in Satisfaction.values else value
    if key == "stage":
        return None
    if key in ("days", "counted_days"):
        return f"{value} 天"
    return str(value)


def _latest_satisfaction_label(petition: Petition) -> str:
    value = workflow.latest_satisfaction(petition)
    return Satisfaction(value).label if value in Satisfaction.values else ""


def public_steps(petition: Petition) -> list[PublicStep]:
    events = PetitionEvent.objects.filter(petition=petition, public=True, action__in=list(STEP)).only("seq", "at", "action", "data")
    steps = []
    for e in events.order_by("seq"):
        keys, document = STEP[e.action]
        label = PETITIONER_LABELS[e.action]
        data = e.data or {}
        if e.action == EventType.REPLY:
            document = label = REPLY_TITLES.get(data.get("stage"), "处理意见书")
        details = [(FIELD_LABELS[k], v) for k in keys if (v := _fmt(k, data.get(k))) is not None]
        steps.append(PublicStep(seq=e.seq, at=e.at, label=label, details=details, document=document))
    return steps


def review_window(petition: Petition, now=None) -> ReviewWindow:
    """Whether the petitioner may ask for 复查/复核 now, and why not when not. The window runs 30 days from the day the
    answer was delivered (送达); until the office has recorded the delivery it is open (workflow.window_open)."""
    now = now or timezone.now()
    ends = petition.review_request_due_at if petition.delivered_at else None
    if petition.review_level >= 2 or petition.matter_ended and petition.status in (S.REPLIED, S.EVALUATED, S.ARCHIVED):
        return ReviewWindow("", "", ends, False, "复核意见为终结意见，本事项的信访程序已经终结，不再受理复查、复核请求。")
    kind, label = ("rereview", "申请复核") if petition.review_level == 1 else ("review", "申请复查")
    if petition.status not in (S.REPLIED, S.EVALUATED):
        if petition.status in (S.UNDER_REVIEW, S.UNDER_REREVIEW):
            return ReviewWindow("", "", ends, False, f"您的{'复核' if petition.status == S.UNDER_REREVIEW else '复查'}申请正在办理中。")
        return ReviewWindow(kind, label, ends, False, "收到书面答复后，可在30日内申请复查。")
    if not workflow.window_open(petition, now):
        when = f"{timezone.localtime(ends):%Y年%m月%d日}" if ends else "收到答复后30日"
        return ReviewWindow(
            kind,
            label,
            ends,
            False,
            f"申请{label[2:]}的期限（收到意见之日起30日内）已于{when}届满，按《信访工作条例》不能再申请。如有新的事实和理由，可以重新提出信访事项。",
        )
    if ends is None:
        return ReviewWindow(kind, label, None, True, f"如对答复不服，可自收到书面答复之日起30日内{label}。")
    note = timelimits.notice_footnote(ends)
    return ReviewWindow(
        kind,
        label,
        ends,
        True,
        f"如对答复不服，可在 {timezone.localtime(ends):%Y年%m月%d日 %H:%M} 前{label}。" + (f"（{note[2:]}）" if note else ""),
    )


def _due(petition: Petition):
    s = petition.status
    if s == S.REGISTERED:
        return "受理告知期限", petition.accept_due_at
    if s in (S.ACCEPTED, S.AWAITING_INSTRUCTION, S.ASSIGNED, S.IN_PROGRESS, S.RESULT_REPORTED, S.AWAITING_REPLY):
        return "办结期限", petition.handle_due_at
    if s in (S.UNDER_REVIEW, S.UNDER_REREVIEW):
        return "复查/复核答复期限", petition.due_at
    return "", None


def public_view(petition: Petition, now=None) -> PublicView:
    now = now or timezone.now()
    due_label, due_at = _due(petition)
    return PublicView(
        reg_no=petition.reg_no,
        version=petition.version,
        status=petition.status,
        status_label=PLAIN_STATUS.get(petition.status, petition.get_status_display()),
        closed=petition.status in (S.DECLINED, S.FORWARDED, S.ARCHIVED),
        received_at=petition.received_at,
        nature=petition.get_nature_display(),
        category=petition.category.name,
        content=petition.content,
        requests=petition.requests,
        due_label=due_label,
        due_at=due_at,
        overdue=bool(due_at and due_at < now),
        steps=public_steps(petition),
        can_evaluate=petition.status == S.REPLIED and not workflow.latest_satisfaction(petition),
        satisfaction=_latest_satisfaction_label(petition),
        evaluate_title={0: "处理意见", 1: "复查意见", 2: "复核意见"}.get(petition.review_level, "办理结果"),
        review=review_window(petition, now),
        reply_text=petition.reply_text if petition.status not in (S.UNDER_REVIEW, S.UNDER_REREVIEW) or petition.reply_text else "",
        calendar_note=timelimits.notice_footnote(due_at),
    )


def public_document(petition: Petition, seq: int) -> tuple[PublicStep, PublicView] | None:
    view = public_view(petition)
    step = next((s for s in view.steps if s.seq == seq and s.document), None)
    return (step, view) if step else None


def published_summaries(limit: int = 50):
    return (
        PublishedSummary.objects.filter(withdrawn_at__isnull=True)
        .select_related("petition__category")
        .only("title", "summary", "result", "published_at", "petition__category__name")
        .order_by("-published_at")[:limit]
    )


def time_limits():
    return TimeLimit.objects.exclude(step__in=["urgent_report", "triage", "instruction"]).order_by("pk")


def upcoming_reception_days(limit: int = 6) -> list[dict]:
    try:
        from xinfang.reception.selectors import upcoming_reception_days as upcoming
    except ImportError:  # reception app without the selector
        return []
    return upcoming(limit)


def submission_promise(nature: str = "") -> dict:
    """What the office will do and by when, for a petition received now."""
    now = timezone.now()
    return {
        "dispatch_due": timelimits.due_for("dispatch", now),
        "accept_due": timelimits.due_for("accept", now),
        "handle_days": timelimits.limit_for("handle").amount,
    }


def lockout_log(limit: int = 50):
    """The latest query-code delays, recoveries and reissues, for the office (newest first)."""
    from xinfang.portal.models import LookupLockoutLog

    return LookupLockoutLog.objects.select_related("actor").order_by("-at")[:limit]


def active_lockouts(now=None):
    """Numbers that met the growing delays within the last hour (each delay itself lasts seconds)."""
    from datetime import timedelta

    from xinfang.portal import limits

    now = now or timezone.now()
    recent = now - timedelta(seconds=limits.RESET_AFTER)
    return QueryLockout.objects.filter(failures__gte=limits.NUMBER_FREE_TRIES, window_started_at__gt=recent).order_by("-failures")


def publishable_petitions(actor, limit: int = 50):
    """Replied petitions whose petitioner consented to publication and that have no live summary (office view)."""
    from xinfang.access import policy

    qs = (
        Petition.objects.filter(public_consent=True, status__in=[S.REPLIED, S.EVALUATED, S.ARCHIVED])
        .exclude(pk__in=PublishedSummary.objects.filter(withdrawn_at__isnull=True).values("petition_id"))
        .select_related("category")
        .order_by("-replied_at")
    )
    return policy.visible_petitions(actor, qs)[:limit]


def live_summaries(actor, limit: int = 50):
    from xinfang.access import policy

    return (
        policy.with_visible_petition(actor, PublishedSummary.objects.filter(withdrawn_at__isnull=True))
        .select_related("petition")
        .order_by("-published_at")[:limit]
    )
