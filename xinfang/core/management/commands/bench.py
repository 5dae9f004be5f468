"""`manage.py bench` (`make bench`): prints a table of figures and writes var/bench.json.

    manage.py bench                      the full run (PostgreSQL xf_bench + SQLite var/bench.sqlite3)
    manage.py bench --quick              small sizes, a smoke test
    manage.py bench --sizes 100000,1000000 --requests 2000 --clients 16 --sqlite-size 50000 --import-rows 100000
    manage.py bench --skip sqlite        only the PostgreSQL part (or --skip pg)
    manage.py bench --skip sqlite --reuse --sizes 10000000 --only pages --pg-url …/xf_10m_bench
                                         the 10M figures against a database already loaded once

The PostgreSQL database is dropped and re-created on every run (its name must end in "bench";
default postgres://postgres@127.0.0.1:5432/xf_bench, or BENCH_DATABASE_URL / --pg-url).
Every request goes to 127.0.0.1. See xinfang/benchmarks/runner.py and docs/data.md.
"""

import json

from django.core.management.base import BaseCommand

from xinfang.benchmarks import runner, sqlite


class Command(BaseCommand):
    help = "基准测试：HTTP 登记吞吐、列表/待办/搜索/KPI 延迟、导入、超期扫描、SQLite 主要页面；结果写入 var/bench.json"

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="小规模冒烟测试")
        parser.add_argument("--sizes", default="", help="PostgreSQL 信访件规模，逗号分隔（默认 100000,1000000）")
        parser.add_argument("--requests", type=int, default=0, help="登记请求总数（默认 2000）")
        parser.add_argument("--clients", type=int, default=0, help="并发客户端数（默认 16）")
        parser.add_argument("--sqlite-size", type=int, default=0, help="SQLite 信访件规模（默认 50000）")
        parser.add_argument("--import-rows", type=int, default=0, help="导入台账行数（默认 20000）")
        parser.add_argument("--runs", type=int, default=0, help="每个查询的重复次数（默认 20）")
        parser.add_argument("--skip", default="", help="跳过的部分：pg、sqlite（逗号分隔）")
        parser.add_argument("--pg-url", default="", help="基准测试 PostgreSQL 数据库（名称须以 bench 结尾）")
        parser.add_argument("--output", default="", help="结果 JSON 路径（默认 var/bench.json）")
        parser.add_argument(
            "--reuse", action="store_true", help="沿用已有的 PostgreSQL 基准库（不重建，已有数据保留；用于千万级一次性测量）"
        )
        parser.add_argument("--only", default="", help="只跑这些部分：registration、pages、import、sweep（逗号分隔；默认全部）")
        parser.add_argument("--inside", choices=["pg", "sqlite"], help="（内部）在基准数据库中运行")
        parser.add_argument("--config", default="{}", help="（内部）")
        parser.add_argument("--part-output", default="", help="（内部）")

    def handle(self, *args, **o):
        def out(line):
            self.stdout.write(str(line))
            self.stdout.flush()

        if o["inside"]:
            config = json.loads(o["config"])
            result = runner.inside_pg(config, out) if o["inside"] == "pg" else sqlite.inside_sqlite(config, out)
            with open(o["part_output"], "w") as fh:
                json.dump(result, fh, ensure_ascii=False, indent=2, default=str)
            return
        runner.outer(o, out)
