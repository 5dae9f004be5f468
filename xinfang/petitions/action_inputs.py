"""What each lifecycle action takes, declared once: name, Chinese label, kind, whether it is required, its choices, and an
example value.

From this one table come the page's action forms (`forms.action_fields`), the API's request body of each action (one
serializer per action, `xinfang.api.petitions`), the checks the services make (`clean`), and the test helpers' inputs
(`tests/petitions/helpers.py`). The rules that need more than the value (a leader who is a respondent, a date after the
legal due time) stay in the service that owns them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils import timezone

from xinfang.core import inputs
from xinfang.petitions.models import Complexity, DeliveryMethod, Outcome, Petition, ReplyMethod, Satisfaction, Track
from xinfang.petitions.workflow import ACTIONS, Action

__all__ = [
    "ARCHIVE_CATEGORIES",
    "DECLINE_ROUTE_ORGAN",
    "INPUTS",
    "TAKES_ACTOR_LABEL",
    "DeclineRoute",
    "Field",
    "Kind",
    "clean",
    "examples",
    "field",
    "fields",
    "names",
]


class Kind(StrEnum):
    LINE = "line"  # one line of text
    TEXT = "text"  # several lines
    CHOICE = "choice"
    DATE = "date"  # a calendar day
    MOMENT = "moment"  # a point in time (the page asks for the day)
    INTEGER = "integer"
    FLAG = "flag"
    LEADER = "leader"  # a user holding the leader role, by username
    UNIT = "unit"  # an active unit, by code
    ORGAN = "organ"  # a review organ by code: a unit of the deployment or an external organ (review.candidates)
    ATTACHMENT = "attachment"  # one of the petition's attachments, by id (the page lists them)


ARCHIVE_CATEGORIES = {"general": "一般信访", "case": "信访案件", "review": "复查复核"}


class DeclineRoute(models.TextChoices):
    """依法分类处理: where a declined matter belongs instead (《信访工作条例》's routes for 申诉求决 matters and 检举控告 to the
    discipline organ). The 不予受理告知书 names the route and the organ; the statistics break declines down by it."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    RECONSIDERATION = "administrative_reconsideration", "行政复议"
    DISCIPLINE = "discipline_inspection", "纪检监察"
    OTHER_ORGAN = "other_organ", "其他有权机关"
    NOT_PETITION = "not_petition_matter", "不属于信访事项"


class FollowUpOutcome(models.TextChoices):
    """回访 after an answer: what came of it. "reopened" brings the matter back to be handled again on the same reg_no."""

    SATISFIED = "satisfied", "信访人表示满意"
    EXPLAINED = "explained", "已解释说明"
    REVIEW_ADVISED = "review_advised", "已告知申请复查/复核的途径"
    REOPENED = "reopened", "重新办理"


def _appeal_after_review(p: Petition) -> bool:
    return p.nature == "appeal" and p.review_level >= 1


# What the notice says of each route: the procedure the petitioner is pointed to ("请依法向{organ}{wording}").
DECLINE_ROUTE_WORDING: dict[str, str] = {
    DeclineRoute.LITIGATION: "提起诉讼",
    DeclineRoute.ARBITRATION: "申请仲裁",
    DeclineRoute.RECONSIDERATION: "申请行政复议",
    DeclineRoute.DISCIPLINE: "检举控告",
    DeclineRoute.OTHER_ORGAN: "提出",
}
# The routes that name an organ (every route but "not a petition matter").
DECLINE_ROUTE_ORGAN = set(DECLINE_ROUTE_WORDING)


def _pause_grounds() -> list[tuple[str, str]]:
    from xinfang.petitions import timelimits

    return [(g.code, f"{g.label}（最长 {g.max_days} 日）") for g in timelimits.pause_grounds().values()]


