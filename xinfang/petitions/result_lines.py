"""What the page says after an action succeeds: one natural sentence with the facts the clerk needs next.

"已" + the action's label read oddly for some ("已办理进度", "已满意度评价"); each action has its own sentence here, and
an action not listed (a newer one) is named as "已完成：<label>".
"""

from django.utils import timezone

from xinfang.petitions.event_types import label

DONE: dict[str, str] = {
    "accept": "已受理",
    "decline": "已决定不予受理，请向信访人送达不予受理告知书",
    "forward": "已转送有权处理的机关",
    "submit_for_instruction": "已呈批，等待领导批示",
    "instruct": "已批示",
    "set_case_leader": "已确定包案领导",
    "assign": "已交办",
    "accept_assign": "已受理并交办",
    "acknowledge": "已签收，进入办理",
    "progress": "已记录办理进度",
    "extend": "已延期",
    "return": "已退回信访办重新分办",
    "report_result": "已报结，等待信访办审核",
    "approve_result": "已审核通过，等待答复信访人",
    "reject_result": "已退回承办单位重新办理",
    "reply": "已答复信访人",
    "follow_up": "已记录回访情况",
    "evaluate": "已记录信访人的满意度评价",
    "request_review": "已登记复查申请",
    "request_rereview": "已登记复核申请",
    "report_back": "已向上级报结",
    "archive": "已归档",
    "pause": "已暂停计时",
    "resume": "已恢复计时",
    "triage": "已阅办",
    "record_delivery": "已记录送达",
    "consent_return": "已同意承办单位退回",
    "switch_to_standard": "已转为普通程序，按普通程序期限办理",
    "forward_review": "已将复查/复核请求转送复查/复核机关，请向信访人送达转送告知书",
    "record_review_opinion": "已录入复查/复核意见",
    "answer_ended": "已答复不再受理（该事项已复核终结）",
}


def _day(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d}" if dt else ""


def result_line(action: str, petition) -> str:
    """The sentence shown after `action` was taken on `petition` (the petition as the service returned it)."""
    text = DONE.get(action) or f"已完成：{label(action)}"
    unit = getattr(petition, "handling_unit", None)
    if action in ("assign", "accept_assign") and unit is not None:
        text = f"{'已受理并交办' if action == 'accept_assign' else '已交办'}{unit.name}"
        if petition.due_at:
            text += f"，办理期限至 {_day(petition.due_at)}"
    elif action == "extend" and petition.due_at:
        text += f"，办理期限延至 {_day(petition.due_at)}"
    elif action == "accept" and petition.due_at:
        text += f"，办理期限至 {_day(petition.due_at)}"
    return f"{petition.reg_no}：{text}。"
