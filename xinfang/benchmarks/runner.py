"""`manage.py bench`: the benchmark of issue 9.

The outer run never touches the database it was started with: it (re)creates the PostgreSQL
database `xf_bench` and the SQLite file var/bench.sqlite3, migrates them, and runs itself again
inside each (`--inside pg|sqlite`, DATABASE_URL pointing there). Each inner run writes its part
of the results as JSON; the outer run prints one table and writes var/bench.json.

PostgreSQL part: registration over HTTP (gunicorn, 2 workers, 16 clients, a fixed number of
POSTs) against a raw psycopg single-row insert of the same bodies; list / worklist / search /
detail API latency at each size (petitions bulk-loaded with COPY); the KPI endpoint at the
largest size; a 100,000-row legacy import; the overdue sweep over the open petitions; a
pyinstrument profile of the slowest API path. SQLite part: every main page at 50,000 petitions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings

FULL = {"requests": 2000, "clients": 16, "sizes": [100_000, 1_000_000], "sqlite_size": 50_000, "import_rows": 100_000, "runs": 20}
QUICK = {"requests": 48, "clients": 4, "sizes": [1_500, 3_000], "sqlite_size": 600, "import_rows": 300, "runs": 3}
BENCH_PASSWORD = "bench-only-password"


def base_dir() -> Path:
    return Path(settings.BASE_DIR)


# =========================================================================================
# Outer run
# =========================================================================================


def pg_url(options) -> str:
    if options.get("pg_url"):
        return options["pg_url"]
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xf_bench")


def recreate_pg(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.endswith("bench"):
        raise RuntimeError("基准测试数据库名须以 bench 结尾（避免误删正式数据库）")
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL", "DATABASE_REPLICA_URL")}
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local", "DEBUG": "0", "PYTHONUNBUFFERED": "1"})
    return env


def outer(options, out) -> dict:
    sizes = dict(QUICK if options["quick"] else FULL)
    for key in ("requests", "clients", "sqlite_size", "import_rows", "runs"):
        if options.get(key):
            sizes[key] = options[key]
    if options.get("sizes"):
        sizes["sizes"] = [int(x) for x in str(options["sizes"]).split(",") if x.strip()]
    var = base_dir() / "var"
    var.mkdir(exist_ok=True)
    path = Path(options.get("output") or var / "bench.json")
    work = path.parent  # the SQLite file and the part results go next to the output
    manage = str(base_dir() / "manage.py")
    results: dict = {
        "quick": bool(options["quick"]),
        "config": sizes,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    started = time.perf_counter()
    parts = [p for p in ("pg", "sqlite") if p not in (options.get("skip") or "").split(",")]
    for part in parts:
        if part == "pg":
            url = pg_url(options)
            out(f"== PostgreSQL：重建 {urlparse(url).path.lstrip('/')} 并迁移 …")
            recreate_pg(url)
        else:
            db = path.with_suffix(".sqlite3")
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            url = f"sqlite:///{db}"
            out(f"== SQLite：新建 {db} 并迁移 …")
        env = _env(url)
        subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True, cwd=base_dir())
        part_json = work / f"{path.stem}-{part}.json"
        part_json.unlink(missing_ok=True)
        cmd = [sys.executable, manage, "bench", "--inside", part, "--config", json.dumps(sizes), "--part-output", str(part_json)]
        subprocess.run(cmd, env=env, check=True, cwd=base_dir())
        results[part] = json.loads(part_json.read_text())
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    for line in table(results):
        out(line)
    out(f"结果已写入 {path}（用时 {results['total_seconds']} 秒）")
    return results


def table(results: dict) -> list[str]:
    rows = [("项目", "规模", "请求/秒", "p50 ms", "p95 ms", "p99 ms", "错误", "备注")]

    def add(name, size, r, note=""):
        rows.append(
            (
                name,
                size,
                str(r.get("rps", "")),
                str(r.get("p50_ms", "")),
                str(r.get("p95_ms", "")),
                str(r.get("p99_ms", "")),
                str(r.get("errors", "")),
                note,
            )
        )

    pg = results.get("pg") or {}
    if pg:
        reg, raw = pg["registration_http"], pg["raw_insert"]
        add("登记 POST /api/v1/petitions/（gunicorn 2 进程）", f"{reg['requests']} 次/{reg['clients']} 并发", reg)
        add("原始单行 INSERT（psycopg）", f"{raw['requests']} 次/{raw['clients']} 并发", raw, f"比值 {pg.get('ratio_raw_to_http', '')}×")
        for size, lat in pg["latency"].items():
            for name, r in lat.items():
                add(f"API {name}", f"{int(size):,} 件", r)
        if pg.get("import"):
            imp = pg["import"]
            rows.append(
                (
                    "导入历史台账（校验+整体导入）",
                    f"{imp['rows']:,} 行",
                    str(imp.get("rows_per_second", "")),
                    "",
                    "",
                    "",
                    "",
                    f"{imp['seconds']} 秒，{imp['status']}",
                )
            )
        if pg.get("sweep"):
            sw = pg["sweep"]
            rows.append(
                (
                    "超期提醒扫描 sweep_reminders",
                    f"{sw['open']:,} 件在办",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"{sw.get('seconds', '超时')} 秒 {sw.get('output', '')}",
                )
            )
        for step, secs in pg.get("load_seconds", {}).items():
            rows.append(("COPY 批量造数", f"至 {int(step):,} 件", "", "", "", "", "", f"{secs} 秒"))
    lite = results.get("sqlite") or {}
    for name, r in (lite.get("pages") or {}).items():
        add(f"SQLite 页面 {name}", f"{lite['petitions']:,} 件", r, f"HTTP {r.get('status', '')}")
    widths = [max(_w(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c + " " * (widths[i] - _w(c)) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _w(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


# =========================================================================================
# Inner runs
# =========================================================================================


def reference():
    """Reference data (xinfang.benchmarks.data), plus API users (clerk + office) with tokens, one per client."""
    from django.contrib.auth.models import Group

    from xinfang.api.tokens import issue_token
    from xinfang.benchmarks import data
    from xinfang.org.models import Role, Unit, User

    ref = data.reference_data()
    office = Unit.objects.get(pk=ref["office"])
    group = Group.objects.get_or_create(name=Role.OFFICE)[0]
    clerk_group = Group.objects.get_or_create(name=Role.CLERK)[0]
    tokens = []
    for i in range(64):
        user = User.objects.filter(username=f"bench-clerk-{i}").first()
        if user is None:
            user = User.objects.create_user(username=f"bench-clerk-{i}", password=BENCH_PASSWORD, unit=office, name=f"基准登记员{i}")
            user.groups.add(clerk_group, group)
        tokens.append(issue_token(user)[0])
    ref["tokens"] = tokens
    ref["office_obj"] = office
    return ref


def load_to(ref: dict, size: int, out, *, total: int) -> float:
    """Top the petitions up to `size` (COPY on PostgreSQL, bulk_create on SQLite); returns seconds."""
    from django.db import connection

    from xinfang.benchmarks import data
    from xinfang.petitions.models import Petition

    have = Petition.objects.count()
    if have >= size:
        return 0.0
    t = time.perf_counter()
    data.load(ref, start=have, count=size - have, total=total)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    _sync_counter(ref)
    secs = round(time.perf_counter() - t, 1)
    out(f"  造数至 {size:,} 件：{secs} 秒")
    return secs


def _sync_counter(ref) -> None:
    """The bulk loader numbers rows itself; move the registration counter past them so new numbers do not collide."""
    from django.db.models import Max
    from django.utils import timezone

    from xinfang.petitions.models import Petition, RegistrationCounter

    year = timezone.localdate().year
    top = Petition.objects.filter(office_id=ref["office"], year=year).aggregate(m=Max("seq"))["m"] or 0
    counter, _ = RegistrationCounter.objects.get_or_create(office_id=ref["office"], year=year)
    if counter.last < top:
        counter.last = top
        counter.save(update_fields=["last"])


def registration_body(i: int, ref: dict) -> dict:
    from django.utils import timezone

    from xinfang.org.models import Region
    from xinfang.petitions.models import Category

    cats = ref.setdefault("_cat_codes", list(Category.objects.filter(pk__in=ref["cats"]).values_list("code", flat=True)))
    places = ref.setdefault("_place_codes", list(Region.objects.filter(pk__in=ref["places"]).values_list("code", flat=True)))
    return {
        "channel": "visit",
        "received_at": timezone.now().isoformat(),
        "petitioners": [{"name": f"基准{i % 97}号", "phone": f"139{i:08d}"[:11], "address": "基准县", "id_number": "", "work_unit": ""}],
        "nature": "request",
        "category": cats[i % len(cats)],
        "region": places[i % len(places)],
        "content": "反映某建筑公司拖欠农民工工资三个月未发放，请求督促发放",
        "requests": "请求督促发放工资",
    }


def inside_pg(config: dict, out) -> dict:
    import psycopg
    import requests
    from django.db import connection

    from xinfang.benchmarks.load import gunicorn, run_clients, sequential
    from xinfang.petitions.models import Petition

    res: dict = {"load_seconds": {}, "latency": {}}
    ref = reference()
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "xinfang.settings.production",
            "SECRET_KEY": "bench-" + "k" * 60,
            # Production settings refuse the repository's dev keys (xinfang.core.checks): bench-only keys.
            "XINFANG_FIELD_KEYS": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=",
            "XINFANG_HASH_KEY": "bench-only-hash-key-" + "h" * 40,
            "XINFANG_CHAIN_KEY": "bench-only-chain-key-" + "c" * 40,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DB_CONN_MAX_AGE": "600",
        }
    )
    dsn = f"postgresql://{db['USER']}{(':' + db['PASSWORD']) if db.get('PASSWORD') else ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    log_path = base_dir() / "var" / "bench-gunicorn.log"
    n, clients = config["requests"], config["clients"]
    bodies = [registration_body(i, ref) for i in range(n)]
    # Warm up the catalogue caches, then load the first size so the registration runs against real tables.
    with gunicorn(base_dir(), env, workers=2, log_path=log_path) as url:
        out(f"  gunicorn 已启动：{url}")
        counter = iter(range(10**9))

        def http_worker(i):
            s = requests.Session()
            s.headers["Authorization"] = f"Token {ref['tokens'][i % len(ref['tokens'])]}"

            def call():
                k = next(counter)
                r = s.post(url + "/api/v1/petitions/", json=bodies[k % n], timeout=60)
                return r.status_code == 201

            return call

        run_clients(min(32, n), min(4, clients), http_worker)  # warm-up (not reported)
        counter = iter(range(10**9))
        out(f"  登记：{n} 次 POST，{clients} 个并发客户端 …")
        res["registration_http"] = run_clients(n, clients, http_worker)
        out(f"    {res['registration_http']}")

        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("CREATE TABLE IF NOT EXISTS bench_raw_petition (id bigserial PRIMARY KEY, received_at timestamptz, body jsonb)")
        raw_counter = iter(range(10**9))

        def raw_worker(i):
            conn = psycopg.connect(dsn, autocommit=True)

            def call():
                k = next(raw_counter)
                conn.execute(
                    "INSERT INTO bench_raw_petition (received_at, body) VALUES (now(), %s)", [psycopg.types.json.Jsonb(bodies[k % n])]
                )
                return True

            return call

        out(f"  原始 INSERT：{n} 次，{clients} 个并发连接 …")
        res["raw_insert"] = run_clients(n, clients, raw_worker)
        res["ratio_raw_to_http"] = round(res["raw_insert"]["rps"] / max(res["registration_http"]["rps"], 0.01), 1)
        out(f"    {res['raw_insert']}")

        session = requests.Session()
        session.headers["Authorization"] = f"Token {ref['tokens'][0]}"
        from django.utils import timezone

        today = timezone.localdate()
        year_ago = (today - timedelta(days=364)).isoformat()
        for size in config["sizes"]:
            res["load_seconds"][str(size)] = load_to(ref, size, out, total=max(config["sizes"]))
            some = Petition.objects.order_by("-pk").values_list("reg_no", flat=True).first()
            paths = {
                "列表 /petitions/": "/api/v1/petitions/",
                "待办 bucket=in_progress": "/api/v1/petitions/?bucket=in_progress",
                "待办 bucket=overdue": "/api/v1/petitions/?bucket=overdue",
                "筛选 status+category": "/api/v1/petitions/?status=evaluated&category=b-cat-3",
                "搜索 q=工资": "/api/v1/petitions/?q=%E5%B7%A5%E8%B5%84",
                "详情": f"/api/v1/petitions/{some}/",
            }
            if size == max(config["sizes"]):
                paths["KPI /stats/kpis/（一年）"] = f"/api/v1/stats/kpis/?start={year_ago}&end={today.isoformat()}"
            lat = {}
            for name, path in paths.items():
                session.get(url + path, timeout=300)  # warm
                lat[name] = sequential(config["runs"], lambda p=path: session.get(url + p, timeout=300).status_code == 200)
                out(f"    {size:,} 件 {name}: p50 {lat[name]['p50_ms']} ms, p95 {lat[name]['p95_ms']} ms")
            res["latency"][str(size)] = lat
    res["petitions"] = Petition.objects.count()
    res["import"] = bench_import(ref, config["import_rows"], out)
    res["profile"] = profile_slowest(ref, res, out)
    res["sweep"] = bench_sweep(ref, out, timeout=config.get("sweep_timeout", 240))
    return res


def bench_import(ref: dict, rows: int, out) -> dict:
    """Generate a legacy register of `rows` rows and run the command's path (dry run + all-or-nothing import)."""
    from xinfang.benchmarks import legacy
    from xinfang.org.models import Region, Unit, User
    from xinfang.petitions.models import Category
    from xinfang.transfer import services
    from xinfang.transfer.models import JobStatus

    cats = list(Category.objects.filter(pk__in=ref["cats"]).values_list("name", flat=True))
    places = list(Region.objects.filter(pk__in=ref["places"]).values_list("code", flat=True))
    units = list(Unit.objects.filter(pk__in=ref["units"]).values_list("name", flat=True))
    data = legacy.to_csv(legacy.register_rows(rows, categories=cats, regions=places, units=units, prefix="基准"))
    actor = User.objects.get(username="bench-office")
    out(f"  导入历史台账：{rows:,} 行 …")
    t = time.perf_counter()
    job = services.import_job_create(actor=actor, source=f"基准台账{time.time():.0f}", filename="bench.csv", data=data)
    services.import_job_set_mapping(actor=actor, job_id=job.pk, mapping=job.mapping)
    job = services.import_job_validate(job_id=job.pk)
    validate_s = time.perf_counter() - t
    if job.status == JobStatus.VALIDATED:
        services.import_job_start(actor=actor, job_id=job.pk)
        job = services.import_job_run(job_id=job.pk)
    secs = time.perf_counter() - t
    result = {
        "rows": rows,
        "status": job.status,
        "message": job.message,
        "validate_seconds": round(validate_s, 1),
        "seconds": round(secs, 1),
        "rows_per_second": round(rows / secs, 1),
    }
    out(f"    {result}")
    return result