def _extend_hint(_petition: Petition | None) -> str:
    from xinfang.petitions import timelimits

    return f"≤{timelimits.limit_for('extend_max').amount}"


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # used in the page's label, the API's description and the Chinese error messages
    kind: Kind
    required: bool = False
    hint: str | Callable[[Petition | None], str] = ""  # shown after the label on the page: 不予受理理由（将写入告知书）
    choices: Any = None  # a TextChoices class, a {code: label} dict, or a function giving [(code, label)]
    open_choice: bool = False  # the page offers the choices, any short text is kept (回访方式)
    blank_label: str = ""  # the page's empty choice, when not choosing is allowed (归档类别: 自动)
    default: Any = None
    max_len: int = inputs.TEXT_MAX
    example: Any = None  # a valid value (or a function of no arguments giving one): API schema and tests
    help: str = ""  # the API's description beyond the label
    only_if: Callable[[Petition], bool] | None = None  # shown on the page only for such petitions

    def page_label(self, petition: Petition | None = None) -> str:
        hint = self.hint(petition) if callable(self.hint) else self.hint
        return f"{self.label}（{hint}）" if hint else self.label

    @property
    def choices_from_database(self) -> bool:
        """Choices given by a function (a policy table's rows), not a fixed list."""
        return callable(self.choices) and not isinstance(self.choices, type)

    def choice_pairs(self) -> list[tuple[str, str]]:
        c = self.choices
        if c is None:
            return []
        if self.choices_from_database:
            return list(c())
        if isinstance(c, dict):
            return list(c.items())
        return [(str(v), str(lbl)) for v, lbl in c.choices]

    def example_value(self) -> Any:
        return self.example() if callable(self.example) else self.example

    def clean(self, value: Any) -> Any:
        """The value checked and converted (core.inputs), or InvalidInput with this field's Chinese message."""
        k, name, label = self.kind, self.name, self.label
        if k in (Kind.LINE, Kind.TEXT):
            return inputs.text(value, name, label, required=self.required, max_len=self.max_len)
        if k == Kind.FLAG:
            return bool(value)
        empty = value in (None, "")
        if empty and not self.required:
            return self.default if self.default is not None else ("" if k == Kind.CHOICE else None)
        if k == Kind.CHOICE:
            if self.open_choice:
                return inputs.text(value, name, label, required=self.required, max_len=self.max_len)
            return inputs.choice(value, [code for code, _l in self.choice_pairs()], name, label)
        if k == Kind.DATE:
            return inputs.day(value, name, label, required=True)
        if k == Kind.MOMENT:
            return inputs.moment(value, name, label, required=True)
        if k == Kind.INTEGER:
            return inputs.integer(value, name, label)
        if k == Kind.LEADER:
            return inputs.user(value, name, label)
        if k == Kind.ORGAN:  # which organs are lawful depends on the petition: review.resolve
            return inputs.text(value, name, label, max_len=32)
        if k == Kind.ATTACHMENT:
            return inputs.integer(value, name, label)
        return inputs.unit(value, name, label)


def _in_ten_days() -> date:
    return timezone.localdate() + timedelta(days=10)


def _from_superior(p: Petition) -> bool:
    return p.channel == "from_superior"


F, K = Field, Kind

