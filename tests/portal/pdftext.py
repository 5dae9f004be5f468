"""Read the text back out of our reportlab PDFs (no PDF library is installed).

STSong-Light is a CID font with the UniGB-UCS2-H encoding: each string drawn with Tj/TJ is the
UTF-16BE bytes of the text. We inflate every content stream and decode those strings.
"""

import base64
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
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


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), "not a PDF"
    assert data.rstrip().endswith(b"%%EOF"), "truncated PDF"
    texts = []
    for stream in _STREAM.findall(data):
        stream = stream.strip()
        try:
            body = zlib.decompress(base64.a85decode(stream, adobe=True) if stream.endswith(b"~>") else stream)
        except (ValueError, zlib.error):
            body = stream
        if True:
            if b"Tj" not in body and b"TJ" not in body:
                continue
            for lit in _LITERAL.findall(body):
                raw = _unescape(lit[1:-1])
                if len(raw) % 2 == 0:
                    try:
                        texts.append(raw.decode("utf-16-be"))
                        continue
                    except UnicodeDecodeError:
                        pass
                texts.append(raw.decode("latin-1"))
    return "".join(texts)
