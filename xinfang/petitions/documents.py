"""What each notice and form says (`compose` → a `xinfang.core.gongwen.Notice`), and the receipt PDF.

The content comes from the deciding event (its data and its date), so a notice composed again later says the same.
Identity goes through the access policy (masked where the policy masks; an unmasked export is logged); issuing, numbering
and serving the stored files is `petitions.notices`.
"""

from django.utils import timezone

from xinfang.access import policy
from xinfang.core.gongwen import Notice, Row
from xinfang.petitions import timelimits
from xinfang.petitions.models import DeliveryMethod, Outcome, Petition

DOCS = {
    "dengji": "信访事项登记表",
    "chengpi": "信访举报问题呈阅表",
    "jiaoban": "信访事项交办单",
    "accept": "受理告知书",
    "decline": "不予受理告知书",
    "simple": "简易办理告知书",
    "forward": "转送告知书",
    "extend": "延期告知书",
    "opinion": "处理意见书",
    "review": "复查意见书",
    "rereview": "复核意见书",
    "delivery": "送达回证",
    "review_forward": "复查（复核）请求转送告知书",
    "ended": "不再受理告知书",
}


def _last(petition: Petition, action: str, **match):
    for e in reversed(list(petition.events.all())):
        if e.action == action and all(e.data.get(k) == v for k, v in match.items()):
            return e
    return None


def available(petition: Petition, *, as_codes: bool = False):
    """The documents that can be generated now: [(code, title)] (or the codes)."""
    actions = {e.action for e in petition.events.all()}
    codes = ["dengji", "chengpi"]
    if "assign" in actions and petition.handling_unit_id:
        codes.append("jiaoban")
    if _last(petition, "accept", track="standard") or any(e.action == "accept" and not e.data.get("track") for e in petition.events.all()):
        codes.append("accept")
    if "decline" in actions:
        codes.append("decline")
    if _last(petition, "accept", track="simple"):
        codes.append("simple")
    if "forward" in actions:
        codes.append("forward")
    if "extend" in actions:
        codes.append("extend")
    if _last(petition, "reply", stage="reply"):
        codes.append("opinion")
    if _last(petition, "reply", stage="review"):
        codes.append("review")
    if _last(petition, "reply", stage="rereview"):
        codes.append("rereview")
    if "reply" in actions or "record_review_opinion" in actions:
        codes.append("delivery")
    if "forward_review" in actions:
        codes.append("review_forward")
    if "answer_ended" in actions:
        codes.append("ended")
    return codes if as_codes else [(c, DOCS[c]) for c in codes]


def decline_route_sentence(data: dict) -> str:
    """依法分类处理 on the 不予受理告知书: the route the matter belongs to and the organ to turn to (action_inputs.DeclineRoute)."""
    from xinfang.petitions.action_inputs import DECLINE_ROUTE_WORDING, DeclineRoute

    route, organ = data.get("route", ""), data.get("route_organ", "")
    if not route:
        return ""  # a decline recorded before routes existed
    if route == DeclineRoute.NOT_PETITION:
        return "你（们）所提事项不属于信访事项，依法不通过信访程序处理。"
    if route == DeclineRoute.OTHER_ORGAN:
        return f"该事项属于{organ}的职权范围，请依法向该机关提出。"
    label = DeclineRoute(route).label if route in DeclineRoute.values else route
    return f"该事项依法应当通过{label}途径解决，请依法向{organ}{DECLINE_ROUTE_WORDING.get(route, '提出')}。"


# The event each document is issued at (the latest of its kind): (action, data to match).
SOURCE = {
    "chengpi": ("submit_for_instruction", {}),
    "jiaoban": ("assign", {}),
    "accept": ("accept", {}),
    "simple": ("accept", {"track": "simple"}),
    "decline": ("decline", {}),
    "forward": ("forward", {}),
    "extend": ("extend", {}),
    "opinion": ("reply", {"stage": "reply"}),
    "review": ("reply", {"stage": "review"}),
    "rereview": ("reply", {"stage": "rereview"}),
    "review_forward": ("forward_review", {}),
    "ended": ("answer_ended", {}),
}
# Forms kept live (they carry what is written on them later: the 批示, the delivery): composed from the events each time,
# dated by their event, never numbered.
LIVE = {"chengpi", "delivery"}


