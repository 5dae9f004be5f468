from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from xinfang.core.backup import backup


class Command(BaseCommand):
    help = "备份：一致的数据库导出 + 全部附件 + 校验清单，写成一个 .tar.gz"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="输出文件（默认 var/backups/xinfang-<时间>.tar.gz）")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"var/backups/xinfang-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        manifest = backup(path)
        total = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}：{total} 条记录，{len(manifest['files']) - 1} 个附件"))
