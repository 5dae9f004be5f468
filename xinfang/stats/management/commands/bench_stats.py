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
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


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
        from xinfang.benchmarks import data

        ref = data.reference_data()
        from xinfang.petitions.models import Petition

        have = Petition.objects.count()
        if have < o["petitions"]:
            t = time.perf_counter()
            data.load(ref, start=have, count=o["petitions"] - have, batch=o["batch"], total=o["petitions"])
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
