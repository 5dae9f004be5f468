"""The demo county shows the whole review path: the city above it inside the deployment (its government, petition bureau
and departments as units, each with a login), the province as external organs, one case at each stage."""

import pytest

from xinfang.access import policy
from xinfang.org import demo as org_demo
from xinfang.org.models import ExternalOrgan, Unit, User
from xinfang.petitions import demo
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


def test_the_city_inside_and_one_case_at_each_review_stage():
    org_demo.load()
    city = {u.code: u for u in Unit.objects.filter(region__level="city")}
    assert {u.name for u in city.values()} == {
        "平川市人民政府",
        "平川市信访局",
        "平川市人力资源和社会保障局",
        "平川市自然资源和规划局",
        "平川市住房和城乡建设局",
    }
    assert Unit.objects.get(code="dept-hr").superior == city["city-hr"] and Unit.objects.get(code="county").parent == city["city-gov"]
    assert not ExternalOrgan.objects.filter(level="city", active=True).exists()  # the province stays outside
    assert ExternalOrgan.objects.get(code="prov-hr").supervises.filter(code="city-hr").exists()
    summary = demo.load(petitions=0)
    assert "复查复核示例 11 件" in summary
    cases = {
        p.content.split("：")[0].removeprefix(demo.REVIEW_MARK): p for p in Petition.objects.filter(content__startswith=demo.REVIEW_MARK)
    }
    marked = Petition.objects.filter(content__startswith=demo.REVIEW_MARK)
    by_title = {p.content.removeprefix(demo.REVIEW_MARK).split("：反映")[0]: p for p in marked}
    county_review = by_title["复查中：县委县政府复查（本系统内）"]
    assert county_review.status == "under_review" and county_review.review_unit.code == "county"
    at_city = by_title["复查中：平川市人社局复查（本系统内，待市人社局答复）"]
    assert at_city.status == "under_review" and at_city.review_unit.code == "city-hr"
    answered = cases["复查意见已作出"]
    assert (answered.status, answered.review_level) == ("replied", 1)
    assert answered.events.filter(action="reply").order_by("-seq").first().data["organ_name"] == "平川市人力资源和社会保障局"
    assert cases["复核中"].status == "under_rereview" and cases["复核中"].review_unit.code == "city-gov"
    ended = cases["已复核终结（三级终结）"]
    assert ended.matter_ended and ended.events.filter(action="reply").order_by("-seq").first().data["organ_name"] == "平川市人民政府"
    assert cases["复核请求待转送"].review_external.code == "prov-hr" and cases["复核请求待转送"].review_forwarded_at is None
    assert cases["已转送省人社厅，待录入复核意见"].review_forwarded_at is not None
    assert cases["省人社厅复核意见已录入（三级终结）"].matter_ended
    later = cases["复核终结后再次反映（待告知不再受理）"]
    assert later.status == "registered" and later.matter_ended and later.repeat_of == ended
    assert cases["简易办理"].track == "simple" and cases["不满意件（待回访）"].last_satisfaction == "dissatisfied"
    # Each city login sees the reviews asked of its organ (and those it was asked before), nothing else of the county.
    seen = {
        u.username: set(policy.visible_petitions(u).values_list("pk", flat=True)) for u in User.objects.filter(username__startswith="city_")
    }
    hr_cases = {at_city.pk, answered.pk, cases["复核中"].pk, *(p.pk for t, p in by_title.items() if "省人社厅" in t)}
    assert seen["city_hr"] == hr_cases
    assert seen["city_xfj"] == seen["city_gov"] == {cases["复核中"].pk, ended.pk}
    assert seen["city_land"] == seen["city_housing"] == set()
    assert "已存在" in demo.load(petitions=0)
