from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份恢复到空数据库（新建、尚未 migrate）：先验签名与每个文件的 SHA-256，再导入数据与文件，核对记录数，最后校验事件链"

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        try:
            result = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest, report = result["manifest"], result["report"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {archive}（备份时间 {manifest['created_at']}）：签名有效，记录数与文件校验一致；"
                f"事件链完好（{report.petitions} 件信访件，{report.events} 条事件，{report.access_records} 条查看记录）"
            )
        )
