"""`manage.py bench`: the benchmark (issues 9 and 17).

The outer run never touches the database it was started with: it (re)creates the PostgreSQL database `xf_bench` and
the SQLite file var/bench.sqlite3, migrates them, and runs itself again inside each (`--inside pg|sqlite`,
DATABASE_URL pointing there). Each inner run writes its part as JSON; the outer run prints one table and writes
var/bench.json.

Every figure is printed beside a reference measured in the same run and its target, because the machine is shared
and absolute times are noisy: registration beside pgbench's raw single-row INSERT TPS; pages beside an HTTP
`/healthz`, a `SELECT 1` and an indexed lookup; each with the CPU it cost per request, read from /proc (utime + stime
of the gunicorn workers and of the PostgreSQL backends serving them), and the load average at the time. Query counts
and EXPLAIN (ANALYZE, BUFFERS) of the slowest query of each path at the largest size go to var/bench-explain.txt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

from django.conf import settings

from xinfang.benchmarks import legacy
from xinfang.benchmarks.report import TARGETS, table

FULL = {"requests": 2000, "clients": 16, "sizes": [100_000, 1_000_000], "sqlite_size": 50_000, "import_rows": 20_000, "runs": 20}
QUICK = {"requests": 48, "clients": 4, "sizes": [1_500, 3_000], "sqlite_size": 600, "import_rows": 300, "runs": 3}
BENCH_PASSWORD = "bench-only-password"
PROD_SECRET = "bench-" + "k" * 60


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
    """The inner run's environment. It and the gunicorn it starts (production settings) share one set of bench keys,
    so what one encrypts, hashes or seals the other reads (searching a phone the server registered, for one)."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL", "DATABASE_REPLICA_URL")}
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "xinfang.settings.local", "DEBUG": "0", "PYTHONUNBUFFERED": "1"})
    env.setdefault("XINFANG_FIELD_KEYS", Fernet.generate_key().decode())
    env.setdefault("XINFANG_HASH_KEY", "bench-hash-" + os.urandom(16).hex())
    env.setdefault("XINFANG_CHAIN_KEY", "bench-chain-" + os.urandom(16).hex())
    return env


def outer(options, out) -> dict:
    sizes = dict(QUICK if options["quick"] else FULL)
    for key in ("requests", "clients", "sqlite_size", "import_rows", "runs"):
        if options.get(key):
            sizes[key] = options[key]
    if options.get("sizes"):
        sizes["sizes"] = [int(x) for x in str(options["sizes"]).split(",") if x.strip()]
    sizes["only"] = [p for p in (options.get("only") or "").split(",") if p]
    var = base_dir() / "var"
    var.mkdir(exist_ok=True)
    path = Path(options.get("output") or var / "bench.json")
    work = path.parent  # the SQLite file and the part results go next to the output
    manage = str(base_dir() / "manage.py")
    results: dict = {
        "quick": bool(options["quick"]),
        "config": sizes,
        "targets": TARGETS,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average_start": _loadavg()},
    }
    started = time.perf_counter()
    parts = [p for p in ("pg", "sqlite") if p not in (options.get("skip") or "").split(",")]
    for part in parts:
        if part == "pg":
            url = pg_url(options)
            if options.get("reuse"):
                out(f"== PostgreSQL：沿用 {urlparse(url).path.lstrip('/')}（只迁移，已有的数据保留）…")
            else:
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
    results["machine"]["load_average_end"] = _loadavg()
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    for line in table(results):
        out(line)
    out(f"结果已写入 {path}（用时 {results['total_seconds']} 秒）")
    return results


def _loadavg() -> list[float]:
    from xinfang.benchmarks.load import load_average

    return load_average()


# =========================================================================================
# Inner runs: shared pieces
# =========================================================================================


def reference():
    """Reference data (xinfang.benchmarks.data), plus API users (clerk + office) with tokens, one per client, and the
    office's leading-group head (who receives the office's escalations, as in a real office)."""
    from django.contrib.auth.models import Group

    from xinfang.api.tokens import issue_token
    from xinfang.benchmarks import data
    from xinfang.org.models import LeadingGroupMember, Role, Unit, User

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
    head = ref["user"]
    LeadingGroupMember.objects.get_or_create(
        unit=office, position=LeadingGroupMember.Position.HEAD, defaults={"user": head, "name": head.display_name}
    )
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


