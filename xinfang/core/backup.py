"""Backups that keep the proof: the database exactly as stored, every stored file, a signed manifest.

Archive (tar, gzip level 1: the dump is compressed already, attachments mostly are):
    database.pgdump | database.sqlite3   PostgreSQL: `pg_dump --format=custom` of the snapshot the
                                         manifest's counts were taken in (`--snapshot`); SQLite: the
                                         backup API's copy. Both byte-exact: timestamps keep their
                                         microseconds, so every HMAC of the event chain recomputes.
    media/<path>                         every file of the default storage (attachments, photos,
                                         imported registers, portal uploads), as stored
    manifest.json                        {"manifest": {format, created_at, vendor, migrations, tables
                                         (rows per table), files (path, size, sha256)}, "signature":
                                         {key_id, hmac}}

The manifest is signed with HMAC-SHA256 under a key derived from the chain key (`XINFANG_CHAIN_KEY`,
which never goes into the archive): whoever alters the archive cannot re-sign it, and a restore needs
the chain key anyway to verify the chains. Restore checks, before it writes anything: every member is a
plain file under a known name (no `../`, no absolute path, no link), the signature, every file's size
and SHA-256, nothing missing and nothing extra; then loads into an empty database, copies the files,
migrates, compares the row counts, and runs verify_chain before it reports success. Every refusal is a
`BackupError` with a Chinese message (the command prints it, no traceback).
"""

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import django
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "xinfang-backup/2"
MANIFEST = "manifest.json"
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_LABEL = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
KEY_PURPOSE = "backup-manifest/1"
CHUNK = 1 << 20


class BackupError(Exception):
    pass


# ------------------------------------------------------------------ signing


def _canonical(manifest: dict) -> str:
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign(manifest: dict) -> dict:
    from xinfang.audit.keys import ChainKeyError, current_key

    try:
        key = current_key().derive(KEY_PURPOSE)
    except ChainKeyError as exc:
        raise BackupError(f"{exc}，无法为备份签名") from None
    return {"key_id": key.id, "hmac": key.mac(_canonical(manifest))}


def signature_problem(manifest: dict, signature) -> str:
    from xinfang.audit.keys import key_by_id

    if not isinstance(signature, dict) or not signature.get("hmac"):
        return "备份清单未签名，拒绝恢复（不是本系统生成的备份，或签名被去掉）"
    key = key_by_id(str(signature.get("key_id", "")))
    if key is None:
        return f"备份签名所用的密钥 {signature.get('key_id')} 不在本机的 XINFANG_CHAIN_KEY 中，无法验证，拒绝恢复"
    expected = key.derive(KEY_PURPOSE).mac(_canonical(manifest))
    if not hmac.compare_digest(expected, str(signature["hmac"])):
        return "备份清单签名不符：备份被改动过，或不是用本系统的密钥生成的，拒绝恢复"
    return ""


# ------------------------------------------------------------------ files


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _storage_files(prefix: str = ""):
    try:
        dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}/{name}" if prefix else name
    for d in dirs:
        yield from _storage_files(f"{prefix}/{d}" if prefix else d)


def media_files() -> list[str]:
    """Every file of the default storage (attachments, grassroots photos, imported registers, portal uploads)."""
    return sorted(_storage_files(""))


class _Hashing:
    """A reader that hashes and counts what passes through (tar reads each file once)."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.handle.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


# ------------------------------------------------------------------ the database


def _pg_env_and_name() -> tuple[dict, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    return env, s["NAME"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"未找到 {name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端（apt-get install postgresql-client）")
    return path


def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(folder: Path) -> tuple[Path, dict, list]:
    """pg_dump of one snapshot; the counts and migrations come from the same snapshot (pg_export_snapshot)."""
    pg_dump = _tool("pg_dump")
    target = folder / DB_MEMBER["postgresql"]
    connection.ensure_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _table_counts(cursor, tables)
        cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")
        migrations = [r[0] for r in cursor.fetchall()]
        env, name = _pg_env_and_name()
        cmd = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={target}", name]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    return target, counts, migrations


def _dump_sqlite(folder: Path) -> tuple[Path, dict, list]:
    """SQLite's online backup API: a consistent copy, page for page; counts read from the copy."""
    target = folder / DB_MEMBER["sqlite"]
    if connection.in_atomic_block:
        # The backup API reads committed pages; inside our own open write transaction it would wait forever.
        raise BackupError("SQLite 的备份不能在事务中进行：请在事务之外运行（manage.py backup）")
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest, progress=_BusyGuard())
        cursor = dest.cursor()
        tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = _table_counts(cursor, tables)
        migrations = sorted(r[0] for r in cursor.execute("SELECT app || '.' || name FROM django_migrations"))
    finally:
        dest.close()
    return target, counts, migrations


