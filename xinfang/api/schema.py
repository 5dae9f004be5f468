"""OpenAPI schema generation (drf-spectacular). The schema is the contract: schemathesis checks the
served API against it (scripts/fuzz_api.py, run by .ci/run).

- Nested `InputSerializer`/`OutputSerializer` classes (STYLE.md: one API class per operation) are
  named after their API class, so components never collide.
- Every operation documents the error answers of DESIGN.md in one shape (`Error`), whatever its
  view declares: 400 401 403 404 405 409 413 415 429 (and 414, which the HTTP server answers itself).
  A view adds others (e.g. 423) with `errors()`.
- Lists are paginated by the view's `pagination_class`, so the schema follows the paginator in use
  (page numbers or cursors) without restating it.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的错误代码，如 invalid、not_found、stale_version")
    message = serializers.CharField(help_text="给人看的中文说明")
    fields = serializers.DictField(help_text="出错的字段及其说明")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR = ErrorSerializer


class KnoxTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>` (django-rest-knox, POST /api/v1/auth/token/)."""

    target_class = "xinfang.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


ERROR_DESCRIPTIONS = {
    400: "输入有误（字段见 error.fields）",
    401: "未登录，或令牌无效、已过期",
    403: "无权进行此操作",
    404: "不存在，或不在调用者的查看范围内",
    405: "不支持该请求方法",
    409: "版本已过期，或当前状态不允许此操作",
    413: "提交的内容过大",
    415: "不支持的内容类型",
    423: "已被锁定",
    429: "请求过于频繁，请稍后再试",
}
DEFAULT_ERRORS = (400, 401, 403, 404, 405, 409, 413, 415, 429)


def errors(*codes: int) -> dict:
    """`responses={200: Out, **errors(423)}`: error answers with the shared schema."""
    from drf_spectacular.utils import OpenApiResponse

    return {code: OpenApiResponse(ERROR, description=ERROR_DESCRIPTIONS.get(code, "")) for code in codes}


def results_of(serializer_class, name: str):
    """`{"results": [...]}`, the shape of the lists that are not paged (a bounded number of rows)."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(name, {"results": serializer_class(many=True)})


class XinfangAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        qualname = serializer.__class__.__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in DEFAULT_ERRORS:
            if str(code) not in responses:
                body = self._get_response_for_code(ERROR, str(code), direction=direction)
                body["description"] = ERROR_DESCRIPTIONS[code]
                responses[str(code)] = body
        # The HTTP server (gunicorn, nginx) answers an over-long request line itself, without a body we shape.
        responses.setdefault("414", {"description": "请求地址过长（由 HTTP 服务器直接答复）"})
        return responses