def source_event(kind: str, petition: Petition):
    """The event a document of `kind` is issued at, or None (登记表: the registration; 送达回证: the latest answer)."""
    if kind == "delivery":
        return _last(petition, "reply") or _last(petition, "record_review_opinion")
    if kind not in SOURCE:
        return None
    action, match = SOURCE[kind]
    ev = _last(petition, action, **match)
    if kind == "accept" and ev is not None and ev.data.get("track") == "simple":
        return None
    return ev


def kind_for_event(event) -> str:
    """The notice a decision issues ('' for none): accept → 受理告知书 or 简易办理告知书, reply → the stage's opinion, …"""
    for kind, (action, match) in SOURCE.items():
        if kind in LIVE or event.action != action or any(event.data.get(k) != v for k, v in match.items()):
            continue
        if kind == "accept" and event.data.get("track") == "simple":
            continue
        return kind
    return ""


def _fmt(dt, fmt="%Y年%m月%d日"):
    if dt is None:
        return ""
    if hasattr(dt, "tzinfo") and hasattr(dt, "hour"):
        dt = timezone.localtime(dt)
    return dt.strftime(fmt)


def _parse(value):
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _identities(petition, actor, path) -> list[dict]:
    if actor is None:  # issued by the system (a petitioner's own step): addressed to the petitioner in full
        return [{"name": p.name, "phone": p.phone, "address": p.address, "work_unit": p.work_unit} for p in petition.petitioners.all()]
    return policy.identity_for_display(actor, petition, purpose="导出文书", path=path)


def _people(petition, actor, path):
    if petition.anonymous and not petition.petitioners.exists():
        return "匿名"
    people = _identities(petition, actor, path)
    return "；".join("，".join(x for x in (p["name"], p["phone"], p["address"] or p["work_unit"]) if x) for p in people)


def addressee(petition, actor, path="") -> str:
    """主送: the petitioners by name (as the reader may see them), 信访人 when anonymous."""
    people = _identities(petition, actor, path) if not petition.anonymous else []
    names = [p["name"] for p in people if p.get("name")]
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "") if names else "信访人"


def _footnotes(*moments) -> list[str]:
    """A date printed in a year whose holidays are not entered yet: say so (timelimits.notice_footnote)."""
    note = timelimits.notice_footnote(*moments)
    return [note] if note else []


def _pause_lines(petition, until=None) -> list[str]:
    """One sentence per pause of the clock (听证, 鉴定) up to `until`: when, why, and how far the due moved."""
    out, open_pause = [], None
    for e in petition.events.all():
        if until is not None and e.seq > until.seq:
            break
        if e.action == "pause":
            open_pause = e
        elif e.action == "resume" and open_pause is not None:
            label = open_pause.data.get("ground_label") or "听证、鉴定等法定事由"
            days = e.data.get("counted_days", e.data.get("paused_days", ""))
            out.append(f"因{label}，自{_fmt(open_pause.at)}至{_fmt(e.at)}暂停计时，该段时间不计入办理期限，期限顺延{days}日。")
            open_pause = None
    if open_pause is not None:
        label = open_pause.data.get("ground_label") or "听证、鉴定等法定事由"
        out.append(f"因{label}，自{_fmt(open_pause.at)}起暂停计时，该段时间不计入办理期限。")
    return out


def _before(petition, action: str, event):
    """The latest `action` event before `event` (the facts reported before the answer, the request before a review)."""
    found = None
    for e in petition.events.all():
        if event is not None and e.seq >= event.seq:
            break
        if e.action == action:
            found = e
    return found


