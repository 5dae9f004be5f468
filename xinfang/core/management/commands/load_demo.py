"""Load the demo county. Idempotent: each app's `demo.load()` creates only what is missing.

Order matters: the organization first, then petitions, then what hangs off them.
"""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinfang.core import planner

DEMO_MODULES = [
    "xinfang.org.demo",
    "xinfang.petitions.demo",
    "xinfang.access.demo",
    "xinfang.supervision.demo",
    "xinfang.reception.demo",
    "xinfang.grassroots.demo",
    "xinfang.safety.demo",
    "xinfang.stats.demo",
    "xinfang.portal.demo",
    "xinfang.knowledge.demo",
]


class Command(BaseCommand):
    help = "载入演示县数据（可重复执行，不会重复创建）"

    def add_arguments(self, parser):
        parser.add_argument("--petitions", type=int, default=None, help="演示信访件数量（默认约 300）")

    def handle(self, *args, **options):
        if not settings.XINFANG_DEMO:
            raise CommandError("演示数据只能在演示模式下载入（XINFANG_DEMO=1），生产环境不可使用。")
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            with transaction.atomic():
                summary = module.load(**{k: v for k, v in options.items() if k == "petitions" and v is not None})
            self.stdout.write(f"{name}: {summary or 'ok'}")
        planner.analyze_indexes()  # SQLite plans the demo county's pages from its statistics (core.planner)
        self.stdout.write(self.style.SUCCESS("演示县已就绪。演示账号密码均为 demo12345。"))
