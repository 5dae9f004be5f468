"""`manage.py bench_chain [--petitions 1000000]`: verify_chain, checkpoint, backup and restore at scale (PostgreSQL).

Run inside a database of its own (its name must end in `bench`; it is dropped and re-created), e.g.
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/xf_chain_bench manage.py bench_chain`:

1. petitions from the benchmark generator (xinfang.benchmarks.data, COPY);
2. their chains: 1 event each, 3 for every third petition (sealed with each petition's state as loaded,
   the HMAC chain computed here exactly as record_event does, written with COPY; seals and heads too);
3. `verify_chain` over everything, then a checkpoint, then verify_chain against it;
4. `backup` (pg_dump of the snapshot + the manifest) and `restore` into a second empty database
   (`<name>_restore`), which runs verify_chain again before it reports success;
5. same-run references: pgbench's raw single-row INSERT rate, and a raw read of the events table
   (`COPY … TO STDOUT`), so the figures can be read on whatever machine ran them.

Prints one table and writes var/bench-chain.json. No test asserts a time.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "事件链校验、检查点、备份与恢复在大数据量下的用时（PostgreSQL，独立的基准库）"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--petitions", type=int, default=1_000_000)
        parser.add_argument("--skip-restore", action="store_true")
        parser.add_argument("--output", default="var/bench-chain.json")

    def handle(self, *args, petitions, skip_restore, output, **options):
        if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].endswith("bench"):
            raise CommandError("请在名称以 bench 结尾的 PostgreSQL 数据库中运行（DATABASE_URL=postgres://…/xf_chain_bench）")
        res = {"petitions": petitions}
        say = lambda m: self.stdout.write(m) or self.stdout.flush()  # noqa: E731
        url = _url()
        _recreate(url)
        connection.close()
        call_command("migrate", verbosity=0, interactive=False)

        from xinfang.benchmarks import data

        t = time.monotonic()
        ref = data.reference_data()
        data.load(ref, start=0, count=petitions, total=petitions)
        res["load_petitions_s"] = time.monotonic() - t
        say(f"信访件 {petitions:,} 件：{res['load_petitions_s']:.0f} 秒")

        t = time.monotonic()
        res["events"] = _load_chains()
        res["load_chains_s"] = time.monotonic() - t
        say(f"事件链 {res['events']:,} 条事件：{res['load_chains_s']:.0f} 秒")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

        res["raw_read_events_s"] = _raw_read(url)
        res["pgbench_insert_tps"] = _pgbench_inserts(url)
        say(f"参照：原始读取事件表 {res['raw_read_events_s']:.1f} 秒；pgbench 单行 INSERT {res['pgbench_insert_tps']:,.0f} 条/秒")

        from xinfang.audit import checkpoints
        from xinfang.audit.verify import verify

        report = verify()
        if not report.ok:
            raise CommandError(f"基准数据的事件链不完整：{report.broken[:3]}")
        res["verify_s"], res["verify_events_per_s"] = report.seconds, report.rate
        say(f"verify_chain：{report.seconds:.1f} 秒（{report.rate:,.0f} 条事件/秒）")
        t = time.monotonic()
        cp = checkpoints.create(created_by="bench")
        res["checkpoint_s"] = time.monotonic() - t
        res["checkpoint_entries_bytes"] = len(bytes(cp.entries))
        say(f"checkpoint：{res['checkpoint_s']:.1f} 秒，链头清单 {res['checkpoint_entries_bytes'] / 1e6:.1f} MB")
        report = verify()
        res["verify_with_checkpoint_s"] = report.seconds
        say(f"verify_chain（含检查点比对）：{report.seconds:.1f} 秒")

        from xinfang.core.backup import backup

        archive = Path(tempfile.mkdtemp(dir=Path(settings.BASE_DIR) / "var")) / "bench.tar.gz"
        t = time.monotonic()
        manifest = backup(archive)
        res["backup_s"], res["backup_mb"] = time.monotonic() - t, archive.stat().st_size / 1e6
        say(f"backup：{res['backup_s']:.0f} 秒，{res['backup_mb']:.0f} MB（{sum(manifest['tables'].values()):,} 行）")
        if not skip_restore:
            target = url._replace(path=url.path + "_restore")
            _recreate(target)
            env = {**os.environ, "DATABASE_URL": urlunparse(target), "MEDIA_ROOT": tempfile.mkdtemp(dir=Path(settings.BASE_DIR) / "var")}
            t = time.monotonic()
            result = subprocess.run(
                [sys.executable, "manage.py", "restore", str(archive)], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
            )
            res["restore_s"] = time.monotonic() - t
            if result.returncode != 0:
                res["restore_error"] = result.stderr[-1500:]
                say(f"restore 失败（{res['restore_s']:.0f} 秒）：{result.stderr[-600:]}")
            else:
                say(f"restore（含 migrate 与 verify_chain）：{res['restore_s']:.0f} 秒；{result.stdout.strip()[-200:]}")
            _drop(target)
        archive.unlink()
        archive.parent.rmdir()
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        say(json.dumps(res, ensure_ascii=False, indent=1))


def _url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return urlparse(f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")


def _admin(url):
    import psycopg

    return psycopg.connect(urlunparse(url._replace(path="/postgres")), autocommit=True)


def _recreate(url) -> None:
    name = url.path.lstrip("/")
    connection.close()
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop(url) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.path.lstrip("/")}" WITH (FORCE)')


def _load_chains(batch: int = 50_000) -> int:
    """Events, seals and heads for every petition, computed as record_event computes them, written with COPY."""
    from xinfang.audit import chain as ch
    from xinfang.audit.keys import current_key
    from xinfang.petitions.models import Petition

    key = current_key()
    fields = ch.state_field_names(Petition)
    total, last_pk = 0, 0
    connection.ensure_connection()
    raw = connection.connection
    while True:
        rows = list(Petition.objects.filter(pk__gt=last_pk).order_by("pk").values("pk", "registered_at", *fields)[:batch])
        if not rows:
            break
        first_pk, last_pk = rows[0]["pk"], rows[-1]["pk"]
        events, heads = [], []
        for row in rows:
            pid, at = row.pop("pk"), row.pop("registered_at")
            state = ch.state_digest({k: row[k] for k in fields}, [], [])
            steps = [("import", "", row["status"])] + ([("progress", row["status"], row["status"])] * 2 if pid % 3 == 0 else [])
            prev = ""
            for seq, (action, from_s, to_s) in enumerate(steps, start=1):
                data = {"note": "基准数据", "seq": seq}
                payload = ch.event_payload(
                    reg_no=row["reg_no"],
                    seq=seq,
                    action=action,
                    actor_id=None,
                    actor_label="基准",
                    at=at,
                    from_status=from_s,
                    to_status=to_s,
                    data=data,
                    public=False,
                    imported=True,
                )
                digest = ch.event_mac(key, prev, payload, state)
                events.append(
                    (pid, seq, action, None, "基准", at, from_s, to_s, json.dumps(data, ensure_ascii=False), False, True, prev, digest)
                )
                prev = digest
            mac = ch.head_mac(key, chain="event", reg_no=row["reg_no"], last_seq=len(steps), last_hash=prev, state=state)
            heads.append(("event", pid, len(steps), prev, state, key.id, mac, at))
        with raw.cursor() as cursor:
            cols = "petition_id, seq, action, actor_id, actor_label, at, from_status, to_status, data, public, imported, prev_hash, hash"
            with cursor.copy(f"COPY petitions_petitionevent ({cols}) FROM STDIN") as copy:
                for e in events:
                    copy.write_row(e)
            with cursor.copy(
                "COPY audit_chainhead (chain, petition_id, last_seq, last_hash, state, key_id, mac, updated_at) FROM STDIN"
            ) as copy:
                for h in heads:
                    copy.write_row(h)
            cursor.execute(
                "INSERT INTO audit_eventseal (event_id, key_id, state) SELECT e.id, h.key_id, h.state FROM petitions_petitionevent e "
                "JOIN audit_chainhead h ON h.petition_id = e.petition_id AND h.chain = 'event' WHERE e.petition_id BETWEEN %s AND %s",
                [first_pk, last_pk],
            )
        raw.commit()
        total += len(events)
    return total


def _raw_read(url) -> float:
    t = time.monotonic()
    subprocess.run(
        ["psql", urlunparse(url), "-qc", "COPY (SELECT * FROM petitions_petitionevent) TO STDOUT"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.monotonic() - t


def _pgbench_inserts(url, seconds: int = 20) -> float:
    """pgbench: single-row INSERTs into a scratch table, 2 clients (the machine's cores), for `seconds`."""
    dsn = urlunparse(url)
    subprocess.run(["psql", dsn, "-qc", "CREATE TABLE IF NOT EXISTS bench_ref (id bigserial primary key, a float8, b text)"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_ref (a, b) VALUES (random(), md5(random()::text));\n")
    try:
        out = subprocess.run(
            ["pgbench", "-n", "-c", "2", "-j", "2", "-T", str(seconds), "-f", script.name, dsn], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
        subprocess.run(["psql", dsn, "-qc", "DROP TABLE bench_ref"], check=True)
    line = next(line for line in out.splitlines() if line.startswith("tps"))
    return float(line.split("=")[1].split()[0])
