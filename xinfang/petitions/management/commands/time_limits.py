"""Show the time-limit policy and the holiday calendar, and work out a due time.

    manage.py time_limits                          # the policy table
    manage.py time_limits --due handle --start 2026-09-20T10:00   # a due time
    manage.py time_limits --year 2027              # is 2027's calendar known? its days off

Changes are made on /petitions/settings/time-limits/ or in the admin (both record the user).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from xinfang.petitions import deadlines, timelimits


class Command(BaseCommand):
    help = "列出办理时限和节假日日历，或计算某一环节的期限"

    def add_arguments(self, parser):
        parser.add_argument("--due", metavar="STEP", help="环节代码，如 handle、dispatch")
        parser.add_argument("--start", help="起算时间（ISO 8601，缺省时区为 Asia/Shanghai），如 2026-09-20T10:00")
        parser.add_argument("--paused-seconds", type=int, default=0)
        parser.add_argument("--extra-days", type=int, default=0, help="延期天数")
        parser.add_argument("--year", type=int, action="append", dest="years", help="列出该年的节假日")

    def handle(self, *args, due=None, start=None, paused_seconds=0, extra_days=0, years=None, **options):
        if due:
            if not start:
                raise CommandError("计算期限需要 --start")
            when = parse_datetime(start)
            if when is None:
                d = parse_date(start)
                if d is None:
                    raise CommandError(f"无法识别的时间：{start}")
                when = deadlines.end_of_day(d).replace(hour=0, minute=0, second=0)
            try:
                result = timelimits.due_for(due, when, paused_seconds=paused_seconds, extra_days=extra_days)
            except (LookupError, ValueError) as exc:
                raise CommandError(str(exc)) from None
            limit = timelimits.limit_for(due)
            self.stdout.write(
                f"{timelimits.STEP_LABELS.get(due, due)}（{limit.describe()}）：{deadlines.to_local(when):%Y-%m-%d %H:%M} 起，期限 {result:%Y-%m-%d %H:%M:%S}"
            )
            for notice in timelimits.calendar_notices(when, result):
                self.stdout.write(self.style.WARNING(notice))
            return
        if years:
            for year in years:
                notice = timelimits.calendar_notice(year)
                self.stdout.write(f"{year} 年：" + (notice or "放假安排已知"))
                for row in timelimits.holidays_of_year(year):
                    kind = "上班" if row["is_workday"] else "放假"
                    src = "录入" if row["source"] == "table" else "内置"
                    self.stdout.write(f"  {row['date']:%Y-%m-%d} {kind} {row['name']}（{src}）")
            return
        for row in timelimits.limits_table():
            limit = deadlines.Limit(row.amount, row.unit, row.day_kind)
            self.stdout.write(f"{row.step:<18} {row.label:<14} {limit.describe():<10} {row.basis}")
