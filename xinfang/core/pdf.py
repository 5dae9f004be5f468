"""The one place PDFs get their Chinese font and their document options.

The font is a TrueType file from a registry package, embedded (subset) in every PDF so a document prints the same on
any machine and in any viewer: by default AR PL UMing CN (Debian/Ubuntu `fonts-arphic-uming`, a Song/Ming face for
official documents, licence Arphic Public License), `settings.XINFANG_PDF_FONT` (path) and `XINFANG_PDF_FONT_INDEX`
(which face of a .ttc) name another. reportlab embeds TrueType outlines only: an OpenType/CFF font (Noto CJK, Source
Han, .otf) is refused with a clear message. A missing or unusable file is a system check error (`xinfang.E110`,
xinfang/core/checks.py) and `FontMissing` at the first PDF.

`cjk_font()` registers the font once per process and returns its name; `style(name, **options)` is a paragraph style
in it that wraps Chinese text; `doc_options(**overrides)` are the keyword arguments every `Canvas` / `DocTemplate`
takes here: `invariant=1` (no creation time, no random file ID: the same record gives the same bytes on any day), the
document's language (zh-CN) and the initial font (so reportlab's page preamble names no unembedded Helvetica).
Receipts, notices, the dossier, the reports and the checkpoint page all start here. Why not PDF/A: docs/notices-pdf.md.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT = "XinfangSong"
DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/arphic/uming.ttc"
DEFAULT_FONT_INDEX = 0  # uming.ttc: 0 AR PL UMing CN, 1 HK, 2 TW, 3 TW MBE
FONT_PACKAGE = "fonts-arphic-uming"
LANG = "zh-CN"


class FontMissing(ImproperlyConfigured):
    """The PDF font file is missing or unusable (a deployment problem, the message says what to install)."""


def font_file() -> tuple[str, int]:
    """(path, face index) of the PDF font, from the settings or the default."""
    path = getattr(settings, "XINFANG_PDF_FONT", "") or DEFAULT_FONT_FILE
    index = int(getattr(settings, "XINFANG_PDF_FONT_INDEX", DEFAULT_FONT_INDEX) or 0)
    return str(path), index


def _face_tag(data: bytes, index: int) -> bytes:
    """The sfnt version of the face: b"\\0\\1\\0\\0" / b"true" TrueType, b"OTTO" CFF; b"" when unreadable."""
    if data[:4] == b"ttcf":
        if len(data) < 12:
            return b""
        (count,) = struct.unpack(">I", data[8:12])
        if not 0 <= index < count or len(data) < 12 + 4 * (index + 1):
            return b""
        (offset,) = struct.unpack(">I", data[12 + 4 * index : 16 + 4 * index])
        return data[offset : offset + 4] if len(data) >= offset + 4 else b""
    return data[:4]


def font_problem() -> str:
    """A Chinese sentence saying what is wrong with the PDF font, or "" when it can be embedded."""
    path, index = font_file()
    hint = f"请安装 {FONT_PACKAGE}（apt-get install {FONT_PACKAGE}），或在设置 XINFANG_PDF_FONT 中指定 TrueType 中文字体文件"
    file = Path(path)
    if not file.is_file():
        return f"PDF 中文字体文件不存在：{path}。{hint}"
    try:
        with file.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError as exc:
        return f"PDF 中文字体文件无法读取：{path}（{exc.strerror}）。{hint}"
    tag = _face_tag(head, index)
    if tag == b"OTTO":
        return f"PDF 中文字体 {path} 是 OpenType/CFF 字形（如 Noto CJK、思源宋体），reportlab 无法嵌入。{hint}"
    if tag not in (b"\x00\x01\x00\x00", b"true"):
        return f"PDF 中文字体 {path} 不是可用的 TrueType 字体（或字体序号 {index} 不存在）。{hint}"
    return ""


def cjk_font() -> str:
    """The Chinese font's name, registered with reportlab on first use (FontMissing when it cannot be)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    if FONT not in pdfmetrics.getRegisteredFontNames():
        problem = font_problem()
        if problem:
            raise FontMissing(problem)
        from reportlab.pdfbase.ttfonts import TTFont

        path, index = font_file()
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
        # <b>/<i> in a paragraph stay in this font (there is no bold face) instead of falling back to Helvetica.
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)
        _make_default()
    return FONT


def _make_default() -> None:
    """reportlab's own defaults become this font, so nothing falls back to the unembedded Helvetica: a canvas's page
    preamble, a table cell's font (set even around a Paragraph) and a style made without fontName / bulletFontName."""
    from reportlab import rl_config
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus.tables import CellStyle

    rl_config.invariant = 1  # for any canvas made without doc_options()
    rl_config.canvas_basefontname = FONT
    CellStyle.fontname = FONT
    ParagraphStyle.defaults["fontName"] = FONT
    ParagraphStyle.defaults["bulletFontName"] = FONT


def doc_options(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for reportlab's Canvas / SimpleDocTemplate: reproducible bytes, zh-CN, the embedded font."""
    options: dict[str, Any] = {"invariant": 1, "lang": LANG, "initialFontName": cjk_font()}
    options.update(overrides)
    return options


def style(name: str, **options: Any):
    """A paragraph style in the Chinese font that breaks lines between Chinese characters (wordWrap CJK)."""
    from reportlab.lib.styles import ParagraphStyle

    options.setdefault("fontName", cjk_font())
    options.setdefault("wordWrap", "CJK")
    return ParagraphStyle(name, **options)
