"""`manage.py open311_drop_replays`: empty the first Open311 responses kept for replays once their 24 hours have passed
(cron, hourly; the records stay, so a late retry still finds its petition, without the query code)."""

from django.core.management.base import BaseCommand

from xinfang.portal import services


class Command(BaseCommand):
    help = "清除超过24小时的 Open311 首次应答（含查询码）的加密副本"

    def handle(self, *args, **options):
        dropped = services.open311_drop_replays()
        self.stdout.write(f"已清除 {dropped} 份过期的首次应答")
