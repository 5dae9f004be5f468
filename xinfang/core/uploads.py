"""One validator for uploaded files: the type is sniffed from the bytes (never trusted from the
name or the browser's Content-Type), the size is limited, and the SHA-256 is computed.

    info = validate_upload(uploaded_file)   # raises InvalidInput with a Chinese message
    Attachment(content_type=info.content_type, size=info.size, sha256=info.sha256, ...)

Files are served only through the access policy (`/access/attachments/<id>/`) as downloads
(`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, a sandboxing CSP).
"""

import hashlib
import io
import re
import zipfile
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


# --- spreadsheets (imports) ----------------------------------------------------------------
# An .xlsx is a zip of XML parts: a 400 KB file can unpack to gigabytes. Its members' declared sizes
# (zipfile never returns more than a member declares) and the sheets' <dimension> are read before
# openpyxl parses anything; openpyxl then reads in read-only mode, through defusedxml (installed).
MB = 1024 * 1024
SPREADSHEET_MAX_UNCOMPRESSED = getattr(settings, "XINFANG_SPREADSHEET_MAX_UNCOMPRESSED", 200 * MB)
SPREADSHEET_MAX_SHARED_STRINGS = getattr(settings, "XINFANG_SPREADSHEET_MAX_SHARED_STRINGS", 32 * MB)  # held in memory whole
SPREADSHEET_MAX_ROWS = getattr(settings, "XINFANG_SPREADSHEET_MAX_ROWS", 200_000)
SPREADSHEET_MAX_MEMBERS = 2000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')


def too_many_rows_message(limit: int | None = None) -> str:
    return f"表格行数过多（上限 {limit or SPREADSHEET_MAX_ROWS:,} 行），请拆分成几个文件分别导入"


def check_spreadsheet(source, *, field: str = "file", max_rows: int | None = None) -> None:
    """Refuse an .xlsx whose unpacked size, shared strings or row count exceed the limits, before parsing.

    `source` is bytes or a file object (left at position 0). Raises InvalidInput with a Chinese message.
    """
    max_rows = max_rows or SPREADSHEET_MAX_ROWS
    fileobj = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    unreadable = InvalidInput("无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿", fields={field: ["文件无法读取"]})
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            members = zf.infolist()
            if len(members) > SPREADSHEET_MAX_MEMBERS:
                raise unreadable
            total = sum(m.file_size for m in members)
            if total > SPREADSHEET_MAX_UNCOMPRESSED:
                msg = f"表格解压后过大（约 {total // MB:,} MB，上限 {SPREADSHEET_MAX_UNCOMPRESSED // MB} MB），请拆分成几个文件分别导入"
                raise InvalidInput(msg, fields={field: ["文件过大"]})
            for m in members:
                name = m.filename.lower()
                if name.endswith("sharedstrings.xml") and m.file_size > SPREADSHEET_MAX_SHARED_STRINGS:
                    msg = f"表格中的文字内容过多（上限 {SPREADSHEET_MAX_SHARED_STRINGS // MB} MB），请拆分成几个文件分别导入"
                    raise InvalidInput(msg, fields={field: ["文件过大"]})
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(m) as part:
                        found = _DIMENSION.search(part.read(64 * 1024))
                    if found and int(found.group(1)) > max_rows + 1:  # + the header row
                        raise InvalidInput(too_many_rows_message(max_rows), fields={field: ["行数过多"]})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise unreadable from exc
    finally:
        fileobj.seek(0)
