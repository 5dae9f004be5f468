"""`manage.py seal_legacy_chains`: seal event chains written before the chain was keyed (xinfang.audit.legacy).

Also runs by itself after `migrate` on an upgraded database. Chains that do not verify as written are
left unsealed and listed; `verify_chain` reports them."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit import legacy


class Command(BaseCommand):
    help = "为启用密钥签名之前写入的事件链加封（原样校验通过的才加封，从不改写事件）"

    def handle(self, *args, **options):
        # No --force on purpose: once anything is sealed, re-sealing could anchor a chain that was changed since.
        if not legacy.needed():
            self.stdout.write("无需加封：数据库中已有封记或检查点（或没有事件）")
            return
        sealed, broken = legacy.seal_legacy()
        self.stdout.write(self.style.SUCCESS(f"已加封 {sealed} 件信访件的旧事件链"))
        if broken:
            for reg_no in broken[:50]:
                self.stdout.write(f"未加封（旧链校验不通过）：{reg_no}")
            raise CommandError(f"{len(broken)} 件信访件的旧事件链校验不通过，未加封；请运行 manage.py verify_chain 核查")
