from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份恢复到空数据库：先校验每个文件的 SHA-256，再导入数据与附件，最后核对记录数与附件校验值"

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        call_command("migrate", verbosity=0, interactive=False)
        try:
            manifest = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 {archive}（备份时间 {manifest['created_at']}），记录数与附件校验一致"))
