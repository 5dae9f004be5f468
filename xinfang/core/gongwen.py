"""One document module: a notice or form as data (`Notice`), rendered to .docx (python-docx) and .pdf (reportlab) alike.

The layout is GB/T 9704-2012 on A4: margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the 发文机关 line in red
over the 文号 (centred) and a red rule; the title in 2号 (22 pt) 方正小标宋简体; the body in 3号 (16 pt) 仿宋_GB2312 on a
fixed 28.95 pt line (22 lines of 28 characters); 主送 flush left; the signing organ centred over the 成文日期, which is in
Chinese numerals (二〇二六年十二月一日) and right-indented four characters. In .docx the fonts are the ones a county's Word
has, with East Asian fallbacks in the font table (仿宋, FangSong, 宋体); the PDF uses the project's one Chinese font
(`xinfang.core.pdf.cjk_font`, `style`), embedded.

Both outputs are deterministic: the same `Notice` gives byte-identical files (the docx's zip entries and core properties
carry the issue time, never the time of rendering; reportlab runs with `invariant=1`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
# Fallbacks a Word or LibreOffice without the 方正/GB2312 fonts uses (font table altName).
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
RED = "C00000"

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT, BODY_PT, TABLE_PT, NOTE_PT = 22, 16, 12, 14
CELL_LINE = 20  # a table line (小四 on 20 pt): a form of a dozen rows stays on one page
LINE_PT = 28.95  # 3号 body: 22 lines a page
ORGAN_PT = 26  # the 发文机关 line

_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..31 in Chinese numerals as dates write them: 一, 十, 十二, 二十, 三十一."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def cn_date(day: dt.date | None) -> str:
    """二〇二六年十二月一日 (GB/T 9704-2012 7.3.5.1: 成文日期 in Chinese numerals, the year in full, 〇 for zero)."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.date()
    return "".join(_DIGITS[int(c)] for c in str(day.year)) + f"年{cn_number(day.month)}月{cn_number(day.day)}日"


@dataclass
class Row:
    """One row of a form's table; `lines` is the least height in lines of writing (a 批示 row: several)."""

    label: str
    value: str = ""
    lines: int = 1


@dataclass
class Notice:
    kind: str  # the document code (decline, opinion, …)
    title: str  # 不予受理告知书
    organ: str  # 发文机关 (the red line at the top)
    signer: str  # the organ whose name goes where the seal goes
    issued_on: dt.date  # 成文日期
    issued_at: dt.datetime  # the moment of issue (core properties, zip entries)
    number: str = ""  # 文号: 安信受告〔2026〕12号
    reference: str = ""  # 登记编号 line under the 文号 (forms)
    addressee: str = ""  # 主送: 张三
    body: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)  # a table of several columns (first row: the heading), before `rows`
    grid_caption: str = ""
    after: list[str] = field(default_factory=list)  # paragraphs after the table
    notes: list[str] = field(default_factory=list)  # 附注
    signed: bool = True  # forms without a signature block (登记表) say False

    def filename(self, ref: str, ext: str) -> str:
        return f"{self.title}-{ref}.{ext}"


# ---------------------------------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------------------------------


def _fonts(run_or_style, font: str, size: float | None = None, *, bold: bool = False, color: str = ""):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    f = run_or_style.font
    f.name = LATIN_FONT
    if size:
        f.size = Pt(size)
    f.bold = bold
    if color:
        f.color.rgb = RGBColor.from_string(color)
    el = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:hint"), "eastAsia")


def _lang(style) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, align=None, indent: bool = False, line: float = LINE_PT,
          right_pt: float = 0, color: str = "", after: float = 0, keep: bool = False):  # fmt: skip
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    pf.space_before = Pt(0)
    pf.space_after = Pt(after)
    if indent:
        pf.first_line_indent = Pt(size * 2)
    if right_pt:
        pf.right_indent = Pt(right_pt)
    if keep:
        pf.keep_with_next = True
    if align is not None:
        p.alignment = align
    if text:
        _fonts(p.add_run(text), font, size, color=color)
    return p


