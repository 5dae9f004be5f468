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
    response = drf_default_handler(exc, context)
    if response is None:
        return None
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
        return error_response("method_not_allowed", "不支持该请求方法", 405)
    if isinstance(exc, drf_exceptions.ParseError):
        return error_response(ErrorCode.INVALID, "请求内容无法解析（需要 JSON）", 400)
    return error_response("error", str(exc.detail) if hasattr(exc, "detail") else str(exc), response.status_code)
