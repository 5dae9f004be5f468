"""Cache counters for the portal's own limits (per registration number, per address for submissions).

Fixed windows in the default cache (Redis when REDIS_URL is set, so every process shares them).
"""

from django.core.cache import cache


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; False once the window's limit is exceeded."""
    full = f"xf-portal:{key}"
    cache.add(full, 0, window_seconds)
    try:
        count = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, window_seconds)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
