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


@contextmanager
def gunicorn(base_dir: Path, env: dict, *, workers: int = 2, log_path: Path | None = None):
    """gunicorn serving xinfang.wsgi on a free 127.0.0.1 port; yields the base URL; stopped (TERM, then KILL) after."""
    import requests

    port = free_port()
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed below
    cmd = [sys.executable, "-m", "gunicorn", "xinfang.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", "120"]
    proc = subprocess.Popen(cmd, cwd=base_dir, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn 启动失败（退出码 {proc.returncode}），见 {log_path}")
            try:
                requests.get(url + "/healthz", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn 60 秒内未就绪") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
