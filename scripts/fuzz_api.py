#!/usr/bin/env python
"""Schemathesis against a served instance: the OpenAPI schema is the contract.

    .venv/bin/python scripts/fuzz_api.py                  # every role below, defaults
    .venv/bin/python scripts/fuzz_api.py --roles clerk --examples 10 --keep

A fresh SQLite file gets the migrations, the cache table and the demo county; gunicorn (2 workers,
DEBUG off) serves it on a free loopback port; each role signs in with its demo login and runs
schemathesis (fixed seed, bounded examples per operation) with the checks that make the contract:
no 5xx, only documented status codes, documented content types, bodies that match the schema.
Prints cases and failures per role and exits 1 on any failure. No pytest needed.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = ["anonymous", "admin", "clerk", "office", "leader", "unit_handler", "supervisor", "viewer"]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
DEMO_PASSWORD = "demo12345"
PROBE = """
import json
from xinfang.org.models import User
from xinfang.petitions.models import Petition
unit = User.objects.get(username="unit_handler").unit
p = Petition.objects.filter(handling_unit=unit).order_by("pk").first() or Petition.objects.order_by("pk").first()
print(json.dumps({"reg_no": p.reg_no}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": DEMO_PASSWORD}).encode()
    req = urllib.request.Request(f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["token"]


def summarise(report: Path) -> tuple[int, int, list[str]]:
    """(cases, failures, one line per distinct failure) from schemathesis' NDJSON event stream."""
    cases = failures = 0
    distinct: dict[str, int] = {}
    for raw in report.read_text(encoding="utf-8").splitlines():
        finished = json.loads(raw).get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        cases += len(recorder.get("cases") or {})
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if str(check.get("status")).lower() == "failure":
                    failures += 1
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    detail = (info.get("message") or "").replace("\n", " ")[:160]
                    key = f"{recorder.get('label', '')}: {check.get('name')}: {info.get('title', '')} {detail}"
                    distinct[key] = distinct.get(key, 0) + 1
    return cases, failures, [f"{n}× {key}" for key, n in sorted(distinct.items())]


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out (finally below)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated demo logins, 'anonymous' for none")
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "3")), help="max examples per operation")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "16")))
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("FUZZ_TIMEOUT", "600")), help="seconds per role at most")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (database, reports)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xf-fuzz-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings.local",
        "DEBUG": "0",
        "XINFANG_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{work / 'fuzz.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "XINFANG_OUTBOX_DIR": str(work / "outbox"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)  # the database cache: the same one every worker sees
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    print(f"== fuzz: preparing {work}", flush=True)
    for cmd in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["load_demo", "--petitions", "40"]):
        subprocess.run(manage + cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    # Real identifiers, so cases reach the views' logic instead of stopping at 404 (a petition the
    # unit handler, the office and the leader all see; id 1 exists for most other records).
    probe = subprocess.run(manage + ["shell", "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    known = json.loads(probe.stdout.strip().splitlines()[-1])
    config = work / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.reg_no" = "{known["reg_no"]}"\n"path.id" = 1\n', encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "xinfang.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    totals: dict[str, tuple[int, int]] = {}
    details: list[str] = []
    try:
        wait_for(f"{base}/api/v1/schema/?format=json")
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]
        # every token first: the anonymous run spends the token endpoint's rate limit on purpose
        tokens = {role: token(base, role) for role in roles if role != "anonymous"}
        for role in roles:
            headers = [] if role == "anonymous" else ["-H", f"Authorization: Token {tokens[role]}"]
            report = work / f"{role}.ndjson"
            cmd = [
                str(BIN / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{base}/api/v1/schema/?format=json",
                "--url",
                base,  # the schema's paths start with /api/v1/
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.examples),
                "--seed",
                str(args.seed),
                "--phases",
                args.phases,
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--no-shrink",
                # these end the caller's own token or other users' sessions: the rest of the run would be 401
                "--exclude-path-regex",
                "^/api/v1/auth/(logout|logout-all|users/)",
                "--continue-on-failure",
                "--suppress-health-check",
                "all",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
                "--output-truncate",
                "true",
                *headers,
            ]
            print(f"== fuzz: {role}", flush=True)
            try:
                run = subprocess.run(
                    cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=args.timeout
                )
            except subprocess.TimeoutExpired:
                run = subprocess.CompletedProcess(cmd, 124, stdout=f"timed out after {args.timeout} s")
            (work / f"{role}.txt").write_text(run.stdout, encoding="utf-8")
            cases, failures, lines = summarise(report) if report.exists() else (0, 1, [f"no report: {run.stdout[-2000:]}"])
            if run.returncode not in (0, 1) and not failures:
                failures, lines = 1, [f"schemathesis exited {run.returncode}: {run.stdout[-2000:]}"]
            totals[role] = (cases, failures)
            details += [f"{role}: {line}" for line in lines]
            print(f"   {role}: {cases} cases, {failures} failures", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors_in_log = [line for line in (work / "gunicorn.log").read_text(encoding="utf-8").splitlines() if "Traceback" in line]
    print("\nrole            cases  failures")
    for role, (cases, failures) in totals.items():
        print(f"{role:<15} {cases:>5}  {failures:>8}")
    if details:
        print("\n" + "\n".join(details[:200]))
    failed = sum(f for _, f in totals.values())
    cases = sum(c for c, _ in totals.values())
    print(f"\n{cases} cases, {failed} failures, {len(errors_in_log)} tracebacks in the server log")
    print(f"fuzz: {max(cases - failed, 0)} passed, {failed + len(errors_in_log)} failed")
    if args.keep or failed:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed or errors_in_log else 0


if __name__ == "__main__":
    sys.exit(main())
