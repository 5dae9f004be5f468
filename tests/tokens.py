"""API tokens for tests, made as `POST /api/v1/auth/token/` makes them (django-rest-knox)."""


def api_token(user) -> str:
    """A token for `user`; one per user object, so a test that calls this per request reuses it."""
    from xinfang.api.tokens import issue_token

    if not getattr(user, "_test_api_token", None):
        user._test_api_token = issue_token(user)[0]
    return user._test_api_token


def api_headers(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {api_token(user)}"}


def api_client(user=None):
    """An API client signed in as `user` with a real token (anonymous when None)."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client