INPUTS: dict[str, tuple[Field, ...]] = {
    Action.ACCEPT: (
        F(
            "track",
            "办理程序",
            K.CHOICE,
            choices=Track,
            default=Track.STANDARD,
            example="standard",
            hint="事实清楚、责任明确、争议不大的初信初访可简易办理",
            help="simple：简易办理，期限取政策表“简易办理”（受理之日起10个工作日）",
        ),
        F("note", "受理说明", K.TEXT),
    ),
    Action.DECLINE: (
        F("reason", "不予受理理由", K.TEXT, True, hint="将写入告知书", example="不属于信访受理范围，应通过诉讼解决"),
        F("route", "依法分类处理途径", K.CHOICE, True, choices=DeclineRoute, example="litigation", help="告知书写明的途径"),
        F(
            "route_organ",
            "有权处理的机关",
            K.LINE,
            hint="不属于信访事项的可不填",
            max_len=100,
            example="县人民法院",
            help="除“不属于信访事项”外都要写明",
        ),
    ),
    Action.FORWARD: (
        F("authority", "转送机关", K.LINE, True, max_len=100, example="市住建局"),
        F("reason", "转送理由", K.TEXT, example="属其职权"),
    ),
    Action.SUBMIT_FOR_INSTRUCTION: (
        F("leader", "呈批领导", K.LEADER, help="领导的用户名", example="leader"),
        F("note", "拟办意见", K.TEXT, example="重要信访，请领导批示"),
    ),
    Action.INSTRUCT: (F("instruction", "批示意见", K.TEXT, True, example="请人社局依法处理并报结果"),),
    Action.SET_CASE_LEADER: (
        F("leader", "包案领导", K.LEADER, True, help="领导的用户名", example="leader"),
        F("reason", "说明", K.LINE),
    ),
    Action.ASSIGN: (
        F("handling_unit", "承办单位", K.UNIT, True, help="单位代码", example="dept-hr"),
        F("complexity", "复杂程度", K.CHOICE, choices=Complexity, default=Complexity.GENERAL, example="general"),
        F("due_at", "要求办结日期", K.MOMENT, hint="不超过法定期限"),
        F("result_required", "需报送办理结果", K.FLAG, default=True, example=True),
        F("note", "交办意见", K.TEXT),
    ),
    Action.ACKNOWLEDGE: (
        F("committed_date", "承诺办结日期", K.DATE, True, example=_in_ten_days),
        F("note", "备注", K.LINE),
    ),
    Action.PROGRESS: (
        F("note", "办理进度", K.TEXT, True, example="已约谈企业负责人"),
        F("explain_to_superior", "作为向上级的说明情况报送", K.FLAG, help="只用于上级交办件", only_if=_from_superior),
    ),
    Action.EXTEND: (
        F("days", "延期天数", K.INTEGER, True, hint=_extend_hint, help="1 至政策表的延期上限（天）", example=20),
        F("reason", "延期理由", K.TEXT, True, hint="写入延期告知书", example="需要补充调查"),
    ),
    Action.RETURN: (F("reason", "退回理由", K.TEXT, True, hint="非本单位职责等", example="不属于本单位职责"),),
    Action.REPORT_RESULT: (
        F("outcome", "处理结果", K.CHOICE, True, choices=Outcome, example="full"),
        F("findings", "调查核实情况", K.TEXT, True, example="经查属实，已督促企业发放"),
        F("reply_draft", "答复意见草稿", K.TEXT, example="您反映的问题已解决"),
    ),
    Action.APPROVE_RESULT: (F("note", "审核意见", K.LINE),),
    Action.REJECT_RESULT: (F("reason", "退回重办理由", K.TEXT, True, example="事实不清，请补充调查"),),
    Action.REPLY: (
        F("method", "答复方式", K.CHOICE, True, choices=ReplyMethod, example="letter"),
        F("text", "处理意见书", K.TEXT, True, hint="信访人可见", example="经调查，您反映的工资问题已督促企业全额发放。"),
    ),
    Action.FOLLOW_UP: (
        F("outcome", "回访结果", K.CHOICE, True, choices=FollowUpOutcome, example="explained", help="reopened：重新办理（新的办理期限）"),
        F("method", "回访方式", K.CHOICE, choices=ReplyMethod, open_choice=True, max_len=32, example="phone"),
        F("note", "回访情况", K.TEXT, True, example="电话回访，信访人表示已收到工资"),
        F("agreed", "信访人认可复查/复核结论", K.FLAG, help="申诉事项复查后回访时记录", only_if=_appeal_after_review),
    ),
    Action.EVALUATE: (
        F("satisfaction", "满意度", K.CHOICE, True, choices=Satisfaction, example="satisfied"),
        F("comment", "意见", K.LINE),
    ),
    Action.REQUEST_REVIEW: (
        F("reason", "申请复查理由", K.TEXT, True, example="对处理意见不服"),
        F(
            "review_organ",
            "复查机关",
            K.ORGAN,
            hint="原办理机关的上一级机关",
            help="机关代码；不填则按建议（原办理单位的同级人民政府或上一级主管机关）",
        ),
    ),
    Action.REQUEST_REREVIEW: (
        F("reason", "申请复核理由", K.TEXT, True, example="对复查意见不服"),
        F("review_organ", "复核机关", K.ORGAN, hint="复查机关的上一级机关", help="机关代码；不填则按建议（复查机关的上一级机关）"),
    ),
    Action.FORWARD_REVIEW: (
        F("review_organ", "转送机关", K.ORGAN, hint="系统外的复查/复核机关", help="机关代码；不填则为申请时确定的机关"),
        F("note", "转送说明", K.TEXT, hint="写入转送告知书", example="请依法复查并书面答复信访人"),
    ),
    Action.RECORD_REVIEW_OPINION: (
        F("text", "意见内容", K.TEXT, True, hint="照录收到的意见书", example="经复查，原处理意见认定事实清楚，予以维持。"),
        F("decided_at", "作出意见日期", K.MOMENT, True, hint="意见书落款日期", example=timezone.localdate),
        F("scan", "意见书扫描件", K.ATTACHMENT, hint="先在“附件”中上传", help="本件附件的编号"),
        F("note", "备注", K.LINE),
    ),
    Action.ANSWER_ENDED: (F("note", "说明", K.TEXT, hint="写入不再受理告知书", example="所提事项与原事项事实和理由相同"),),
    Action.REPORT_BACK: (F("text", "向上级报结内容", K.TEXT, True, example="已按期办结并答复信访人"),),
    Action.ARCHIVE: (
        F("archive_category", "归档类别", K.CHOICE, choices=ARCHIVE_CATEGORIES, blank_label="自动", help="不填则按性质和复查情况自动确定"),
        F("note", "备注", K.LINE),
    ),
    Action.PAUSE: (
        F(
            "ground",
            "暂停事由",
            K.CHOICE,
            True,
            hint="仅限法定事由",
            choices=_pause_grounds,
            help="政策表的暂停事由代码",
            example="hearing",
        ),
        F("reason", "暂停说明", K.TEXT, True, hint="听证、鉴定的安排", example="组织听证"),
    ),
    Action.RESUME: (F("note", "备注", K.LINE),),
    Action.TRIAGE: (F("note", "阅办意见", K.TEXT, True, hint="拟办", example="拟交县人社局办理"),),
    Action.RECORD_DELIVERY: (
        F("delivered_at", "送达日期", K.MOMENT, True, hint="信访人收到之日", example=timezone.localdate),
        F("method", "送达方式", K.CHOICE, True, choices=DeliveryMethod, example="post"),
        F("note", "备注", K.LINE, hint="如挂号信单号"),
    ),
    Action.CONSENT_RETURN: (F("reason", "同意退回的理由", K.TEXT, True, hint="核实情况", example="经核实确非该局职责"),),
    Action.SWITCH_TO_STANDARD: (F("reason", "转为普通程序的理由", K.TEXT, True, hint="告知信访人", example="经核查情况复杂，需深入调查"),),
}
assert set(INPUTS) == set(ACTIONS), set(ACTIONS) ^ set(INPUTS)

# Who the petitioner's own request is recorded as, for the actions a petitioner may take through the portal or a window.
TAKES_ACTOR_LABEL = {Action.EVALUATE, Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW}


def fields(action: str) -> tuple[Field, ...]:
    return INPUTS[action]


def field(action: str, name: str) -> Field:
    return next(f for f in INPUTS[action] if f.name == name)


def names(action: str) -> list[str]:
    return [f.name for f in INPUTS[action]]


def clean(action: str, **raw: Any) -> dict[str, Any]:
    """The named inputs of `action`, each checked by its declared field (InvalidInput on the first bad one)."""
    return {name: field(action, name).clean(value) for name, value in raw.items()}


def examples(action: str) -> dict[str, Any]:
    """A valid body for the action (its fields' examples), as the API schema and the tests use it."""
    return {f.name: f.example_value() for f in INPUTS[action] if f.example is not None}
