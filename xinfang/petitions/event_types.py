"""Every kind of entry written on a petition's timeline, with its Chinese name, in one place.

The database stores the code (`PetitionEvent.action`); the timeline, the dossier, the portal and the statistics read
the label from here. `record_event` refuses a code that is not listed, so nothing reaches the history without a name.
The lifecycle's own actions (`workflow.Action`, the ones a user chooses) are a subset of these.
"""

from django.db import models


class EventType(models.TextChoices):
    # The lifecycle (workflow.TRANSITIONS)
    ACCEPT = "accept", "受理"
    DECLINE = "decline", "不予受理"
    FORWARD = "forward", "转送"
    SUBMIT_FOR_INSTRUCTION = "submit_for_instruction", "呈批"
    INSTRUCT = "instruct", "批示"
    SET_CASE_LEADER = "set_case_leader", "确定包案领导"
    ASSIGN = "assign", "交办"
    ACKNOWLEDGE = "acknowledge", "签收"
    PROGRESS = "progress", "办理进度"
    EXTEND = "extend", "延期"
    RETURN = "return", "退回"
    REPORT_RESULT = "report_result", "报结"
    APPROVE_RESULT = "approve_result", "审核通过"
    REJECT_RESULT = "reject_result", "审核退回"
    REPLY = "reply", "答复"
    FOLLOW_UP = "follow_up", "回访"
    EVALUATE = "evaluate", "满意度评价"
    REQUEST_REVIEW = "request_review", "申请复查"
    REQUEST_REREVIEW = "request_rereview", "申请复核"
    REPORT_BACK = "report_back", "向上级报结"
    ARCHIVE = "archive", "归档"
    PAUSE = "pause", "暂停计时"
    RESUME = "resume", "恢复计时"
    TRIAGE = "triage", "阅办"
    RECORD_DELIVERY = "record_delivery", "送达"
    CONSENT_RETURN = "consent_return", "同意退回"
    SWITCH_TO_STANDARD = "switch_to_standard", "转为普通程序"
    FORWARD_REVIEW = "forward_review", "转送复查/复核请求"
    RECORD_REVIEW_OPINION = "record_review_opinion", "录入复查/复核意见"
    ANSWER_ENDED = "answer_ended", "不再受理（已复核终结）"
    # Registration and the record (petitions.registration, transfer)
    REGISTER = "register", "登记"
    IMPORT = "import", "历史导入"
    TAKE_UP = "take_up", "接续办理（历史待办）"
    ATTACH = "attach", "添加附件"
    LINK_REPEAT = "link_repeat", "关联重复件"
    # Identity and respondents (access)
    IDENTITY_GRANT = "identity_grant", "授权查看信访人身份信息"
    IDENTITY_GRANT_REVOKE = "identity_grant_revoke", "撤销身份信息授权"
    RESPONDENT_MATCH = "respondent_match", "确认被反映人账号"
    RESPONDENT_MATCH_CLEAR = "respondent_match_clear", "排除被反映人推定匹配"
    IDENTITY_REHASH = "identity_rehash", "重算身份检索哈希"
    # The petitioner's query code (portal)
    QUERY_CODE_REISSUE = "query_code_reissue", "重新发放查询码"
    PORTAL_MATERIAL = "portal_material", "信访人补充材料"
    # Messages to the petitioner (messaging): the gateway's answers, and the petitioner's refusal
    MESSAGE_SENT = "message_sent", "短信已发出"
    MESSAGE_DELIVERED = "message_delivered", "短信已送达"
    MESSAGE_RETRY = "message_retry", "短信发送失败，等待重试"
    MESSAGE_FAILED = "message_failed", "短信未能送达"
    MESSAGE_REJECTED = "message_rejected", "短信被网关拒收"
    MESSAGE_PREFERENCE = "message_preference", "短信告知意愿"
    # Supervision (督查督办)
    SUPERVISE = "supervise", "督办"
    URGE = "urge", "催办"
    SUPERVISION_ANSWER = "supervision_answer", "督办答复"
    SUPERVISION_CLOSE = "supervision_close", "督办办结"
    ACCOUNTABILITY = "accountability", "责任追究"
    # The seed's reception rules (reception)
    CROSS_LEVEL_GUIDANCE = "cross_level_guidance", "越级访宣传疏导与报告"
    COLLECTIVE_PLAN = "collective_plan", "集体访处置"