def _prod_env() -> dict:
    """gunicorn's environment: production settings with the inner run's bench keys (set by `_env`)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "xinfang.settings.production",
            "SECRET_KEY": PROD_SECRET,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DB_CONN_MAX_AGE": "600",
            "XINFANG_FIELD_KEYS": ",".join(settings.XINFANG_FIELD_KEYS),
            "XINFANG_HASH_KEY": settings.XINFANG_HASH_KEY,
            "XINFANG_CHAIN_KEY": ",".join(settings.XINFANG_CHAIN_KEYS),
            "XINFANG_DEMO": "0",
        }
    )
    return env


def _session_cookie(user) -> str:
    """A logged-in session for `user` that the gunicorn (production settings, PROD_SECRET) accepts."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test.utils import override_settings

    with override_settings(SECRET_KEY=PROD_SECRET):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        # The backend that loads users (axes's, listed first, only checks lockouts and has no get_user).
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(12 * 3600)
        store.save()
        return store.session_key


def _dsn() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = (":" + db["PASSWORD"]) if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# =========================================================================================
# PostgreSQL
# =========================================================================================


def inside_pg(config: dict, out) -> dict:
    from xinfang.petitions.models import Petition

    only = set(config.get("only") or [])
    want = lambda part: not only or part in only  # noqa: E731
    ref = reference()
    res: dict = {"sizes": {}}
    log_path = base_dir() / "var" / "bench-gunicorn.log"
    explain_path = base_dir() / "var" / "bench-explain.txt"
    explain_path.write_text("")
    if want("registration"):
        res["registration"] = bench_registration(ref, config, out, log_path)
    largest = max(config["sizes"])
    for size in config["sizes"]:
        block: dict = {"load_seconds": load_to(ref, size, out, total=largest)}
        block["summaries"] = bench_summaries(out)
        if want("pages"):
            block.update(bench_pages(ref, config, out, log_path, size=size, largest=size == largest, explain_path=explain_path))
        res["sizes"][str(size)] = block
    res["petitions"] = Petition.objects.count()
    if want("import") and config.get("import_rows"):
        res["import"] = legacy.bench_import(ref, config["import_rows"], out)
    if want("sweep"):
        res["sweep"] = bench_sweep(ref, out, timeout=config.get("sweep_timeout", 240))
    return res


# The broker of the run with a Celery worker: a Redis database of the bench's own, emptied first.
BENCH_BROKER = "redis://127.0.0.1:6379/12"
WORKER_APP_NAME = "xf-bench-celery"  # the worker's PostgreSQL connections are named so (PGAPPNAME), to count apart


def bench_registration(ref: dict, config: dict, out, log_path: Path) -> dict:
    """POST /api/v1/petitions/ over HTTP (16 clients) with 2 and 8 workers, and with 2 workers handing the petitioner's
    message to a Celery worker (a Redis broker, when one runs here); pgbench's raw INSERT in the same run."""
    from xinfang.benchmarks.load import pgbench_insert_tps, redis_up

    dsn = _dsn()
    n = config["requests"]
    bodies = [registration_body(i, ref) for i in range(n)]
    result: dict = {"http": {}}
    out("  pgbench：单行 INSERT（-c16 -j2）…")
    result["pgbench"] = pgbench_insert_tps(
        dsn, seconds=5 if config["requests"] < 500 else 10, body=json.dumps(bodies[0], ensure_ascii=False)
    )
    out(f"    {result['pgbench']}")
    tps = result["pgbench"].get("tps")
    for workers in (2, 8):
        out(f"  登记（{workers} 进程）：{n} 次 POST，{config['clients']} 个并发客户端 …")
        r = _registration_run(ref, config, bodies, dsn, log_path, workers=workers, tps=tps)
        result["http"][str(workers)] = r
        out(f"    {r}")
    if redis_up():
        out(f"  登记（2 进程 + 1 个 Celery 短信进程）：{n} 次 POST …")
        result["celery"] = _registration_run(ref, config, bodies, dsn, log_path, workers=2, tps=tps, celery=True)
        out(f"    {result['celery']}")
    else:
        out("  （Redis 127.0.0.1:6379 未运行：略过 Celery 短信进程一轮）")
    result["counter_hold"] = counter_hold(ref)
    result["queries"] = registration_queries(ref)
    out(f"    计数器持有 {result['counter_hold']}，每次登记 {result['queries']} 条查询")
    return result