class _BusyGuard:
    """The backup API retries while another writer holds the database; give up after about a minute."""

    def __init__(self, limit: int = 240):
        self.limit, self.waits = limit, 0

    def __call__(self, status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            self.waits += 1
            if self.waits > self.limit:
                raise BackupError("数据库一直被其他写入占用，备份未完成，请稍后重试")


def _dump(folder: Path):
    if connection.vendor == "postgresql":
        return _dump_postgresql(folder)
    if connection.vendor == "sqlite":
        return _dump_sqlite(folder)
    raise BackupError(f"不支持的数据库：{connection.vendor}")


# ------------------------------------------------------------------ backup


def backup(output: Path) -> dict:
    """Write the archive; returns the manifest."""
    from xinfang.audit.models import Checkpoint

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        db_file, counts, migrations = _dump(Path(tmp))
        files = [{"path": db_file.name, "size": db_file.stat().st_size, "sha256": sha256_file(db_file)}]
        latest = Checkpoint.objects.order_by("-number").values_list("number", flat=True).first()
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(db_file, arcname=db_file.name)
            for name in media_files():
                info = tarfile.TarInfo(f"media/{name}")
                info.size = default_storage.size(name)
                info.mtime = int(timezone.now().timestamp())
                with default_storage.open(name, "rb") as handle:
                    reader = _Hashing(handle)
                    tar.addfile(info, reader)
                if reader.size != info.size:
                    raise BackupError(f"备份时文件 {name} 正在变化，请重试")
                files.append({"path": info.name, "size": info.size, "sha256": reader.digest.hexdigest()})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "django": django.get_version(),
                "migrations": migrations,
                "tables": counts,
                "latest_checkpoint": latest,
                "files": files,
            }
            data = json.dumps({"manifest": manifest, "signature": sign(manifest)}, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
    os.replace(partial, output)  # a backup interrupted half-way never carries the final name
    return manifest


# ------------------------------------------------------------------ checking an archive


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name and name == str(path)


def read_archive(archive: Path, workdir: Path) -> dict:
    """Check everything and extract into `workdir`; returns the manifest. Nothing is written elsewhere."""
    try:
        tar = tarfile.open(archive, "r:*")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件：{archive}") from None
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError("无法读取备份文件：不是有效的备份包，或文件已损坏、不完整") from None
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError):
            raise BackupError("备份文件不完整或已损坏（读到一半中断），拒绝恢复") from None
        names = set()
        for m in members:
            if not _safe_name(m.name):
                raise BackupError(f"备份中含有不安全的路径「{m.name}」，拒绝恢复")
            if not m.isreg():
                raise BackupError(f"备份中含有非普通文件「{m.name}」（链接或设备），拒绝恢复")
            if m.name in names:
                raise BackupError(f"备份中「{m.name}」出现了两次，拒绝恢复")
            names.add(m.name)
        if MANIFEST not in names:
            raise BackupError("备份缺少签名清单 manifest.json（不是本系统生成的备份，或不完整），拒绝恢复")
        try:
            envelope = json.loads(tar.extractfile(MANIFEST).read().decode("utf-8"))
            manifest, signature = envelope["manifest"], envelope.get("signature")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
            raise BackupError("备份清单无法读取，拒绝恢复") from None
        problem = signature_problem(manifest, signature)
        if problem:
            raise BackupError(problem)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')} 不是本版本可恢复的格式（{FORMAT}）")
        listed = {f["path"]: f for f in manifest["files"]}
        missing = sorted(set(listed) - names)
        if missing:
            raise BackupError(f"备份不完整：缺少 {missing[0]}" + (f" 等 {len(missing)} 个文件" if len(missing) > 1 else "") + "，拒绝恢复")
        extra = sorted(names - set(listed) - {MANIFEST})
        if extra:
            raise BackupError(f"备份中有清单未列出的文件：{extra[0]}，拒绝恢复")
        for m in members:
            if m.name == MANIFEST:
                continue
            entry = listed[m.name]
            target = workdir / m.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            try:
                with tar.extractfile(m) as src, open(target, "wb") as dst:
                    for chunk in iter(lambda: src.read(CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
            except (tarfile.TarError, OSError, EOFError):
                raise BackupError(f"备份文件不完整或已损坏：读取 {m.name} 时中断，拒绝恢复") from None
            if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                raise BackupError(f"备份已损坏：{m.name} 的大小或校验值与清单不符，拒绝恢复")
    return manifest


# ------------------------------------------------------------------ restore


def _existing_tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _load_postgresql(path: Path) -> None:
    pg_restore = _tool("pg_restore")
    env, name = _pg_env_and_name()
    connection.close()  # pg_restore needs no competing session; ours reconnects after
    cmd = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", f"--dbname={name}", str(path)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未改动：{result.stderr.strip()[:500]}")


def _load_sqlite(path: Path) -> None:
    connection.ensure_connection()
    src = sqlite3.connect(path)
    try:
        src.backup(connection.connection)
    finally:
        src.close()


def restore(archive: Path, *, verify: bool = True) -> dict:
    """Restore into an empty database (no tables yet: a new database, `migrate` not run). Returns
    {"manifest", "report"} once the row counts match and verify_chain passed."""
    from django.core.management import call_command

    from xinfang.audit.verify import verify as verify_chains

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = read_archive(Path(archive), workdir)
        vendor = manifest.get("database_vendor")
        if vendor != connection.vendor:
            raise BackupError(
                f"该备份来自 {VENDOR_LABEL.get(vendor, vendor)} 数据库，不能恢复到 {VENDOR_LABEL.get(connection.vendor, connection.vendor)}"
            )
        tables = _existing_tables()
        if tables:
            raise BackupError(
                f"目标数据库不是空库（已有 {len(tables)} 张表），拒绝恢复以免覆盖数据；请新建一个空数据库，不要先运行 migrate"
            )
        db_path = workdir / DB_MEMBER[vendor]
        (_load_postgresql if vendor == "postgresql" else _load_sqlite)(db_path)
        with connection.cursor() as cursor:
            counts = _table_counts(cursor, _existing_tables())
        expected = manifest["tables"]
        mismatched = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if mismatched:
            table, (want, got) = sorted(mismatched.items())[0]
            raise BackupError(f"恢复后记录数与清单不符：{table} 应为 {want} 行，实为 {got} 行")
        for entry in manifest["files"]:
            if not entry["path"].startswith("media/"):
                continue
            name = entry["path"][len("media/") :]
            if default_storage.exists(name):
                if _storage_sha256(name) == entry["sha256"]:
                    continue
                raise BackupError(f"存储中已有不同内容的文件：{name}，拒绝覆盖")
            with open(workdir / entry["path"], "rb") as src:
                saved = default_storage.save(name, File(src))
            if saved != name:
                raise BackupError(f"附件恢复路径不一致：{name} → {saved}")
            if _storage_sha256(name) != entry["sha256"]:
                raise BackupError(f"恢复后附件校验失败：{name}")
    call_command("migrate", verbosity=0, interactive=False)  # a newer code base migrates the restored data forward
    report = verify_chains() if verify else None
    if report is not None and not report.ok:
        first = report.broken[0]
        raise BackupError(f"数据已写入数据库，但事件链校验未通过（{len(report.broken)} 处，如 {first}）：请勿投入使用，先核查备份来源")
    return {"manifest": manifest, "report": report}


def _storage_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
