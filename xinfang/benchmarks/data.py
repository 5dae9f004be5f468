"""Bulk data for the benchmark: reference data and petitions in registration order.

PostgreSQL: COPY in batches of 50,000. SQLite: bulk_create in batches of 5,000. Identity is
left out (anonymous rows); statuses are a realistic mix (declined, forwarded, in progress,
replied, evaluated, and archived once satisfied or past the review window, as an office archives). One generator for both benchmarks (`manage.py bench` and `manage.py bench_stats`).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import timedelta

TEXTS = [
    "某建筑公司拖欠农民工工资三个月未发放",
    "村里征地补偿款一直没有发放",
    "房屋拆迁安置房迟迟不能交房",
    "小区物业管理混乱，物业费乱收",
    "低保资格被取消，要求重新审核",
    "养殖场污水排放污染河道",
    "企业未为职工缴纳养老保险",
    "宅基地确权纠纷，要求重新丈量",
    "村道损坏多年未修",
    "种粮补贴发放不到位",
]
RARE = "，另反映村口危桥垮塌无人修缮"  # in one petition of a thousand: the benchmark's rare search term (危桥)
CHANNELS = ["letter", "visit", "phone", "online", "sms", "mailbox", "from_superior"]
NATURES = ["report", "appeal", "request", "suggestion", "inquiry"]
SPAN = 3 * 365 * 86400


def reference_data() -> dict:
    from django.contrib.auth.models import Group

    from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User
    from xinfang.petitions.models import Category

    county, _ = Region.objects.get_or_create(code="B00", defaults={"name": "基准县", "level": RegionLevel.COUNTY})
    places = []
    for t in range(1, 25):
        tw, _ = Region.objects.get_or_create(
            code=f"B00T{t:02d}", defaults={"name": f"基准{t}镇", "level": RegionLevel.TOWNSHIP, "parent": county}
        )
        for v in range(1, 9):
            vi, _ = Region.objects.get_or_create(
                code=f"{tw.code}V{v}", defaults={"name": f"{t}镇{v}村", "level": RegionLevel.VILLAGE, "parent": tw}
            )
            places.append(vi.pk)
    office, _ = Unit.objects.get_or_create(
        code="b-xfj", defaults={"name": "基准县信访局", "kind": UnitKind.PETITION_BUREAU, "region": county}
    )
    units = []
    for i in range(1, 21):
        u, _ = Unit.objects.get_or_create(
            code=f"b-dept-{i}", defaults={"name": f"基准县部门{i}", "kind": UnitKind.DEPARTMENT, "region": county}
        )
        units.append(u.pk)
    cats = []
    for i in range(1, 16):
        c, _ = Category.objects.get_or_create(code=f"b-cat-{i}", defaults={"name": f"类别{i}"})
        cats.append(c.pk)
    user = User.objects.filter(username="bench-office").first()
    if user is None:
        user = User.objects.create_user(username="bench-office", password="bench-only-password", unit=office, name="基准")
        user.groups.add(Group.objects.get_or_create(name=Role.OFFICE)[0])
    return {"places": places, "office": office.pk, "units": units, "cats": cats, "user": user}


def _fields():
    from xinfang.petitions.models import Petition

    fields = [f for f in Petition._meta.concrete_fields if not f.primary_key]
    template = [f.get_default() if f.has_default() else (None if f.null else "") for f in fields]
    return fields, template, {f.attname: i for i, f in enumerate(fields)}


def rows(ref: dict, *, start: int, count: int, total: int, now):
    """Yield (fields, row values) for petitions start..start+count-1 of `total`, oldest first."""
    fields, template, idx = _fields()
    rng = random.Random(start + 7)
    for i in range(start, start + count):
        row = list(template)
        received = now - timedelta(seconds=SPAN - SPAN * i / max(total, 1) + rng.randrange(3600))
        registered = received + timedelta(minutes=rng.randrange(240))
        row[idx["reg_no"]] = f"B{i:010d}"
        row[idx["office_id"]] = ref["office"]
        row[idx["year"]] = registered.year
        row[idx["seq"]] = i + 1
        row[idx["query_code_hash"]] = "!"
        row[idx["channel"]] = CHANNELS[rng.randrange(7)]
        row[idx["received_at"]] = received
        row[idx["registered_at"]] = registered
        row[idx["nature"]] = NATURES[rng.randrange(5)]
        row[idx["category_id"]] = ref["cats"][rng.randrange(len(ref["cats"]))]
        row[idx["content"]] = TEXTS[rng.randrange(len(TEXTS))] + (RARE if i % 1000 == 7 else "")
        row[idx["region_id"]] = ref["places"][rng.randrange(len(ref["places"]))]
        row[idx["anonymous"]] = True
        row[idx["imported"]] = True
        row[idx["first_time"]] = rng.random() > 0.12
        row[idx["collective"]] = rng.random() < 0.05
        row[idx["cross_level"]] = rng.random() < 0.03
        row[idx["accept_due_at"]] = row[idx["dispatch_due_at"]] = received + timedelta(days=15)
        _outcome(row, idx, rng, received, now, ref)
        yield fields, row


def _outcome(row, idx, rng, received, now, ref) -> None:
    roll = rng.random()
    if roll < 0.06:
        row[idx["status"]] = "declined"
        row[idx["dispatched_at"]] = received + timedelta(days=rng.uniform(1, 17))
        return
    if roll < 0.12:
        row[idx["status"]] = "forwarded"
        row[idx["dispatched_at"]] = received + timedelta(days=rng.uniform(1, 18))
        return
    accepted = received + timedelta(days=rng.uniform(0.5, 16))
    handle_due = accepted + timedelta(days=60)
    row[idx["accepted_at"]] = accepted
    row[idx["dispatched_at"]] = row[idx["assigned_at"]] = accepted + timedelta(days=1)
    row[idx["handling_unit_id"]] = ref["units"][rng.randrange(len(ref["units"]))]
    row[idx["handle_due_at"]] = handle_due
    replied = accepted + timedelta(days=rng.uniform(10, 75))
    if replied < now:
        # Written outside the services: set the first reply too, which the on-time KPIs count.
        # The answer delivered a day later opens the 30-day window for 复查 (条例第三十五条); as in an office,
        # a case is archived once it is satisfied or its window has passed, so the open answered ones are recent.
        delivered = replied + timedelta(days=1)
        row[idx["replied_at"]] = row[idx["first_replied_at"]] = replied
        row[idx["delivered_at"]] = delivered
        row[idx["review_request_due_at"]] = delivered + timedelta(days=30)
        row[idx["status"]] = "replied"
        settled = delivered + timedelta(days=35)
        if rng.random() < 0.75:
            satisfaction = ("satisfied", "basically_satisfied", "dissatisfied")[rng.choices((0, 1, 2), (70, 20, 10))[0]]
            row[idx["evaluated_at"]] = replied + timedelta(days=3)
            row[idx["satisfaction"]] = row[idx["last_satisfaction"]] = satisfaction
            row[idx["status"]] = "evaluated"
            if satisfaction != "dissatisfied":
                settled = replied + timedelta(days=rng.uniform(5, 20))
        if settled < now:
            row[idx["archived_at"]] = settled
            row[idx["status"]] = "archived"
    else:
        row[idx["status"]] = "in_progress"
        row[idx["due_at"]] = handle_due


def load(ref: dict, *, start: int, count: int, total: int, batch: int = 50_000) -> None:
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    fields, _t, _i = _fields()
    if connection.vendor == "postgresql":
        sql = f"COPY petitions_petition ({', '.join(f.column for f in fields)}) FROM STDIN"
        done = 0
        it = rows(ref, start=start, count=count, total=total, now=now)
        with _gin_built_after(connection, large=count >= 200_000):
            while done < count:
                n = min(batch, count - done)
                connection.ensure_connection()
                with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                    for _ in range(n):
                        copy.write_row(next(it)[1])
                done += n
        return
    from xinfang.petitions.models import Petition

    batch = []
    for flds, row in rows(ref, start=start, count=count, total=total, now=now):
        batch.append(Petition(**{f.attname: v for f, v in zip(flds, row, strict=True)}))
        if len(batch) >= 5000:
            _bulk(batch)
            batch = []
    if batch:
        _bulk(batch)


# The search indexes of petitions migration 0015, as it creates them (the text's grams, the number's trigrams).
SEARCH_INDEXES = {
    "petition_text_grams": "CREATE INDEX IF NOT EXISTS petition_text_grams ON petitions_petition USING gin (xf_text_grams(content, requests))",
    "petition_reg_no_trgm": "CREATE INDEX IF NOT EXISTS petition_reg_no_trgm ON petitions_petition USING gin (upper(reg_no::text) gin_trgm_ops)",
}


@contextmanager
def _gin_built_after(connection, *, large: bool):
    """A large COPY goes faster without the search GIN indexes (petitions migration 0015), built once afterwards.
    Built whenever missing, so a run killed mid-load does not leave a database without them for `--reuse`."""
    if large:
        with connection.cursor() as c:
            for name in SEARCH_INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute("SET maintenance_work_mem = '512MB'")
            for sql in SEARCH_INDEXES.values():
                c.execute(sql)


def _bulk(batch) -> None:
    """bulk_create fills auto_now_add registered_at with now: write the generated times back in one statement per chunk."""
    from django.db.models import Case, DateTimeField, Value, When

    from xinfang.petitions.models import Petition

    wanted = [p.registered_at for p in batch]
    objs = Petition.objects.bulk_create(batch)
    for k in range(0, len(objs), 500):
        chunk = list(zip(objs[k : k + 500], wanted[k : k + 500], strict=True))
        Petition.objects.filter(pk__in=[p.pk for p, _ in chunk]).update(
            registered_at=Case(*[When(pk=p.pk, then=Value(r)) for p, r in chunk], output_field=DateTimeField())
        )
