"""Transfer fixtures: a category, users per role, a legacy register maker, and a registering helper."""

import pytest
from django.utils import timezone

from xinfang.benchmarks import legacy
from xinfang.core.inputs import id_check_char
from xinfang.org.models import Role
from xinfang.petitions.models import Category
from xinfang.petitions.services import petition_register


def valid_id(prefix17: str = "11010519491231002") -> str:
    return prefix17 + id_check_char(prefix17)


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
    return u


@pytest.fixture
def ledger(county, category):
    """ledger(n, fmt="csv", **kw) -> (bytes, rows): a generated legacy register over the test county."""

    def _make(n=20, fmt="csv", prefix="旧", seed=9, headers=None):
        rows = legacy.register_rows(
            n,
            categories=["劳动社保", "labour"],
            regions=["第1镇", "T0011", "2镇2村", "第1镇1镇1村"],
            units=["测试县人社局", "dept-land"],
            seed=seed,
            prefix=prefix,
        )
        maker = legacy.to_csv if fmt == "csv" else legacy.to_xlsx
        return maker(rows, headers or legacy.HEADERS), rows

    return _make


@pytest.fixture
def register(county, category, users):
    def _register(**overrides):
        data = dict(
            actor=users.clerk,
            channel="letter",
            received_at=timezone.now(),
            petitioners=[{"name": "张三丰", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""}],
            nature="request",
            category=category,
            content="反映某公司拖欠农民工工资三个月未发放的问题",
            requests="请求督促发放工资",
            region=county.villages[0],
        )
        data.update(overrides)
        return petition_register(**data)

    return _register