def profile_slowest(ref: dict, res: dict, out) -> dict:
    """pyinstrument over the slowest API path measured (in-process, Django test client)."""
    from django.test import Client
    from pyinstrument import Profiler

    from xinfang.org.models import User

    worst = None
    for size, lat in res["latency"].items():
        for name, r in lat.items():
            if worst is None or r.get("p50_ms", 0) > worst[2]:
                worst = (size, name, r.get("p50_ms", 0))
    if worst is None:
        return {}
    paths = {
        "列表 /petitions/": "/api/v1/petitions/",
        "待办 bucket=in_progress": "/api/v1/petitions/?bucket=in_progress",
        "待办 bucket=overdue": "/api/v1/petitions/?bucket=overdue",
        "筛选 status+category": "/api/v1/petitions/?status=evaluated&category=b-cat-3",
        "搜索 q=工资": "/api/v1/petitions/?q=%E5%B7%A5%E8%B5%84",
    }
    path = paths.get(worst[1])
    if path is None and worst[1].startswith("KPI"):
        from django.utils import timezone

        today = timezone.localdate()
        path = f"/api/v1/stats/kpis/?start={(today - timedelta(days=364)).isoformat()}&end={today.isoformat()}"
    if path is None:
        return {"slowest": worst[1]}
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username="bench-office"))
    profiler = Profiler()
    profiler.start()
    client.get(path)
    profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    target = base_dir() / "var" / "bench-profile.txt"
    target.write_text(text)
    out(f"  最慢路径 {worst[1]}（{worst[0]} 件，p50 {worst[2]} ms）的 pyinstrument 报告：{target}")
    return {"slowest": worst[1], "size": worst[0], "p50_ms": worst[2], "report": str(target)}


