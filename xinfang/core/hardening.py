"""The input layer every request passes before any view: bad input is refused here, once, for
the API, the pages, the portal and Open311 alike (docs/hardening.md).

- body larger than `XINFANG_MAX_REQUEST_BYTES` → 413 (checked on Content-Length, before a byte is read);
- a NUL or another control character in the path or the query string, or in a form field or a
  JSON string of the body (tab, line feed and carriage return allowed in bodies) → 400: PostgreSQL
  cannot store NUL, and no legitimate input carries the others;
- a JSON body nested deeper than `XINFANG_MAX_JSON_DEPTH` → 400, counted without recursion
  (a 1,000-deep body would otherwise raise RecursionError in the parser);
- a value that is a whole ISO date or date-time with a year outside 1900–2100 → 400, so converting
  it between time zones can never raise OverflowError (0001-01-01, 9999-12-31).

Answers: the API's JSON error format on /api/, Open311's `[{"code", "description"}]` on /open311/,
a Chinese page elsewhere. Any HTML error page that would leave /api/ (an unknown URL, Django's own
400) is turned into the JSON error format as well.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from xinfang.core.errors import STATUS_BY_CODE, ErrorCode

MAX_REQUEST_BYTES = getattr(settings, "XINFANG_MAX_REQUEST_BYTES", 30 * 1024 * 1024)
MAX_JSON_DEPTH = getattr(settings, "XINFANG_MAX_JSON_DEPTH", 32)
YEAR_MIN, YEAR_MAX = 1900, 2100

# C0 controls and DEL. Paths and query strings allow none; bodies allow tab, LF and CR (text areas).
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BODY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A whole value that is an ISO date or date-time (the forms the API and the pages accept).
_ISO_DATE = re.compile(r"^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")

MESSAGES = {
    "control": "含有不允许的控制字符（如 NUL），请删除后重试",
    "path": "地址中含有不允许的控制字符",
    "depth": f"JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）",
    "date": f"日期超出可接受的范围（{YEAR_MIN}—{YEAR_MAX} 年）",
    "too_large": f"提交的内容过大：不能超过 {MAX_REQUEST_BYTES // (1024 * 1024)} MB",
    "too_many_fields": "提交的字段过多",
    "unreadable": "提交的表单无法解析",
}


class Refused(Exception):
    def __init__(self, code: str, message: str, fields: dict | None = None):
        self.code, self.message, self.fields = code, message, fields or {}
        super().__init__(message)

    @property
    def status(self) -> int:
        return STATUS_BY_CODE.get(ErrorCode(self.code), 400)


def date_out_of_range(value: str) -> bool:
    """True when `value` is a whole ISO date/date-time whose year is outside 1900–2100."""
    m = _ISO_DATE.match(value)
    return bool(m) and not (YEAR_MIN <= int(m.group(1)) <= YEAR_MAX)


def check_value(name: str, value: str, *, body: bool) -> None:
    pattern = _CONTROL_BODY if body else _CONTROL_ANY
    if pattern.search(value):
        raise Refused(ErrorCode.INVALID, MESSAGES["control"], {name: [MESSAGES["control"]]})
    if len(value) < 40 and date_out_of_range(value):
        raise Refused(ErrorCode.INVALID, MESSAGES["date"], {name: [MESSAGES["date"]]})


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Nesting depth of a JSON text without parsing it (and without recursion): strings are cut out
    and everything but brackets dropped at C speed, then the brackets are counted."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


# In raw JSON a control character can only be an escape (JSON forbids them unescaped in strings);
# \n \r \t are allowed. A match may be a false alarm (an escaped backslash before "u0000"): the
# parsed value is then checked exactly.
_JSON_SUSPECT = re.compile(rb"\\(?:u00[01][0-9a-fA-F]|u007[fF]|[bf])")
_JSON_DATE = re.compile(rb'"\s*([+-]?\d{4,})-\d{1,2}-\d{1,2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*"')


def _year_out_of_range(match) -> bool:
    return not (YEAR_MIN <= int(match.group(1)) <= YEAR_MAX)


def check_json(data) -> None:
    """Walk a parsed JSON value iteratively; keys and strings get the body's checks."""
    stack = [("", data)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            check_value(name or "body", value, body=True)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_value(name or key, key, body=True)
                stack.append((name or key, item))
        elif isinstance(value, list):
            stack.extend((name, item) for item in value)


def check_request(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_REQUEST_BYTES:
        raise Refused(ErrorCode.PAYLOAD_TOO_LARGE, MESSAGES["too_large"])
    if _CONTROL_ANY.search(request.path_info):
        raise Refused(ErrorCode.INVALID, MESSAGES["path"])
    for name, values in request.GET.lists():
        check_value(name, name, body=False)
        for value in values:
            check_value(name, value, body=False)
    if not length:
        return
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = request.body
        if json_depth_exceeds(raw, MAX_JSON_DEPTH):
            raise Refused(ErrorCode.INVALID, MESSAGES["depth"])
        if not _JSON_SUSPECT.search(raw) and not any(_year_out_of_range(m) for m in _JSON_DATE.finditer(raw)):
            return  # nothing to look at closer (the common case; a 2 MB body is scanned at C speed)
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return  # not JSON: the view's parser answers 400 in its own words
        check_json(data)
    elif request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            fields = request.POST
        except RequestDataTooBig as exc:
            raise Refused(ErrorCode.PAYLOAD_TOO_LARGE, MESSAGES["too_large"]) from exc
        except TooManyFieldsSent as exc:
            raise Refused(ErrorCode.INVALID, MESSAGES["too_many_fields"]) from exc
        except (MultiPartParserError, UnreadablePostError, ValueError) as exc:
            raise Refused(ErrorCode.INVALID, MESSAGES["unreadable"]) from exc
        for name, values in fields.lists():
            check_value(name, name, body=True)
            for value in values:
                check_value(name, value, body=True)


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def refusal_response(request, code: str, message: str, status: int, fields: dict | None = None) -> HttpResponse:
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({"error": {"code": str(code), "message": message, "fields": fields or {}}}, status=status)
    if path.startswith("/open311/"):
        from xinfang.portal import open311

        return open311.error("xml" if path.endswith(".xml") else "json", status, message)
    html = render_to_string("core/refused.html", {"status": status, "message": message}, request=request)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


_API_ERRORS = {
    400: (ErrorCode.INVALID, ErrorCode.INVALID.label),
    403: (ErrorCode.PERMISSION_DENIED, ErrorCode.PERMISSION_DENIED.label),
    404: (ErrorCode.NOT_FOUND, ErrorCode.NOT_FOUND.label),
    405: (ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.METHOD_NOT_ALLOWED.label),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, MESSAGES["too_large"]),
    429: (ErrorCode.THROTTLED, "登录失败次数过多，已暂时锁定，请稍后再试或联系系统管理员"),  # django-axes' lockout page
    500: (ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.label),
}


class RequestHardeningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except Refused as exc:
            return refusal_response(request, exc.code, exc.message, exc.status, exc.fields)
        response = self.get_response(request)
        if (is_api(request) or request.path_info.startswith("/open311/")) and response.status_code >= 400:
            if response.get("Content-Type", "").startswith("text/html"):  # Django's own 404/405/500 pages
                code, message = _API_ERRORS.get(response.status_code, ("error", "请求未能完成"))
                answer = refusal_response(request, code, message, response.status_code)
                if response.has_header("Allow"):
                    answer["Allow"] = response["Allow"]
                return answer
        return response
