"""The demo county shows the whole review path: the city above it as external organs, one case at each stage."""

import pytest

from xinfang.org import demo as org_demo
from xinfang.org.models import ExternalOrgan
from xinfang.petitions import demo
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


def test_the_city_above_and_one_case_at_each_review_stage():
    org_demo.load()
    assert {"平川市信访局", "平川市人民政府", "平川市人力资源和社会保障局"} <= set(ExternalOrgan.objects.values_list("name", flat=True))
    assert ExternalOrgan.objects.get(code="city-hr").supervises.filter(code="dept-hr").exists()
    summary = demo.load(petitions=0)
    assert "复查复核示例 9 件" in summary
    cases = {
        p.content.split("：")[0].removeprefix(demo.REVIEW_MARK): p for p in Petition.objects.filter(content__startswith=demo.REVIEW_MARK)
    }
    assert cases["复查中"].status == "under_review" and cases["复查中"].review_unit.code == "county"
    assert cases["复查请求待转送"].review_external.code == "city-hr" and cases["复查请求待转送"].review_forwarded_at is None
    assert cases["已转送平川市人社局，待录入复查意见"].review_forwarded_at is not None
    assert (cases["复查意见已录入，可申请复核"].status, cases["复查意见已录入，可申请复核"].review_level) == ("replied", 1)
    assert cases["复核中"].status == "under_rereview" and cases["复核中"].review_external.code == "city-gov"
    assert cases["已复核终结（三级终结）"].matter_ended
    later = cases["复核终结后再次反映（待告知不再受理）"]
    assert later.status == "registered" and later.matter_ended and later.repeat_of == cases["已复核终结（三级终结）"]
    assert cases["简易办理"].track == "simple" and cases["不满意件（待回访）"].last_satisfaction == "dissatisfied"
    assert "已存在" in demo.load(petitions=0)
