"""Benchmark the statistics on PostgreSQL with generated petitions in a separate database.

    manage.py bench_stats --petitions 1000000 [--database-url postgres://.../xf_h7_bench]

The outer run creates the bench database if missing (default: the current PostgreSQL
database's name + "_bench"), migrates it, then runs itself again with DATABASE_URL pointing
there (`--inside`). The inner run tops the petitions up to --petitions with COPY (identity
left empty, anonymous), runs ANALYZE, and times the KPI endpoint, the dashboard page and each
figure family (best and median of --runs). It never touches the database it was started on.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

TEXTS = [
    "某建筑公司拖欠农民工工资三个月未发放",
    "村里征地补偿款一直没有发放",
    "房屋拆迁安置房迟迟不能交房",
    "小区物业管理混乱，物业费乱收",
    "低保资格被取消，要求重新审核",
    "养殖场污水排放污染河道",
    "企业未为职工缴纳养老保险",
    "宅基地确权纠纷，要求重新丈量",
    "村道损坏多年未修",
    "种粮补贴发放不到位",
]


class Command(BaseCommand):
    help = "用生成的信访件在独立的 PostgreSQL 数据库中测试统计查询耗时"

    def add_arguments(self, parser):
        parser.add_argument("--petitions", type=int, default=100_000)
        parser.add_argument("--database-url", default="")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--batch", type=int, default=50_000)
        parser.add_argument("--cluster", action="store_true", help="按登记时间重排表（CLUSTER），模拟按时间顺序登记的真实数据")
        parser.add_argument("--inside", action="store_true", help=argparse_hidden())

    # ---- outer: prepare the separate database, then re-run inside it ----------------------

    def handle(self, *args, **o):
        if o["inside"]:
            return self.inside(**o)
        url = o["database_url"] or self.default_url()
        name = urlparse(url).path.lstrip("/")
        if not name.endswith("_bench"):
            raise CommandError("基准测试数据库名须以 _bench 结尾，避免写入正式数据库")
        self.create_database(url, name)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "xinfang.settings.local"),
        }
        manage = str(settings.BASE_DIR / "manage.py")
        self.stdout.write(f"迁移 {name} …")
        subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)
        cmd = [sys.executable, manage, "bench_stats", "--inside", "--petitions", str(o["petitions"]), "--runs", str(o["runs"])]
        subprocess.run(cmd + ["--batch", str(o["batch"])] + (["--cluster"] if o["cluster"] else []), env=env, check=True)

    def default_url(self) -> str:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("请用 --database-url 指定 PostgreSQL 基准测试数据库（如 postgres://postgres@127.0.0.1:5432/xf_bench）")
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}_bench"

    def create_database(self, url: str, name: str) -> None:
        import psycopg

        admin = urlunparse(urlparse(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
                self.stdout.write(f"已创建数据库 {name}")

    # ---- inner: load and time ----------------------------------------------------------------

    def inside(self, **o):
        if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].endswith("_bench"):
            raise CommandError("--inside 只能在 *_bench PostgreSQL 数据库中运行")
        ref = self.reference_data()
        from xinfang.petitions.models import Petition

        have = Petition.objects.count()
        if have < o["petitions"]:
            t = time.perf_counter()
            self.load(ref, start=have, count=o["petitions"] - have, batch=o["batch"], total=o["petitions"])
            self.stdout.write(f"载入 {o['petitions'] - have} 件用时 {time.perf_counter() - t:.1f} 秒")
            with connection.cursor() as c:
                c.execute("ANALYZE petitions_petition")
        if o["cluster"]:
            t = time.perf_counter()
            with connection.cursor() as c:
                c.execute("CLUSTER petitions_petition USING petition_registered")
                c.execute("ANALYZE petitions_petition")
            self.stdout.write(f"CLUSTER 用时 {time.perf_counter() - t:.1f} 秒")
        total = Petition.objects.count()
        self.stdout.write(f"信访件总数 {total}")
        self.timings(ref, runs=o["runs"], total=total)

    def reference_data(self) -> dict:
        from django.contrib.auth.models import Group

        from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User
        from xinfang.petitions.models import Category

        county, _ = Region.objects.get_or_create(code="B00", defaults={"name": "基准县", "level": RegionLevel.COUNTY})
        places = []
        for t in range(1, 25):
            tw, _ = Region.objects.get_or_create(
                code=f"B00T{t:02d}", defaults={"name": f"基准{t}镇", "level": RegionLevel.TOWNSHIP, "parent": county}
            )
            for v in range(1, 9):
                vi, _ = Region.objects.get_or_create(
                    code=f"{tw.code}V{v}", defaults={"name": f"{t}镇{v}村", "level": RegionLevel.VILLAGE, "parent": tw}
                )
                places.append(vi.pk)
        office, _ = Unit.objects.get_or_create(
            code="b-xfj", defaults={"name": "基准县信访局", "kind": UnitKind.PETITION_BUREAU, "region": county}
        )
        units = []
        for i in range(1, 21):
            u, _ = Unit.objects.get_or_create(
                code=f"b-dept-{i}", defaults={"name": f"基准县部门{i}", "kind": UnitKind.DEPARTMENT, "region": county}
            )
            units.append(u.pk)
        cats = []
        for i in range(1, 16):
            c, _ = Category.objects.get_or_create(code=f"b-cat-{i}", defaults={"name": f"类别{i}"})
            cats.append(c.pk)
        user = User.objects.filter(username="bench-office").first()
        if user is None:
            user = User.objects.create_user(username="bench-office", password="bench-only-password", unit=office, name="基准")
            user.groups.add(Group.objects.get_or_create(name=Role.OFFICE)[0])
        return {"places": places, "office": office.pk, "units": units, "cats": cats, "user": user}

    def load(self, ref: dict, *, start: int, count: int, batch: int, total: int) -> None:
        """Rows in registration order over the last three years (as a live system writes them)."""
        from django.utils import timezone

        from xinfang.petitions.models import Petition

        fields = [f for f in Petition._meta.concrete_fields if not f.primary_key]
        cols = [f.column for f in fields]
        template = []
        for f in fields:
            if f.has_default():
                template.append(f.get_default())
            elif f.null:
                template.append(None)
            else:
                template.append("")
        idx = {f.attname: i for i, f in enumerate(fields)}
        rng = random.Random(start + 7)
        now = timezone.now()
        span = 3 * 365 * 86400
        channels = ["letter", "visit", "phone", "online", "sms", "mailbox", "from_superior"]
        natures = ["report", "appeal", "request", "suggestion", "inquiry"]
        sql = f"COPY petitions_petition ({', '.join(cols)}) FROM STDIN"
        done = 0
        while done < count:
            n = min(batch, count - done)
            connection.ensure_connection()
            with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                for k in range(n):
                    i = start + done + k
                    row = list(template)
                    received = now - timedelta(seconds=span - span * i / total + rng.randrange(3600))
                    registered = received + timedelta(minutes=rng.randrange(240))
                    row[idx["reg_no"]] = f"B{i:010d}"
                    row[idx["office_id"]] = ref["office"]
                    row[idx["year"]] = registered.year
                    row[idx["seq"]] = i + 1
                    row[idx["query_code_hash"]] = "!"
                    row[idx["channel"]] = channels[rng.randrange(7)]
                    row[idx["received_at"]] = received
                    row[idx["registered_at"]] = registered
                    row[idx["nature"]] = natures[rng.randrange(5)]
                    row[idx["category_id"]] = ref["cats"][rng.randrange(15)]
                    row[idx["content"]] = TEXTS[rng.randrange(len(TEXTS))]
                    row[idx["region_id"]] = ref["places"][rng.randrange(len(ref["places"]))]
                    row[idx["anonymous"]] = True
                    row[idx["imported"]] = True
                    first = rng.random() > 0.12
                    row[idx["first_time"]] = first
                    row[idx["collective"]] = rng.random() < 0.05
                    row[idx["cross_level"]] = rng.random() < 0.03
                    row[idx["accept_due_at"]] = row[idx["dispatch_due_at"]] = received + timedelta(days=15)
                    self.outcome(row, idx, rng, received, now, ref)
                    copy.write_row(row)
            done += n
            self.stdout.write(f"  … {start + done}")

    @staticmethod
    def outcome(row, idx, rng, received: datetime, now: datetime, ref: dict) -> None:
        roll = rng.random()
        if roll < 0.06:
            row[idx["status"]] = "declined"
            row[idx["dispatched_at"]] = received + timedelta(days=rng.uniform(1, 17))
            return
        if roll < 0.12:
            row[idx["status"]] = "forwarded"
            row[idx["dispatched_at"]] = received + timedelta(days=rng.uniform(1, 18))
            return
        accepted = received + timedelta(days=rng.uniform(0.5, 16))
        handle_due = accepted + timedelta(days=60)
        row[idx["accepted_at"]] = accepted
        row[idx["dispatched_at"]] = row[idx["assigned_at"]] = accepted + timedelta(days=1)
        row[idx["handling_unit_id"]] = ref["units"][rng.randrange(20)]
        row[idx["handle_due_at"]] = handle_due
        replied = accepted + timedelta(days=rng.uniform(10, 75))
        if replied < now:
            row[idx["replied_at"]] = replied
            row[idx["status"]] = "replied"
            if rng.random() < 0.75:
                row[idx["evaluated_at"]] = replied + timedelta(days=3)
                row[idx["satisfaction"]] = ("satisfied", "basically_satisfied", "dissatisfied")[rng.choices((0, 1, 2), (70, 20, 10))[0]]
                row[idx["status"]] = "evaluated"
        else:
            row[idx["status"]] = "in_progress"
            row[idx["due_at"]] = handle_due

    def timings(self, ref: dict, *, runs: int, total: int) -> None:
        from django.test import Client
        from django.utils import timezone

        from xinfang.stats import selectors

        user = ref["user"]
        today = timezone.localdate()
        periods = {
            "一个月": (today.replace(day=1), today),
            "一年": (today - timedelta(days=364), today),
            "三年": (today - timedelta(days=3 * 365), today),
        }
        client = Client()
        client.force_login(user)
        rows = []

        def clock(label, fn):
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            rows.append((label, min(times), statistics.median(times)))

        for plabel, (s, e) in periods.items():
            q = {"start": s.isoformat(), "end": e.isoformat()}
            f = selectors.parse_filter(user, q)
            clock(f"{plabel} · GET /api/v1/stats/kpis/", lambda q=q: _ok(client.get("/api/v1/stats/kpis/", q)))
            clock(f"{plabel} · GET /stats/ 仪表盘", lambda q=q: _ok(client.get("/stats/", q)))
            clock(f"{plabel} · 指标（一条查询）", lambda f=f: selectors.kpi_summary(actor=user, f=f))
            clock(f"{plabel} · 分类统计（9 个维度）", lambda f=f: selectors.stats_breakdowns(actor=user, f=f))
            clock(f"{plabel} · 趋势序列", lambda f=f: selectors.stats_series(actor=user, f=f))
            clock(f"{plabel} · 单位排行", lambda f=f: selectors.stats_league(actor=user, f=f))
        f = selectors.parse_filter(user, {"start": periods["一年"][0].isoformat(), "end": today.isoformat(), "region": "B00T01"})
        clock("一年 · 单个乡镇 · 指标", lambda: selectors.kpi_summary(actor=user, f=f))
        f = selectors.parse_filter(user, {"start": periods["一个月"][0].isoformat(), "end": today.isoformat()})
        clock("一个月 · 热点问题（分词）", lambda: selectors.stats_hot_issues(actor=user, f=f))
        self.stdout.write(f"\n| 查询（{total:,} 件，{runs} 次） | 最快 ms | 中位 ms |\n|---|---:|---:|")
        for label, best, median in rows:
            self.stdout.write(f"| {label} | {best:.0f} | {median:.0f} |")


def _ok(response):
    if response.status_code != 200:
        raise CommandError(f"请求失败：{response.status_code}")
    return response


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
