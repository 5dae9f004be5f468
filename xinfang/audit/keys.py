"""The chain keys: `XINFANG_CHAIN_KEY` (environment), a comma-separated list, newest first.

The newest key signs every new event, chain head, checkpoint and backup manifest; every key of the list
still verifies what it signed. Each signature stores the id of its key (a fingerprint, never the key),
so rotation is: put the new key first, keep the old ones after it, restart. Unlike the field keys, an
old chain key is never dropped: the events it signed are verified with it for as long as they are kept.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

# Fingerprints are short on purpose: they name a key among a handful, they do not protect it.
KEY_ID_LENGTH = 8


class ChainKeyError(Exception):
    """No chain key configured, or a signature names a key that is not in the list."""


@dataclass(frozen=True)
class ChainKey:
    id: str
    secret: bytes

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()

    def derive(self, purpose: str) -> "ChainKey":
        """A separate key for another use (the backup manifest), one-way from this one."""
        return ChainKey(self.id, hmac.new(self.secret, f"xinfang-derive:{purpose}".encode(), hashlib.sha256).digest())


def key_id(secret: str) -> str:
    return hashlib.sha256(b"xinfang-chain-key-id:" + secret.encode()).hexdigest()[:KEY_ID_LENGTH]


_cache: dict = {}


def keyring() -> list[ChainKey]:
    raw = tuple(getattr(settings, "XINFANG_CHAIN_KEYS", ()) or ())
    ring = _cache.get(raw)
    if ring is None:
        ring = [ChainKey(key_id(k), k.encode()) for k in raw]
        _cache.clear()
        _cache[raw] = ring
    return ring


def current_key() -> ChainKey:
    ring = keyring()
    if not ring:
        raise ChainKeyError("未配置事件链密钥 XINFANG_CHAIN_KEY")
    return ring[0]


def key_by_id(kid: str) -> ChainKey | None:
    return next((k for k in keyring() if k.id == kid), None)


def macs_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a or "", b or "")
