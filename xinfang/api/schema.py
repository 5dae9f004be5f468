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

import re

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
_CJK = re.compile(r"[\u4e00-\u9fff]")


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

    def _chinese(self) -> str:
        return SUMMARIES.get((self.method, self.path), "")

    def get_summary(self):
        return super().get_summary() or self._chinese() or None

    def get_description(self):
        own = super().get_description()
        if own and _CJK.search(own):
            return own
        return self._chinese() or own

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


# Chinese summaries for operations whose view docstring is written for developers (English). A view's own
# Chinese docstring or `summary=` wins; the English docstring stays in the code, not in the published API.
SUMMARIES = {
    ("POST", "/api/v1/access/grants/{id}/revoke/"): "撤销身份信息授权（留存撤销记录，授权本身不改动）",
    ("GET", "/api/v1/access/log/"): "身份信息查看记录（审计：系统管理员看全部，信访办看本单位登记的信访件；可按用户、信访件、日期筛选）",
    ("GET", "/api/v1/access/petitions/{reg_no}/grants/"): "信访件的身份信息授权列表",
    ("POST", "/api/v1/access/petitions/{reg_no}/grants/"): "新增身份信息授权（授予用户或单位，限定字段、理由和期限）",
    ("GET", "/api/v1/grassroots/disputes/"): "矛盾纠纷列表（分页）",
    ("POST", "/api/v1/grassroots/disputes/"): "登记矛盾纠纷",
    ("GET", "/api/v1/grassroots/disputes/{id}/"): "矛盾纠纷详情",
    ("POST", "/api/v1/grassroots/disputes/{id}/escalate/"): "矛盾纠纷上报上一级调处",
    ("POST", "/api/v1/grassroots/disputes/{id}/sessions/"): "记录一次调处",
    ("GET", "/api/v1/grassroots/figures/"): "矛盾纠纷统计",
    ("GET", "/api/v1/grassroots/reports/"): "信息报送列表（分页）",
    ("POST", "/api/v1/grassroots/reports/"): "报送信息",
    ("POST", "/api/v1/grassroots/reports/{id}/acknowledge/"): "签收报送的信息",
    ("GET", "/api/v1/inbox/"): "收件箱：最近 200 条提醒和未读条数",
    ("GET", "/api/v1/reception/days/upcoming/"): "近期领导接访日（公开：日期、地点、领导职务，不含姓名电话）",
    ("POST", "/api/v1/inbox/read/"): "将收件箱消息标为已读（不传 ids 则全部）",
    ("GET", "/api/v1/knowledge/articles/"): "应知应会知识库文章",
    ("GET", "/api/v1/org/coverage/"): "网格网络覆盖缺口（系统管理员、信访办）",
    ("GET", "/api/v1/org/posts/"): "网络岗位列表（可按角色、区域、学校、在岗筛选）",
    ("POST", "/api/v1/org/posts/"): "新设网络岗位",
    ("POST", "/api/v1/org/posts/{id}/end/"): "岗位人员离岗（记录离岗日期和原因，不删除）",
    ("GET", "/api/v1/petitions/"): "信访件列表（调用者可见范围内，支持筛选，分页）",
    ("POST", "/api/v1/petitions/"): "登记信访件（返回 201，查询码只在此返回一次）",
    ("GET", "/api/v1/petitions/{reg_no}/"): "信访件详情（按调用者权限遮盖身份信息）",
    ("POST", "/api/v1/petitions/{reg_no}/actions/{action}/"): "办理动作（请求体含 version；版本过期或状态不允许时返回 409）",
    ("GET", "/api/v1/petitions/{reg_no}/events/"): "办理记录（按时间先后）",
    ("GET", "/api/v1/public/petitions/{reg_no}/"): "信访人凭登记编号和查询码查询办理进展（编号不存在与查询码错误同样返回 404）",
    ("GET", "/api/v1/reception/days/"): "领导接访日（工作人员视图，含接访领导）",
    ("POST", "/api/v1/reception/days/"): "按规则生成领导接访日",
    ("GET", "/api/v1/reception/duty/"): "值班表",
    ("POST", "/api/v1/reception/duty/"): "设置某单位某日值班",
    ("GET", "/api/v1/reception/meetings/"): "信访工作会议（按年份）",
    ("POST", "/api/v1/reception/meetings/"): "记录信访工作会议（决定事项可关联信访件）",
    ("GET", "/api/v1/reception/urgent-reports/"): "紧急信息报告列表",
    ("POST", "/api/v1/reception/urgent-reports/"): "起草紧急信息报告",
    ("GET", "/api/v1/reception/urgent-reports/{id}/"): "紧急信息报告详情",
    ("POST", "/api/v1/reception/urgent-reports/{id}/acknowledge/"): "签收紧急信息报告",
    ("POST", "/api/v1/reception/urgent-reports/{id}/send/"): "报送紧急信息报告",
    ("POST", "/api/v1/reception/urgent-reports/{id}/notices/"): "登记已报告的机关（局信访办、教办等）及报告时间，每次一条记录",
    ("GET", "/api/v1/reception/warnings/"): "接待工作提醒：无领导的接访日、节假日值班缺口、会议不足的单位",
    ("GET", "/api/v1/regions/"): "行政区域（可按层级、上级代码筛选）",
    ("GET", "/api/v1/routing/suggest/"): "分办建议：按内容和发生地给出最多 3 个问题类别和承办单位",
    ("GET", "/api/v1/safety/reports/"): "校园安全信息列表（分页）",
    ("POST", "/api/v1/safety/reports/"): "报送校园安全信息",
    ("GET", "/api/v1/safety/schools/{id}/sheet/"): "学校月度安全信息表",
    ("GET", "/api/v1/stats/breakdowns/"): "分类统计（渠道、类别等维度）",
    ("GET", "/api/v1/stats/hot-issues/"): "热点问题：高频词、上升词、类别和地点聚集",
    ("GET", "/api/v1/stats/kpis/"): "考核指标（每项含值、分子、分母）",
    ("GET", "/api/v1/stats/kpis/{code}/petitions/"): "考核指标背后的信访件（分子、分母或未达标部分，分页）",
    ("GET", "/api/v1/stats/league/"): "单位排名",
    ("GET", "/api/v1/stats/series/"): "时间序列（日、周、月、季、年）",
    ("GET", "/api/v1/stats/trends/"): "指标趋势：本期、上期与去年同期",
    ("GET", "/api/v1/supervision/accountability/"): "问责记录（可按单位、人员筛选）",
    ("POST", "/api/v1/supervision/accountability/"): "记录问责",
    ("GET", "/api/v1/supervision/orders/"): "督办单（调用者经办的，可按状态筛选）",
    ("POST", "/api/v1/supervision/orders/"): "签发督办单",
    ("GET", "/api/v1/supervision/orders/{id}/"): "督办单详情",
    ("POST", "/api/v1/supervision/orders/{id}/answer/"): "答复督办单",
    ("POST", "/api/v1/supervision/orders/{id}/close/"): "办结督办单",
    ("POST", "/api/v1/supervision/urgings/"): "催办",
    ("GET", "/api/v1/units/"): "单位（可按类型筛选）",
}
