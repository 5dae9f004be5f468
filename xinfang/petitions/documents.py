"""Word forms (python-docx) and the receipt PDF (reportlab, built-in CID font STSong-Light).

Every document is filled from the petition as the requesting user may see it: identity goes
through the access policy (masked where the policy masks; an unmasked export is logged).
"""

import io
from urllib.parse import quote

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.access import policy
from xinfang.petitions import timelimits
from xinfang.petitions.models import DeliveryMethod, Petition

DOCS = {
    "chengpi": "信访举报问题呈阅表",
    "jiaoban": "信访事项交办单",
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
    codes = ["chengpi"]
    if "assign" in actions and petition.handling_unit_id:
        codes.append("jiaoban")
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


def _fmt(dt, fmt="%Y年%m月%d日"):
    if dt is None:
        return ""
    if hasattr(dt, "tzinfo") and hasattr(dt, "hour"):
        dt = timezone.localtime(dt)
    return dt.strftime(fmt)


def _new_doc(title: str) -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = "黑体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    return doc


def _table(doc, rows):
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value or ""
    return table


def _people(petition, actor, path):
    if petition.anonymous and not petition.petitioners.exists():
        return "匿名"
    people = policy.identity_for_display(actor, petition, purpose="导出文书", path=path)
    return "；".join("，".join(x for x in (p["name"], p["phone"], p["address"] or p["work_unit"]) if x) for p in people)


def _addressee(petition, actor, path):
    people = policy.identity_for_display(actor, petition, purpose="导出文书", path=path) if not petition.anonymous else []
    return (people[0]["name"] if people else "信访人") + "："


def _footnote(doc, *moments):
    """A date printed in a year whose holidays are not entered yet: say so under it (timelimits.notice_footnote)."""
    note = timelimits.notice_footnote(*moments)
    if note:
        p = doc.add_paragraph(note)
        for run in p.runs:
            run.font.size = Pt(10.5)


def _pause_lines(petition) -> list[str]:
    """One sentence per pause of the clock (听证, 鉴定): when, why, and how far the due moved."""
    out, open_pause = [], None
    for e in petition.events.all():
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


def _sign(doc, petition, organ: str = ""):
    """The signature: the organ that decides (a review organ signs its own opinion), else the registering office."""
    doc.add_paragraph("")
    p = doc.add_paragraph(organ or petition.office.name)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = doc.add_paragraph(_fmt(timezone.now()))
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def build(kind: str, petition: Petition, *, actor, path: str = "") -> tuple[bytes, str]:
    """(docx bytes, a quoted file name) for one document kind."""
    title = DOCS[kind]
    doc = _new_doc(title)
    meta = doc.add_paragraph(f"登记编号：{petition.reg_no}")
    meta.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if kind == "chengpi":
        instruct = _last(petition, "instruct")
        submit = _last(petition, "submit_for_instruction")
        _table(
            doc,
            [
                ("来源渠道", petition.get_channel_display() + (f"（{petition.superior_doc_no}）" if petition.superior_doc_no else "")),
                ("收到时间", _fmt(petition.received_at, "%Y年%m月%d日 %H:%M")),
                ("信访人", _people(petition, actor, path)),
                ("人数", f"{petition.headcount}人" + ("（集体访）" if petition.collective else "")),
                ("问题性质", petition.get_nature_display()),
                ("问题类别", petition.category.name),
                ("问题发生地", petition.region.full_name),
                ("被反映人", "；".join(f"{r.name} {r.unit_name} {r.post}".strip() for r in petition.respondents.all()) or "无"),
                ("主要问题", petition.content),
                ("诉求", petition.requests),
                ("拟办意见", submit.data.get("note", "") if submit else ""),
                ("领导批示", instruct.data.get("instruction", "") if instruct else ""),
                ("批示领导", (instruct.actor.display_name if instruct and instruct.actor else "")),
                ("保密", "是" if petition.confidential else "否"),
            ],
        )
    elif kind == "jiaoban":
        assign = _last(petition, "assign")
        _table(
            doc,
            [
                ("承办单位", petition.handling_unit.name if petition.handling_unit else ""),
                ("交办时间", _fmt(petition.assigned_at)),
                ("信访人", _people(petition, actor, path)),
                ("问题类别", petition.category.name),
                ("主要问题", petition.content),
                ("诉求", petition.requests),
                ("复杂程度", petition.get_complexity_display()),
                ("办理期限", _fmt(petition.handle_due_at)),
                ("内部查处期限", _fmt(petition.internal_due_at)),
                ("是否报送结果", "是" if petition.result_required else "否"),
                ("交办意见", assign.data.get("note", "") if assign else ""),
                ("暂停计时", "".join(_pause_lines(petition)) or "无"),
            ],
        )
        doc.add_paragraph("请于期限内办结并报送办理结果；不能按期办结的，应说明情况并申请延期。承办单位签收后请预报办结时间。")
        _footnote(doc, petition.handle_due_at, petition.internal_due_at)
    elif kind == "decline":
        ev = _last(petition, "decline")
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）于{_fmt(petition.received_at)}提出的信访事项（登记编号{petition.reg_no}）收悉。"
            f"经审查，{(ev.data.get('reason', '') if ev else '').rstrip('。')}。根据《信访工作条例》的规定，本机关决定不予受理。"
        )
        route_line = decline_route_sentence(ev.data if ev else {})
        if route_line:
            doc.add_paragraph(route_line)
        doc.add_paragraph("特此告知。")
        _sign(doc, petition)
    elif kind == "simple":
        # The simplified notice of 简易办理: accepted, and answered within the simple limit (the due as decided).
        ev = _last(petition, "accept", track="simple")
        due = _parse(ev.data.get("handle_due_at")) if ev else None
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）于{_fmt(petition.received_at)}提出的信访事项（登记编号{petition.reg_no}），本机关已于{_fmt(ev.at if ev else None)}受理。"
            f"该事项事实清楚、责任明确，适用简易办理，本机关将于{_fmt(due)}前作出处理意见并答复你（们）。"
        )
        doc.add_paragraph("如办理中发现情况复杂、需要调查核实的，将转为普通程序办理并另行告知。特此告知。")
        _footnote(doc, due)
        _sign(doc, petition)
    elif kind == "forward":
        ev = _last(petition, "forward")
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）于{_fmt(petition.received_at)}提出的信访事项（登记编号{petition.reg_no}）收悉。"
            f"该事项属于{ev.data.get('authority', '') if ev else ''}的职权范围，本机关已于{_fmt(ev.at if ev else None)}转送该机关办理。"
            f"{ev.data.get('reason', '') if ev else ''}"
        )
        doc.add_paragraph("请与该机关联系了解办理情况。特此告知。")
        _sign(doc, petition)
    elif kind == "extend":
        # The reason and the new date as decided (the event), not today's due, which a later pause may move again.
        ev = _last(petition, "extend")
        data = ev.data if ev else {}
        new_due = _parse(data.get("new_due_at")) or petition.handle_due_at
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）提出的信访事项（登记编号{petition.reg_no}），因{data.get('reason', '')}，"
            f"经本机关负责人批准，办理期限延长{data.get('days', '')}日，延长后的办理期限至{_fmt(new_due)}。"
        )
        for line in _pause_lines(petition):
            doc.add_paragraph(line)
        doc.add_paragraph("特此告知。")
        _footnote(doc, new_due)
        _sign(doc, petition)
    elif kind == "delivery":
        _delivery_receipt(doc, petition, actor, path)
    elif kind == "review_forward":
        ev = _last(petition, "forward_review")
        data = ev.data if ev else {}
        what = "复核" if data.get("stage") == "rereview" else "复查"
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）就登记编号{petition.reg_no}的信访事项提出的{what}请求收悉。依照《信访工作条例》，{what}由原办理机关、单位的"
            f"上一级机关、单位作出。本机关已于{_fmt(ev.at if ev else None)}将你（们）的{what}请求转送{data.get('organ_name', '')}"
            f"{'（地址：' + data['organ_address'] + '）' if data.get('organ_address') else ''}，由该机关依法作出{what}意见并书面答复你（们）。"
        )
        if data.get("note"):
            doc.add_paragraph(data["note"])
        doc.add_paragraph("特此告知。")
        _sign(doc, petition)
    elif kind == "ended":
        ev = _last(petition, "answer_ended")
        data = ev.data if ev else {}
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(
            f"你（们）于{_fmt(petition.received_at)}提出的信访事项（登记编号{petition.reg_no}）收悉，已予登记。经查，你（们）所反映的事项"
            f"（原登记编号{data.get('repeat_of', '')}）已经{data.get('rereview_organ', '')}于{_fmt(_parse(data.get('rereview_at')))}复核，"
            "信访程序已经终结。依照《信访工作条例》“信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、"
            "单位不再受理”的规定，对你（们）以同一事实和理由再次提出的该事项，不再受理。"
        )
        if data.get("note"):
            doc.add_paragraph(data["note"])
        doc.add_paragraph("如有新的事实和理由，可以依法另行提出。特此告知。")
        _sign(doc, petition)
    else:
        stage = {"opinion": "reply", "review": "review", "rereview": "rereview"}[kind]
        ev = _last(petition, "reply", stage=stage)
        doc.add_paragraph(_addressee(petition, actor, path))
        doc.add_paragraph(f"你（们）提出的信访事项（登记编号{petition.reg_no}），现答复如下：")
        doc.add_paragraph(ev.data.get("text", "") if ev else "")
        if kind == "opinion":
            for line in _pause_lines(petition):
                doc.add_paragraph(line)
            doc.add_paragraph("如对本处理意见不服，可自收到本意见书之日起30日内向原办理机关、单位的上一级机关、单位请求复查。")
        elif kind == "review":
            doc.add_paragraph("如对本复查意见不服，可自收到本意见书之日起30日内向复查机关、单位的上一级机关、单位请求复核。")
        else:
            doc.add_paragraph("本复核意见为最终意见。信访人对复核意见不服，仍以同一事实和理由提出信访的，不再受理。")
        _sign(doc, petition, (ev.data.get("organ_name", "") if ev and kind != "opinion" else ""))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), quote(f"{title}-{petition.reg_no}.docx")


