"""Backups that keep the proof: a round trip on SQLite and on PostgreSQL gives back every row and every
file exactly (to the microsecond, so every chain still verifies); a forged, unsigned, partial or unsafe
archive is refused with a Chinese message and no traceback; restore runs verify_chain before success."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from tests.audit.insider import as_insider
from tests.security.world import build_world
from xinfang.access import policy
from xinfang.audit import checkpoints
from xinfang.core.backup import MANIFEST, BackupError, backup, media_files, restore, sign
from xinfang.petitions import services as petition_services
from xinfang.petitions.models import PetitionEvent

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(county, make_user):
    return build_world(county, make_user)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _fill(world):
    """Chains with microsecond timestamps, an attachment, an imported register, access records, a checkpoint."""
    office = world.users["office"]
    petition_services.petition_attach(
        actor=world.users["clerk"], petition_or_reg_no=world.p_in.reg_no, files=[ContentFile(PDF, name="来信.pdf")], kind="scan"
    )
    world.p_in.refresh_from_db()
    petition_services.petition_set_case_leader(
        actor=office, petition_or_reg_no=world.p_in.reg_no, version=world.p_in.version, leader=world.users["leader"]
    )
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="查看详情")
    default_storage.save("imports/2026/历史台账.csv", ContentFile("原登记编号,主要问题\nA-1,拖欠工资\n".encode()))
    checkpoints.create(created_by="test")
    assert any(at.microsecond % 1000 for at in PetitionEvent.objects.values_list("at", flat=True))  # below the millisecond


def _files(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _restore_in_subprocess(archive, database_url, media_root) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local", "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def _rows_sqlite(cursor, tables) -> dict:
    out = {}
    for t in tables:
        cursor.execute(f'SELECT * FROM "{t}"')
        out[t] = sorted((tuple(r) for r in cursor.fetchall()), key=repr)
    return out


def _tables(cursor, vendor) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [r[0] for r in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_back_every_row_and_file_and_every_chain_verifies(world, media, tmp_path):
    _fill(world)
    before_files = _files(media)
    assert any(name.startswith("attachments/") for name in before_files) and "imports/2026/历史台账.csv" in before_files
    archive = tmp_path / "b.tar.gz"
    manifest = backup(archive)
    assert manifest["latest_checkpoint"] == 1 and {f["path"] for f in manifest["files"]} >= {f"media/{n}" for n in media_files()}

    restored_media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        result = _restore_in_subprocess(archive, f"sqlite:///{target}", restored_media)
        assert result.returncode == 0, result.stdout + result.stderr
        other = sqlite3.connect(target, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)  # as Django reads
        with connection.cursor() as cursor:
            tables = _tables(cursor, "sqlite")
            before = _rows_sqlite(cursor, tables)
        after = _rows_sqlite(other.cursor(), _tables(other.cursor(), "sqlite"))
        other.close()
    else:
        import psycopg

        s = connection.settings_dict
        name = f"{s['NAME']}_restore"
        base = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            result = _restore_in_subprocess(archive, f"{base}/{name}", restored_media)
            assert result.returncode == 0, result.stdout + result.stderr
            # Both sides read the same way (plain psycopg), the test's committed data and the restored copy.
            with psycopg.connect(f"{base}/{s['NAME']}") as mine, mine.cursor() as cursor:
                before = {t: sorted(_pg_rows(cursor, t), key=repr) for t in _tables(cursor, "postgresql")}
            with psycopg.connect(f"{base}/{name}") as other, other.cursor() as cursor:
                after = {t: sorted(_pg_rows(cursor, t), key=repr) for t in _tables(cursor, "postgresql")}
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert "事件链完好" in result.stdout and "签名有效" in result.stdout
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], table
    assert _files(restored_media) == before_files


def _pg_rows(cursor, table):
    cursor.execute(f'SELECT * FROM "{table}"')
    return [tuple(r) for r in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_restore_runs_verify_chain_before_it_says_it_succeeded(world, media, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("one database is enough: the check is the same code on both")
    with as_insider() as cursor:
        cursor.execute("UPDATE petitions_petitionevent SET actor_label = '别人' WHERE petition_id = %s AND seq = 1", [world.p_in.pk])
    archive = tmp_path / "b.tar.gz"
    backup(archive)  # a faithful, signed copy of a database whose chain was already broken
    result = _restore_in_subprocess(archive, f"sqlite:///{tmp_path / 'r.sqlite3'}", tmp_path / "m")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "事件链校验未通过" in result.stderr and world.p_in.reg_no in result.stderr


# ------------------------------------------------------------------ refused archives


def _rewrite(src: Path, dst: Path, *, edit=None, drop=(), add=(), manifest_edit=None, resign=False):
    """Copy an archive, changing members; the manifest's checksums are recomputed as a forger would."""
    with tarfile.open(src) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    envelope = json.loads(dict((m.name, d) for m, d in members)[MANIFEST])
    out = []
    for m, data in members:
        if m.name == MANIFEST or m.name in drop:
            continue
        if edit and m.name in edit:
            data = edit[m.name](data)
            for f in envelope["manifest"]["files"]:
                if f["path"] == m.name:
                    f["size"], f["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        out.append((m.name, data))
    out.extend(add)
    if manifest_edit:
        manifest_edit(envelope)
    if resign:
        envelope["signature"] = sign(envelope["manifest"])
    out.append((MANIFEST, json.dumps(envelope).encode()))
    with tarfile.open(dst, "w:gz") as tar:
        for name, data in out:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return dst


@pytest.fixture
def archive(world, media, tmp_path):
    petition_services.petition_attach(
        actor=world.users["clerk"], petition_or_reg_no=world.p_in.reg_no, files=[ContentFile(PDF, name="来信.pdf")], kind="scan"
    )
    path = tmp_path / "b.tar.gz"
    backup(path)
    return path


def _attachment_member(path) -> str:
    with tarfile.open(path) as tar:
        return next(m.name for m in tar.getmembers() if m.name.startswith("media/attachments/"))


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_an_altered_archive_with_recomputed_checksums_is_refused(archive, tmp_path):
    forged = _rewrite(archive, tmp_path / "f.tar.gz", edit={_attachment_member(archive): lambda d: d + b"% forged"})
    with pytest.raises(BackupError, match="签名不符"):
        restore(forged)


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_an_unsigned_archive_is_refused(archive, tmp_path):
    forged = _rewrite(archive, tmp_path / "f.tar.gz", manifest_edit=lambda env: env.pop("signature"))
    with pytest.raises(BackupError, match="未签名"):
        restore(forged)


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_an_archive_signed_with_another_key_is_refused(archive, tmp_path, settings):
    ours = list(settings.XINFANG_CHAIN_KEYS)
    settings.XINFANG_CHAIN_KEYS = ["someone-elses-chain-key-not-ours-0123456789"]
    forged = _rewrite(archive, tmp_path / "f.tar.gz", edit={_attachment_member(archive): lambda d: d + b"x"}, resign=True)
    settings.XINFANG_CHAIN_KEYS = ours
    with pytest.raises(BackupError, match="不在本机的 XINFANG_CHAIN_KEY 中"):
        restore(forged)


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_a_partial_archive_is_refused(archive, tmp_path):
    missing = _rewrite(archive, tmp_path / "m.tar.gz", drop={_attachment_member(archive)}, resign=True)
    with pytest.raises(BackupError, match="备份不完整"):
        restore(missing)
    truncated = tmp_path / "t.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match="不完整|已损坏"):
        restore(truncated)


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_an_archive_with_an_unlisted_or_unsafe_member_is_refused(archive, tmp_path):
    extra = _rewrite(archive, tmp_path / "e.tar.gz", add=[("media/extra.txt", b"x")], resign=True)
    with pytest.raises(BackupError, match="清单未列出"):
        restore(extra)
    for name in ("../escape.txt", "media/../../escape.txt", "/etc/passwd"):
        unsafe = _rewrite(archive, tmp_path / "u.tar.gz", add=[(name, b"x")])
        with pytest.raises(BackupError, match="不安全的路径"):
            restore(unsafe)
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_restore_refuses_a_database_that_has_tables(archive):
    with pytest.raises(BackupError, match="不是空库"):
        restore(archive)


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_the_command_says_why_in_chinese_without_a_traceback(archive, tmp_path):
    unsafe = _rewrite(archive, tmp_path / "u.tar.gz", add=[("../x", b"x")])
    with pytest.raises(CommandError, match="不安全的路径"):
        call_command("restore", str(unsafe))
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(unsafe)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "不安全的路径" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path / "nothing.tar.gz")],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "找不到备份文件" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.django_db(transaction=True)  # SQLite's backup API reads committed data
def test_the_archive_holds_identity_only_encrypted(archive, tmp_path):
    with tarfile.open(archive) as tar:
        name = next(m.name for m in tar.getmembers() if m.name.startswith("database."))
        data = tar.extractfile(name).read()
    if name.endswith(".pgdump"):  # custom format is compressed: read it back as SQL
        dump = tmp_path / "d.pgdump"
        dump.write_bytes(data)
        data = subprocess.run(["pg_restore", "-f", "-", str(dump)], capture_output=True, check=True).stdout
    from tests.security.world import SECRET_ID, SECRET_NAME, SECRET_PHONE

    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_ID):
        assert secret.encode() not in data
    assert b"enc1:" in data
