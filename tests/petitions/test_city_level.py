"""A city held in the same deployment: its own units and users; a city reviewer sees the cases under review at the city
(not the county's worklists) and answers the 复核 in the city's name; the county office may not answer it."""

import io

import pytest
from django.test import Client
from docx import Document

from tests.tokens import api_client
from xinfang.access import policy
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind
from xinfang.petitions import review

from .helpers import act, drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(county, make_user):
    region = Region.objects.create(code="C00", name="测试市", level=RegionLevel.CITY)
    gov = Unit.objects.create(code="city-gov-u", name="测试市人民政府", kind=UnitKind.CITY_LEADERSHIP, region=region)
    bureau = Unit.objects.create(code="city-xfj-u", name="测试市信访局", kind=UnitKind.PETITION_BUREAU, region=region, parent=gov)
    county.leadership.parent = gov
    county.leadership.save(update_fields=["parent"])
    reviewer = make_user(Role.REVIEWER, unit=bureau, username="city-reviewer")
    return {"gov": gov, "bureau": bureau, "reviewer": reviewer}


def test_a_rereview_goes_to_the_city_and_is_answered_there(register, users, city):
    other = drive(register, users, "in_progress")
    p = drive(register, users, "replied")
    p = act(p, "request_review", users)  # 复查 by 测试县政府 (in the deployment), answered by the county office
    p = act(p, "reply", users, text="经复查，维持原处理意见。")
    assert [o.name for o in review.candidates(p, 2)] == ["测试市人民政府"]
    reviewer = city["reviewer"]
    assert not policy.visible_petitions(reviewer).exists()  # nothing under review at the city yet
    p = act(p, "request_rereview", users)
    assert p.review_unit == city["gov"]
    seen = set(policy.visible_petitions(reviewer).values_list("reg_no", flat=True))
    assert seen == {p.reg_no} and other.reg_no not in seen  # not the county's worklists
    assert "reply" not in review_offered(p, users.office)
    with pytest.raises(NoPermission):
        act(p, "reply", users)  # the county office does not answer the city's 复核
    assert "reply" in review_offered(p, reviewer)
    p = act(p, "reply", users, actor=reviewer, text="经复核，维持复查意见。")
    assert (p.status, p.review_level, p.matter_ended) == ("replied", 2, True)
    c = Client()
    c.force_login(reviewer)
    text = "\n".join(x.text for x in Document(io.BytesIO(c.get(f"/petitions/{p.reg_no}/docs/rereview.docx").content)).paragraphs)
    assert "复核意见书" in text and "测试市人民政府" in text.strip().splitlines()[-2]
    api = api_client(reviewer)
    assert api.get(f"/api/v1/petitions/{other.reg_no}/").status_code == 404
    assert [r["reg_no"] for r in api.get("/api/v1/petitions/").json()["results"]] == [p.reg_no]
    assert c.get(f"/petitions/{other.reg_no}/").status_code == 404
    assert c.get(f"/petitions/{p.reg_no}/").status_code == 200
    # A city user without any review asked of the city sees nothing of the county.
    assert api_client(users.office).get(f"/api/v1/petitions/{p.reg_no}/").status_code == 200  # the county office still sees it


def review_offered(p, actor):
    from django.utils import timezone

    from xinfang.petitions import workflow

    p.refresh_from_db()
    return workflow.offered(p, actor, timezone.now())


@pytest.fixture
def city_departments(county, city, make_user):
    """The city's own 人社局 inside the deployment, superior of the county's; the province's 人社厅 outside it."""
    from xinfang.org.models import ExternalOrgan

    gov, region = city["gov"], city["gov"].region
    hr = Unit.objects.create(code="city-hr-u", name="测试市人社局", kind=UnitKind.CITY_DEPARTMENT, region=region, parent=gov)
    county.dept.superior = hr
    county.dept.save(update_fields=["superior"])
    province_hr = ExternalOrgan.objects.create(code="prov-hr", name="测试省人社厅", level="province", address="省城路1号")
    province_hr.supervises.add(hr)
    return {"hr": hr, "province_hr": province_hr, "hr_reviewer": make_user(Role.REVIEWER, unit=hr, username="city-hr-reviewer")}


