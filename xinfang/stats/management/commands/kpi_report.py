"""Print the KPIs for a period, or write the analysis report / statistical tables to files.

    manage.py kpi_report --user office --start 2026-01-01 --end 2026-03-31 [--region CODE] [--json]
    manage.py kpi_report --user office --kind monthly --year 2026 --number 1 --docx r.docx --pdf r.pdf --xlsx t.xlsx

Runs as a named user so that the same scope rules apply as on the pages (cron-friendly).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.org.models import User
from xinfang.stats import reports, selectors, tables


class Command(BaseCommand):
    help = "输出统计指标，或生成分析报告（docx/pdf）与统计报表（xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="以该账号的权限范围统计")
        parser.add_argument("--start", default="")
        parser.add_argument("--end", default="")
        parser.add_argument("--region", default="")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--kind", choices=list(reports.KINDS), default=None)
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--number", type=int, default=None, help="月份(1-12)或季度(1-4)")
        parser.add_argument("--docx", default="")
        parser.add_argument("--pdf", default="")
        parser.add_argument("--xlsx", default="")

    def handle(self, *args, **o):
        user = User.objects.filter(username=o["user"], is_active=True).select_related("unit__region").first()
        if user is None:
            raise CommandError("账号不存在或已停用")
        try:
            if o["kind"]:
                if not o["year"]:
                    raise CommandError("生成报告需要 --year")
                data = reports.report_data(actor=user, kind=o["kind"], year=o["year"], number=o["number"], region=o["region"])
                for key, render in (("docx", reports.render_docx), ("pdf", reports.render_pdf), ("xlsx", tables.render_xlsx)):
                    if o[key]:
                        with open(o[key], "wb") as fh:
                            fh.write(render(data))
                        self.stdout.write(f"已写入 {o[key]}")
                self.stdout.write(reports.summary_text(data))
                return
            f = selectors.parse_filter(user, {"start": o["start"], "end": o["end"], "region": o["region"]})
            result = selectors.kpi_summary(actor=user, f=f)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"统计区间 {f.start} 至 {f.end}{' · ' + f.region.name if f.region else ''}")
        for k in result["kpis"].values():
            value = "—" if k["value"] is None else f"{k['value'] * 100:.2f}%"
            self.stdout.write(f"{k['label']:<8} {value:>8}  {k['numerator']}/{k['denominator']}")
        for code, n in result["counts"].items():
            self.stdout.write(f"{code:<12} {n}")
