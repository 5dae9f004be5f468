"""What the petitioner is told at each legal step: one table, event type → a short text.

A text carries the registration number, dates, the route by law and the portal's address — never anyone's identity
(no name, no ID number, no staff member, no respondent) and never the content of the petition or of an accusation.
The same text is sent by SMS and shown on the portal's case page. `render(event)` returns "" for a step that tells
the petitioner nothing.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from xinfang.petitions.event_types import EventType

SIGN = "【信访】"
# A step of our own that no lifecycle action records: the 复查/复核 window has ended (messaging.services.sweep_windows).
WINDOW_END = "window_end"
# The choice a petitioner makes at the window or online (the clerk's form, the portal's form and the API say the same).
REFUSE_MESSAGES_LABEL = "不接收短信告知（受理、延期、答复等，仍可在网上查看）"


def portal_url() -> str:
    return getattr(settings, "XINFANG_PORTAL_URL", "") or "http://127.0.0.1:8000/portal/"


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value) or parse_date(value)
        if parsed is None:
            return ""
        value = parsed
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _register(p, d):
    return f"您的信访事项已登记，登记编号{p.reg_no}，请凭登记编号和查询码在{portal_url()}查询办理情况。"


def _accept(p, d):
    due = _day(d.get("handle_due_at"))
    return f"您的信访事项（{p.reg_no}）已受理" + (f"，将于{due}前办结答复" if due else "") + "。"


def _decline(p, d):
    from xinfang.petitions.documents import decline_route_sentence

    route = decline_route_sentence(d)
    return f"您的信访事项（{p.reg_no}）不予受理。{route}不予受理告知书可在网上查看。"


def _forward(p, d):
    organ = _short(d.get("authority", ""), 30)
    return f"您的信访事项（{p.reg_no}）已转送{organ or '有权处理的机关'}办理，转送告知书可在网上查看。"


def _extend(p, d):
    due, why = _day(d.get("new_due_at")), _short(d.get("reason", ""), 40)
    return f"您的信访事项（{p.reg_no}）办理期限延长至{due}" + (f"，理由：{why}" if why else "") + "。"


_ANSWER = {"reply": "处理意见", "review": "复查意见", "rereview": "复核意见"}


def _reply(p, d):
    what = _ANSWER.get(d.get("stage", "reply"), "处理意见")
    text = f"您的信访事项（{p.reg_no}）已作出{what}，请凭登记编号和查询码在{portal_url()}查看。"
    if d.get("stage") == "rereview":
        return text + "复核意见为终结意见。"
    return text + "如不服，可自收到之日起30日内提出" + ("复核" if d.get("stage") == "review" else "复查") + "请求。"


def _review_opinion(p, d):
    what = _ANSWER.get(d.get("stage", "review"), "复查意见")
    return f"您的信访事项（{p.reg_no}）{_short(d.get('organ_name', ''), 30)}已作出{what}，意见书将送达您，也可在网上查看。"


def _forward_review(p, d):
    what = "复核" if d.get("stage") == "rereview" else "复查"
    return f"您对信访事项（{p.reg_no}）的{what}请求已转送{_short(d.get('organ_name', ''), 30)}办理。"


def _request_review(p, d):
    return f"您对信访事项（{p.reg_no}）的复查请求已收到，复查机关将在30日内作出复查意见。"


def _request_rereview(p, d):
    return f"您对信访事项（{p.reg_no}）的复核请求已收到，复核机关将在30日内作出复核意见。"


def _answer_ended(p, d):
    return f"您的信访事项（{p.reg_no}）所涉事项已复核终结，不再受理，告知书可在网上查看。"


def _window_end(p, d):
    what = "复核" if d.get("stage") == "review" else "复查"
    return f"您的信访事项（{p.reg_no}）申请{what}的期限已于{_day(d.get('due_at'))}届满。"


TEMPLATES = {
    EventType.REGISTER: _register,
    EventType.ACCEPT: _accept,
    EventType.DECLINE: _decline,
    EventType.FORWARD: _forward,
    EventType.EXTEND: _extend,
    EventType.REPLY: _reply,
    EventType.RECORD_REVIEW_OPINION: _review_opinion,
    EventType.FORWARD_REVIEW: _forward_review,
    EventType.REQUEST_REVIEW: _request_review,
    EventType.REQUEST_REREVIEW: _request_rereview,
    EventType.ANSWER_ENDED: _answer_ended,
    WINDOW_END: _window_end,
}

# The petitioner's wording of each step (the portal's list of messages).
STEP_LABELS = {
    EventType.REGISTER: "登记",
    EventType.ACCEPT: "受理",
    EventType.DECLINE: "不予受理",
    EventType.FORWARD: "转送",
    EventType.EXTEND: "延期",
    EventType.REPLY: "答复",
    EventType.RECORD_REVIEW_OPINION: "复查/复核意见",
    EventType.FORWARD_REVIEW: "复查/复核请求转送",
    EventType.REQUEST_REVIEW: "复查申请",
    EventType.REQUEST_REREVIEW: "复核申请",
    EventType.ANSWER_ENDED: "不再受理",
    WINDOW_END: "申请期限届满",
}


def render(petition, step: str, data: dict) -> str:
    fn = TEMPLATES.get(step)
    return SIGN + fn(petition, data or {}) if fn else ""
