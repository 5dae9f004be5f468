"""A hand-built set of petitions whose every KPI numerator and denominator is known.

Period under test: 2025-12-15 .. 2026-01-15 (crosses a year end); "now" = 2026-04-01 12:00.
Expected figures (see KPI_EXPECTED) are worked out by hand in the comments of `kpi_world`.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xinfang.petitions.events import record_event
from xinfang.petitions.models import Category, Petition

TZ = ZoneInfo("Asia/Shanghai")
D = timedelta(days=1)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=TZ)
START, END = "2025-12-15", "2026-01-15"

KPI_EXPECTED = {
    # first_time & accepted: p1 p2 p3 p4 p12; replied on time among them: p1 (exactly at due) p2 (extended)
    "first_time_resolution": (2, 5),
    # replied: p1 p2 p3 p7 p12; on time: p1 p2 p7
    "on_time_completion": (3, 5),
    # dispatched: p1 p2 p3 p4 p5 p6 p7 p12; late: p6 (forwarded day 20), p7 (day 16)
    "timely_dispatch": (6, 8),
    # decided: p1 p2 p3 p4 p7 p12 (accepted) + p5 (declined); plus p8 (due, undecided); p6 forwarded excluded,
    # p9 not yet due. On time: all decided except p7.
    "timely_acceptance": (6, 8),
    "evaluation_rate": (3, 5),  # evaluated p1 p2 p3 of replied 5
    "satisfaction_rate": (2, 3),  # satisfied p1, basically p2, dissatisfied p3
    "repeat_rate": (1, 10),  # p7 of 10 in the period
}
COUNTS_EXPECTED = {"total": 10, "collective": 1, "cross_level": 1, "overdue": 2, "reopened": 0, "repeat": 1, "first_time": 9}


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


@pytest.fixture
def categories(db):
    labour = Category.objects.create(code="labour", name="劳动社保")
    land = Category.objects.create(code="land", name="国土资源")
    return labour, land


@pytest.fixture
def make_petition(county, categories):
    counter = {"n": 0}

    def _make(registered_at, **fields) -> Petition:
        counter["n"] += 1
        n = counter["n"]
        defaults = {
            "reg_no": f"T-{registered_at.year}-{n:05d}",
            "office": county.office,
            "year": registered_at.year,
            "seq": n,
            "query_code_hash": "x",
            "channel": "letter",
            "received_at": registered_at,
            "nature": "request",
            "category": categories[0],
            "content": "反映拖欠工资问题",
            "region": county.groups[0],
        }
        defaults.update(fields)
        p = Petition.objects.create(**defaults)
        Petition.objects.filter(pk=p.pk).update(registered_at=registered_at)
        p.refresh_from_db()
        return p

    return _make


@pytest.fixture
def kpi_world(county, make_petition, make_user, categories):
    labour, land = categories
    dept_user = make_user("unit_handler", unit=county.dept)
    w = {}

    def routed(r, acc_days, disp_days, handle_days=60, **extra):
        accepted = r + acc_days * D
        return dict(
            received_at=r,
            accept_due_at=r + 15 * D,
            dispatch_due_at=r + 15 * D,
            accepted_at=accepted,
            dispatched_at=r + disp_days * D,
            assigned_at=r + disp_days * D,
            handle_due_at=accepted + handle_days * D,
            **extra,
        )

    r = at(2025, 12, 20)
    f = routed(r, 1, 2, handling_unit=county.dept, status="evaluated", content="村里征地补偿款一直没有发放，要求解决征地补偿")
    f.update(replied_at=f["handle_due_at"], evaluated_at=f["handle_due_at"] + D, satisfaction="satisfied")
    w["p1"] = make_petition(r, **f)  # replied exactly at the due time: on time

    r = at(2025, 12, 28)
    f = routed(r, 3, 3, handle_days=90, extended_days=30, handling_unit=county.dept, status="evaluated", category=land)
    f.update(replied_at=f["accepted_at"] + 80 * D, evaluated_at=f["accepted_at"] + 81 * D, satisfaction="basically_satisfied")
    f["content"] = "宅基地确权纠纷，征地补偿标准过低"
    w["p2"] = make_petition(r, **f)  # extended by 30 days, replied on day 80: on time

    r = at(2026, 1, 2)
    f = routed(r, 1, 1, handling_unit=county.dept, status="evaluated")
    f.update(replied_at=f["handle_due_at"] + timedelta(seconds=1), evaluated_at=f["handle_due_at"] + 2 * D, satisfaction="dissatisfied")
    f["content"] = "拖欠工资半年，农民工工资无人过问"
    w["p3"] = make_petition(r, **f)  # one second late

    r = at(2026, 1, 5)
    f = routed(r, 1, 2, handling_unit=county.dept2, status="in_progress")
    f["due_at"] = f["handle_due_at"]  # 2026-03-08 < NOW: overdue
    f["content"] = "征地补偿不到位"
    w["p4"] = make_petition(r, **f)  # returned by the first unit and re-routed
    record_event(petition=w["p4"], action="return", actor=dept_user, from_status="assigned", to_status="accepted", at=r + 3 * D)

    r = at(2026, 1, 6)
    w["p5"] = make_petition(
        r, status="declined", accept_due_at=r + 15 * D, dispatch_due_at=r + 15 * D, dispatched_at=r + 10 * D, content="咨询养老保险政策"
    )

    r = at(2026, 1, 7)
    w["p6"] = make_petition(
        r, status="forwarded", accept_due_at=r + 15 * D, dispatch_due_at=r + 15 * D, dispatched_at=r + 20 * D, channel="visit"
    )

    r = at(2026, 1, 8)
    f = routed(r, 16, 16, handling_unit=county.dept, status="replied", first_time=False, repeat_of=w["p1"], collective=True)
    f.update(cross_level=True, headcount=8, replied_at=f["accepted_at"] + 30 * D, channel="visit", content="征地补偿款仍未发放")
    w["p7"] = make_petition(r, **f)

    r = at(2026, 1, 10)
    w["p8"] = make_petition(
        r, status="registered", accept_due_at=r + 15 * D, dispatch_due_at=r + 15 * D, due_at=r + 15 * D, channel="online"
    )

    r = at(2026, 1, 15, 23, 30)  # the last half hour of the period
    w["p9"] = make_petition(
        r, status="registered", accept_due_at=at(2026, 4, 10), dispatch_due_at=at(2026, 4, 10), due_at=at(2026, 4, 10), channel="phone"
    )

    # outside the period by a minute on each side
    w["p10"] = make_petition(at(2025, 12, 14, 23, 59), status="registered")
    w["p11"] = make_petition(at(2026, 1, 16, 0, 0), status="registered")

    r = at(2026, 1, 3)
    f = routed(r, 2, 2, handling_unit=county.township_unit2, status="replied", region=county.groups[4], category=land)
    f["replied_at"] = f["accepted_at"] + 61 * D
    w["p12"] = make_petition(r, **f)  # second township
    w["dept_user"] = dept_user
    return w
