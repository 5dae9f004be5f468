"""Encryption at rest: raw rows hold no plaintext, keys rotate, search works through keyed hashes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.security.world import SECRET_ADDRESS, SECRET_ID, SECRET_NAME, SECRET_PHONE, SECRET_WORK_UNIT
from xinfang.access.selectors import petitions_by_identity
from xinfang.core import crypto
from xinfang.petitions.models import Petitioner

pytestmark = pytest.mark.django_db
COLUMNS = ("name", "id_number", "phone", "address", "work_unit")


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM petitions_petitioner WHERE id = %s", [pk])
        return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def test_raw_row_holds_no_plaintext(world):
    person = world.p_in.petitioners.get()
    raw = _raw(person.pk)
    for value in raw.values():
        assert value.startswith(crypto.PREFIX)
    blob = " ".join(raw.values())
    for secret in (SECRET_NAME, SECRET_ID, SECRET_PHONE, SECRET_ADDRESS, SECRET_WORK_UNIT, SECRET_PHONE[-4:] + "X"):
        assert secret not in blob
    assert person.name == SECRET_NAME and person.id_number == SECRET_ID  # the ORM decrypts


def test_search_by_id_and_phone_through_keyed_hashes(world):
    clerk = world.users["clerk"]
    assert list(petitions_by_identity(actor=clerk, value=SECRET_ID.lower())) == [world.p_in]
    assert list(petitions_by_identity(actor=clerk, value="139 1234 5678")) == [world.p_in]
    assert list(petitions_by_identity(actor=clerk, value="13900000000")) == []
    # ... and only within the actor's scope.
    assert list(petitions_by_identity(actor=world.users["handler2"], value=SECRET_ID)) == []


def test_rotate_then_drop_the_old_key(world, settings):
    old_key = settings.XINFANG_FIELD_KEYS[0]
    person = world.p_in.petitioners.get()
    before = _raw(person.pk)
    new_key = Fernet.generate_key().decode()
    settings.XINFANG_FIELD_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "petitions.Petitioner: 2 行" in out.getvalue()
    after = _raw(person.pk)
    assert all(after[c] != before[c] for c in COLUMNS)
    settings.XINFANG_FIELD_KEYS = [new_key]  # the old key is gone
    fresh = Petitioner.objects.get(pk=person.pk)
    assert (fresh.name, fresh.id_number, fresh.phone, fresh.address) == (SECRET_NAME, SECRET_ID, SECRET_PHONE, SECRET_ADDRESS)
    # Without rotation, dropping the key would have lost the data: the old ciphertext no longer decrypts.
    with pytest.raises(RuntimeError, match="无法解密"):
        crypto.decrypt(before["name"])


def test_rehash_after_hash_key_change(world, settings):
    settings.XINFANG_HASH_KEY = "a-new-hash-key-for-test"
    assert list(petitions_by_identity(actor=world.users["clerk"], value=SECRET_ID)) == []
    call_command("rotate_field_keys", "--rehash", stdout=io.StringIO())
    assert list(petitions_by_identity(actor=world.users["clerk"], value=SECRET_ID)) == [world.p_in]


def test_rehash_is_recorded_on_the_chain(world, settings):
    """The identity hashes are key fields of the chain: a rehash writes an event per petition, so nothing looks edited."""
    from xinfang.audit.verify import verify

    settings.XINFANG_HASH_KEY = "a-new-hash-key-for-test"
    out = io.StringIO()
    call_command("rotate_field_keys", "--rehash", stdout=out)
    assert "已为 2 件" in out.getvalue()
    assert world.p_in.events.filter(action="identity_rehash").count() == 1
    assert verify().ok
    call_command("rotate_field_keys", "--rehash", stdout=out)  # nothing changed the second time
    assert world.p_in.events.filter(action="identity_rehash").count() == 1