def signer(kind: str, petition: Petition, event=None) -> str:
    """The organ that decided: the handling unit for the 处理意见书, the review organ for its opinion, else the office."""
    if kind == "opinion" and petition.handling_unit_id:
        return organ_name(petition.handling_unit)
    if kind in ("review", "rereview") and event is not None and event.data.get("organ_name"):
        return event.data["organ_name"]
    return organ_name(petition.office)


def organ_name(unit) -> str:
    """The organ's name as a seal reads it (org.Unit.organ_name)."""
    return unit.organ_name


def _received(petition) -> str:
    return f"你（们）于{_fmt(petition.received_at)}提出的信访事项（登记编号{petition.reg_no}）"


def compose(kind: str, petition: Petition, *, actor, path: str = "", event=None, number: str = "", issued_at=None) -> Notice:
    """The notice `kind` as issued at `event` (default: its source event), with its 文号 if it has one."""
    if event is None:
        event = source_event(kind, petition)
    at = issued_at or (event.at if event is not None else petition.registered_at or petition.received_at)
    local = timezone.localtime(at)
    data = event.data if event is not None else {}
    n = Notice(
        kind=kind,
        title=DOCS[kind],
        organ=signer(kind, petition, event),
        signer=signer(kind, petition, event),
        issued_on=local.date(),
        issued_at=at,
        number=number,
        reference=f"登记编号：{petition.reg_no}",
    )
    build = _FORMS.get(kind) or _LETTERS[kind]
    build(n, petition, data, event, actor, path)
    return n


# ---------------------------------------------------------------------------------------------------------------------
# Forms (a table to fill in and sign)
# ---------------------------------------------------------------------------------------------------------------------


def _dengji(n, petition, data, event, actor, path):
    n.signed = False
    n.rows = [
        Row("来源渠道", petition.get_channel_display() + (f"（{petition.superior_doc_no}）" if petition.superior_doc_no else "")),
        Row("收到时间", _fmt(petition.received_at, "%Y年%m月%d日 %H:%M")),
        Row("登记时间", _fmt(petition.registered_at, "%Y年%m月%d日 %H:%M")),
        Row("信访人", _people(petition, actor, path), 2),
        Row("人数", f"{petition.headcount}人" + ("（集体访）" if petition.collective else "")),
        Row("问题性质", petition.get_nature_display()),
        Row("问题类别", petition.category.name),
        Row("问题发生地", petition.region.full_name),
        Row("被反映人", "；".join(f"{r.name} {r.unit_name} {r.post}".strip() for r in petition.respondents.all()) or "无"),
        Row("主要问题", petition.content, 4),
        Row("诉求", petition.requests, 2),
        Row("登记人", petition.registered_by.display_name if getattr(petition, "registered_by", None) else ""),
    ]


def _source(petition) -> str:
    received = _fmt(petition.received_at, "%Y年%m月%d日 %H:%M")
    doc = f"（{petition.superior_doc_no}）" if petition.superior_doc_no else ""
    return f"{petition.get_channel_display()}{doc}，{received}收到"


def _who(petition, actor, path) -> str:
    return _people(petition, actor, path) + f"（{petition.headcount}人" + ("，集体访）" if petition.collective else "）")


def _chengpi(n, petition, data, event, actor, path):
    instruct = _last(petition, "instruct")
    n.rows = [
        Row("来源及时间", _source(petition)),
        Row("信访人", _who(petition, actor, path)),
        Row("性质、类别", f"{petition.get_nature_display()}，{petition.category.name}"),
        Row("问题发生地", petition.region.full_name),
        Row("被反映人", "；".join(f"{r.name} {r.unit_name} {r.post}".strip() for r in petition.respondents.all()) or "无"),
        Row("主要问题", petition.content, 3),
        Row("诉求", petition.requests, 2),
        Row("拟办意见", data.get("note", ""), 3),
        Row("领导批示", instruct.data.get("instruction", "") if instruct else "", 5),
        Row("批示领导", instruct.actor.display_name if instruct and instruct.actor else ""),
    ]
    if petition.confidential:
        n.notes = ["本件为保密件，按保密规定传阅"]
    n.signed = False


