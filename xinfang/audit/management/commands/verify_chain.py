"""`manage.py verify_chain [--reg-no N ...]`: check every petition's event chain and access-log chain
against their signed heads, the petitions as they stand and the latest checkpoint (xinfang.audit.verify).
Names each broken petition, chain and seq; exits non-zero when anything is broken. Run it nightly."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xinfang.audit import immutability
from xinfang.audit.verify import verify
from xinfang.petitions.models import Petition


class Command(BaseCommand):
    help = "校验信访件事件链与身份信息查看记录链（签名、链头、关键字段、最新检查点），逐件报告断裂处"

    def add_arguments(self, parser):
        parser.add_argument("--reg-no", action="append", default=[], help="只校验这些登记编号（可重复）")
        parser.add_argument("--no-checkpoint", action="store_true", help="不与最新检查点比对")

    def handle(self, *args, reg_no=(), no_checkpoint=False, **options):
        petitions = None
        if reg_no:
            petitions = Petition.objects.filter(reg_no__in=reg_no)
            found = set(petitions.values_list("reg_no", flat=True))
            missing = sorted(set(reg_no) - found)
            if missing:
                raise CommandError(f"登记编号不存在：{'、'.join(missing)}")
        report = verify(petitions, use_checkpoint=not no_checkpoint)
        for link in report.broken:
            self.stdout.write(f"断裂：{link}")
        missing_triggers = immutability.expected(connection.vendor) - immutability.installed(connection)
        if missing_triggers:
            self.stdout.write(
                f"数据库触发器缺失 {len(missing_triggers)} 个（如 {sorted(missing_triggers)[0]}）：运行 manage.py migrate 恢复，并查明原因"
            )
        for note in report.notes:
            self.stdout.write(f"提示：{note}")
        against = (
            f"，已与检查点 #{report.checkpoint} 比对" if report.checkpoint and not no_checkpoint else "，尚无检查点（manage.py checkpoint）"
        )
        summary = (
            f"{report.petitions} 件信访件，{report.events} 条事件，{report.access_records} 条身份信息查看记录{against}；"
            f"用时 {report.seconds:.1f} 秒（{report.rate:,.0f} 条事件/秒）"
        )
        if report.broken or missing_triggers:
            raise CommandError(f"{len(report.broken)} 处事件链被破坏（{summary}）" if report.broken else f"触发器缺失（{summary}）")
        self.stdout.write(self.style.SUCCESS(f"事件链完好：{summary}"))
