"""The people of a supervision or reception case, and a per-test outbox: fixtures shared by tests/reception and
tests/supervision (each conftest imports them)."""

import pytest

from xinfang.org.models import LeadingGroupMember, NetworkPost, PostRole, Role, SupervisionGroup


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    """Senders write to a per-test outbox directory."""
    settings.XINFANG_OUTBOX_DIR = tmp_path / "outbox"
    return tmp_path / "outbox"


@pytest.fixture
def people(county, make_user):
    """The handling department's handler and head, an office user, a leader, a supervisor covering township 1, an outsider."""

    class P:
        pass

    p = P()
    p.office = make_user(Role.OFFICE, phone="13900000001", email="office@example.cn")
    p.handler = make_user(Role.UNIT_HANDLER, unit=county.dept, phone="13900000002")
    p.head = make_user(Role.LEADER, unit=county.dept, name="人社局长")
    LeadingGroupMember.objects.create(unit=county.dept, user=p.head, name="人社局长", position=LeadingGroupMember.Position.HEAD)
    p.leader = make_user(Role.LEADER, name="包案县领导")
    p.supervisor = make_user(Role.SUPERVISOR)
    group = SupervisionGroup.objects.create(code="g1", name="第一督查组")
    group.townships.add(county.townships[0])
    NetworkPost.objects.create(
        role=PostRole.SUPERVISOR, user=p.supervisor, name="督查员甲", supervision_group=group, home_unit=county.joint
    )
    p.other_supervisor = make_user(Role.SUPERVISOR)
    group2 = SupervisionGroup.objects.create(code="g2", name="第二督查组")
    group2.townships.add(county.townships[1])
    NetworkPost.objects.create(
        role=PostRole.SUPERVISOR, user=p.other_supervisor, name="督查员乙", supervision_group=group2, home_unit=county.joint
    )
    p.outsider = make_user(Role.UNIT_HANDLER, unit=county.dept2)
    return p