def _jiaoban(n, petition, data, event, actor, path):
    unit = petition.handling_unit.name if petition.handling_unit else ""
    n.addressee = unit
    n.body = [
        f"现将登记编号{petition.reg_no}的信访事项交你单位办理。请于期限内办结并报送办理结果；不能按期办结的，应说明情况并申请延期。"
        "签收后请预报办结时间。有关情况如下："
    ]
    due = _parse(data.get("handle_due_at")) or petition.handle_due_at
    pauses = "".join(_pause_lines(petition))
    n.reference = ""  # the body names the registration number
    n.rows = [
        Row("承办单位", unit),
        Row("信访人", _people(petition, actor, path)),  # 交办时间: the 成文日期 below
        Row("主要问题", f"（{petition.category.name}）{petition.content}", 2),
        Row("诉求", petition.requests, 2),
        Row(
            "办理期限", f"{_fmt(due)}前办结（内部查处期限{_fmt(petition.internal_due_at)}；复杂程度：{petition.get_complexity_display()}）"
        ),
        Row("报送结果", "办结后报送办理结果" if petition.result_required else "不需报送办理结果"),
        Row("交办意见", data.get("note", ""), 2),
        *([Row("暂停计时", pauses)] if pauses else []),
    ]
    n.notes = _footnotes(due, petition.internal_due_at)


def _delivery(n, petition, data, event, actor, path):
    """送达回证 of the latest answer: printed to be signed by the petitioner; the date then goes in as record_delivery."""
    stage = {0: "opinion", 1: "review", 2: "rereview"}.get(petition.review_level, "opinion")
    delivered = petition.delivered_at
    n.rows = [
        Row("送达文书", f"{DOCS[stage]}（登记编号{petition.reg_no}）"),
        Row("受送达人", addressee(petition, actor, path)),
        Row("答复时间", _fmt(petition.replied_at, "%Y年%m月%d日 %H:%M")),
        Row(
            "送达方式",
            dict(DeliveryMethod.choices).get(petition.delivery_method, "")
            if delivered
            else "□直接送达  □邮寄送达  □短信送达  □网上送达  □公告送达",
        ),
        Row("送达地点", ""),
        Row("送达时间", _fmt(delivered) if delivered else "　　年　　月　　日　　时"),
        Row("受送达人签名", "", 2),
        Row("送达人签名", "", 2),
        Row("备注", "受送达人拒绝签收的，送达人应注明情况。"),
    ]
    n.after = [
        "信访人对处理意见不服的，可以自收到书面答复之日起30日内请求复查；对复查意见不服的，可以自收到书面答复之日起30日内请求复核。"
        "本回证所载送达时间为上述期限的起算依据。"
    ]
    n.signer = n.organ = petition.office.name


_FORMS = {"dengji": _dengji, "chengpi": _chengpi, "jiaoban": _jiaoban, "delivery": _delivery}


# ---------------------------------------------------------------------------------------------------------------------
# Letters (告知书, 意见书) to the petitioner
# ---------------------------------------------------------------------------------------------------------------------


def _accept(n, petition, data, event, actor, path):
    due = _parse(data.get("handle_due_at")) or petition.handle_due_at
    n.addressee = addressee(petition, actor, path)
    n.body = [
        f"{_received(petition)}收悉。经审查，该事项属于本机关的职权范围，本机关已于{_fmt(event.at if event else None)}依法受理。",
        f"本机关将依法办理，并于{_fmt(due)}前出具处理意见书；情况复杂的，经批准可以适当延长办理期限，延长的将书面告知你（们）。",
        "特此告知。",
    ]
    n.notes = _footnotes(due)


