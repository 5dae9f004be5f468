"""The SQLite part of the benchmark (`bench --inside sqlite`): `make run`'s default database at 50k petitions, its
main pages through Django's test client and registration over HTTP beside Python's sqlite3 single-row INSERT."""

from __future__ import annotations

import json
import time
from pathlib import Path

from xinfang.benchmarks.runner import _prod_env, base_dir, load_to, reference, registration_body


def inside_sqlite(config: dict, out) -> dict:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from xinfang.benchmarks.load import sequential
    from xinfang.org.models import Role, Unit, UnitKind, User
    from xinfang.petitions.models import Petition

    ref = reference()
    size = config["sqlite_size"]
    secs = load_to(ref, size, out, total=size)
    from django.db import connection

    office = Unit.objects.get(pk=ref["office"])
    Unit.objects.get_or_create(code="b-school-1", defaults={"name": "基准县第一中学", "kind": UnitKind.SCHOOL, "region": office.region})
    user = User.objects.get(username="bench-office")
    user.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])  # office + admin: every main page opens
    user = User.objects.get(pk=user.pk)
    res: dict = {"petitions": 0, "load_seconds": secs}
    res["registration"], res["raw_insert_rps"] = sqlite_registration(ref, config, out)
    some = Petition.objects.order_by("-pk").values_list("reg_no", flat=True).first()
    pages = {
        "首页 /": "/",
        "待办 /petitions/": "/petitions/",
        "待办 超期": "/petitions/?bucket=overdue",
        "搜索 q=工资": "/petitions/?q=%E5%B7%A5%E8%B5%84",
        "详情": f"/petitions/{some}/",
        "登记页": "/petitions/register/",
        "督办": "/supervision/",
        "接待值班": "/reception/",
        "基层": "/grassroots/",
        "校园安全": "/safety/",
        "统计": "/stats/",
        "设置 /org/": "/org/",
        "导入导出": "/transfer/",
        "API 列表": "/api/v1/petitions/",
        "导出 CSV（在办）": "/transfer/export/petitions.csv?bucket=in_progress",
        "案卷 PDF": f"/transfer/dossier/{some}.pdf",
    }
    from xinfang.core import planner
    from xinfang.stats import summaries

    summaries.refresh(everything=True)
    planner.analyze_indexes()  # as `manage.py refresh_stats` does every few minutes in a deployment
    results = {}
    with override_settings(AXES_ENABLED=False):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)

        def timed(path, runs):
            status = {}

            def call(p=path, status=status):
                r = client.get(p)
                if hasattr(r, "streaming_content"):
                    for _ in r.streaming_content:
                        pass
                status["code"] = r.status_code
                return r.status_code == 200

            call()
            cpu = time.process_time()
            r = sequential(runs, call)
            r["cpu_ms_per_request"] = round((time.process_time() - cpu) * 1000 / runs, 2)
            with CaptureQueriesContext(connection) as ctx:
                call()
            return r | {"status": status.get("code"), "queries": len(ctx.captured_queries)}

        healthz = timed("/healthz", config["runs"])
        for name, path in pages.items():
            runs = 2 if "导出" in name else config["runs"]
            results[name] = timed(path, runs)
            results[name]["x_healthz_p95"] = round(results[name]["p95_ms"] / max(healthz["p95_ms"], 0.1), 1)
            out(
                f"    SQLite {size:,} 件 {name}: p50 {results[name]['p50_ms']} / p95 {results[name]['p95_ms']} ms（HTTP {results[name]['status']}）"
            )
    res.update({"petitions": Petition.objects.count(), "pages": results, "healthz": healthz})
    return res


def sqlite_registration(ref: dict, config: dict, out) -> tuple[dict, float]:
    """Registration over HTTP against the SQLite file (gunicorn, 2 workers: SQLite's one writer at a time), and
    Python's sqlite3 single-row INSERT + commit on the same kind of file as the same-run reference."""
    import sqlite3
    import tempfile

    import requests

    from xinfang.benchmarks.load import CpuMeter, gunicorn, run_clients

    n, clients = min(config["requests"], 1000), min(config["clients"], 4)
    bodies = [registration_body(i, ref) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        raw = sqlite3.connect(Path(tmp) / "raw.sqlite3", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, body TEXT)")
        t = time.perf_counter()
        for b in bodies:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO raw (body) VALUES (?)", [json.dumps(b, ensure_ascii=False)])
            raw.execute("COMMIT")
        raw_rps = round(n / (time.perf_counter() - t), 1)
        raw.close()
    with gunicorn(base_dir(), _prod_env(), workers=2, log_path=base_dir() / "var" / "bench-gunicorn.log") as server:
        counter = iter(range(10**9))

        def worker(i):
            s = requests.Session()
            s.headers["Authorization"] = f"Token {ref['tokens'][i % len(ref['tokens'])]}"

            def call():
                return s.post(server.url + "/api/v1/petitions/", json=bodies[next(counter) % n], timeout=60).status_code == 201

            return call

        run_clients(8, 2, worker)
        counter = iter(range(10**9))
        meter = CpuMeter(master_pid=server.pid, dsn=None)
        meter.start()
        r = run_clients(n, clients, worker)
        r |= meter.stop(n)
    out(f"    SQLite 登记：{r}；sqlite3 单行 INSERT+提交 {raw_rps} 次/秒")
    return r, raw_rps
