"""Smoke test of `manage.py bench --quick` (tiny sizes): it runs end to end and writes its JSON. No time is asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def _drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def test_bench_quick_runs_end_to_end(tmp_path):
    # The bench makes its own databases whatever the suite runs on: run it once, in the SQLite pass.
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("bench 自建数据库，与测试库无关；已在 SQLite 轮运行")
    if not _postgres_reachable() and os.environ.get("CI") != "true":
        pytest.skip("本机 127.0.0.1:5432 无 PostgreSQL；CI 中必跑")
    url = f"postgres://postgres@127.0.0.1:5432/xf_smoke{os.getpid()}_bench"
    out = tmp_path / "bench.json"
    cmd = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", "--quick", "--requests", "16", "--clients", "2"]
    cmd += ["--sizes", "300", "--sqlite-size", "120", "--import-rows", "40", "--runs", "1", "--pg-url", url, "--output", str(out)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local"}
    env.pop("DATABASE_URL", None)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=settings.BASE_DIR, timeout=900)
    finally:
        _drop(url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    pg, lite = result["pg"], result["sqlite"]
    for workers in ("2", "8"):
        http = pg["registration"]["http"][workers]
        assert http["requests"] == 16 and http["errors"] == 0 and http["cpu_ms_per_request"] > 0
    assert pg["registration"]["pgbench"]["tps"] > 0 and pg["registration"]["queries"] > 0
    hold = pg["registration"]["counter_hold"]
    assert hold["n"] > 0 and hold["number_held"]["p50_ms"] >= hold["p50_ms"]  # the number is held from its petition row on
    celery = pg["registration"].get("celery")  # a Redis broker runs here (CI has one): the message goes to a worker
    if celery is not None or os.environ.get("CI") == "true":
        assert celery["errors"] == 0 and celery["worker_cpu_ms_per_message"] > 0 and celery["messages_settled_s"] >= 0, celery
    paths = pg["sizes"]["300"]["paths"]
    assert set(paths) >= {
        "API 列表 第1页",
        "API 列表 深页（游标，第 50% 处）",
        "API 搜索 q=工资（常见词）",
        "页面 信访件",
        "API KPI（一年）",
    }
    assert all(r["errors"] == 0 and r["queries"] for r in paths.values()), paths
    assert pg["sizes"]["300"]["reference"]["select1_ms"] > 0
    assert pg["import"]["status"] == "done" and pg["import"]["rows"] == 40
    assert pg["sweep"]["first"]["returncode"] == 0 and pg["sweep"]["second"]["returncode"] == 0
    assert pg["sweep"]["open"] >= pg["petitions"]
    assert lite["petitions"] >= 120 and lite["registration"]["errors"] == 0
    assert {name: r["status"] for name, r in lite["pages"].items() if r["status"] != 200} == {}
    assert "登记 POST /api/v1/petitions/" in proc.stdout and "同次参照" in proc.stdout  # the table was printed