def _registration_run(ref, config, bodies, dsn, log_path, *, workers: int, tps, celery: bool = False) -> dict:
    """One timed run. With celery, gunicorn only publishes each message and one solo worker plans and sends it; its CPU
    (the process and its named backends) is counted apart, per message, until the last message is sent."""
    import contextlib

    import requests

    from xinfang.benchmarks.load import CpuMeter, LockWaitSampler, celery_worker, gunicorn, run_clients

    n, clients = config["requests"], config["clients"]
    env = _prod_env()
    stack = contextlib.ExitStack()
    worker_pid = None
    if celery:
        import redis

        redis.Redis.from_url(BENCH_BROKER).flushdb()
        env |= {"CELERY_BROKER_URL": BENCH_BROKER, "CELERY_RESULT_BACKEND": BENCH_BROKER}
        worker_pid = stack.enter_context(celery_worker(base_dir(), env | {"PGAPPNAME": WORKER_APP_NAME}, log_path=log_path))
    with stack, gunicorn(base_dir(), env, workers=workers, log_path=log_path) as server:
        sent = {"next": iter(range(10**9))}

        def http_worker(i, url=server.url, sent=sent):
            s = requests.Session()
            s.headers["Authorization"] = f"Token {ref['tokens'][i % len(ref['tokens'])]}"

            def call():
                r = s.post(url + "/api/v1/petitions/", json=bodies[next(sent["next"]) % n], timeout=60)
                return r.status_code == 201

            return call

        from xinfang.messaging.models import PetitionerMessage

        told = PetitionerMessage.objects.filter(step="register").count
        before = told()
        warm = run_clients(min(4 * workers, n), min(workers, clients), http_worker)  # warm-up: every worker connected
        if celery:
            _messages_settled(before + warm["requests"] - warm["errors"], time.monotonic() + 120)
        before = told()
        sent["next"] = iter(range(10**9))
        meter = CpuMeter(master_pid=server.pid, dsn=dsn, besides=WORKER_APP_NAME)
        worker_meter = CpuMeter(master_pid=worker_pid, dsn=dsn, alone=True, application=WORKER_APP_NAME) if celery else None
        meter.start()
        if worker_meter:
            worker_meter.start()
        started = time.monotonic()
        with LockWaitSampler(dsn) as waits:
            r = run_clients(n, clients, http_worker)
        r |= meter.stop(n) | waits.summary()
        if worker_meter:
            settled = _messages_settled(before + r["requests"] - r["errors"], time.monotonic() + 600)
            r["messages_settled_s"] = round(settled - started, 1)
            worker = worker_meter.stop(n)
            r["worker_cpu_ms_per_message"] = worker["cpu_ms_per_request"]
            r["worker_app_cpu_ms"], r["worker_db_cpu_ms"] = worker["app_cpu_ms_per_request"], worker["db_cpu_ms_per_request"]
    r["share_of_raw_pct"] = round(100 * r["rps"] / tps, 2) if tps else None
    return r


def _messages_settled(expected: int, deadline: float) -> float:
    """Wait until `expected` registrations have their message and none waits for its first try (the worker has caught
    up); returns the time."""
    from xinfang.messaging.models import MessageStatus, PetitionerMessage

    while time.monotonic() < deadline:
        told = PetitionerMessage.objects.filter(step="register").count()
        if told >= expected and not PetitionerMessage.objects.filter(status=MessageStatus.QUEUED).exists():
            return time.monotonic()
        time.sleep(0.2)
    raise RuntimeError("Celery 短信进程未在时限内处理完")


