"""Backups that can be trusted: one archive with a consistent database dump, every attachment,
and a manifest of SHA-256 checksums; restore verifies every checksum before and after.

Archive layout (tar.gz):
    manifest.json            created_at, django version, migrations, counts per model, files + sha256
    db.json                  `dumpdata --natural-foreign --natural-primary` (identity fields stay encrypted)
    media/<storage path>     every file of the default storage (attachments, photos)
"""

import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

# Rebuilt by `migrate` or of no value in a restore.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
MEDIA_DIRS = ["attachments", "grassroots", "safety", "portal", "uploads"]


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
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
    names = []
    for top in MEDIA_DIRS:
        if default_storage.exists(top):
            names.extend(_storage_files(top))
    return sorted(names)


def model_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if any(label == x or label.startswith(x + ".") for x in EXCLUDED) or model._meta.proxy or not model._meta.managed:
            continue
        counts[label] = model._base_manager.count()
    return counts


def dump_database(out: io.TextIOBase) -> None:
    """dumpdata inside one snapshot: REPEATABLE READ on PostgreSQL, a single transaction on SQLite.

    The isolation level can only be set as the first statement of the outermost transaction; when the
    caller already holds a transaction (tests, or a caller's own atomic block), its snapshot is used.
    """
    connection.ensure_connection()  # connection set-up queries run before the transaction starts
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=EXCLUDED, stdout=out, indent=None)


def backup(output: Path) -> dict:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "db.json"
        with open(db_path, "w", encoding="utf-8") as handle:
            dump_database(handle)
        files = [{"path": "db.json", "sha256": sha256_file(db_path), "size": db_path.stat().st_size}]
        with tarfile.open(output, "w:gz") as tar:
            tar.add(db_path, arcname="db.json")
            for name in media_files():
                local = Path(tmp) / "m"
                with default_storage.open(name, "rb") as src, open(local, "wb") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
                files.append({"path": f"media/{name}", "sha256": sha256_file(local), "size": local.stat().st_size})
                tar.add(local, arcname=f"media/{name}")
            manifest = {
                "format": "xinfang-backup/1",
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": sorted(f"{a}.{n}" for a, n in MigrationRecorder.Migration.objects.values_list("app", "name")),
                "counts": model_counts(),
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return manifest


def _database_is_empty() -> bool:
    from xinfang.org.models import User
    from xinfang.petitions.models import Petition

    return not Petition.objects.exists() and not User.objects.exists()


def verify_archive(archive: Path, workdir: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(workdir, filter="data")
    manifest = json.loads((workdir / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = workdir / entry["path"]
        if not path.exists():
            raise BackupError(f"备份不完整：缺少 {entry['path']}")
        if sha256_file(path) != entry["sha256"]:
            raise BackupError(f"备份已损坏：{entry['path']} 校验值不符")
    return manifest


def restore(archive: Path) -> dict:
    """Restore into an empty, migrated database. Refuses a database that already holds data."""
    if not _database_is_empty():
        raise BackupError("目标数据库不是空库（已有用户或信访件），拒绝恢复以免覆盖数据。")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = verify_archive(Path(archive), workdir)
        with transaction.atomic():
            call_command("loaddata", str(workdir / "db.json"), verbosity=0)
        for entry in manifest["files"]:
            if not entry["path"].startswith("media/"):
                continue
            name = entry["path"][len("media/") :]
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as existing:
                    if hashlib.sha256(existing.read()).hexdigest() == entry["sha256"]:
                        continue
                raise BackupError(f"存储中已有不同内容的文件：{name}")
            with open(workdir / entry["path"], "rb") as src:
                saved = default_storage.save(name, File(src))
            if saved != name:
                raise BackupError(f"附件恢复路径不一致：{name} → {saved}")
        for entry in manifest["files"]:
            if entry["path"].startswith("media/"):
                with default_storage.open(entry["path"][len("media/") :], "rb") as handle:
                    if hashlib.sha256(handle.read()).hexdigest() != entry["sha256"]:
                        raise BackupError(f"恢复后附件校验失败：{entry['path']}")
    counts = model_counts()
    mismatched = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
    if mismatched:
        raise BackupError(f"恢复后记录数不符：{mismatched}")
    return manifest
