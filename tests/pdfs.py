"""Reading a generated PDF back in tests: its fonts (embedded or not), its page size and its text.

`fonts(data)` parses the font dictionaries itself (reportlab writes plain, uncompressed object dictionaries, no object
streams): every /Type /Font, following a Type0 font to its descendant, and whether its /FontDescriptor carries a font
program (/FontFile, /FontFile2 TrueType, /FontFile3). The base-14 fonts (Helvetica, Courier…) have no descriptor, so
they count as not embedded, exactly as `pdffonts` shows them.
"""

from __future__ import annotations

import re
import shutil
import subprocess

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_REF = r"/%s\s+(\d+) 0 R"


def _objects(data: bytes) -> dict[int, bytes]:
    out = {}
    for num, body in _OBJ.findall(data):
        out[int(num)] = body.split(b"stream", 1)[0]  # the dictionary only
    return out


def _ref(body: bytes, key: str) -> int | None:
    m = re.search((_REF % key).encode(), body)
    return int(m.group(1)) if m else None


def fonts(data: bytes) -> list[tuple[str, bool]]:
    """[(base font name, embedded)] for every font the PDF names."""
    objs = _objects(data)
    result = []
    for body in objs.values():
        if not re.search(rb"/Type\s*/Font\b", body) or re.search(rb"/Type\s*/FontDescriptor", body):
            continue
        if re.search(rb"/Subtype\s*/CIDFontType[02]", body):
            continue  # counted through its Type0 parent
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", body)
        target = body
        if re.search(rb"/Subtype\s*/Type0", body):
            m = re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", body)
            target = objs.get(int(m.group(1)), b"") if m else b""
        descriptor = _ref(target, "FontDescriptor") if target else None
        desc = objs.get(descriptor, b"") if descriptor else b""
        embedded = bool(re.search(rb"/FontFile[23]?\s+\d+ 0 R", desc))
        result.append(((name.group(1).decode("latin-1") if name else "?"), embedded))
    return result


def assert_fonts_embedded(data: bytes) -> None:
    found = fonts(data)
    assert found, "PDF 中没有字体"
    missing = [n for n, emb in found if not emb]
    assert not missing, f"未嵌入的字体：{missing}"
    if shutil.which("pdffonts"):  # poppler's own reading agrees (CI installs poppler-utils)
        out = _pdffonts(data)
        rows = out.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), out


def _pdffonts(data: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(["pdffonts", fh.name], capture_output=True, check=True).stdout.decode()


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox width and height in points (A4: 595.28 × 841.89)."""
    sizes = []
    for body in _objects(data).values():
        if re.search(rb"/Type\s*/Page\b", body):
            m = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", body)
            if m:
                x0, y0, x1, y1 = (float(v) for v in m.groups())
                sizes.append((round(x1 - x0, 2), round(y1 - y0, 2)))
    return sizes


def is_a4(data: bytes) -> bool:
    sizes = page_sizes(data)
    return bool(sizes) and all(abs(w - 595.28) < 1 and abs(h - 841.89) < 1 for w, h in sizes)


def text(data: bytes) -> str:
    """The PDF's text through pdftotext (poppler-utils); "" when it is not installed."""
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