def bench_sweep(ref: dict, out, *, timeout: int) -> dict:
    """Make every petition open (in progress, due times spread from 10 days ago to 200 days ahead), then run the sweep."""
    from django.db import connection
    from django.utils import timezone

    from xinfang.petitions.models import Petition

    total = Petition.objects.count()
    out(f"  超期提醒扫描：把 {total:,} 件设为在办 …")
    with connection.cursor() as c:
        c.execute(
            "UPDATE petitions_petition SET status = 'in_progress', handling_unit_id = COALESCE(handling_unit_id, %s), "
            "due_at = now() + (((id * 7919) %% 210) - 10) * interval '1 day' + ((id %% 1440) * interval '1 minute')",
            [ref["units"][0]],
        )
        c.execute("ANALYZE petitions_petition")
    overdue = Petition.objects.filter(due_at__lt=timezone.now()).count()
    manage = str(base_dir() / "manage.py")
    t = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, manage, "sweep_reminders"], capture_output=True, text=True, timeout=timeout, cwd=base_dir())
    except subprocess.TimeoutExpired:
        from xinfang.supervision.models import ReminderMark

        marks = ReminderMark.objects.count()
        out(f"    扫描超过 {timeout} 秒，已停止；期间发出提醒 {marks} 条")
        return {
            "open": total,
            "overdue": overdue,
            "timeout_seconds": timeout,
            "reminders_in_window": marks,
            "reminders_per_second": round(marks / timeout, 1),
        }
    secs = round(time.perf_counter() - t, 1)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    result = {"open": total, "overdue": overdue, "seconds": secs, "returncode": proc.returncode, "output": lines[-1] if lines else ""}
    if proc.returncode:
        result["stderr"] = proc.stderr[-500:]
    out(f"    {result}")
    return result