def counter_hold(ref: dict, n: int = 40) -> dict:
    """How long the counter row stays locked: from the start of its UPDATE to the end of the commit (in-process).
    The end is taken by the first after-commit callback, registered before the service's own (the petitioner's
    message is sent after the commit, outside the lock). `number_held` is the longer wait a registration of the same
    office can meet: from the start of the statement that writes the petition with its number (the number's unique
    key makes another registration trying the same number wait on it) to the end of the commit."""
    from django.db import connection, transaction

    from xinfang.benchmarks.load import percentiles
    from xinfang.org.models import Region, User
    from xinfang.petitions.models import Category, Petition, RegistrationCounter
    from xinfang.petitions.services import petition_register

    table, petitions = RegistrationCounter._meta.db_table, f'INSERT INTO "{Petition._meta.db_table}"'
    started: list[float] = []
    written: list[float] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith(f"UPDATE {table}"):
            started.append(time.perf_counter())
        elif petitions in sql:
            written.append(time.perf_counter())
        return execute(sql, params, many, context)

    actor = User.objects.get(username="bench-clerk-0")
    category = Category.objects.get(pk=ref["cats"][0])
    region = Region.objects.get(pk=ref["places"][0])
    held: list[float] = []
    number: list[float] = []
    committed: list[float] = []
    with connection.execute_wrapper(watch):
        for i in range(n):
            body = registration_body(i, ref)
            for key in ("category", "region"):
                body.pop(key)
            with transaction.atomic():
                transaction.on_commit(lambda: committed.append(time.perf_counter()))
                petition_register(actor=actor, category=category, region=region, **body)
            held.append((committed[-1] - started[-1]) * 1000)
            number.append((committed[-1] - min(written[-1], started[-1])) * 1000)  # SQLite takes the number first
    return {**percentiles(held), "number_held": percentiles(number)}


def registration_queries(ref: dict) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {ref['tokens'][1]}")
    client.post("/api/v1/petitions/", data=json.dumps(registration_body(1, ref)), content_type="application/json")
    with CaptureQueriesContext(connection) as ctx:
        client.post("/api/v1/petitions/", data=json.dumps(registration_body(2, ref)), content_type="application/json")
    return len(ctx.captured_queries)


def bench_summaries(out) -> dict:
    from xinfang.stats import summaries

    t = time.perf_counter()
    days = summaries.refresh(everything=True)
    secs = round(time.perf_counter() - t, 1)
    out(f"  统计汇总重建：{days} 个登记日，{secs} 秒")
    return {"days": days, "seconds": secs}


