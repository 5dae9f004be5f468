"""A small world for the access, audit and security tests: users in every role and petitions in
and out of their scope, registered and assigned through the real lifecycle services.

    P_IN  — confidential 检举控告 in township 1, assigned to the HR department, with a respondent
            linked to the `respondent` user (a county leader: their jurisdiction covers the petition, so only
            the respondent block keeps them out; a 检举控告 never goes to the accused's own unit, so the
            accused works in the county government, not in the handling unit), distinctive identity strings.
    P_OUT — an ordinary request in township 2, registered only.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from xinfang.org.models import NetworkPost, PostRole, Region, RegionLevel, Role, SupervisionGroup, Unit, UnitKind
from xinfang.petitions import services as petition_services
from xinfang.petitions.models import Category, Petition, Respondent

# Distinctive identity strings for the leak test (the ID number has a valid check digit).
SECRET_NAME = "保密测试人甲乙"
SECRET_PHONE = "13912345678"
SECRET_ADDRESS = "某某路99号"
SECRET_WORK_UNIT = "保密测试工作单位丙丁"


def _valid_id(first17: str = "11010519491231002") -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(a) * w for a, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


SECRET_ID = _valid_id()
SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_ID, SECRET_ADDRESS, SECRET_WORK_UNIT)

# Roles of the matrix; "respondent" is a county leader recorded as P_IN's respondent, "leader_t2" a
# township-2 leader (jurisdiction only), "handler2" a handler of another department; "city_dept" a reviewer of the
# city's 人社局 and "city_xfj" of the city's petition bureau (a city held in the deployment, issue 13: they see only the
# reviews asked of their organ, so neither P_IN nor P_OUT; tests/security/test_city_scope.py for what they do see).
ROLE_KEYS = [
    "admin",
    "clerk",
    "office",
    "leader",
    "leader_t2",
    "unit_handler",
    "handler2",
    "respondent",
    "supervisor",
    "liaison",
    "info_officer",
    "safety_officer",
    "viewer",
    "city_dept",
    "city_xfj",
]

# Who sees which petition (the exact allowed set; everyone else gets 404).
SCOPE = {
    "in": {"admin", "clerk", "office", "leader", "unit_handler", "supervisor"},
    "out": {"admin", "clerk", "office", "leader", "leader_t2", "respondent"},  # the respondent is a county leader
}
# Who sees P_IN's identity unmasked (view_identity in the registering office).
IDENTITY = {"clerk", "office"}
# Roles with no petition scope at all (may be refused with 403 before any lookup).
NO_SCOPE = {"liaison", "info_officer", "safety_officer", "viewer"}
# Reviewers of an organ above the county: refused with 403 before any lookup on every page outside their own
# (core.navigation.REVIEWER_PAGES), 404 on their own pages for a petition outside their scope.
CONFINED = {"city_dept", "city_xfj"}


@dataclass
class World:
    county: object
    users: dict = field(default_factory=dict)
    p_in: Petition | None = None
    p_out: Petition | None = None
    category: Category | None = None
    city_gov: object = None
    city_xfj: object = None
    city_hr: object = None

    def petition(self, which: str) -> Petition:
        return self.p_in if which == "in" else self.p_out


def register(
    clerk,
    *,
    category,
    region,
    confidential=None,
    nature="report",
    name=SECRET_NAME,
    phone=SECRET_PHONE,
    id_number=SECRET_ID,
    address=SECRET_ADDRESS,
    work_unit=SECRET_WORK_UNIT,
    respondents=(),
    content="反映某单位负责人违规问题",
) -> Petition:
    petition, _code = petition_services.petition_register(
        actor=clerk,
        channel="letter",
        received_at=timezone.now(),
        petitioners=[{"name": name, "id_number": id_number, "phone": phone, "address": address, "work_unit": work_unit}],
        nature=nature,
        category=category,
        content=content,
        region=region,
        confidential=confidential,
        respondents=list(respondents),
    )
    return petition


def assign(office, petition: Petition, unit) -> Petition:
    petition = petition_services.petition_accept(actor=office, petition_or_reg_no=petition.reg_no, version=petition.version)
    return petition_services.petition_assign(
        actor=office,
        petition_or_reg_no=petition.reg_no,
        version=petition.version,
        handling_unit=unit.code,
    )


def build_world(county, make_user) -> World:
    w = World(county=county)
    u = w.users
    u["admin"] = make_user(Role.ADMIN, username="w_admin")
    u["clerk"] = make_user(Role.CLERK, username="w_clerk")
    u["office"] = make_user(Role.OFFICE, username="w_office")
    u["leader"] = make_user(Role.LEADER, username="w_leader")
    u["leader_t2"] = make_user(Role.LEADER, unit=county.township_unit2, username="w_leader_t2")
    u["unit_handler"] = make_user(Role.UNIT_HANDLER, username="w_handler")
    u["handler2"] = make_user(Role.UNIT_HANDLER, unit=county.dept2, username="w_handler2")
    u["respondent"] = make_user(Role.LEADER, username="w_respondent", name="王被反映")
    u["supervisor"] = make_user(Role.SUPERVISOR, username="w_supervisor")
    u["liaison"] = make_user(Role.LIAISON, username="w_liaison")
    u["info_officer"] = make_user(Role.INFO_OFFICER, username="w_info")
    u["safety_officer"] = make_user(Role.SAFETY_OFFICER, username="w_safety")
    u["viewer"] = make_user(Role.VIEWER, username="w_viewer")
    city = Region.objects.create(code="C00", name="测试市", level=RegionLevel.CITY)
    w.city_gov = Unit.objects.create(code="city-gov", name="测试市人民政府", kind=UnitKind.CITY_LEADERSHIP, region=city)
    w.city_xfj = Unit.objects.create(code="city-xfj", name="测试市信访局", kind=UnitKind.PETITION_BUREAU, region=city, parent=w.city_gov)
    w.city_hr = Unit.objects.create(code="city-hr", name="测试市人社局", kind=UnitKind.CITY_DEPARTMENT, region=city, parent=w.city_gov)
    u["city_dept"] = make_user(Role.REVIEWER, unit=w.city_hr, username="w_city_hr")
    u["city_xfj"] = make_user(Role.REVIEWER, unit=w.city_xfj, username="w_city_xfj")
    group = SupervisionGroup.objects.create(code="g1", name="第一督查组")
    group.townships.add(county.townships[0])
    NetworkPost.objects.create(
        role=PostRole.SUPERVISOR, user=u["supervisor"], name="督查员", supervision_group=group, home_unit=county.joint
    )
    w.category, _ = Category.objects.get_or_create(code="discipline", defaults={"name": "纪检监察"})
    w.p_in = register(
        u["clerk"],
        category=w.category,
        region=county.townships[0],
        respondents=[{"name": "王被反映", "unit": county.leadership.name, "post": "副县长", "user": u["respondent"]}],
    )
    w.p_in = assign(u["office"], w.p_in, county.dept)
    w.p_out = register(
        u["clerk"],
        category=w.category,
        region=county.townships[1],
        nature="request",
        confidential=False,
        name="普通信访人",
        phone="13800001111",
        id_number=_valid_id("11010519800101001"),
        address="普通路1号",
        work_unit="",
        content="反映道路维修问题",
    )
    # The respondent link (the lifecycle stores `user` when given; make sure it is there).
    Respondent.objects.filter(petition=w.p_in, name="王被反映").exclude(user=u["respondent"]).update(user=u["respondent"])
    Group.objects.get_or_create(name=Role.ADMIN)
    w.p_in.refresh_from_db()
    w.p_out.refresh_from_db()
    return w


@pytest.fixture
def world(county, make_user) -> World:
    return build_world(county, make_user)