def inside_sqlite(config: dict, out) -> dict:
    from django.test import Client

    from xinfang.benchmarks.load import sequential
    from xinfang.org.models import User
    from xinfang.petitions.models import Petition

    ref = reference()
    size = config["sqlite_size"]
    secs = load_to(ref, size, out, total=size)
    from django.contrib.auth.models import Group

    from xinfang.org.models import Role, Unit, UnitKind

    office = Unit.objects.get(pk=ref["office"])
    Unit.objects.get_or_create(code="b-school-1", defaults={"name": "基准县第一中学", "kind": UnitKind.SCHOOL, "region": office.region})
    user = User.objects.get(username="bench-office")
    user.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])  # office + admin: every main page opens
    user = User.objects.get(pk=user.pk)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
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
    results = {}
    for name, path in pages.items():
        status = {}

        def call(p=path, status=status):
            r = client.get(p)
            if hasattr(r, "streaming_content"):
                for _ in r.streaming_content:
                    pass
            status["code"] = r.status_code
            return r.status_code == 200

        runs = 2 if "导出" in name else config["runs"] // 2 or 1
        results[name] = sequential(runs, call) | {"status": status.get("code")}
        out(f"    SQLite {size:,} 件 {name}: p50 {results[name]['p50_ms']} ms（HTTP {status.get('code')}）")
    return {"petitions": Petition.objects.count(), "load_seconds": secs, "pages": results}
