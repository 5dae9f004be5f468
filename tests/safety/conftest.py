from datetime import date

import pytest

from xinfang.org.models import LeadingGroupMember, NetworkPost, PostRole, Role, Unit, UnitKind


@pytest.fixture
def school_net(county, make_user):
    class S:
        pass

    s = S()
    s.school = county.school
    s.school2 = Unit.objects.create(code="school-2", name="测试二小", kind=UnitKind.SCHOOL, region=county.townships[1], parent=county.dept)
    s.officer = make_user(Role.SAFETY_OFFICER, name="许老师")
    s.post = NetworkPost.objects.create(
        role=PostRole.SAFETY_OFFICER, user=s.officer, name="许老师", school=s.school, start_on=date(2025, 9, 1)
    )
    s.officer2 = make_user(Role.SAFETY_OFFICER, name="周老师")
    s.post2 = NetworkPost.objects.create(
        role=PostRole.SAFETY_OFFICER, user=s.officer2, name="周老师", school=s.school, start_on=date(2025, 9, 1)
    )
    s.officer3 = make_user(Role.SAFETY_OFFICER, name="钱老师")
    s.post3 = NetworkPost.objects.create(
        role=PostRole.SAFETY_OFFICER, user=s.officer3, name="钱老师", school=s.school, start_on=date(2025, 9, 1)
    )
    s.other_officer = make_user(Role.SAFETY_OFFICER, unit=s.school2, name="郑老师")
    s.other_post = NetworkPost.objects.create(
        role=PostRole.SAFETY_OFFICER, user=s.other_officer, name="郑老师", school=s.school2, start_on=date(2025, 9, 1)
    )
    s.head = make_user(Role.VIEWER, unit=s.school, name="王校长")
    LeadingGroupMember.objects.create(unit=s.school, user=s.head, name="王校长", post="校长", position="head")
    s.office = make_user(Role.OFFICE, name="吴主任")
    return s
