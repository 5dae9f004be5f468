"""File names of downloads: one helper, so every Chinese name reaches the browser intact.

RFC 6266 with RFC 5987 `filename*=UTF-8''…` for the real name (every current browser reads it), and a plain
ASCII `filename="…"` beside it for old clients (non-ASCII characters dropped, never a raw UTF-8 byte in the
header, which some proxies reject).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')


def content_disposition(filename: str, *, inline: bool = False, fallback: str = "") -> str:
    """The Content-Disposition value for `filename` (e.g. 信访件-20260616.xlsx)."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", filename or "download")).strip() or "download"
    _stem, dot, ext = name.rpartition(".")
    if not dot:
        ext = ""
    plain = fallback or unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = _UNSAFE.sub("_", plain).strip(" ._-")
    if not plain or plain == ext or not any(c.isalnum() for c in plain.rpartition(".")[0] or plain):
        plain = f"download.{ext}" if ext else "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def attach(response, filename: str, *, inline: bool = False, fallback: str = ""):
    """Set the response's Content-Disposition for `filename`; returns the response."""
    response["Content-Disposition"] = content_disposition(filename, inline=inline, fallback=fallback)
    return response
