"""Shared fixtures: a small county built in code (not the demo), and users per role.

`county` gives: the county region, two townships (each with two villages of two groups),
the petition bureau (office), a department, a township government and a school.
`make_user(role, unit=...)` creates a user in a role.
"""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User

# Every test runs on a known calendar, never on the machine's date: a Tuesday morning in a year whose
# official holidays are known. The clock ticks from there (live servers and timeouts still work); a test
# that needs another day travels there itself with time_machine (nested travels override this one).
FROZEN_AT = datetime(2026, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (settings/test.py: per-process memory): throttle counts and the portal's
    query-code delays of one test never reach the next one, in whatever order the processes run them."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture(autouse=True, scope="session")
def _flush_through_the_test_path():
    """The database refuses DELETE and TRUNCATE of history (xinfang.audit.immutability), and Django's test
    flush (transaction=True tests, `manage.py flush`) is exactly that. In this process only, the flush drops
    the refusing triggers, empties the tables and puts the triggers back, in one transaction. Production has
    no such path: no setting or session variable turns the triggers off (docs/security.md)."""
    from django.db import transaction
    from django.db.backends.base.operations import BaseDatabaseOperations

    from xinfang.audit import immutability

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with transaction.atomic(using=self.connection.alias):
            if self.connection.vendor == "postgresql":
                with self.connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
            with immutability.suspended(self.connection):
                original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _known_clock():
    with time_machine.travel(FROZEN_AT, tick=True):
        yield


@pytest.fixture
def county(db):
    c = Region.objects.create(code="T00", name="测试县", level=RegionLevel.COUNTY)
    townships, villages, groups = [], [], []
    for t in range(1, 3):
        tw = Region.objects.create(code=f"T00{t}", name=f"第{t}镇", level=RegionLevel.TOWNSHIP, parent=c)
        townships.append(tw)
        for v in range(1, 3):
            vi = Region.objects.create(code=f"{tw.code}{v}", name=f"{t}镇{v}村", level=RegionLevel.VILLAGE, parent=tw)
            villages.append(vi)
            for g in range(1, 3):
                groups.append(Region.objects.create(code=f"{vi.code}{g}", name=f"{t}镇{v}村{g}组", level=RegionLevel.GROUP, parent=vi))
    leadership = Unit.objects.create(code="gov", name="测试县政府", kind=UnitKind.COUNTY_LEADERSHIP, region=c)
    office = Unit.objects.create(code="xfj", name="测试县信访局", kind=UnitKind.PETITION_BUREAU, region=c, parent=leadership)
    joint = Unit.objects.create(code="lxb", name="测试县联席办", kind=UnitKind.JOINT_OFFICE, region=c, parent=leadership)
    dept = Unit.objects.create(code="dept-hr", name="测试县人社局", kind=UnitKind.DEPARTMENT, region=c, parent=leadership)
    dept2 = Unit.objects.create(code="dept-land", name="测试县自然资源局", kind=UnitKind.DEPARTMENT, region=c, parent=leadership)
    twp = Unit.objects.create(code="twp-1", name="第1镇政府", kind=UnitKind.TOWNSHIP, region=townships[0], parent=leadership)
    twp2 = Unit.objects.create(code="twp-2", name="第2镇政府", kind=UnitKind.TOWNSHIP, region=townships[1], parent=leadership)
    school = Unit.objects.create(code="school-1", name="测试一中", kind=UnitKind.SCHOOL, region=townships[0], parent=dept)

    class County:
        pass

    k = County()
    k.region, k.townships, k.villages, k.groups = c, townships, villages, groups
    k.leadership, k.office, k.joint, k.dept, k.dept2, k.township_unit, k.township_unit2, k.school = (
        leadership,
        office,
        joint,
        dept,
        dept2,
        twp,
        twp2,
        school,
    )
    return k


@pytest.fixture
def make_user(db, county):
    counter = {"n": 0}

    def _make(role: str, unit: Unit | None = None, username: str | None = None, **extra) -> User:
        counter["n"] += 1
        group, _ = Group.objects.get_or_create(name=role)
        default_unit = {
            Role.UNIT_HANDLER: county.dept,
            Role.LEADER: county.leadership,
            Role.SUPERVISOR: county.joint,
            Role.LIAISON: county.township_unit,
            Role.INFO_OFFICER: county.township_unit,
            Role.SAFETY_OFFICER: county.school,
            Role.VIEWER: county.leadership,
        }.get(role, county.office)
        user = User.objects.create_user(
            username=username or f"{role}{counter['n']}",
            password="pw-secret-123",
            name=extra.pop("name", f"{role}{counter['n']}"),
            unit=unit or default_unit,
            **extra,
        )
        user.groups.add(group)
        return user

    return _make


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. Skip them when it is absent, unless CI requires them."""
    if os.path.exists("/usr/bin/chromium"):
        return
    if os.environ.get("XINFANG_REQUIRE_BROWSER") == "1":
        return  # they fail loudly in CI rather than skip
    skip = pytest.mark.skip(reason="未安装 /usr/bin/chromium（apt-get install chromium fonts-wqy-microhei）")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
