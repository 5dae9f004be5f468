"""Issue 14: the one PDF font setup (xinfang/core/pdf.py): an embeddable TrueType file from a registry package, a
Chinese system check (xinfang.E110) when it is missing or cannot be embedded, and options that make PDFs reproducible."""

import io
import struct

from django.core import checks
from django.test import override_settings

from tests import pdfs
from xinfang.core import pdf
from xinfang.core.checks import pdf_font


def test_the_default_font_is_there_and_embeds():
    assert pdf.font_problem() == "", "apt-get install fonts-arphic-uming"
    assert pdf_font() == []
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **pdf.doc_options())
    c.setFont(pdf.cjk_font(), 12)
    c.drawString(72, 720, "信访事项登记回执〔2026〕12号 二〇二六年十二月一日")
    c.showPage()
    c.save()
    pdfs.assert_fonts_embedded(buf.getvalue())  # no Helvetica from the page preamble either
    assert b"/CreationDate (D:20000101000000" in buf.getvalue()  # invariant: no print time in the file


def test_the_font_has_the_marks_official_documents_use():
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(pdf.cjk_font()).face
    marks = "〔〕〇　“”—…·（）：；、①②③√×□【】《》￥"  # 文号 brackets, 二〇二六年, the full-width space, check boxes
    assert [c for c in marks if ord(c) not in face.charToGlyph] == []


def test_a_missing_file_is_a_chinese_system_check_error(tmp_path):
    with override_settings(XINFANG_PDF_FONT=str(tmp_path / "none.ttc")):
        [error] = pdf_font()
    assert error.id == "xinfang.E110" and error.level == checks.ERROR
    assert "不存在" in error.msg and "fonts-arphic-uming" in error.msg


def test_an_opentype_cff_font_is_refused_with_the_reason(tmp_path):
    otf = tmp_path / "NotoSerifCJK-Regular.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 60)
    ttc = tmp_path / "NotoSerifCJK.ttc"  # a collection of CFF faces
    ttc.write_bytes(b"ttcf" + struct.pack(">HHI", 1, 0, 1) + struct.pack(">I", 16) + b"OTTO" + b"\0" * 40)
    for path in (otf, ttc):
        with override_settings(XINFANG_PDF_FONT=str(path), XINFANG_PDF_FONT_INDEX=0):
            assert "CFF" in pdf.font_problem() and "无法嵌入" in pdf.font_problem()


def test_a_face_the_collection_does_not_have_is_refused():
    with override_settings(XINFANG_PDF_FONT_INDEX=9):
        assert "字体序号 9 不存在" in pdf.font_problem()
