"""One validator for uploaded files: the type is sniffed from the bytes (never trusted from the
name or the browser's Content-Type), the size is limited, and the SHA-256 is computed.

    info = validate_upload(uploaded_file)   # raises InvalidInput with a Chinese message
    Attachment(content_type=info.content_type, size=info.size, sha256=info.sha256, ...)

Files are served only through the access policy (`/access/attachments/<id>/`) as downloads
(`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, a sandboxing CSP).
"""

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings

from xinfang.core.errors import InvalidInput

# Sniffed MIME type → a label for messages. Letters' scans, photos, recordings, office documents.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WebP 图片",
    "image/tiff": "TIFF 图片",
    "image/bmp": "BMP 图片",
    "audio/mpeg": "MP3 录音",
    "audio/x-wav": "WAV 录音",
    "audio/wav": "WAV 录音",
    "audio/amr": "AMR 录音",
    "audio/mp4": "M4A 录音",
    "audio/m4a": "M4A 录音",
    "audio/x-m4a": "M4A 录音",
    "video/mp4": "MP4 视频",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/msword": "Word 文档",
    "application/vnd.ms-excel": "Excel 表格",
}
MAX_UPLOAD_BYTES = getattr(settings, "XINFANG_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


@dataclass(frozen=True)
class UploadInfo:
    content_type: str
    extension: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str]:
    """(mime, extension) from the first bytes, or ("", "") when unknown."""
    kind = filetype.guess(head)
    if kind is None:
        return "", ""
    return kind.mime, kind.extension


def validate_upload(f, *, max_bytes: int | None = None, field: str = "file") -> UploadInfo:
    limit = max_bytes or MAX_UPLOAD_BYTES
    size = getattr(f, "size", None)
    if size is not None and size > limit:
        raise InvalidInput(f"文件过大：不能超过 {limit // (1024 * 1024)} MB", fields={field: ["文件过大"]})
    digest = hashlib.sha256()
    head = b""
    total = 0
    f.seek(0)
    for chunk in f.chunks() if hasattr(f, "chunks") else iter(lambda: f.read(65536), b""):
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
        total += len(chunk)
        if total > limit:
            raise InvalidInput(f"文件过大：不能超过 {limit // (1024 * 1024)} MB", fields={field: ["文件过大"]})
    f.seek(0)
    if total == 0:
        raise InvalidInput("文件为空", fields={field: ["文件为空"]})
    mime, ext = sniff(head)
    if mime not in ALLOWED_TYPES:
        kinds = "、".join(sorted(set(ALLOWED_TYPES.values())))
        raise InvalidInput(f"不支持的文件类型（按文件内容识别）。可上传：{kinds}", fields={field: ["不支持的文件类型"]})
    return UploadInfo(content_type=mime, extension=ext, size=total, sha256=digest.hexdigest())
