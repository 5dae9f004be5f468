"""Encryption at rest for identity fields, and keyed hashes to search them.

Keys come from settings (environment): `XINFANG_FIELD_KEYS` (Fernet keys, newest first;
MultiFernet decrypts with any and encrypts with the first) and `XINFANG_HASH_KEY` (HMAC).
Rotation: put the new key first, keep the old ones, run `manage.py rotate_field_keys`,
then drop the old keys.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


def _as_fernet_key(raw: str) -> bytes:
    """Accept a real Fernet key, or derive one from any passphrase (dev convenience)."""
    try:
        key = raw.encode()
        Fernet(key)
        return key
    except (ValueError, TypeError):
        return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_as_fernet_key(k)) for k in keys])


def cipher() -> MultiFernet:
    return _multifernet(tuple(settings.XINFANG_FIELD_KEYS))


def encrypt(value: str) -> str:
    if value in (None, ""):
        return value
    return PREFIX + cipher().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return cipher().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:  # a key was removed before rotation finished
        raise RuntimeError("无法解密身份字段：密钥缺失或已轮换，请检查 XINFANG_FIELD_KEYS") from exc


def rotate(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return encrypt(value) if value else value
    return PREFIX + cipher().rotate(value[len(PREFIX) :].encode()).decode()


def keyed_hash(value: str) -> str:
    """A stable HMAC of a normalised value, for exact-match search on encrypted data."""
    if not value:
        return ""
    normalised = "".join(str(value).split()).upper()
    return hmac.new(settings.XINFANG_HASH_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext. Not searchable: pair with a hash field."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def to_python(self, value):
        return decrypt(value) if isinstance(value, str) else value

    def value_to_string(self, obj):
        # Serialisation (dumpdata, backups) carries ciphertext, never the plaintext identity.
        return encrypt(self.value_from_object(obj))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if value.startswith(PREFIX):
            return value
        return encrypt(value)
