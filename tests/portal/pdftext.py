"""Read the text back out of our reportlab PDFs (no PDF library is installed).

The PDFs embed a TrueType subset (xinfang/core/pdf.py): each string drawn with Tj/TJ is one byte per glyph in the
current font (`/F1+0 12 Tf`), and the font's /ToUnicode CMap says which character each byte is. We inflate every
stream, read those CMaps, then decode the strings of each content stream in the font in force. A string in a font
without a CMap falls back to UTF-16BE (a CID font such as STSong-Light) or Latin-1.
"""

import base64
import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_LITERAL = rb"\((?:\\.|[^\\)])*\)"
_TOKENS = re.compile(rb"/([^\s/\[\]<>()]+)\s+[\d.]+\s+Tf|(" + _LITERAL + rb")", re.S)
_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c == b"\\":
            nxt = raw[i + 1 : i + 2]
            if nxt in _ESC:
                out += _ESC[nxt]
                i += 2
                continue
            m = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if m:
                out.append(int(m.group(), 8) & 0xFF)
                i += 1 + len(m.group())
                continue
            i += 1
            continue
        out += c
        i += 1
    return bytes(out)


def _inflate(stream: bytes) -> bytes:
    stream = stream.strip()
    try:
        return zlib.decompress(base64.a85decode(stream, adobe=True) if stream.endswith(b"~>") else stream)
    except (ValueError, zlib.error):
        return stream


def _cmap(body: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: {code: text}."""
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", body, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", body, re.S):
        for lo, hi, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    return out


def _fonts(objects: dict[int, bytes]) -> dict[str, dict[int, str]]:
    """{resource name of a font (reportlab writes it as /Name): its CMap}."""
    fonts = {}
    for body in objects.values():
        head = body.split(b"stream", 1)[0]
        if not re.search(rb"/Type\s*/Font\b", head):
            continue
        name = re.search(rb"/Name\s*/([^\s/\[\]<>()]+)", head)
        ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", head)
        if name and ref and int(ref.group(1)) in objects:
            stream = _STREAM.search(objects[int(ref.group(1))])
            if stream:
                fonts[name.group(1).decode("latin-1")] = _cmap(_inflate(stream.group(1)))
    return fonts


def _decode(raw: bytes, cmap: dict[int, str] | None) -> str:
    if cmap:
        return "".join(cmap.get(b, chr(b)) for b in raw)
    if len(raw) % 2 == 0:
        try:
            return raw.decode("utf-16-be")
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), "not a PDF"
    assert data.rstrip().endswith(b"%%EOF"), "truncated PDF"
    objects = {int(n): body for n, body in _OBJ.findall(data)}
    fonts = _fonts(objects)
    texts = []
    for obj in objects.values():
        stream = _STREAM.search(obj)
        head = obj.split(b"stream", 1)[0]
        if stream is None or b"/Length1" in head or re.search(rb"/Subtype\s*/Image", head):
            continue  # an embedded font program or a picture, not a page's drawing
        body = _inflate(stream.group(1))
        if b"Tj" not in body and b"TJ" not in body:
            continue
        current = None
        for font, literal in _TOKENS.findall(body):
            if font:
                current = fonts.get(font.decode("latin-1"))
                continue
            texts.append(_decode(_unescape(literal[1:-1]), current))
    return "".join(texts)
