"""The one place PDFs get their Chinese font: reportlab's built-in CID font STSong-Light (Adobe's Song, shipped inside
reportlab), so no font file is needed and every document looks the same on any machine.

`cjk_font()` registers it once per process and returns its name; `style(name, **options)` is a paragraph style in it
that wraps Chinese text. Receipts, notices, the dossier, the reports and the checkpoint page all start here.
"""

from __future__ import annotations

from typing import Any

FONT = "STSong-Light"


def cjk_font() -> str:
    """The Chinese font's name, registered with reportlab on first use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def style(name: str, **options: Any):
    """A paragraph style in the Chinese font that breaks lines between Chinese characters (wordWrap CJK)."""
    from reportlab.lib.styles import ParagraphStyle

    options.setdefault("fontName", cjk_font())
    options.setdefault("wordWrap", "CJK")
    return ParagraphStyle(name, **options)