def test_the_city_department_above_the_county_department_reviews_in_its_own_name(register, users, city, city_departments):
    hr, hr_reviewer, bureau_reviewer = city_departments["hr"], city_departments["hr_reviewer"], city["reviewer"]
    other = drive(register, users, "in_progress")
    p = drive(register, users, "replied")  # handled by 测试县人社局
    assert [(o.name, o.external) for o in review.candidates(p, 1)] == [("测试县人民政府", False), ("测试市人社局", False)]
    assert not policy.visible_petitions(hr_reviewer).exists()
    p = act(p, "request_review", users, review_organ="city-hr-u")
    assert p.review_unit == hr and p.review_external is None
    assert set(policy.visible_petitions(hr_reviewer).values_list("reg_no", flat=True)) == {p.reg_no}
    assert not policy.visible_petitions(bureau_reviewer).exists()  # the city bureau serves the government, not the 人社局
    with pytest.raises(NoPermission):
        act(p, "reply", users)  # the county office does not answer the city department's 复查
    with pytest.raises(NoPermission):
        act(p, "forward_review", users, actor=hr_reviewer)  # the city reviewer only answers the review
    offered = review_offered(p, hr_reviewer)
    assert "reply" in offered and not {"archive", "set_case_leader", "record_delivery"} & set(offered)
    p = act(p, "reply", users, actor=hr_reviewer, text="经复查，维持原处理意见。")
    ev = p.events.filter(action="reply").order_by("-seq").first()
    assert (p.status, p.review_level, ev.data["organ_name"]) == ("replied", 1, "测试市人社局")
    # 复核 of the city department's review: the city government (in the deployment), or the province's 人社厅 (outside).
    assert [(o.name, o.external) for o in review.candidates(p, 2)] == [("测试市人民政府", False), ("测试省人社厅", True)]
    assert "record_delivery" not in review_offered(p, hr_reviewer)  # delivery is the county office's
    p = act(p, "record_delivery", users)
    p = act(p, "request_rereview", users)
    assert p.review_unit == city["gov"]
    assert set(policy.visible_petitions(bureau_reviewer).values_list("reg_no", flat=True)) == {p.reg_no}
    assert p.reg_no in set(policy.visible_petitions(hr_reviewer).values_list("reg_no", flat=True))  # its own past review
    assert "reply" not in review_offered(p, hr_reviewer)
    api = api_client(hr_reviewer)
    assert api.get(f"/api/v1/petitions/{other.reg_no}/").status_code == 404
    assert [r["reg_no"] for r in api.get("/api/v1/petitions/").json()["results"]] == [p.reg_no]


def test_a_city_government_user_sees_neither_the_county_reviews_nor_its_departments(
    register, users, county, city, city_departments, make_user
):
    gov_user = make_user(Role.REVIEWER, unit=city["gov"], username="city-gov-user")
    p = drive(register, users, "replied")
    p = act(p, "request_review", users, review_organ=county.leadership.code)  # 复查 by the county government (under the city's)
    q = drive(register, users, "replied")
    q = act(q, "request_review", users, review_organ="city-hr-u")
    assert not policy.visible_petitions(gov_user).exists()
    assert policy.review_unit_ids(gov_user) == [city["gov"].pk]


def test_a_city_organ_is_never_the_handling_unit_of_a_county_case(register, users, city_departments):
    p = drive(register, users, "accepted")
    with pytest.raises(InvalidInput) as e:
        act(p, "assign", users, handling_unit="city-hr-u")
    assert "上级机关" in e.value.message and "handling_unit" in e.value.fields
