"""`manage.py sweep_reminders`: one pass of the reminder sweep (cron every minute; safe to overlap)."""

from django.core.management.base import BaseCommand

from xinfang.supervision import sweep


class Command(BaseCommand):
    help = "发送到期、超期、督办和紧急报告提醒（每条提醒只发一次，可并发运行）"

    def handle(self, *args, **options):
        counts = sweep.run()
        self.stdout.write("提醒：信访件 {petitions} 条，督办单 {orders} 条，紧急报告 {urgent_reports} 条".format(**counts))
