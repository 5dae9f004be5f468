"""Token auth (django-rest-knox, xinfang/api/tokens.py) and the caller's own identity.

POST auth/token/ {username, password} → {token, expiry}; header `Authorization: Token <token>`.
Failures count towards django-axes' lockout (the authenticate() call carries the request).
"""

from django.contrib.auth import authenticate
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.access.throttles import TokenRateThrottle
from xinfang.api import tokens
from xinfang.core.errors import InvalidInput


class TokenView(APIView):
    """用户名和密码换取 API 令牌。令牌闲置超过设定时长即失效，每次使用顺延；限流，失败计入登录锁定。"""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="令牌，只在此时返回一次")
        expiry = serializers.DateTimeField(help_text="闲置到此时刻失效（每次使用顺延）")

    @extend_schema(summary="获取令牌", request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **s.validated_data)
        if user is None or not user.is_active:
            raise InvalidInput("用户名或密码错误", fields={"password": ["用户名或密码错误"]})
        token, instance = tokens.issue_token(user)
        return Response(self.OutputSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """注销：当前令牌立即失效。"""

    @extend_schema(summary="注销当前令牌", request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, tokens.AuthToken):
            request.auth.delete()
        return Response(status=204)


class LogoutAllView(APIView):
    """注销全部：本人的所有令牌立即失效（如手机丢失）。"""

    @extend_schema(summary="注销本人全部令牌", request=None, responses={204: None})
    def post(self, request):
        tokens.revoke_user_tokens(request.user)
        return Response(status=204)


class RevokeView(APIView):
    """吊销令牌：持有令牌者提交令牌本身即可使其失效（无论是否有效均返回 200，不透露令牌是否存在）。"""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(
        summary="吊销令牌",
        request=InputSerializer,
        responses={200: inline_serializer("TokenRevoked", {"revoked": serializers.BooleanField()})},
    )
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        tokens.revoke_token(s.validated_data["token"])
        return Response({"revoked": True})


class EndUserSessionsView(APIView):
    """系统管理员结束某用户的全部浏览器会话和 API 令牌（如账号被盗、手机丢失、人员离岗）。"""

    class OutputSerializer(serializers.Serializer):
        sessions = serializers.IntegerField(help_text="结束的浏览器会话数")
        tokens = serializers.IntegerField(help_text="吊销的令牌数")

    @extend_schema(summary="结束用户的会话和令牌", request=None, responses={200: OutputSerializer})
    def post(self, request, username: str):
        sessions, ended = tokens.end_user_sessions(actor=request.user, username=username)
        return Response({"sessions": sessions, "tokens": ended})


class MeView(APIView):
    """当前用户：用户名、姓名、角色、单位代码。"""

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        name = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())
        unit = serializers.CharField(allow_null=True)

    @extend_schema(summary="当前用户", responses={200: OutputSerializer})
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "name": user.display_name,
            "roles": user.role_codes,
            "unit": user.unit.code if user.unit_id else None,
        }
        return Response(self.OutputSerializer(data).data)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeView.as_view(), name="api-token-revoke"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("auth/users/<str:username>/sessions/end/", EndUserSessionsView.as_view(), name="api-end-user-sessions"),
    path("me/", MeView.as_view(), name="api-me"),
]
