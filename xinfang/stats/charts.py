"""Simple bar and line charts as PNG bytes, drawn with Pillow (no matplotlib on the intranet).

The Chinese labels need a CJK font: `settings.STATS_CHART_FONT` if set, else the first of the
usual Debian/Windows paths that exists (fonts-wqy-microhei is in the deploy notes).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]
RED = (179, 38, 30)
BLUE = (11, 87, 208)
GREY = (91, 100, 112)
LINE = (216, 221, 227)


@lru_cache(maxsize=8)
def font(size: int):
    paths = [getattr(settings, "STATS_CHART_FONT", "")] + FONT_CANDIDATES
    for p in paths:
        if p and Path(p).exists():
            return ImageFont.truetype(p, size)
    return ImageFont.load_default(size)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _text_w(draw, text, f) -> int:
    box = draw.textbbox((0, 0), text, font=f)
    return box[2] - box[0]


def bar_chart(title: str, labels: list[str], values: list[int], width: int = 1000) -> bytes:
    """Horizontal bars (long Chinese labels read better sideways)."""
    n = max(1, len(values))
    height = 90 + n * 34
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 14), title, fill=(31, 35, 40), font=font(24))
    label_w = max([_text_w(d, str(label), font(18)) for label in labels] or [0]) + 30
    left, top, right = min(label_w + 20, width // 2), 64, width - 90
    top_value = max(values or [0]) or 1
    for i, (label, v) in enumerate(zip(labels, values, strict=False)):
        y = top + i * 34
        d.text((left - 10 - _text_w(d, str(label), font(18)), y + 3), str(label), fill=GREY, font=font(18))
        w = int((right - left) * v / top_value)
        d.rectangle([left, y + 4, left + max(w, 1), y + 26], fill=RED)
        d.text((left + w + 8, y + 3), str(v), fill=(31, 35, 40), font=font(18))
    if not values:
        d.text((left, top), "本期无数据", fill=GREY, font=font(18))
    return _png(img)


def line_chart(title: str, labels: list[str], series: dict[str, list[int]], width: int = 1000, height: int = 420) -> bytes:
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 14), title, fill=(31, 35, 40), font=font(24))
    left, top, right, bottom = 70, 70, width - 30, height - 70
    top_value = max([max(v) for v in series.values() if v] or [0]) or 1
    top_value = -(-top_value // 4) * 4  # a multiple of 4: whole-number ticks
    for k in range(5):
        y = bottom - (bottom - top) * k / 4
        d.line([left, y, right, y], fill=LINE)
        d.text((10, y - 10), f"{top_value * k / 4:.0f}", fill=GREY, font=font(16))
    n = len(labels)
    xs = [left + (right - left) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    step = max(1, n // 8)
    for i in range(0, n, step):
        w = _text_w(d, labels[i], font(14))
        d.text((min(max(xs[i] - w / 2, 0), width - w - 4), bottom + 10), labels[i], fill=GREY, font=font(14))
    colours = [RED, BLUE, (26, 127, 55)]
    legend_x = width - 30
    for (name, values), colour in zip(series.items(), colours, strict=False):
        pts = [(xs[i], bottom - (bottom - top) * v / top_value) for i, v in enumerate(values)]
        if len(pts) > 1:
            d.line(pts, fill=colour, width=3)
        for x, y in pts:
            d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        legend_x -= _text_w(d, name, font(16)) + 40
        d.rectangle([legend_x, 22, legend_x + 20, 34], fill=colour)
        d.text((legend_x + 25, 16), name, fill=GREY, font=font(16))
    if not labels:
        d.text((left + 20, top + 20), "本期无数据", fill=GREY, font=font(18))
    return _png(img)
