"""Petition fixtures: categories, users per role, and a helper that registers a petition."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.inputs import id_check_char
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register


def valid_id(prefix17: str = "11010519491231002") -> str:
    return prefix17 + id_check_char(prefix17)


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """The policy table is cached per process: a test that edits it must not leave its edit to the next test."""
    from xinfang.petitions import timelimits

    timelimits.clear_cache()
    yield
    timelimits.clear_cache()


@pytest.fixture
def category(county):
    return Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)


@pytest.fixture
def users(make_user, county):
    class U:
        pass

    u = U()
    u.clerk = make_user(Role.CLERK)
    u.office = make_user(Role.OFFICE)
    u.leader = make_user(Role.LEADER)
    u.handler = make_user(Role.UNIT_HANDLER, unit=county.dept)
    u.other_handler = make_user(Role.UNIT_HANDLER, unit=county.dept2)
    u.admin = make_user(Role.ADMIN)
    u.viewer = make_user(Role.VIEWER)
    u.supervisor = make_user(Role.SUPERVISOR)
    return u


@pytest.fixture
def register(county, category, users):
    def _register(**overrides):
        data = dict(
            actor=users.clerk,
            channel="letter",
            received_at=timezone.now(),
            petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""}],
            nature="request",
            category=category,
            content="反映某公司拖欠农民工工资三个月未发放的问题",
            requests="请求督促发放工资",
            region=county.villages[0],
        )
        data.update(overrides)
        return petition_register(**data)

    return _register


# The deadline suite runs on the global frozen day and again with "today" moved to the days calendars break on: a
# December before a year whose holidays are not entered, a leap day, and the eve of Spring Festival (itself a holiday).
# Use it with `pytestmark = pytest.mark.usefixtures("moved_today")`.
MOVED_TODAYS = [
    pytest.param(None, id="today=2026-06-16"),
    pytest.param(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), id="today=2026-12-01"),
    pytest.param(datetime(2028, 2, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), id="today=2028-02-29"),
    pytest.param(datetime(2026, 2, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), id="today=2026-02-16"),
]


@pytest.fixture(params=MOVED_TODAYS)
def moved_today(request):
    if request.param is None:  # the global frozen clock of tests/conftest.py
        yield timezone.now()
        return
    with time_machine.travel(request.param, tick=True):
        yield request.param
