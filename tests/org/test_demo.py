"""The demo county: the seed's shape, idempotent, and one working login per role."""

import pytest
from django.test import Client

from xinfang.org import demo
from xinfang.org.coverage import coverage_counts
from xinfang.org.models import LeadingGroupMember, NetworkPost, PostRole, Region, Role, SupervisionGroup, Unit, UnitKind, User


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.utils import reset

    reset()


def snapshot():
    return tuple(m.objects.count() for m in (Region, Unit, User, SupervisionGroup, NetworkPost, LeadingGroupMember))


@pytest.mark.django_db
def test_demo_has_the_seed_shape_and_loads_twice_without_changes():
    demo.load()
    first = snapshot()
    demo.load()
    assert snapshot() == first
    assert Region.objects.filter(level="township").count() == 24
    assert Region.objects.filter(level="village").count() == 192
    assert Region.objects.filter(level="group").count() == 1152
    assert SupervisionGroup.objects.count() == 6
    assert NetworkPost.objects.filter(role=PostRole.SUPERVISOR).count() == 30
    assert all(g.townships.count() in (3, 4) for g in SupervisionGroup.objects.all())
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 15
    assert Unit.objects.filter(kind=UnitKind.SCHOOL).count() == 12
    for code in ["xfj", "lxb", "county", "dept-hr", "twp-341100001", "school-01"]:
        assert Unit.objects.filter(code=code).exists(), code
    # the planted gaps show on the coverage page
    counts = coverage_counts()
    assert all(counts[k] > 0 for k in counts), counts


@pytest.mark.django_db
def test_every_demo_role_logs_in_and_sees_its_home():
    demo.load()  # once for all roles: loading the county takes a few seconds
    for role in Role.values:
        c = Client(REMOTE_ADDR="10.1.1.1")
        username = {Role.REVIEWER: "city_xfj"}.get(role, role)  # the reviewers are the city's logins (CITY_USERS)
        response = c.post("/login/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, (role, response.content.decode()[:300])
        home = c.get("/")
        assert home.status_code == 200, role
        body = home.content.decode()
        assert Role(role).label in body, role
        if role in (Role.LIAISON, Role.INFO_OFFICER, Role.SAFETY_OFFICER, Role.SUPERVISOR):
            assert "我的岗位" in body and "尚未登记岗位" not in body, role
        if role in (Role.ADMIN, Role.OFFICE):
            assert "网络覆盖" in body, role


@pytest.mark.django_db
def test_the_city_inside_the_deployment_has_a_login_per_organ():
    demo.load()
    first = snapshot()
    demo.load()
    assert snapshot() == first
    assert Unit.objects.get(code="dept-land").superior.name == "平川市自然资源和规划局"
    assert Unit.objects.get(code="xfj").superior.name == "平川市信访局"
    for username, _name, code, _post in demo.CITY_USERS:
        user = User.objects.get(username=username)
        assert user.unit.code == code and user.unit.region.level == "city" and user.role_codes == [Role.REVIEWER]
        c = Client(REMOTE_ADDR="10.1.1.2")
        assert c.post("/login/", {"username": username, "password": demo.DEMO_PASSWORD}).status_code == 302, username
        assert c.get("/").status_code == 200, username


@pytest.mark.django_db
def test_a_demo_loaded_before_gives_the_city_logins_the_reviewer_role_on_reload():
    """Earlier demo databases gave the city's logins the county's office role: a reload takes it back."""
    from django.contrib.auth.models import Group

    demo.load()
    user = User.objects.get(username="city_hr")
    user.groups.set([Group.objects.get(name=Role.OFFICE)])
    demo.load()
    assert User.objects.get(username="city_hr").role_codes == [Role.REVIEWER]
