"""PDFs addressed to the petitioner: the registration receipt and the notices / opinion letters.

reportlab with its built-in CID font STSong-Light (Adobe-GB1), so Chinese renders with no font
file to ship. Built from `selectors.public_view` only, so a PDF carries exactly what the
petitioner may see on the page.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xinfang.core.pdf import cjk_font


def _font():
    return cjk_font()


def _styles():
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=6),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10.5, leading=16, alignment=1, textColor="#555555"),
        "body": ParagraphStyle("body", fontName=font, fontSize=12, leading=20, firstLineIndent=24),
        "plain": ParagraphStyle("plain", fontName=font, fontSize=12, leading=20),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=12, leading=20, alignment=2),
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _date(dt) -> str:
    return f"{timezone.localtime(dt):%Y年%m月%d日}" if dt else ""


def _render(title: str, office_name: str, reg_no: str, flow: list, issued_at) -> bytes:
    st = _styles()
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm, bottomMargin=20 * mm, title=title, author=office_name
    )
    story = [_p(title, st["title"]), _p(f"登记编号：{reg_no}", st["sub"]), Spacer(1, 8 * mm)]
    story += flow
    story += [Spacer(1, 12 * mm), _p(office_name, st["sign"]), _p(_date(issued_at), st["sign"])]
    doc.build(story)
    return buf.getvalue()


def _table(rows) -> Table:
    st = _styles()
    table = Table([[_p(k, st["plain"]), _p(v, st["plain"])] for k, v in rows], colWidths=[38 * mm, 122 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def receipt_pdf(*, view, query_code: str, office_name: str, promise: dict) -> bytes:
    """登记回执: registration number and query code (given only here and on the receipt page)."""
    st = _styles()
    rows = [
        ("登记编号", view.reg_no),
        ("查询码", query_code),
        ("收到时间", f"{timezone.localtime(view.received_at):%Y年%m月%d日 %H:%M}"),
        ("性质 / 类别", f"{view.nature} / {view.category}"),
        ("转送、交办期限", _date(promise["dispatch_due"])),
        ("受理告知期限", _date(promise["accept_due"])),
    ]
    flow = [
        _p("您的信访事项已登记。请妥善保管登记编号和查询码，凭二者可在网上查询办理进展、下载告知书和意见书、评价办理结果。", st["body"]),
        Spacer(1, 4 * mm),
        _table(rows),
        Spacer(1, 4 * mm),
        _p(
            f"信访局将在收到之日起15日内转送或交办；有权处理的机关在15日内决定是否受理并书面告知您；受理后一般在{promise['handle_days']}日内办结并书面答复。",
            st["body"],
        ),
        _p("查询码只显示这一次，工作人员不会向您索要查询码。", st["body"]),
    ]
    return _render("网上信访登记回执", office_name, view.reg_no, flow, view.received_at)


def notice_pdf(*, view, step, office_name: str) -> bytes:
    """A notice or opinion letter (告知书 / 意见书) for one public step."""
    st = _styles()
    flow = [_p("信访人：", st["plain"]), Spacer(1, 2 * mm)]
    intro = {
        "受理告知书": "您于{received}提出的信访事项（{category}），本机关已依法受理，现告知如下：",
        "不予受理告知书": "您于{received}提出的信访事项（{category}），经审查，本机关决定不予受理，理由如下：",
        "转送告知书": "您于{received}提出的信访事项（{category}），依照“属地管理、分级负责，谁主管、谁负责”的原则，已转送有权处理的机关：",
        "延期办理告知书": "您于{received}提出的信访事项（{category}），因情况复杂，经批准延长办理期限，现告知如下：",
    }.get(step.document, "您于{received}提出的信访事项（{category}），经调查核实，现答复如下：")
    flow.append(_p(intro.format(received=_date(view.received_at), category=view.category), st["body"]))
    flow.append(Spacer(1, 3 * mm))
    text = next((v for k, v in step.details if k == "答复内容"), "")
    if text:
        flow.append(_p(text, st["body"]))
    rows = [(k, v) for k, v in step.details if k != "答复内容"]
    if rows:
        flow += [Spacer(1, 3 * mm), _table(rows)]
    if step.document in ("处理意见书", "复查意见书"):
        nxt = "复查" if step.document == "处理意见书" else "复核"
        flow += [
            Spacer(1, 4 * mm),
            _p(f"如对本意见不服，可以自收到本意见书之日起30日内请求{nxt}。可凭登记编号和查询码在网上提出申请。", st["body"]),
        ]
    if step.document == "复核意见书":
        flow += [Spacer(1, 4 * mm), _p("本复核意见为终结意见。", st["body"])]
    return _render(step.document, office_name, view.reg_no, flow, step.at)
