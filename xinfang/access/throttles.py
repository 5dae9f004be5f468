"""Rate limits for endpoints anyone can reach, and the one rule for who the client is.

- `client_ip(request)`: the peer address, unless the peer is one of `XINFANG_TRUSTED_PROXIES`
  (addresses or networks, e.g. "127.0.0.1,10.0.0.0/24": the nginx in front of gunicorn). Only then
  is `X-Forwarded-For` read, right to left, skipping trusted proxies: the first address that is not
  one is the client. A client cannot choose its own address by sending the header. The same rule
  serves DRF throttles, the page decorator below, the portal's limits and django-axes.
- API: `PublicRateThrottle` (scope "public") for the public API and Open311; `TokenRateThrottle`
  (scope "token") for the token endpoints. Rates: settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
- Pages: `@rate_limited("public")` answers 429 with a Chinese page.
- Login pages: django-axes locks username + address after AXES_FAILURE_LIMIT failures.

Counters live in the default cache, shared by every worker: Redis when REDIS_URL is set, the
database cache table otherwise (`manage.py createcachetable`, run by `make migrate`).
"""

import functools
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.throttling import AnonRateThrottle


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _trusted(address: str) -> bool:
    networks = _networks(tuple(getattr(settings, "XINFANG_TRUSTED_PROXIES", ()) or ()))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    """The client's address: the peer, or the forwarded address a trusted proxy vouches for."""
    peer = (request.META.get("REMOTE_ADDR") or "").strip() or "unknown"
    if not _trusted(peer):
        return peer
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    for address in reversed(forwarded):
        if not _valid(address):
            return peer  # a malformed hop: do not guess further left, where the client writes
        if not _trusted(address):
            return address
    return forwarded[0] if forwarded else peer


def axes_client_ip(request) -> str | None:
    """The same address for django-axes, which stores it in an IP field: None when there is none
    (a request made in code, e.g. by a management command)."""
    address = client_ip(request)
    return address if _valid(address) else None


class PublicRateThrottle(AnonRateThrottle):
    """Per client address, authenticated or not (the public API has no accounts)."""

    scope = "public"

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(PublicRateThrottle):
    scope = "token"


def _rate(scope: str) -> tuple[int, int]:
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope) or "60/min"
    num, period = rate.split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def count(key: str, window_seconds: int) -> int:
    """Add one to a fixed-window counter in the shared cache and return the new count."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def rate_limited(scope: str = "public", methods: tuple[str, ...] = ("GET", "POST")):
    """Decorator for plain Django views: a fixed-window counter per (scope, client address)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                num, seconds = _rate(scope)
                if count(f"xf-rl:{scope}:{client_ip(request)}", seconds) > num:
                    response = HttpResponse("请求过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8")
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