def label(code: str) -> str:
    """The Chinese name of a timeline entry. A code no release ever wrote (a hand-edited row) is named as such, never shown
    bare."""
    try:
        return EventType(code).label
    except ValueError:
        return f"其他记录（{code}）"


# What the petitioner reads on the portal where it differs from the office's name (the portal shows only public events).
PETITIONER_LABELS: dict[str, str] = {
    EventType.REGISTER: "已登记",
    EventType.ACCEPT: "已受理",
    EventType.SWITCH_TO_STANDARD: "转为普通程序办理",
    EventType.FORWARD_REVIEW: "您的复查/复核请求已转送有权机关",
    EventType.RECORD_REVIEW_OPINION: "复查/复核意见",
    EventType.ANSWER_ENDED: "不再受理告知（该事项已复核终结）",
    EventType.DECLINE: "不予受理",
    EventType.FORWARD: "已转送",
    EventType.EXTEND: "办理期限延长",
    EventType.REPLY: "书面答复",
    EventType.RECORD_DELIVERY: "答复已送达",
    EventType.PAUSE: "暂停计时",
    EventType.RESUME: "恢复计时",
    EventType.QUERY_CODE_REISSUE: "查询码已重新发放（原查询码失效）",
    EventType.PORTAL_MATERIAL: "您补充了材料",
    EventType.MESSAGE_PREFERENCE: "短信告知设置",
    EventType.EVALUATE: "您的评价",
    EventType.FOLLOW_UP: "重新办理",
    EventType.REQUEST_REVIEW: "您申请复查",
    EventType.REQUEST_REREVIEW: "您申请复核",
}

# The names of the entries' details (`PetitionEvent.data` keys) on the office's timeline and in the dossier, in the
# order they are shown.
DATA_LABELS: dict[str, str] = {
    "handling_unit_name": "承办单位",
    "handling_unit": "承办单位",
    "leader_name": "包案领导",
    "first_receiver_name": "首问责任人",
    "guidance": "宣传疏导",
    "reported_to": "报告对象",
    "situation": "报告情况",
    "responsible_unit": "责成单位",
    "measures": "采取的措施",
    "leader": "领导",
    "authority": "转送机关",
    "organ_name": "复查/复核机关",
    "organ_address": "机关地址",
    "decided_at": "作出意见日期",
    "scan_name": "意见书扫描件",
    "rereview_organ": "复核机关",
    "rereview_at": "复核日期",
    "route_label": "依法分类处理途径",
    "route_organ": "有权处理的机关",
    "instruction": "批示",
    "reason": "理由",
    "own_unit_reason": "交被反映人所在单位办理的理由",
    "complexity": "复杂程度",
    "track_label": "办理程序",
    "handle_due_at": "办理期限",
    "committed_date": "承诺办结日期",
    "days": "延期天数",
    "new_due_at": "延长后的办理期限",
    "ground_label": "暂停事由",
    "paused_days": "暂停天数",
    "counted_days": "期限顺延天数",
    "delivered_at": "送达时间",
    "method": "方式",
    "review_request_due_at": "可申请复查/复核至",
    "return_due_at": "异议期至",
    "outcome": "处理结果",
    "findings": "调查核实情况",
    "reply_draft": "答复意见草稿",
    "text": "内容",
    "satisfaction": "满意度",
    "outcome_label": "回访结果",
    "agreed": "信访人认可复查/复核结论",
    "comment": "评价意见",
    "archive_category": "归档类别",
    "repeat_of": "重复件原件",
    "source": "导入来源",
    "note": "说明",
    "names": "附件",
    "answer": "督办答复",
    "matter": "追责事项",
    "decision": "处理决定",
    "step_label": "告知事项",
    "attempt": "发送次数",
    "error": "原因",
    "next_attempt_at": "下次重试",
    "refused": "不接收短信告知",
}
