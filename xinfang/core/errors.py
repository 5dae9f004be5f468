"""Stable error codes and the one place that turns errors into responses.

Services raise `DomainError` (or a subclass) with a code from `ErrorCode`; the API's
exception handler turns it into `{"error": {"code", "message", "fields"}}` with the status
the code implies, and pages show `message` (always Chinese) to the user.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler


class ErrorCode(models.TextChoices):
    INVALID = "invalid", "输入有误"
    NOT_AUTHENTICATED = "not_authenticated", "请先登录"
    PERMISSION_DENIED = "permission_denied", "无权进行此操作"
    NOT_FOUND = "not_found", "未找到"
    STALE_VERSION = "stale_version", "该记录已被他人修改，请刷新后重试"
    INVALID_TRANSITION = "invalid_transition", "当前状态不允许此操作"
    CONFLICT = "conflict", "与现有记录冲突"
    THROTTLED = "throttled", "请求过于频繁，请稍后再试"
    LOCKED = "locked", "已被锁定"
    # 《信访工作条例》第四十六条第（五）项: a 检举控告 never goes to a unit where a respondent works (xinfang.access.policy).
    RESPONDENT_UNIT = "respondent_unit", "检举控告不得交给被反映人所在单位"
    # Guards of the law (xinfang.petitions.workflow): the state allows the action, a time limit of the law does not.
    PERIOD_EXPIRED = "period_expired", "办理期限已届满，不能延期"
    RETURN_WINDOW_PASSED = "return_window_passed", "已超过5个工作日的异议期，须经信访办同意才能退回"
    REVIEW_WINDOW_PASSED = "review_window_passed", "已超过申请复查/复核的期限"
    REVIEW_ORGAN_EXTERNAL = "review_organ_external", "复查/复核机关在本系统外：请转送该机关并录入其意见"
    PAYLOAD_TOO_LARGE = "payload_too_large", "提交的内容过大"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "不支持的内容类型（需要 JSON）"
    METHOD_NOT_ALLOWED = "method_not_allowed", "不支持该请求方法"
    SERVER_ERROR = "server_error", "服务器内部错误，请稍后再试"


STATUS_BY_CODE = {
    ErrorCode.INVALID: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.STALE_VERSION: 409,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.THROTTLED: 429,
    ErrorCode.LOCKED: 423,
    ErrorCode.RESPONDENT_UNIT: 409,
    ErrorCode.PERIOD_EXPIRED: 409,
    ErrorCode.RETURN_WINDOW_PASSED: 409,
    ErrorCode.REVIEW_WINDOW_PASSED: 409,
    ErrorCode.REVIEW_ORGAN_EXTERNAL: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.SERVER_ERROR: 500,
}


class DomainError(Exception):
    """A rule of the domain refused the request. `message` is shown to people as it is."""

    code: str = ErrorCode.INVALID

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        if code is not None:
            self.code = code
        self.message = message or ErrorCode(self.code).label
        self.fields = fields or {}
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return STATUS_BY_CODE.get(ErrorCode(self.code), 400)

    def as_dict(self) -> dict:
        return {"error": {"code": str(self.code), "message": self.message, "fields": self.fields}}


class InvalidInput(DomainError):
    code = ErrorCode.INVALID


class NoPermission(DomainError):
    code = ErrorCode.PERMISSION_DENIED


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class StaleVersion(DomainError):
    code = ErrorCode.STALE_VERSION


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


def _fields_from_drf(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return {}


def _flatten(value):
    if isinstance(value, list):
        return [str(v) if not isinstance(v, (dict, list)) else _flatten(v) for v in value]
    if isinstance(value, dict):
        return {k: _flatten(v) for k, v in value.items()}
    return str(value)


def error_response(code: str, message: str, status: int, fields: dict | None = None) -> Response:
    return Response({"error": {"code": str(code), "message": message, "fields": fields or {}}}, status=status)


def api_exception_handler(exc, context):
    """DRF exception handler: every error leaves the API in one shape."""
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.status, exc.fields)
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return error_response(ErrorCode.INVALID, "；".join(exc.messages), 400, fields)
    if isinstance(exc, Http404):
        return error_response(ErrorCode.NOT_FOUND, ErrorCode.NOT_FOUND.label, 404)
    if isinstance(exc, PermissionDenied):
        return error_response(ErrorCode.PERMISSION_DENIED, ErrorCode.PERMISSION_DENIED.label, 403)
    if isinstance(exc, (OverflowError, RecursionError)):
        # A date past the calendar's end or a structure nested too deep: bad input, not a server fault
        # (the input layer, xinfang.core.hardening, refuses most of these before the view).
        return error_response(ErrorCode.INVALID, "输入超出可处理的范围", 400)
    response = drf_default_handler(exc, context)
    if response is None:
        return None
    out = _drf_error(exc, response)
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if header in response:
            out[header] = response[header]
    return out


def _drf_error(exc, response) -> Response:
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _fields_from_drf(exc.detail)
        return error_response(ErrorCode.INVALID, "输入有误，请检查标出的字段", 400, fields)
    if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
        message = "请先登录" if isinstance(exc, drf_exceptions.NotAuthenticated) else "用户名或密码错误，或令牌无效"
        return error_response(ErrorCode.NOT_AUTHENTICATED, message, 401)
    if isinstance(exc, drf_exceptions.PermissionDenied):
        return error_response(ErrorCode.PERMISSION_DENIED, ErrorCode.PERMISSION_DENIED.label, 403)
    if isinstance(exc, drf_exceptions.NotFound):
        return error_response(ErrorCode.NOT_FOUND, ErrorCode.NOT_FOUND.label, 404)
    if isinstance(exc, drf_exceptions.Throttled):
        return error_response(ErrorCode.THROTTLED, ErrorCode.THROTTLED.label, 429)
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return error_response(ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.METHOD_NOT_ALLOWED.label, 405)
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return error_response(ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_MEDIA_TYPE.label, 415)
    if isinstance(exc, drf_exceptions.NotAcceptable):
        return error_response(ErrorCode.INVALID, "不支持所请求的响应格式", 406)
    if isinstance(exc, drf_exceptions.ParseError):
        return error_response(ErrorCode.INVALID, "请求内容无法解析（需要 JSON）", 400)
    return error_response("error", str(exc.detail) if hasattr(exc, "detail") else str(exc), response.status_code)