def _paths(ref: dict, *, size: int, largest: bool) -> list[tuple[str, str, str, str]]:
    """(name, path, kind, target) of every measured page: lists at page 1 and deep, searches, the petition, KPIs."""
    from django.utils import timezone

    from xinfang.org.models import User
    from xinfang.petitions import selectors
    from xinfang.petitions.models import Petition, Petitioner

    today = timezone.localdate()
    year_ago = (today - timedelta(days=364)).isoformat()
    office = User.objects.get(username="bench-office")
    deep = selectors.petition_list(actor=office, filters={})[size // 2 : size // 2 + 1].first()
    cursor = selectors._cursor(selectors.ORDERINGS["registered"], deep, "next", 2) if deep else ""
    some = Petition.objects.order_by("-pk").values_list("reg_no", flat=True).first()
    person = Petitioner.objects.order_by("-pk").first()
    t_list, t_search, t_detail = (f"p95 ≤{TARGETS[k]:.0f} ms" for k in ("list_p95_ms", "search_p95_ms", "detail_p95_ms"))
    paths = [
        ("API 列表 第1页", "/api/v1/petitions/", "api", t_list),
        ("API 列表 深页（游标，第 50% 处）", f"/api/v1/petitions/?cursor={cursor}", "api", t_list),
        ("API 待办 bucket=in_progress", "/api/v1/petitions/?bucket=in_progress", "api", t_list),
        ("API 待办 bucket=overdue", "/api/v1/petitions/?bucket=overdue", "api", t_list),
        ("API 筛选 status+category", "/api/v1/petitions/?status=evaluated&category=b-cat-3", "api", t_list),
        ("API 搜索 q=工资（常见词）", "/api/v1/petitions/?q=" + quote("工资"), "api", t_search),
        ("API 搜索 q=危桥（少见词）", "/api/v1/petitions/?q=" + quote("危桥"), "api", t_search),
        ("API 搜索 q=征地补偿（四字）", "/api/v1/petitions/?q=" + quote("征地补偿"), "api", t_search),
        ("API 搜索 编号", "/api/v1/petitions/?q=" + quote(some or ""), "api", t_search),
        ("API 详情", f"/api/v1/petitions/{some}/", "api", t_detail),
        ("页面 待办 第1页", "/petitions/", "page", t_list),
        ("页面 待办 深页（游标）", f"/petitions/?cursor={cursor}", "page", t_list),
        ("页面 待办 超期", "/petitions/?bucket=overdue", "page", t_list),
        ("页面 搜索 q=工资", "/petitions/?q=" + quote("工资"), "page", t_search),
        ("页面 信访件", f"/petitions/{some}/", "page", t_detail),
    ]
    if person is not None:
        paths.insert(9, ("API 搜索 姓名", "/api/v1/petitions/?q=" + quote(person.name), "api", t_search))
        paths.insert(10, ("API 搜索 电话", "/api/v1/petitions/?q=" + quote(person.phone), "api", t_search))
    kpi_target = f"≤{TARGETS['kpi_year_10m_ms'] if size >= 10_000_000 else TARGETS['kpi_year_1m_ms']:.0f} ms" if size >= 1_000_000 else ""
    paths.append(("API KPI（一年）", f"/api/v1/stats/kpis/?start={year_ago}&end={today.isoformat()}", "api", kpi_target))
    if largest:
        dash_target = f"≤{TARGETS['dashboard_10m_ms']:.0f} ms" if size >= 10_000_000 else ""
        paths.append(("页面 统计 本年", "/stats/", "page", dash_target))
    return paths


WARM_REQUESTS = 4  # twice the bench server's workers


def bench_pages(ref: dict, config: dict, out, log_path: Path, *, size: int, largest: bool, explain_path: Path) -> dict:
    """Every page and API path at this size, over HTTP (gunicorn, 2 workers), with references, CPU, query counts."""
    import psycopg
    import requests

    from xinfang.benchmarks.load import CpuMeter, gunicorn, sequential
    from xinfang.org.models import User
    from xinfang.petitions.models import Petition

    dsn, runs = _dsn(), config["runs"]
    office = User.objects.get(username="bench-office")
    paths = _paths(ref, size=size, largest=largest)
    counts = query_counts(ref, paths, explain_path=explain_path if largest else None, size=size)
    block: dict = {"paths": {}}
    with gunicorn(base_dir(), _prod_env(), workers=2, log_path=log_path) as server:
        api, page = requests.Session(), requests.Session()
        api.headers["Authorization"] = f"Token {ref['tokens'][0]}"
        page.headers["Cookie"] = f"sessionid={_session_cookie(office)}"

        def measure(session, path):
            # Warm every worker: each compiles a page's templates on its first render (Django's cached loader is
            # per process), which a long-running server pays once, not per request.
            for _ in range(WARM_REQUESTS):
                session.get(server.url + path, timeout=300)
            meter = CpuMeter(master_pid=server.pid, dsn=dsn)
            meter.start()
            r = sequential(runs, lambda: session.get(server.url + path, timeout=300).status_code == 200)
            return r | meter.stop(runs)

        reference = {"healthz": measure(api, "/healthz")}
        some = Petition.objects.order_by("-pk").values_list("reg_no", flat=True).first()
        with psycopg.connect(dsn, autocommit=True) as conn:
            reference["select1_ms"] = _best_of(lambda: conn.execute("SELECT 1").fetchone(), runs)
            reference["lookup_ms"] = _best_of(
                lambda: conn.execute("SELECT * FROM petitions_petition WHERE reg_no = %s", [some]).fetchone(), runs
            )
        block["reference"] = reference
        out(
            f"    {size:,} 件 参照：/healthz p95 {reference['healthz']['p95_ms']} ms，SELECT 1 {reference['select1_ms']} ms，索引查一行 {reference['lookup_ms']} ms"
        )
        for name, path, kind, target in paths:
            r = measure(api if kind == "api" else page, path)
            r["target"] = target
            r["queries"] = counts.get(name)
            r["x_healthz_p95"] = round(r["p95_ms"] / max(reference["healthz"]["p95_ms"], 0.1), 1)
            block["paths"][name] = r
            out(
                f"    {size:,} 件 {name}: p50 {r['p50_ms']} / p95 {r['p95_ms']} ms，CPU {r['cpu_ms_per_request']} ms/次，{r['queries']} 条查询"
            )
    return block


def _best_of(fn, runs: int) -> float:
    """Median milliseconds of `fn` over `runs` calls."""
    import statistics

    times = []
    for _ in range(max(runs, 3)):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def query_counts(ref: dict, paths, *, explain_path: Path | None, size: int) -> dict:
    """In-process: the queries of each path; at the largest size, EXPLAIN (ANALYZE, BUFFERS) of each path's slowest."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from xinfang.org.models import User

    counts = {}
    with override_settings(AXES_ENABLED=False):
        api = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {ref['tokens'][2]}")
        page = Client(SERVER_NAME="127.0.0.1")
        page.force_login(User.objects.get(username="bench-office"))
        for name, path, kind, _target in paths:
            client = api if kind == "api" else page
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            counts[name] = len(ctx.captured_queries)
            if explain_path is None:
                continue
            slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
            if slowest is None or not slowest["sql"].lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                plan = "\n".join(r[0] for r in cursor.fetchall())
            with explain_path.open("a") as fh:
                fh.write(
                    f"==== {name}  ({size:,} 件；{len(ctx.captured_queries)} 条查询，最慢一条 {slowest['time']} s)\n{slowest['sql'][:2000]}\n\n{plan}\n\n"
                )
    return counts


def bench_sweep(ref: dict, out, *, timeout: int) -> dict:
    """Make every petition open (in progress, due times spread from 10 days ago to 200 days ahead), then run the sweep
    twice: the first claims the backlog, the second only what is newly reached (nothing, a moment later)."""
    from django.db import connection
    from django.utils import timezone

    from xinfang.benchmarks.load import load_average
    from xinfang.petitions.models import Petition
    from xinfang.supervision.models import ReminderMark

    total = Petition.objects.count()
    out(f"  超期提醒扫描：把 {total:,} 件设为在办 …")
    with connection.cursor() as c:
        c.execute(
            "UPDATE petitions_petition SET status = 'in_progress', handling_unit_id = COALESCE(handling_unit_id, %s), paused_at = NULL, "
            "due_at = now() + (((id * 7919) %% 210) - 10) * interval '1 day' + ((id %% 1440) * interval '1 minute')",
            [ref["units"][0]],
        )
        c.execute("ANALYZE petitions_petition")
    overdue = Petition.objects.filter(due_at__lt=timezone.now()).count()
    manage = str(base_dir() / "manage.py")
    result: dict = {"open": total, "overdue": overdue}
    for run in ("first", "second"):
        before = ReminderMark.objects.count()
        la = load_average()
        t = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, manage, "sweep_reminders"], capture_output=True, text=True, timeout=timeout, cwd=base_dir()
            )
        except subprocess.TimeoutExpired:
            marks = ReminderMark.objects.count() - before
            result[run] = {"timeout_seconds": timeout, "reminders": marks, "reminders_per_second": round(marks / timeout, 1)}
            out(f"    {run}: 超过 {timeout} 秒，已停止；期间提醒 {marks} 条")
            break
        secs = round(time.perf_counter() - t, 1)
        marks = ReminderMark.objects.count() - before
        result[run] = {
            "seconds": secs,
            "reminders": marks,
            "reminders_per_second": round(marks / secs, 1) if secs else None,
            "returncode": proc.returncode,
            "output": (proc.stdout.strip().splitlines() or [""])[-1],
            "load_average": [la, load_average()],
        }
        if proc.returncode:
            result[run]["stderr"] = proc.stderr[-500:]
        out(f"    {run}: {result[run]}")
    return result


# =========================================================================================
# SQLite
# =========================================================================================