def _parse(value):
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _delivery_receipt(doc, petition, actor, path):
    """送达回证 of the latest answer: printed to be signed by the petitioner; the date then goes in as record_delivery."""
    stage = {0: "opinion", 1: "review", 2: "rereview"}.get(petition.review_level, "opinion")
    delivered = petition.delivered_at
    _table(
        doc,
        [
            ("送达文书", f"{DOCS[stage]}（登记编号{petition.reg_no}）"),
            ("受送达人", _addressee(petition, actor, path).rstrip("：")),
            ("答复时间", _fmt(petition.replied_at, "%Y年%m月%d日 %H:%M")),
            (
                "送达方式",
                dict(DeliveryMethod.choices).get(petition.delivery_method, "")
                if delivered
                else "□直接送达  □邮寄送达  □短信送达  □网上送达  □公告送达",
            ),
            ("送达地点", ""),
            ("送达时间", _fmt(delivered) if delivered else "　　年　　月　　日　　时"),
            ("受送达人签名", ""),
            ("送达人签名", ""),
            ("备注", "受送达人拒绝签收的，送达人应注明情况。"),
        ],
    )
    doc.add_paragraph(
        "信访人对处理意见不服的，可以自收到书面答复之日起30日内请求复查；对复查意见不服的，可以自收到书面答复之日起30日内请求复核。"
        "本回证所载送达时间为上述期限的起算依据。"
    )
    _sign(doc, petition)