def _red_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", RED)):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _font_table(doc) -> None:
    """Name the fallbacks in the font table (w:altName), so a Word without 方正小标宋 / 仿宋_GB2312 substitutes Chinese ones."""
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            xml = part.blob.decode("utf-8")
            entries = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="auto"/></w:font>'
                for name, alt in FALLBACKS.items()
            )
            part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _table_docx(doc, rows: list[Row]) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(34), Mm(122))
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
    for row in rows:
        r = table.add_row()
        r.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        r.height = Pt(max(1, row.lines) * CELL_LINE + 8)
        for cell, width, text, center in ((r.cells[0], widths[0], row.label, True), (r.cells[1], widths[1], row.value, False)):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if center or row.lines == 1 else WD_CELL_VERTICAL_ALIGNMENT.TOP
            first = True
            for line in (text or "").split("\n"):
                p = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                p.paragraph_format.line_spacing = Pt(CELL_LINE)
                p.paragraph_format.space_after = Pt(0)
                if center:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if line:
                    _fonts(p.add_run(line), HEADING_FONT if center else BODY_FONT, TABLE_PT)


def _grid_docx(doc, grid: list[list[str]]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=0, cols=len(grid[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, values in enumerate(grid):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing = Pt(CELL_LINE)
            if i == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if text:
                _fonts(p.add_run(text), HEADING_FONT if i == 0 else BODY_FONT, TABLE_PT)


def _fixed_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The docx again with every entry stamped `moment` (python-docx stamps the time of saving)."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def to_docx(n: Notice) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(20)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_PT)
    _lang(normal)
    normal.paragraph_format.space_after = Pt(0)
    _font_table(doc)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, n.organ, font=TITLE_FONT, size=ORGAN_PT, align=center, line=40, color=RED, keep=True)
    mark = _para(doc, n.number or n.reference, align=center, keep=True, after=6)
    _red_rule(mark)
    if not n.rows:
        _para(doc, "", keep=True)
    _para(doc, n.title, font=TITLE_FONT, size=TITLE_PT, align=center, line=36, keep=True, after=10)
    if n.addressee:
        _para(doc, f"{n.addressee}：")
    for text in n.body:
        _para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if n.grid:
        if n.grid_caption:
            _para(doc, n.grid_caption)
        _grid_docx(doc, n.grid)
    if n.rows:
        if n.number and n.reference:
            _para(doc, n.reference, size=TABLE_PT, align=right, line=24)
        _table_docx(doc, n.rows)
    for text in n.after:
        _para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if n.signed:
        date = cn_date(n.issued_on)
        _para(doc, "", line=LINE_PT / 2 if n.rows else LINE_PT)
        _para(doc, n.signer, align=right, right_pt=_signer_indent(n.signer, date), keep=True)
        _para(doc, date, align=right, right_pt=4 * BODY_PT)
    if n.notes:
        for text in n.notes:
            _para(doc, f"（{text}）", size=NOTE_PT, indent=True, line=24)

    props = doc.core_properties
    props.title = n.title
    props.subject = n.number or n.reference
    props.author = props.last_modified_by = n.organ
    props.language = "zh-CN"
    props.keywords = n.kind
    props.comments = ""
    props.category = "信访文书"
    props.revision = 1
    naive = n.issued_at.astimezone(dt.UTC).replace(tzinfo=None) if n.issued_at.tzinfo else n.issued_at
    props.created = props.modified = naive
    props.last_printed = naive
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue(), n.issued_at)


def _width(text: str) -> float:
    """A line's width in characters of the body size (ASCII and digits count half)."""
    return sum(0.5 if ord(c) < 128 else 1 for c in text)


def _signer_indent(signer: str, date: str) -> float:
    """The right indent that centres the organ's name over the date (which stands four characters from the margin)."""
    return max(0.0, 4 * BODY_PT + (_width(date) - _width(signer)) * BODY_PT / 2)


# ---------------------------------------------------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------------------------------------------------


def _p(text: str, st):
    from reportlab.platypus import Paragraph

    # reportlab drops U+3000 at a line's word breaks and the font has no no-break space: keep the blanks of a form
    # (　　年　　月　　日) as an invisible full-width character
    return Paragraph(escape(text or "").replace("\n", "<br/>").replace("\u3000", '<font color="white">〇</font>'), st)


def to_pdf(n: Notice) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

    from xinfang.core.pdf import style

    red = HexColor("#" + RED)
    st = {
        "organ": style("gw-organ", fontSize=ORGAN_PT, leading=36, alignment=1, textColor=red),
        "mark": style("gw-mark", fontSize=BODY_PT, leading=LINE_PT, alignment=1),
        "title": style("gw-title", fontSize=TITLE_PT, leading=34, alignment=1, spaceBefore=8 if n.rows else LINE_PT, spaceAfter=12),
        "plain": style("gw-plain", fontSize=BODY_PT, leading=LINE_PT),
        "body": style("gw-body", fontSize=BODY_PT, leading=LINE_PT, firstLineIndent=2 * BODY_PT, alignment=4),
        "cell": style("gw-cell", fontSize=TABLE_PT, leading=CELL_LINE),
        "label": style("gw-label", fontSize=TABLE_PT, leading=CELL_LINE, alignment=1),
        "ref": style("gw-ref", fontSize=TABLE_PT, leading=24, alignment=2),
        "note": style("gw-note", fontSize=NOTE_PT, leading=24, firstLineIndent=2 * NOTE_PT),
    }
    story: list = [_p(n.organ, st["organ"]), _p(n.number or n.reference, st["mark"]), Spacer(1, 2 * mm)]
    story.append(HRFlowable(width="100%", thickness=1.2, color=red, spaceAfter=0))
    story.append(_p(n.title, st["title"]))
    if n.addressee:
        story.append(_p(f"{n.addressee}：", st["plain"]))
    story += [_p(t, st["body"]) for t in n.body]
    if n.grid:
        if n.grid_caption:
            story.append(_p(n.grid_caption, st["plain"]))
        grid = Table([[_p(v, st["label"] if i == 0 else st["cell"]) for v in r] for i, r in enumerate(n.grid)])
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "#000000"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(grid)
    if n.rows:
        if n.number and n.reference:
            story.append(_p(n.reference, st["ref"]))
        data = []
        for row in n.rows:
            cell: list = [_p(row.value, st["cell"])]
            if row.lines > 1:
                written = -(-_width(row.value) // 28) if row.value else 0  # about 28 characters a line in the value column
                if row.lines > written:
                    cell.append(Spacer(1, (row.lines - written) * CELL_LINE))
            data.append([_p(row.label, st["label"]), cell])
        table = Table(data, colWidths=[34 * mm, 122 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, "#000000"),
                    ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
                    ("VALIGN", (1, 0), (1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story.append(table)
    story += [_p(t, st["body"]) for t in n.after]
    if n.signed:
        date = cn_date(n.issued_on)
        sign = style("gw-sign", fontSize=BODY_PT, leading=LINE_PT, alignment=2, rightIndent=_signer_indent(n.signer, date))
        dated = style("gw-date", fontSize=BODY_PT, leading=LINE_PT, alignment=2, rightIndent=4 * BODY_PT)
        story.append(KeepTogether([Spacer(1, LINE_PT / 2 if n.rows else LINE_PT), _p(n.signer, sign), _p(date, dated)]))
    if n.notes:
        story += [_p(f"（{t}）", st["note"]) for t in n.notes]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        topMargin=MARGINS_MM["top"] * mm,
        bottomMargin=MARGINS_MM["bottom"] * mm,
        leftMargin=MARGINS_MM["left"] * mm,
        rightMargin=MARGINS_MM["right"] * mm,
        title=n.title,
        author=n.organ,
        subject=n.number or n.reference,
        creator="xinfang",
        lang="zh-CN",
        invariant=1,
    )
    doc.build(story)
    return _pdf_dated(buf.getvalue(), n.issued_at)


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9+\-']+\)")


def _pdf_dated(data: bytes, moment: dt.datetime) -> bytes:
    """invariant=1 writes a fixed 2000-01-01 date; put the issue time there instead (same length, so offsets hold)."""
    stamp = moment.strftime("%Y%m%d%H%M%S").encode()

    def sub(m):
        old = m.group(0)
        new = b"/" + m.group(1) + b" (D:" + stamp + b"+00'00')"
        return new if len(new) == len(old) else old

    return _PDF_DATE.sub(sub, data)


def render(n: Notice) -> dict[str, bytes]:
    return {"docx": to_docx(n), "pdf": to_pdf(n)}
