from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份：数据库原样导出（PostgreSQL 用 pg_dump，SQLite 用备份接口）+ 全部存储文件 + 签名清单，写成一个 .tar.gz"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="输出文件（默认 var/backups/xinfang-<时间>.tar.gz）")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"var/backups/xinfang-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        started = timezone.now()
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        seconds = (timezone.now() - started).total_seconds()
        rows = sum(manifest["tables"].values())
        files = len(manifest["files"]) - 1
        size = path.stat().st_size / 1e6
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {path}：{rows} 行记录，{files} 个文件，{size:.1f} MB，用时 {seconds:.1f} 秒；清单已签名")
        )
