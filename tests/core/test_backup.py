"""Backup and restore round-trip: every row and every attachment comes back identical."""

import hashlib
import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xinfang.core.backup import BackupError, backup, media_files, restore
from xinfang.core.crypto import decrypt
from xinfang.org.models import Role
from xinfang.petitions.events import record_event
from xinfang.petitions.models import Attachment, Category, Petition, Petitioner


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _dump() -> list:
    out = io.StringIO()
    call_command(
        "dumpdata", natural_foreign=True, natural_primary=True, exclude=["contenttypes", "auth.permission", "sessions", "axes"], stdout=out
    )
    rows = json.loads(out.getvalue())
    for row in rows:  # Fernet ciphertext differs on every write: compare the plaintext
        row["fields"] = {k: decrypt(v) if isinstance(v, str) else v for k, v in row["fields"].items()}
    return sorted(rows, key=lambda o: (o["model"], json.dumps(o, sort_keys=True)))


def _petition(county, clerk, n: int) -> Petition:
    category, _ = Category.objects.get_or_create(code="labour", defaults={"name": "劳动社保"})
    petition = Petition.objects.create(
        reg_no=f"XF-2026-{n:06d}",
        office=county.office,
        year=2026,
        seq=n,
        query_code_hash="x",
        channel="letter",
        received_at=timezone.now(),
        nature="request",
        category=category,
        content=f"拖欠工资 {n}",
        region=county.villages[0],
        first_receiver=clerk,
    )
    Petitioner.objects.create(petition=petition, name="备份测试人", id_number="110101199003074477", phone="13912345678")
    record_event(petition=petition, action="register", actor=clerk, to_status="registered", data={"channel": "letter"})
    record_event(petition=petition, action="accept", actor=clerk, from_status="registered", to_status="accepted")
    data = f"扫描件 {n}".encode()
    sha = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        petition=petition, kind="scan", original_name="信.pdf", content_type="application/pdf", size=len(data), sha256=sha
    )
    attachment.file.save("x", ContentFile(data), save=False)
    attachment.save()
    return petition


def _flush():
    """Empty the database inside the test's transaction. PostgreSQL refuses TRUNCATE while deferred
    foreign-key checks from this transaction are pending, so run them first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def test_backup_then_restore_into_an_empty_database_gives_back_every_row_and_file(db, county, make_user, media, tmp_path):
    clerk = make_user(Role.CLERK)
    for n in range(1, 4):
        _petition(county, clerk, n)
    before_rows = _dump()
    before_files = {name: hashlib.sha256(open(media / name, "rb").read()).hexdigest() for name in media_files()}
    assert len(before_files) == 3

    archive = tmp_path / "b.tar.gz"
    manifest = backup(archive)
    assert manifest["counts"]["petitions.petition"] == 3

    _flush()
    for name in media_files():
        (media / name).unlink()
    assert not Petition.objects.exists()

    restore(archive)
    assert _dump() == before_rows
    assert {name: hashlib.sha256(open(media / name, "rb").read()).hexdigest() for name in media_files()} == before_files
    assert Petitioner.objects.get(petition__reg_no="XF-2026-000001").name == "备份测试人"


def test_the_archive_holds_identity_only_encrypted(db, county, make_user, media, tmp_path):
    _petition(county, make_user(Role.CLERK), 1)
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    with tarfile.open(archive) as tar:
        dump = tar.extractfile("db.json").read().decode()
    assert "备份测试人" not in dump and "13912345678" not in dump and "enc1:" in dump


def test_a_corrupted_archive_is_refused_and_nothing_is_loaded(db, county, make_user, media, tmp_path):
    _petition(county, make_user(Role.CLERK), 1)
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "db.json":
                data = data.replace("拖欠工资".encode(), "篡改内容".encode())
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    _flush()
    with pytest.raises(BackupError, match="校验值不符"):
        restore(tampered)
    assert not Petition.objects.exists()


def test_restore_refuses_a_database_that_holds_data(db, county, make_user, media, tmp_path):
    _petition(county, make_user(Role.CLERK), 1)
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    with pytest.raises(BackupError, match="不是空库"):
        restore(archive)


def test_backup_reads_one_snapshot_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("REPEATABLE READ snapshot applies to PostgreSQL only")
    from xinfang.core.backup import dump_database

    out = io.StringIO()
    dump_database(out)
    assert out.getvalue().startswith("[")
