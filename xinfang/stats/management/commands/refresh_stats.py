"""`manage.py refresh_stats [--all]`: rebuild the statistics summaries of the days changed since (cron every few
minutes, or Celery beat). The figures are exact without it (changed days are counted live); it keeps them fast."""

from time import perf_counter

from django.core.management.base import BaseCommand

from xinfang.core import planner
from xinfang.stats import summaries


class Command(BaseCommand):
    help = "重建有变动的登记日的统计汇总（--all 重建全部；不运行也不影响数字准确，只影响速度）"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="重建每一个有信访件的登记日（首次部署、导入之后）")

    def handle(self, *args, **options):
        started = perf_counter()
        days = summaries.refresh(everything=options["all"])
        analysed = "；已更新 SQLite 查询统计" if planner.analyze_indexes() else ""
        self.stdout.write(f"统计汇总：重建 {days} 个登记日，用时 {perf_counter() - started:.1f} 秒{analysed}")
