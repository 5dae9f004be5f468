"""The portal's own limits: growing delays after wrong query codes (per registration number and per
client address), cache counters (submissions per address), and the client address rule.

Why delays and not a block: registration numbers are sequential, so anyone could lock a
petitioner out by spending wrong codes on their number. A delay of at most
`NUMBER_MAX_DELAY` seconds keeps guessing a 40-bit code hopeless (≈ 2,900 tries a day) while the
petitioner always gets through within a minute, and at once with the recovery code sent to the
phone on file or a new query code from the office (services.portal_recovery_*, query_code_reissue).

Counters live in the default cache (Redis when REDIS_URL is set, the database cache otherwise), so
every worker sees the same ones.
"""

from django.core.cache import cache

from xinfang.access.throttles import count

NUMBER_FREE_TRIES = 5  # wrong codes on one number before the first delay
NUMBER_MAX_DELAY = 30  # seconds; never more, whatever an attacker spends
CLIENT_FREE_TRIES = 10  # wrong codes from one address (any numbers) before its first delay
CLIENT_MAX_DELAY = 300
RESET_AFTER = 3600  # a quiet hour forgets the failures


def backoff_seconds(failures: int, *, free: int, cap: int) -> int:
    """2, 4, 8 … seconds after `free` failures, capped."""
    if failures < free:
        return 0
    return min(cap, 2 ** (failures - free + 1))


def client_wait(address: str, now_ts: float) -> int:
    """Seconds this client must wait before its next lookup (0: go ahead)."""
    state = cache.get(f"xf-portal:client-fail:{address}") or {}
    return max(0, int(state.get("not_before", 0) - now_ts + 0.999))


def client_failed(address: str, now_ts: float) -> int:
    """Count a wrong code from this client; returns its failures in the current hour."""
    key = f"xf-portal:client-fail:{address}"
    state = cache.get(key) or {"failures": 0, "not_before": 0}
    state["failures"] += 1
    state["not_before"] = now_ts + backoff_seconds(state["failures"], free=CLIENT_FREE_TRIES, cap=CLIENT_MAX_DELAY)
    cache.set(key, state, RESET_AFTER)
    return state["failures"]


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; False once the window's limit is exceeded."""
    return count(f"xf-portal:{key}", window_seconds) <= limit


def client_ip(request) -> str:
    from xinfang.access.throttles import client_ip as trusted_client_ip

    return trusted_client_ip(request)  # X-Forwarded-For only from XINFANG_TRUSTED_PROXIES