def _simple(n, petition, data, event, actor, path):
    due = _parse(data.get("handle_due_at"))
    n.addressee = addressee(petition, actor, path)
    n.body = [
        f"{_received(petition)}，本机关已于{_fmt(event.at if event else None)}受理。"
        f"该事项事实清楚、责任明确，适用简易办理，本机关将于{_fmt(due)}前作出处理意见并答复你（们）。",
        "如办理中发现情况复杂、需要调查核实的，将转为普通程序办理并另行告知。特此告知。",
    ]
    n.notes = _footnotes(due)


def _decline(n, petition, data, event, actor, path):
    n.addressee = addressee(petition, actor, path)
    n.body = [f"{_received(petition)}收悉。经审查，{data.get('reason', '').rstrip('。')}。根据《信访工作条例》的规定，本机关决定不予受理。"]
    route = decline_route_sentence(data)
    if route:
        n.body.append(route)
    n.body.append("特此告知。")


def _forward(n, petition, data, event, actor, path):
    n.addressee = addressee(petition, actor, path)
    n.body = [
        f"{_received(petition)}收悉。该事项属于{data.get('authority', '')}的职权范围，本机关已于{_fmt(event.at if event else None)}转送该机关办理。"
        + (f"转送理由：{_end(data['reason'])}" if data.get("reason") else ""),
        "请与该机关联系了解办理情况。特此告知。",
    ]


def _extend(n, petition, data, event, actor, path):
    # The reason and the new date as decided (the event), not today's due, which a later pause may move again.
    new_due = _parse(data.get("new_due_at")) or petition.handle_due_at
    n.addressee = addressee(petition, actor, path)
    n.body = [
        f"你（们）提出的信访事项（登记编号{petition.reg_no}），因{data.get('reason', '')}，"
        f"经本机关负责人批准，办理期限延长{data.get('days', '')}日，延长后的办理期限至{_fmt(new_due)}。",
        *_pause_lines(petition, event),
        "特此告知。",
    ]
    n.notes = _footnotes(new_due)


def _review_forward(n, petition, data, event, actor, path):
    what = "复核" if data.get("stage") == "rereview" else "复查"
    n.addressee = addressee(petition, actor, path)
    address = f"（地址：{data['organ_address']}）" if data.get("organ_address") else ""
    n.body = [
        f"你（们）就登记编号{petition.reg_no}的信访事项提出的{what}请求收悉。依照《信访工作条例》，{what}由原办理机关、单位的"
        f"上一级机关、单位作出。本机关已于{_fmt(event.at if event else None)}将你（们）的{what}请求转送{data.get('organ_name', '')}"
        f"{address}，由该机关依法作出{what}意见并书面答复你（们）。",
        *([data["note"]] if data.get("note") else []),
        "特此告知。",
    ]


def _ended(n, petition, data, event, actor, path):
    n.addressee = addressee(petition, actor, path)
    n.body = [
        f"{_received(petition)}收悉，已予登记。经查，你（们）所反映的事项（原登记编号{data.get('repeat_of', '')}）"
        f"已经{data.get('rereview_organ', '')}于{_fmt(_parse(data.get('rereview_at')))}复核，信访程序已经终结。依照《信访工作条例》"
        "“信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、单位不再受理”的规定，"
        "对你（们）以同一事实和理由再次提出的该事项，不再受理。",
        *([data["note"]] if data.get("note") else []),
        "如有新的事实和理由，可以依法另行提出。特此告知。",
    ]


def _remedy_organ(petition, stage: int, event) -> str:
    """The organ the next review goes to, by name (review.candidates' suggestion; kept on the event when it was issued)."""
    if event is not None and event.data.get("next_organ"):
        return event.data["next_organ"]
    from xinfang.petitions import review

    found = review.candidates(petition, stage)
    return found[0].name if found else ("原办理机关、单位的上一级机关、单位" if stage == 1 else "复查机关、单位的上一级机关、单位")


