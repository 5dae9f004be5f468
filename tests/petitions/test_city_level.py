"""A city held in the same deployment: its own units and users; a city reviewer sees the cases under review at the city
(not the county's worklists) and answers the 复核 in the city's name; the county office may not answer it."""

import io

import pytest
from django.test import Client
from docx import Document

from tests.tokens import api_client
from xinfang.access import policy
from xinfang.core.errors import NoPermission
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
    reviewer = make_user(Role.OFFICE, unit=bureau, username="city-reviewer")
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
