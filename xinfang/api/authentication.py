"""The API's token authentication: django-rest-knox (tokens hashed at rest, expiring, revocable; see
xinfang/api/tokens.py). Kept free of project imports: DRF loads it while `rest_framework.views` is
still being imported."""

from knox import auth as knox_auth
from rest_framework import exceptions


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's authentication, answering 401 (not 500) for a token that is not text."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("令牌无效") from exc
        return super().authenticate_credentials(token)
