"""A small grassroots network on the `county` fixture.

Township 1 (county.townships[0]) with villages v1, v2; township 2 with v3, v4.
- twp: unit_handler of township 1's government; twp2: of township 2's.
- vhandler: 驻村承办员 post on v1; liaison: liaison post on v1; info: info officer of v1's first group.
- supervisor: in a supervision group covering township 1 only. office: the petition bureau.
"""

from datetime import date

import pytest

from xinfang.org.models import NetworkPost, PostRole, Role, SupervisionGroup


@pytest.fixture
def net(county, make_user):
    class Net:
        pass

    n = Net()
    n.county = county
    n.t1, n.t2 = county.townships
    n.v1, n.v2, n.v3, n.v4 = county.villages
    n.g1 = county.groups[0]
    n.office = make_user(Role.OFFICE, name="吴主任")
    n.twp = make_user(Role.UNIT_HANDLER, unit=county.township_unit, name="何干事")
    n.twp2 = make_user(Role.UNIT_HANDLER, unit=county.township_unit2, name="乙镇干事")
    n.dept = make_user(Role.UNIT_HANDLER, unit=county.dept, name="部门科长")
    n.vhandler = make_user(Role.UNIT_HANDLER, unit=county.township_unit, name="驻村员")
    NetworkPost.objects.create(
        role=PostRole.HANDLER, user=n.vhandler, name="驻村员", region=n.v1, home_unit=county.township_unit, start_on=date(2025, 1, 1)
    )
    n.liaison = make_user(Role.LIAISON, name="林联络")
    NetworkPost.objects.create(role=PostRole.LIAISON, user=n.liaison, name="林联络", region=n.v1, start_on=date(2025, 1, 1))
    n.info = make_user(Role.INFO_OFFICER, name="黄信息")
    NetworkPost.objects.create(role=PostRole.INFO_OFFICER, user=n.info, name="黄信息", region=n.g1, start_on=date(2025, 1, 1))
    n.supervisor = make_user(Role.SUPERVISOR, name="陈督查")
    group = SupervisionGroup.objects.create(code="g1", name="第一督查组")
    group.townships.set([n.t1])
    NetworkPost.objects.create(
        role=PostRole.SUPERVISOR, user=n.supervisor, name="陈督查", supervision_group=group, start_on=date(2025, 1, 1)
    )
    n.viewer = make_user(Role.VIEWER)
    return n


PARTIES = [
    {"side": "applicant", "name": "张三丰", "phone": "13812345678", "id_number": "340123198001011233", "address": "第1镇1村8号"},
    {"side": "respondent", "name": "李四海", "phone": "13987654321", "id_number": "340123198502022344", "address": "第1镇1村9号"},
]


@pytest.fixture
def dispute(net):
    from xinfang.grassroots import services

    return services.dispute_record(
        actor=net.liaison, kind="land", region=net.g1, description="宅基地边界争议", parties=PARTIES, mediator="林联络"
    )
