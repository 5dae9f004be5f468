"""`manage.py import_network <file.xlsx> [--commit]`: check (default) or import the network workbook."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.org.importing import import_network


class Command(BaseCommand):
    help = "导入区划、单位、督查组和网络岗位（.xlsx）。默认只检查；加 --commit 才写入，有任何错误则整批不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--commit", action="store_true", help="检查无误后写入数据库")

    def handle(self, *args, file, commit, **options):
        try:
            with open(file, "rb") as fh:
                result = import_network(fh, actor=None, commit=commit)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for err in result.errors:
            self.stdout.write(f"{err.sheet} 第 {err.row} 行：{err.reason}")
        if result.errors:
            raise CommandError(f"共 {len(result.errors)} 行有误，未导入任何数据。")
        if result.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{result.summary()}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"检查通过（未写入）：{result.summary()}。加 --commit 导入。"))
