"""The benchmark's printed table: each figure beside its same-run reference and its target (issue 17's targets,
docs/data.md). `runner.outer` prints it and writes the same figures to var/bench.json."""

from __future__ import annotations

# The targets of issue 17 (docs/data.md): each printed beside its figure.
TARGETS = {
    "registration_cpu_ms": 8.0,
    "registration_share_of_raw_pct": 1.0,
    "list_p95_ms": 50.0,
    "search_p95_ms": 200.0,
    "detail_p95_ms": 50.0,
    "kpi_year_1m_ms": 150.0,
    "kpi_year_10m_ms": 1000.0,
    "dashboard_10m_ms": 2000.0,
    "first_sweep_1m_s": 120.0,
    "sqlite_page_p95_ms": 100.0,
    "sqlite_registration_rps": 50.0,
}


def table(results: dict) -> list[str]:
    """Each figure beside its same-run reference and its target: 项目 | 规模 | 结果 | 同次参照 | 目标 | CPU/次 | 查询 | 负载."""
    rows = [("项目", "规模", "结果", "同次参照", "目标", "CPU ms/次", "查询数", "负载")]

    def lat(r):
        return f"p50 {r.get('p50_ms', '')} / p95 {r.get('p95_ms', '')} ms" + (f"，错误 {r['errors']}" if r.get("errors") else "")

    def load(r):
        la = r.get("load_average")
        if not la:
            return ""
        return f"{la[0][0]}→{la[1][0]}" if isinstance(la[0], list) else str(la[0])

    pg = results.get("pg") or {}
    reg = pg.get("registration") or {}
    if reg:
        raw = reg.get("pgbench") or {}
        for workers, r in sorted((reg.get("http") or {}).items(), key=lambda kv: int(kv[0])):
            rows.append(
                (
                    f"登记 POST /api/v1/petitions/（gunicorn {workers} 进程）",
                    f"{r['requests']} 次/{r['clients']} 并发",
                    f"{r['rps']} 次/秒，{lat(r)}；计数器锁等待 {r.get('mean_waiting_on_lock', '')} 个连接",
                    f"pgbench 单行 INSERT {raw.get('tps')} TPS → {r.get('share_of_raw_pct')}%",
                    f"≥{TARGETS['registration_share_of_raw_pct']}%，CPU ≤{TARGETS['registration_cpu_ms']} ms",
                    f"{r.get('cpu_ms_per_request')}（应用 {r.get('app_cpu_ms_per_request')} + 库 {r.get('db_cpu_ms_per_request')}）",
                    str(reg.get("queries", "")),
                    load(r),
                )
            )
        r = reg.get("celery") or {}
        if r:
            rows.append(
                (
                    "登记（gunicorn 2 进程，短信交 Celery 进程）",
                    f"{r['requests']} 次/{r['clients']} 并发",
                    f"{r['rps']} 次/秒，{lat(r)}；短信 {r.get('messages_settled_s')} 秒内全部发出",
                    f"pgbench 单行 INSERT {raw.get('tps')} TPS → {r.get('share_of_raw_pct')}%",
                    f"≥{TARGETS['registration_share_of_raw_pct']}%，CPU ≤{TARGETS['registration_cpu_ms']} ms",
                    f"{r.get('cpu_ms_per_request')}（应用 {r.get('app_cpu_ms_per_request')} + 库 {r.get('db_cpu_ms_per_request')}）；"
                    f"短信进程每条 {r.get('worker_cpu_ms_per_message')}（{r.get('worker_app_cpu_ms')} + 库 {r.get('worker_db_cpu_ms')}）",
                    "",
                    load(r),
                )
            )
        hold = reg.get("counter_hold") or {}
        if hold:
            rows.append(
                (
                    "登记计数器行锁持有（取号到提交）",
                    f"{hold.get('n')} 次",
                    f"p50 {hold.get('p50_ms')} / p95 {hold.get('p95_ms')} ms"
                    + (
                        f"；编号占用（写入信访件到提交）p50 {number['p50_ms']} / p95 {number['p95_ms']} ms"
                        if (number := hold.get("number_held"))
                        else ""
                    ),
                    "",
                    "≈1 ms",
                    "",
                    "",
                    "",
                )
            )
    for size, block in (pg.get("sizes") or {}).items():
        ref = block.get("reference") or {}
        ref_text = f"/healthz p50 {ref.get('healthz', {}).get('p50_ms')} ms；SELECT 1 {ref.get('select1_ms')} ms；索引查一行 {ref.get('lookup_ms')} ms"
        rows.append(
            (
                f"参照（{int(size):,} 件）",
                "",
                ref_text,
                "",
                "",
                str(ref.get("healthz", {}).get("cpu_ms_per_request", "")),
                "",
                load(ref.get("healthz", {})),
            )
        )
        for name, r in block.get("paths", {}).items():
            rows.append(
                (
                    name,
                    f"{int(size):,} 件",
                    lat(r),
                    f"×{r.get('x_healthz_p95')} /healthz",
                    r.get("target", ""),
                    str(r.get("cpu_ms_per_request", "")),
                    str(r.get("queries", "")),
                    load(r),
                )
            )
        if block.get("summaries"):
            rows.append(
                ("统计汇总重建 refresh_stats --all", f"{int(size):,} 件", f"{block['summaries']['seconds']} 秒", "", "", "", "", "")
            )
        if block.get("load_seconds"):
            rows.append(("COPY 批量造数", f"至 {int(size):,} 件", f"{block['load_seconds']} 秒", "", "", "", "", ""))
    if pg.get("import"):
        imp = pg["import"]
        rows.append(
            (
                "导入历史台账（校验+整体导入）",
                f"{imp['rows']:,} 行",
                f"{imp.get('rows_per_second')} 行/秒，{imp['seconds']} 秒，{imp['status']}",
                "",
                "",
                "",
                "",
                "",
            )
        )
    if pg.get("sweep"):
        sw = pg["sweep"]
        first = sw.get("first", {})
        rows.append(
            (
                "超期提醒扫描：首次（积压）",
                f"{sw['open']:,} 件在办，{sw.get('overdue', 0):,} 件超期",
                f"{first.get('seconds', '超时')} 秒，提醒 {first.get('reminders', '')} 条（{first.get('reminders_per_second', '')} 条/秒）",
                "",
                f"≤{TARGETS['first_sweep_1m_s']} 秒",
                "",
                "",
                load(first),
            )
        )
        second = sw.get("second", {})
        rows.append(
            (
                "超期提醒扫描：紧接的第二次",
                "",
                f"{second.get('seconds', '')} 秒，提醒 {second.get('reminders', '')} 条",
                "",
                "与新到档次成正比",
                "",
                "",
                "",
            )
        )
    lite = results.get("sqlite") or {}
    if lite.get("registration"):
        r = lite["registration"]
        rows.append(
            (
                "SQLite 登记（gunicorn 2 进程）",
                f"{r['requests']} 次/{r['clients']} 并发",
                f"{r['rps']} 次/秒，{lat(r)}",
                f"sqlite3 单行 INSERT+提交 {lite.get('raw_insert_rps')} 次/秒",
                f"≥{TARGETS['sqlite_registration_rps']} 次/秒",
                str(r.get("app_cpu_ms_per_request", "")),
                "",
                load(r),
            )
        )
    for name, r in (lite.get("pages") or {}).items():
        rows.append(
            (
                f"SQLite 页面 {name}",
                f"{lite['petitions']:,} 件",
                lat(r) + f"（HTTP {r.get('status', '')}）",
                f"×{r.get('x_healthz_p95', '')} /healthz",
                f"p95 ≤{TARGETS['sqlite_page_p95_ms']:.0f} ms",
                str(r.get("cpu_ms_per_request", "")),
                str(r.get("queries", "")),
                "",
            )
        )
    widths = [max(_w(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c + " " * (widths[i] - _w(c)) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _w(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
