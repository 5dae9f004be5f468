"""A petition's whole dossier (案卷) as one PDF: cover, table of contents, then the bound-file order.

Order (the seed: 按上级规定的案卷要求装订成册): 登记表/来信原件 → 呈批表与领导批示 → 交办单 →
调查核实材料与办理进度 → 处理意见书/答复 → 回访与评价 → 复查复核 → 归档 (with the list of every
attachment: name, type, size, SHA-256). Each section holds the petition's events of that kind,
oldest first. Identity is what `policy.identity_for_display` gives this actor (masked without
the right; an unmasked dossier is logged with purpose “导出案卷”).

Each answer is filed under its own heading: the 处理意见书 in 五, the 复查意见书 and 复核意见书 in 七 (`answer_stage`: the
stage its event records, so a later 复核 reply never shows as the 处理意见书). reportlab with the embedded font and the
document options of xinfang/core/pdf.py; nothing on it is the print time (the cover says up to which entry it runs), so
printing the same record again gives the same file.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from xinfang.access import policy
from xinfang.core.pdf import cjk_font, doc_options
from xinfang.org.models import Unit
from xinfang.petitions import selectors
from xinfang.petitions.event_types import DATA_LABELS, EventType
from xinfang.petitions.event_types import label as event_label
from xinfang.petitions.models import Attachment, Complexity, DeliveryMethod, Outcome, ReplyMethod, Satisfaction, Status
from xinfang.petitions.workflow import Action
from xinfang.reception.first_receipts import first_receiver_text

SECTIONS = [
    ("register", "一、登记表与来信原件"),
    ("instruction", "二、呈批表与领导批示"),
    ("assignment", "三、交办单"),
    ("handling", "四、调查核实材料与办理进度"),
    ("reply", "五、处理意见书与答复"),
    ("follow_up", "六、回访与评价"),
    ("review", "七、复查复核"),
    ("archive", "八、归档与附件清单"),
]
SECTION_OF_ACTION = {
    EventType.REGISTER: "register",
    EventType.LINK_REPEAT: "register",
    Action.SUBMIT_FOR_INSTRUCTION: "instruction",
    Action.INSTRUCT: "instruction",
    Action.SET_CASE_LEADER: "instruction",
    Action.ACCEPT: "assignment",
    Action.DECLINE: "assignment",
    Action.FORWARD: "assignment",
    Action.ASSIGN: "assignment",
    Action.ACKNOWLEDGE: "assignment",
    Action.RETURN: "assignment",
    Action.REPLY: "reply",
    Action.FOLLOW_UP: "follow_up",
    Action.EVALUATE: "follow_up",
    Action.REQUEST_REVIEW: "review",
    Action.REQUEST_REREVIEW: "review",
    Action.RECORD_REVIEW_OPINION: "review",
    EventType.FORWARD_REVIEW: "review",
    Action.ARCHIVE: "archive",
    Action.TRIAGE: "register",
    Action.CONSENT_RETURN: "assignment",
    Action.RECORD_DELIVERY: "reply",
}
# The details the dossier prints of each entry, in order (their names: event_types.DATA_LABELS).
DOSSIER_FIELDS = (
    "reason",
    "note",
    "instruction",
    "leader",
    "authority",
    "handling_unit",
    "complexity",
    "committed_date",
    "days",
    "outcome",
    "findings",
    "reply_draft",
    "method",
    "text",
    "satisfaction",
    "comment",
    "archive_category",
    "repeat_of",
    "source",
    "ground_label",
    "paused_days",
    "counted_days",
    "new_due_at",
    "delivered_at",
    "decided_at",
    "scan_name",
    "review_request_due_at",
    "return_due_at",
)
VALUE_LABELS = {
    "outcome": dict(Outcome.choices),
    "satisfaction": dict(Satisfaction.choices),
    "method": dict(DeliveryMethod.choices) | dict(ReplyMethod.choices),
    "complexity": dict(Complexity.choices),
}
STATUS_LABELS = dict(Status.choices)
# An answer's document, by the stage its event records (petition_reply, petition_record_review_opinion).
ANSWER_TITLES = {"reply": "处理意见书", "review": "复查意见书", "rereview": "复核意见书"}
ANSWER_ACTIONS = (Action.REPLY, Action.RECORD_REVIEW_OPINION)
KIND_LABELS = dict(Attachment.Kind.choices)


def answer_stage(event) -> str:
    """ "reply" / "review" / "rereview" for an answer's event ("" for any other): the stage it records, else (an older
    entry) the status it answered in."""
    if event.action not in ANSWER_ACTIONS:
        return ""
    stage = (event.data or {}).get("stage") if isinstance(event.data, dict) else None
    if stage in ANSWER_TITLES:
        return stage
    return {Status.UNDER_REVIEW: "review", Status.UNDER_REREVIEW: "rereview"}.get(event.from_status, "reply")


def _section_of(event) -> str:
    if answer_stage(event) in ("review", "rereview"):
        return "review"
    return SECTION_OF_ACTION.get(event.action, "handling")


def _fmt(dt, fmt="%Y-%m-%d %H:%M") -> str:
    if not dt:
        return ""
    if hasattr(dt, "hour") and timezone.is_aware(dt):
        dt = timezone.localtime(dt)
    return dt.strftime(fmt)


def _fmt_iso(value: str) -> str:
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:  # a date (作出意见日期)
        return moment.strftime("%Y-%m-%d")
    shown = _fmt(moment)
    return shown.removesuffix(" 00:00")  # a day entered without its hour (送达时间 of a letter)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} B"


def build_dossier(*, actor, reg_no: str, path: str = "") -> tuple[bytes, str]:
    """(PDF bytes, file name). NotFound (404) when the petition is out of the actor's scope."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
    from reportlab.platypus.frames import Frame
    from reportlab.platypus.tableofcontents import TableOfContents

    p = selectors.petition_detail(actor=actor, reg_no=reg_no)
    people = policy.identity_for_display(actor, p, purpose="导出案卷", path=path)
    events = list(p.events.all())
    attachments = sorted(p.attachments.all(), key=lambda a: (a.uploaded_at, a.pk))
    unit_codes = {str(e.data.get("handling_unit")) for e in events if isinstance(e.data, dict) and e.data.get("handling_unit")}
    unit_names = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "name")) if unit_codes else {}

    base = ParagraphStyle("base", fontName=cjk_font(), fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13)
    # Headings stay with what follows them (no heading alone at the foot of a page).
    h1 = ParagraphStyle("h1", parent=base, fontSize=15, leading=22, spaceBefore=6, spaceAfter=8, keepWithNext=1)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4, keepWithNext=1)
    title = ParagraphStyle("title", parent=base, fontSize=26, leading=36, alignment=TA_CENTER)
    center = ParagraphStyle("center", parent=base, fontSize=13, leading=22, alignment=TA_CENTER)
    muted = ParagraphStyle("muted", parent=small, textColor=colors.HexColor("#555555"))
    doc_title = ParagraphStyle("doc_title", parent=base, fontSize=13, leading=20, spaceBefore=10, spaceAfter=2, keepWithNext=1)

    def para(text, style=base):
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)

    class DossierDoc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
                key = getattr(flowable, "_bookmark", None)
                self.notify("TOCEntry", (0, flowable.getPlainText(), self.page, key))
                if key:
                    self.canv.bookmarkPage(key)
                    self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0)

    def on_page(canv, doc):
        canv.saveState()
        canv.setFont(cjk_font(), 8.5)
        canv.setFillColor(colors.HexColor("#666666"))
        canv.drawString(18 * mm, 10 * mm, f"案卷 {p.reg_no}")
        canv.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {doc.page} 页")
        canv.restoreState()

    buf = io.BytesIO()
    doc = DossierDoc(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"信访案卷 {p.reg_no}",
        author=p.office.name,
        **doc_options(),
    )
    # No frame padding: tables are as wide as the text (doc.width), flush with the headings.
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])

    def kv_table(rows, col=32 * mm):
        data = [[para(k, small), para(v, small)] for k, v in rows]
        t = Table(data, colWidths=[col, doc.width - col])
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def grid(header, rows, widths):
        data = [[para(h, small) for h in header]] + [[para(c, small) for c in r] for r in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def heading(text, key):
        h = Paragraph(escape(text), h1)
        h._bookmark = key
        return h

    def event_block(e):
        stage = answer_stage(e)
        who = e.actor_label or (e.actor.display_name if e.actor_id else "")
        change = ""
        if e.to_status and e.to_status != e.from_status:
            change = f"　{STATUS_LABELS.get(e.from_status, e.from_status) or '—'} → {STATUS_LABELS.get(e.to_status, e.to_status)}"
        mark = "（历史导入）" if e.imported else ""
        out = [Paragraph(f"{escape(_fmt(e.at))}　<b>{escape(event_label(e.action))}</b>{mark}　{escape(who)}{escape(change)}", h2)]
        if stage:  # the answer's own document heading
            out.insert(0, Paragraph(escape(ANSWER_TITLES[stage]), doc_title))
        rows = []
        if stage and (e.data or {}).get("organ_name"):
            rows.append(("作出机关", e.data["organ_name"]))
        for key, value in (e.data or {}).items():
            if key not in DOSSIER_FIELDS or value in ("", None, [], {}):
                continue
            if key == "handling_unit":
                value = unit_names.get(str(value), value)
            if key.endswith("_at") and isinstance(value, str):
                value = _fmt_iso(value)
            label = ANSWER_TITLES[stage] if stage and key == "text" else DATA_LABELS[key]
            rows.append((label, VALUE_LABELS.get(key, {}).get(value, value)))
        if rows:
            out.append(kv_table(rows))
        return out

    story = []
    # Cover.
    story += [Spacer(1, 45 * mm), Paragraph("信 访 案 卷", title), Spacer(1, 18 * mm)]
    cover = [
        ("登记编号", p.reg_no),
        ("原登记编号", p.legacy_reg_no or "—"),
        ("登记机关", p.office.name),
        ("信访人", "、".join(x["name"] for x in people if x["name"]) or ("匿名" if p.anonymous else "—")),
        ("问题类别", p.category.name),
        ("问题发生地", p.region.name),
        ("收到时间", _fmt(p.received_at)),
        ("当前状态", p.get_status_display()),
        ("承办单位", p.handling_unit.name if p.handling_unit_id else "—"),
        ("归档时间", _fmt(p.archived_at) or "未归档"),
        (
            "密级",
            "保密（信访人身份已按权限遮蔽）"
            if p.confidential and any(x["masked"] for x in people)
            else ("保密" if p.confidential else "一般"),
        ),
    ]
    story.append(kv_table(cover, col=35 * mm))
    upto = f"截至 {_fmt(events[-1].at)}（共 {len(events)} 条记录）" if events else "暂无办理记录"
    story += [Spacer(1, 20 * mm), Paragraph(f"案卷{escape(upto)}　制卷人 {escape(actor.display_name)}", center)]
    story.append(PageBreak())
    # Table of contents.
    toc = TableOfContents()
    toc.levelStyles = [ParagraphStyle("toc1", parent=base, fontSize=12, leading=22, leftIndent=0)]
    toc.dotsMinLevel = 0
    story += [Paragraph("目　录", center), Spacer(1, 6 * mm), toc, PageBreak()]

    by_section: dict[str, list] = {code: [] for code, _ in SECTIONS}
    for e in events:
        by_section[_section_of(e)].append(e)

    for code, label in SECTIONS:
        story.append(heading(label, f"s-{code}"))
        if code == "register":
            reg = [
                ("渠道", p.get_channel_display()),
                ("性质", p.get_nature_display()),
                ("收到时间", _fmt(p.received_at)),
                ("登记时间", _fmt(p.registered_at)),
                ("首问责任人", first_receiver_text(p)),
                ("人数", f"{p.headcount}（集体访）" if p.collective else str(p.headcount)),
                ("初信初访", "是" if p.first_time else f"否（重复件，原件 {p.repeat_of.reg_no if p.repeat_of_id else ''}）"),
                ("主要问题", p.content),
                ("诉求", p.requests or "—"),
            ]
            story.append(kv_table(reg))
            story.append(Paragraph("信访人", h2))
            if people:
                rows = [[x["name"], x["id_number"], x["phone"], x["address"], "代表" if x.get("is_representative") else ""] for x in people]
                story.append(
                    grid(["姓名", "身份证号", "电话", "住址", ""], rows, [25 * mm, 45 * mm, 32 * mm, doc.width - 114 * mm, 12 * mm])
                )
            else:
                story.append(para("匿名信访" if p.anonymous else "—"))
            respondents = list(p.respondents.all())
            if respondents:
                story.append(Paragraph("被反映人", h2))
                story.append(
                    grid(
                        ["姓名", "单位", "职务"],
                        [[r.name, r.unit_name, r.post] for r in respondents],
                        [30 * mm, 90 * mm, doc.width - 120 * mm],
                    )
                )
            originals = [a for a in attachments if a.kind in (Attachment.Kind.SCAN, Attachment.Kind.ENVELOPE)]
            if originals:
                story.append(Paragraph("来信原件", h2))
                story.append(para("、".join(f"{a.original_name}（{KIND_LABELS.get(a.kind, a.kind)}）" for a in originals)))
        if code == "handling" and (p.findings or p.outcome):
            story.append(kv_table([("处理结果", p.get_outcome_display() or "—"), ("调查核实情况", p.findings or "—")]))
        if code == "handling":
            paused = selectors.pauses(p)
            if paused:
                rows = [
                    (
                        x["ground_label"],
                        f"{_fmt(x['since'])} 至 {_fmt(x['until']) if x['until'] else '（暂停中）'}"
                        + (f"，暂停 {x['days']} 日，期限顺延 {x['counted_days']} 日" if x["until"] else ""),
                    )
                    for x in paused
                ]
                story.append(Paragraph("暂停计时（不计入办理期限）", h2))
                story.append(kv_table(rows))
        if code in ("reply", "review") and p.reply_text and not any(answer_stage(e) for e in events):
            # An imported petition: its answer came with the record, not as an entry; its level says which one it is.
            stage = {1: "review", 2: "rereview"}.get(p.review_level, "reply")
            if (code == "reply") == (stage == "reply"):
                story.append(Paragraph(escape(ANSWER_TITLES[stage]), doc_title))
                rows = [("答复方式", p.get_reply_method_display() or "—"), (ANSWER_TITLES[stage], p.reply_text)]
                story.append(kv_table(rows + [("答复时间", _fmt(p.replied_at))]))
        section_events = by_section[code]
        for e in section_events:
            story += event_block(e)
        if not section_events and code not in ("register",):
            story.append(para("（本环节无记录）", muted))
        if code == "archive":
            story.append(Paragraph(f"附件清单（共 {len(attachments)} 件）", h2))
            if attachments:
                rows = [
                    [str(i), a.original_name, KIND_LABELS.get(a.kind, a.kind), a.content_type, _size(a.size), a.sha256]
                    for i, a in enumerate(attachments, 1)
                ]
                story.append(
                    grid(
                        ["序", "文件名", "类型", "格式", "大小", "SHA-256"],
                        rows,
                        [8 * mm, 38 * mm, 18 * mm, 26 * mm, 16 * mm, doc.width - 106 * mm],
                    )
                )
            else:
                story.append(para("无附件", muted))
            if events:
                last = events[-1]
                story.append(Spacer(1, 4 * mm))
                story.append(para(f"事件链：共 {len(events)} 条，末条哈希 {last.hash}", muted))
        story.append(Spacer(1, 4 * mm))

    doc.multiBuild(story)
    return buf.getvalue(), f"案卷-{p.reg_no}.pdf"
