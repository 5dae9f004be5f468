"""Holidays into the editable Holiday table: a year's State Council notice from a file, or chinesecalendar's copy.

    manage.py load_holidays --file 2027.csv            # the notice, one line a day or a range (all or nothing)
    manage.py load_holidays --year 2025 --year 2026    # chinesecalendar's days (idempotent, hand edits kept)

The file's lines (UTF-8 or GBK): ``2027-01-01,休,元旦``, ``2027-02-05~2027-02-11,休,春节``, ``2027-02-14,班,春节``
(休 = a day off, including the weekend days the notice gives off; 班 = a make-up workday). Lines starting with # are
comments. A day already in the table takes the file's value. The settings page (/petitions/settings/time-limits/) takes
the same lines, pasted or uploaded. chinesecalendar knows the notices up to 2026; later years come from the notice.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.petitions import holiday_notice, timelimits


class Command(BaseCommand):
    help = "录入国务院办公厅放假通知（--file，每行“日期,休或班,名称”），或把 chinesecalendar 内置的节假日导入节假日表"

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", dest="path", help="放假安排文件（.csv/.txt，每行“2027-01-01,休,元旦”或“2027-02-05~2027-02-11,休,春节”）"
        )
        parser.add_argument("--year", type=int, action="append", dest="years", help="年份，可重复；缺省为内置日历已知的最近两年")

    def handle(self, *args, path=None, years=None, **options):
        if path:
            self._load_file(path)
            if not years:
                return
        if not years:
            known = sorted(timelimits.chinesecalendar_years())
            years = known[-2:]
        for year in years:
            try:
                created, kept = timelimits.holidays_import(actor=None, year=year)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{year} 年：新增 {created} 天，已有 {kept} 天保持不变")

    def _load_file(self, path: str) -> None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise CommandError("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的文本") from None
        try:
            result = holiday_notice.holidays_load(actor=None, text=text)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        years = "、".join(str(y) for y in result["years"])
        self.stdout.write(f"{years} 年：新增 {result['created']} 天，更正 {result['updated']} 天，未变 {result['unchanged']} 天")
        for year, lacking in result["missing"].items():
            self.stdout.write(f"注意：{year} 年的录入中没有 {'、'.join(lacking)}")