OUTCOME_WORDS = {
    Outcome.FULL: "对你（们）的请求，本机关予以支持。",
    Outcome.PARTIAL: "对你（们）的请求，本机关予以部分支持。",
    Outcome.UNSUPPORTED: "对你（们）的请求，本机关不予支持。",
    Outcome.EXPLAINED: "对你（们）的请求，本机关已作解释说明。",
}


def _end(text: str) -> str:
    """A sentence as written, closed with 。 unless it already ends in a full stop, a question or an ellipsis."""
    text = text.strip()
    return text if not text or text[-1] in "。！？…”」）)" else text + "。"


def _opinion(n, petition, data, event, actor, path):
    """处理意见书 / 复查意见书 / 复核意见书: the request, the facts found, the basis, the outcome, the remedy, the date."""
    kind = n.kind
    text = data.get("text", "").strip()
    n.addressee = addressee(petition, actor, path)
    if kind == "opinion":
        # The facts as the answer states them: the unit's findings (report_result) are internal and never printed here.
        report = _before(petition, "report_result", event)
        outcome = (report.data.get("outcome", "") if report else "") or petition.outcome
        n.body = [
            f"{_received(petition)}收悉，本机关依法受理并进行了调查核实。",
            f"你（们）的请求：{(petition.requests or petition.content).rstrip('。')}。",
            (
                "依照《信访工作条例》的有关规定，处理意见如下："
                if text.startswith("经")
                else "经调查核实，依照《信访工作条例》的有关规定，处理意见如下："
            )
            + _end(text),
        ]
        if outcome in OUTCOME_WORDS:
            n.body.append(OUTCOME_WORDS[outcome])
        n.body += _pause_lines(petition, event)
        organ = _remedy_organ(petition, 1, event)
        n.body.append(f"如对本处理意见不服，可以自收到本意见书之日起30日内向{organ}请求复查。")
    else:
        what = "复查" if kind == "review" else "复核"
        request = _before(petition, "request_review" if kind == "review" else "request_rereview", event)
        reason = request.data.get("reason", "") if request else ""
        basis = (
            # The sentences as docs/review.md checked them (no article number: one copy only)
            "依照《信访工作条例》“信访人对信访处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关、单位的上一级机关、单位复查”的规定"
            if kind == "review"
            else "依照《信访工作条例》关于复核由“复查机关、单位的上一级机关、单位”作出的规定"
        )
        n.body = [
            f"你（们）对登记编号{petition.reg_no}的信访事项{'处理意见' if kind == 'review' else '复查意见'}不服，"
            f"向本机关提出{what}请求。" + (f"你（们）的{what}理由：{reason.rstrip('。')}。" if reason else ""),
            f"{basis}，本机关进行了{what}，{what}意见如下：{_end(text)}",
        ]
        if kind == "review":
            organ = _remedy_organ(petition, 2, event)
            n.body.append(f"如对本复查意见不服，可以自收到本意见书之日起30日内向{organ}请求复核。")
        else:
            n.body.append(
                "本复核意见为该信访事项的最终意见。依照《信访工作条例》“信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，"
                "……不再受理”的规定，对同一事实和理由的投诉请求不再受理。"
            )


_LETTERS = {
    "accept": _accept,
    "simple": _simple,
    "decline": _decline,
    "forward": _forward,
    "extend": _extend,
    "review_forward": _review_forward,
    "ended": _ended,
    "opinion": _opinion,
    "review": _opinion,
    "rereview": _opinion,
}


def build(kind: str, petition: Petition, *, actor, path: str = "") -> tuple[bytes, str]:
    """(docx bytes, file name) of one document as composed now from its event (the issued copy: `notices.printed`)."""
    from xinfang.core.gongwen import to_docx

    n = compose(kind, petition, actor=actor, path=path)
    return to_docx(n), n.filename(petition.reg_no, "docx")
