"""Generate a legacy petition register (.csv or .xlsx) like a county's old Excel ledger.

Used by the benchmark (100,000-row import) and the tests. Headers are the ones a county
register typically has, so `guess_mapping` maps them without help.
"""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import datetime, timedelta

HEADERS = [
    "登记编号",
    "登记日期",
    "信访形式",
    "姓名",
    "身份证号码",
    "联系电话",
    "住址",
    "问题类别",
    "问题发生地",
    "反映问题",
    "诉求",
    "办理状态",
    "承办单位",
    "答复日期",
    "满意度",
]
TEXTS = [
    "反映某建筑公司拖欠农民工工资三个月未发放",
    "村里征地补偿款一直没有发放到户",
    "房屋拆迁安置房迟迟不能交房",
    "小区物业管理混乱，物业费乱收",
    "低保资格被取消，要求重新审核",
    "养殖场污水排放污染河道",
    "企业未为职工缴纳养老保险",
    "宅基地确权纠纷，要求重新丈量",
]
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng: random.Random) -> str:
    born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(20000))
    first = f"341100{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, _W, strict=True)) % 11]


def register_rows(
    n: int, *, categories: list[str], regions: list[str], units: list[str], seed: int = 9, prefix: str = "旧", year: int | None = None
) -> list[list]:
    """n rows (without the header): a mix of open, replied, evaluated and archived petitions, received over 2019–2023,
    or within `year` only (a county's register of one year, e.g. 2019)."""
    rng = random.Random(seed)
    start = datetime(year or 2019, 1, 1)
    span = 300 if year else 1500  # a year's register: received by late October, answered within the year
    rows = []
    for i in range(n):
        received = start + timedelta(days=rng.randrange(span), hours=rng.randrange(8, 17))
        roll = rng.random()
        status, unit, replied, satisfaction = "已登记", "", "", ""
        if roll < 0.1:
            status = "已受理"
        elif roll < 0.25:
            status, unit = "办理中", rng.choice(units)
        elif roll < 0.95:
            status, unit = "已答复", rng.choice(units)
            replied = (received + timedelta(days=rng.randrange(5, 60))).strftime("%Y/%m/%d")
            if rng.random() < 0.7:
                status, satisfaction = "已评价", rng.choice(["满意", "满意", "基本满意", "不满意"])
        else:
            status, unit = "已归档", rng.choice(units)
            replied = (received + timedelta(days=rng.randrange(5, 60))).strftime("%Y-%m-%d")
        rows.append(
            [
                f"{prefix}{received.year}-{i + 1:06d}",
                received.strftime("%Y-%m-%d"),
                rng.choice(["来信", "来访", "来电", "网上信访"]),
                rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["伟", "芳", "秀英", "建国", "桂兰", "海"]),
                id_number(rng) if rng.random() < 0.6 else "",
                f"13{rng.randrange(10**9):09d}" if rng.random() < 0.8 else "",
                "",
                rng.choice(categories),
                rng.choice(regions),
                rng.choice(TEXTS),
                "请求依法处理",
                status,
                unit,
                replied,
                satisfaction,
            ]
        )
    return rows


def to_csv(rows: list[list], headers=HEADERS) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list], headers=HEADERS) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bench_import(ref: dict, rows: int, out) -> dict:
    """Generate a legacy register of `rows` rows and run the command's path (dry run + all-or-nothing import)."""
    from xinfang.org.models import Region, Unit, User
    from xinfang.petitions.models import Category
    from xinfang.transfer import services
    from xinfang.transfer.models import JobStatus

    cats = list(Category.objects.filter(pk__in=ref["cats"]).values_list("name", flat=True))
    places = list(Region.objects.filter(pk__in=ref["places"]).values_list("code", flat=True))
    units = list(Unit.objects.filter(pk__in=ref["units"]).values_list("name", flat=True))
    data = to_csv(register_rows(rows, categories=cats, regions=places, units=units, prefix="基准"))
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
