"""Rate limits for endpoints anyone can reach.

- API: `PublicRateThrottle` (scope "public", per client address) for the public/portal API and
  Open311; `TokenRateThrottle` (scope "token") for POST /api/v1/auth/token/. Rates live in
  settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
- Pages (plain Django views, e.g. the portal's query form): `@rate_limited("public")`
  answers 429 with a Chinese page once the address exceeds the scope's rate.
- Login pages: django-axes locks username + address after AXES_FAILURE_LIMIT failures.

Counters live in the default cache (set REDIS_URL so every process shares them).
"""

import functools

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.throttling import AnonRateThrottle


class PublicRateThrottle(AnonRateThrottle):
    """Per client address, authenticated or not (the public API has no accounts)."""

    scope = "public"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(PublicRateThrottle):
    scope = "token"


def _rate(scope: str) -> tuple[int, int]:
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope) or "60/min"
    num, period = rate.split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(scope: str = "public", methods: tuple[str, ...] = ("GET", "POST")):
    """Decorator for plain Django views: a fixed-window counter per (scope, client address)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                num, seconds = _rate(scope)
                key = f"xf-rl:{scope}:{_client_ip(request)}"
                cache.add(key, 0, seconds)
                try:
                    count = cache.incr(key)
                except ValueError:
                    cache.set(key, 1, seconds)
                    count = 1
                if count > num:
                    response = HttpResponse("请求过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8")
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