# ---------------------------------------------------------------------------
# Receipt (回执) PDF
# ---------------------------------------------------------------------------


def receipt_pdf(petition: Petition, *, query_code: str = "") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from xinfang.core.pdf import cjk_font

    font = cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"信访事项登记回执 {petition.reg_no}")
    width, height = A4
    y = height - 30 * mm
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y, "信访事项登记回执")
    y -= 16 * mm
    c.setFont(font, 12)
    lines = [
        ("登记编号", petition.reg_no),
        ("查询码", query_code or "（已当面告知信访人，不再显示）"),
        ("登记机关", petition.office.name),
        ("渠道", petition.get_channel_display()),
        ("收到时间", _fmt(petition.received_at, "%Y年%m月%d日 %H:%M")),
        ("登记时间", _fmt(petition.registered_at, "%Y年%m月%d日 %H:%M")),
        ("问题类别", petition.category.name),
        ("告知期限", f"{_fmt(petition.accept_due_at)}前书面告知是否受理"),
    ]
    for label, value in lines:
        c.drawString(25 * mm, y, f"{label}：")
        c.drawString(55 * mm, y, str(value))
        y -= 9 * mm
    y -= 4 * mm
    c.setFont(font, 10.5)
    notes = [n for n in [timelimits.notice_footnote(petition.accept_due_at, short=True)] if n] + [
        "请妥善保管登记编号和查询码，可在信访人查询页面或到信访接待场所查询办理进度。",
        "查询码仅在登记时提供一次，请妥善保管，勿告知他人。",
        "对处理意见不服的，可自收到书面答复之日起30日内请求复查；",
        "对复查意见不服的，可自收到复查意见之日起30日内请求复核。",
    ]
    for n in notes:
        c.drawString(25 * mm, y, n)
        y -= 7 * mm
    c.setFont(font, 12)
    c.drawRightString(width - 25 * mm, y - 12 * mm, petition.office.name + "（盖章）")
    c.showPage()
    c.save()
    return buf.getvalue()
