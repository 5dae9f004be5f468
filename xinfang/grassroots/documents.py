"""调解协议书 (.docx, python-docx) for a mediation session that reached agreement.

The agreement is a document for the parties themselves, so it carries their full names; only
actors with `can_view_dispute_identity` may print it (checked by the view)."""

from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.core.errors import InvalidTransition
from xinfang.grassroots.models import MediationSession


def _font(doc):
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def agreement_docx(session: MediationSession) -> bytes:
    if not session.agreement_reached:
        raise InvalidTransition("该次调解未达成协议，不能生成调解协议书")
    dispute = session.dispute
    doc = Document()
    _font(doc)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("人民调解协议书")
    run.bold = True
    run.font.size = Pt(20)
    no = doc.add_paragraph(f"编号：{dispute.number}-{session.pk}")
    no.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    doc.add_paragraph("当事人基本情况：")
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["当事方", "姓名", "联系电话", "住址"], strict=True):
        cell.text = text
    for party in dispute.parties.all():
        row = table.add_row().cells
        row[0].text = party.get_side_display()
        row[1].text = party.name
        row[2].text = party.phone or ""
        row[3].text = party.address or ""

    doc.add_paragraph(f"纠纷类型：{dispute.get_kind_display()}    发生地：{dispute.region.full_name}")
    doc.add_paragraph("纠纷主要事实、争议事项：")
    doc.add_paragraph(dispute.description)
    doc.add_paragraph("调解情况：")
    doc.add_paragraph(session.summary)
    doc.add_paragraph("经调解，自愿达成如下协议：")
    for line in [t for t in session.agreement_terms.splitlines() if t.strip()]:
        doc.add_paragraph(line.strip())
    doc.add_paragraph("履行方式、时限：按上述协议约定履行。")
    doc.add_paragraph("本协议书一式三份，当事人各执一份，调解组织留存一份，自各方当事人签名之日起生效。")
    doc.add_paragraph(f"调解日期：{session.held_on:%Y年%m月%d日}    地点：{session.place or dispute.village.name}")
    doc.add_paragraph(f"参加人员：{session.participants}")
    doc.add_paragraph("")
    doc.add_paragraph("当事人（签名）：________________    ________________")
    doc.add_paragraph(f"调解员（签名）：{session.mediator}")
    level = {"village": dispute.village.name, "township": dispute.township.name}.get(session.level, "县")
    sign = doc.add_paragraph(f"{level}人民调解委员会（盖章）\n{timezone.localdate():%Y年%m月%d日}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
