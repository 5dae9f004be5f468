"""Load-generation helpers for the benchmark: percentiles, a threaded HTTP client, gunicorn, raw inserts."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def percentiles(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"n": 0}
    s = sorted(samples_ms)

    def pct(p):
        k = max(0, min(len(s) - 1, int(round(p / 100 * (len(s) - 1)))))
        return round(s[k], 1)

    return {"n": len(s), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "mean_ms": round(statistics.fmean(s), 1)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextmanager
def gunicorn(base_dir: Path, env: dict, *, workers: int = 2, log_path: Path | None = None):
    """gunicorn (sync workers) serving xinfang.wsgi on a free 127.0.0.1 port; yields Server(url, master pid); stopped
    (TERM, then KILL) after."""
    import requests

    port = free_port()
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed below
    # --preload: the app is imported once and the workers forked from it (8 workers boot in seconds on 2 busy cores).
    cmd = [sys.executable, "-m", "gunicorn", "xinfang.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", "120", "--preload"]
    proc = subprocess.Popen(cmd, cwd=base_dir, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn 启动失败（退出码 {proc.returncode}），见 {log_path}")
            try:
                requests.get(url + "/healthz", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn 180 秒内未就绪") from None
                time.sleep(0.3)
        yield Server(url, proc.pid)
    finally:
        _stop(proc)
        log.close()


@contextmanager
def celery_worker(base_dir: Path, env: dict, *, log_path: Path | None = None):
    """One Celery worker (solo pool: one process, like one sync gunicorn worker) on env's broker; yields its pid once
    it says it is ready; stopped (TERM, then KILL) after."""
    log_path = log_path or Path(os.devnull)
    start = log_path.stat().st_size if log_path.exists() else 0
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    cmd = [sys.executable, "-m", "celery", "-A", "xinfang", "worker", "--pool", "solo", "--without-gossip", "--without-mingle"]
    proc = subprocess.Popen([*cmd, "--without-heartbeat", "-l", "INFO"], cwd=base_dir, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while b" ready." not in (log_path.read_bytes()[start:] if log_path != Path(os.devnull) else b" ready."):
            if proc.poll() is not None:
                raise RuntimeError(f"Celery worker 启动失败（退出码 {proc.returncode}），见 {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError("Celery worker 120 秒内未就绪")
            time.sleep(0.3)
        yield proc.pid
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """TERM, then KILL after 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis server answers here (the bench's Celery round and the broker tests run only then)."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def run_clients(total: int, clients: int, make_worker) -> dict:
    """Run `total` calls split over `clients` threads. make_worker(i) -> callable() returning True on success.

    Returns {requests, clients, seconds, rps, errors, p50_ms, p95_ms, p99_ms, mean_ms}.
    """
    lock = threading.Lock()
    remaining = [total]
    times: list[float] = []
    errors = [0]
    barrier = threading.Barrier(clients + 1)

    def loop(i):
        call = make_worker(i)
        barrier.wait()
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            t = time.perf_counter()
            try:
                ok = call()
            except Exception:  # noqa: BLE001 - every failure counts as an error
                ok = False
            dt = (time.perf_counter() - t) * 1000
            with lock:
                times.append(dt)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for th in threads:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - start
    return {
        "requests": total,
        "clients": clients,
        "seconds": round(seconds, 2),
        "rps": round(total / seconds, 1),
        "errors": errors[0],
    } | percentiles(times)


def sequential(n: int, call) -> dict:
    times, errors = [], 0
    for _ in range(n):
        t = time.perf_counter()
        ok = call()
        times.append((time.perf_counter() - t) * 1000)
        errors += 0 if ok else 1
    return percentiles(times) | {"errors": errors}


# ---- machine-noise-proof figures: CPU from /proc, the load average, pgbench as the same-run reference ----

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu_seconds(pids) -> dict[int, float]:
    """utime + stime of each live process (seconds, from /proc/<pid>/stat); a process gone is left out."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def load_average() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(x) for x in fh.read().split()[:3]]


class CpuMeter:
    """CPU seconds spent by a set of processes between start() and stop(): gunicorn's workers (children of the master)
    and the PostgreSQL backends serving them (every backend of the database but the meter's own)."""

    def __init__(self, *, master_pid: int | None, dsn: str | None, alone: bool = False, application: str = "", besides: str = ""):
        """alone: the process itself does the work (a Celery solo worker), not its children. application / besides:
        only the backends whose application_name is / is not this (the worker's connections are named, PGAPPNAME)."""
        self.master_pid, self.dsn, self.alone = master_pid, dsn, alone
        self.application, self.besides = application, besides

    def _pids(self) -> tuple[list[int], list[int]]:
        workers = ([self.master_pid] if self.alone else child_pids(self.master_pid)) if self.master_pid else []
        backends: list[int] = []
        if self.dsn:
            import psycopg

            sql = (
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
            params: list[str] = []
            if self.application:
                sql, params = sql + " AND application_name = %s", [self.application]
            elif self.besides:
                sql, params = sql + " AND application_name <> %s", [self.besides]
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                rows = conn.execute(sql, params).fetchall()
            backends = [r[0] for r in rows]
        return workers, backends

    def start(self) -> None:
        self.workers, self.backends = self._pids()
        self.before = proc_cpu_seconds(self.workers + self.backends)
        self.load_before = load_average()

    def stop(self, requests: int) -> dict:
        workers, backends = self._pids()
        after = proc_cpu_seconds(set(workers + backends) | set(self.before))
        # Only processes seen at both ends are counted (persistent connections: the same backends serve the run).
        app = sum(after[p] - self.before[p] for p in self.workers if p in after and p in self.before)
        db = sum(after[p] - self.before[p] for p in self.backends if p in after and p in self.before)
        n = max(requests, 1)
        return {
            "cpu_ms_per_request": round((app + db) * 1000 / n, 2),
            "app_cpu_ms_per_request": round(app * 1000 / n, 2),
            "db_cpu_ms_per_request": round(db * 1000 / n, 2),
            "load_average": [self.load_before, load_average()],
        }


def pgbench_insert_tps(dsn: str, *, clients: int = 16, threads: int = 2, seconds: int = 10, body: str = "{}") -> dict:
    """Raw single-row INSERT TPS measured by pgbench in the same run (the reference for registration)."""
    import tempfile

    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_raw_petition (id bigserial PRIMARY KEY, received_at timestamptz, body jsonb)")
    literal = body.replace("'", "''")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(f"INSERT INTO bench_raw_petition (received_at, body) VALUES (now(), '{literal}');\n")
        script = fh.name
    try:
        proc = subprocess.run(
            ["pgbench", "-n", "-c", str(clients), "-j", str(threads), "-T", str(seconds), "-f", script, dsn],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    finally:
        os.unlink(script)
    tps = None
    for line in proc.stdout.splitlines():
        if line.startswith("tps = "):
            tps = float(line.split()[2])
    return {
        "tps": tps,
        "clients": clients,
        "threads": threads,
        "seconds": seconds,
        "returncode": proc.returncode,
        "load_average": load_average(),
    }


class LockWaitSampler:
    """Samples pg_stat_activity every `interval` s while a run goes: how many backends wait on a lock (the counter row)."""

    def __init__(self, dsn: str, interval: float = 0.05):
        self.dsn, self.interval, self.samples = dsn, interval, []
        self._stop = threading.Event()

    def __enter__(self):
        def run():
            import psycopg

            with psycopg.connect(self.dsn, autocommit=True) as conn:
                while not self._stop.is_set():
                    row = conn.execute(
                        "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FILTER (WHERE state = 'active') "
                        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ).fetchone()
                    self.samples.append(row)
                    time.sleep(self.interval)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def summary(self) -> dict:
        if not self.samples:
            return {"samples": 0}
        n = len(self.samples)
        return {
            "samples": n,
            "mean_waiting_on_lock": round(sum(s[0] for s in self.samples) / n, 2),
            "mean_active": round(sum(s[1] for s in self.samples) / n, 2),
        }
