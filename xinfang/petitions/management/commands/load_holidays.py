"""Copy the official holiday calendar of chinesecalendar into the Holiday table (idempotent).

    manage.py load_holidays --year 2025 --year 2026

Afterwards the days are editable data (admin, /petitions/settings/time-limits/). Rows already in the
table are left as they are. chinesecalendar knows the State Council notices up to 2026; later years
are entered by hand from the notice.
"""

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.petitions import timelimits


class Command(BaseCommand):
    help = "把 chinesecalendar 内置的法定节假日和调休上班日导入节假日表（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", dest="years", help="年份，可重复；缺省为内置日历已知的最近两年")

    def handle(self, *args, years=None, **options):
        if not years:
            known = sorted(timelimits.chinesecalendar_years())
            years = known[-2:]
        for year in years:
            try:
                created, kept = timelimits.holidays_import(actor=None, year=year)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{year} 年：新增 {created} 天，已有 {kept} 天保持不变")
