"""The seed: "学校成立应急处置工作组……后勤保障组要合理配置应急处置紧急信访事项时的物资、车辆、经费等资源". The group, its
members and its 后勤保障 resources have editing pages; a retired member or resource stays on record."""

import pytest

from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Role
from xinfang.reception import emergency, selectors, services
from xinfang.reception.models import EmergencyGroup, EmergencyResource

pytestmark = pytest.mark.django_db


def test_a_school_sets_up_its_group_with_vehicles_supplies_and_funds(client, county, make_user):
    head = make_user(Role.LEADER, unit=county.school, name="田校长")
    client.force_login(head)
    r = client.post("/reception/emergency/", {"name": "测试一中应急处置工作组"}, follow=True)
    assert "已建立应急处置工作组" in r.content.decode()
    group = EmergencyGroup.objects.get(unit=county.school)
    url = f"/reception/emergency/{group.pk}/"
    client.post(url, {"op": "member", "name": "杨副校长", "duty": "现场指挥", "phone": "13900001111"})
    client.post(url, {"op": "resource", "kind": "vehicle", "name": "校车", "quantity": "1辆", "keeper": "后勤主任"})
    client.post(url, {"op": "resource", "kind": "funds", "name": "应急经费", "quantity": "5000元"})
    member = group.members.get()
    body = client.post(url, {"op": "member", "row": member.pk, "name": "杨副校长", "duty": "现场指挥", "phone": "13900001111"}, follow=True)
    assert "已退出" in body.content.decode()  # unticked: retired, kept
    member.refresh_from_db()
    assert member.active is False
    assert [(x.kind, x.name, x.keeper) for x in group.resources.order_by("pk")] == [
        ("vehicle", "校车", "后勤主任"),
        ("funds", "应急经费", ""),
    ]
    r = client.post(url, {"op": "resource", "kind": "boat", "name": "船"})
    assert "有效" in r.content.decode() and not group.resources.filter(name="船").exists()
    # the report organs of the school: 局信访办 (the bureau above it) and the township's 教办
    client.post(url, {"op": "rule", "organs": [county.dept.pk], "external_organs": "第1镇教办"})
    assert [o["name"] for o in selectors.organs_to_tell(county.school)] == ["测试县人社局", "第1镇教办"]


def test_a_retired_member_or_resource_is_not_mobilised(county, make_user, people):
    group = emergency.emergency_group_save(actor=people.office, unit=county.office, name="县信访局应急处置工作组")
    car = emergency.emergency_resource_save(actor=people.office, group_id=group.pk, kind="vehicle", name="应急车")
    emergency.emergency_resource_save(actor=people.office, group_id=group.pk, pk=car.pk, kind="vehicle", name="应急车", active=False)
    from django.utils import timezone

    report = services.urgent_report_create(
        actor=people.office, what="聚集", region=county.region, headcount=6, measures="", discovered_at=timezone.now()
    )
    with pytest.raises(InvalidInput):
        services.urgent_report_mobilise(actor=people.office, pk=report.pk, group=group, member_ids=[], resource_ids=[car.pk])
    assert EmergencyResource.objects.filter(pk=car.pk).exists()


def test_only_the_office_or_the_units_own_people_edit_a_group(client, county, make_user, people):
    group = emergency.emergency_group_save(actor=people.office, unit=county.school, name="测试一中应急处置工作组")
    with pytest.raises(NoPermission):
        emergency.emergency_member_save(actor=people.outsider, group_id=group.pk, name="某人")
    client.force_login(people.outsider)
    assert client.get(f"/reception/emergency/{group.pk}/").status_code in (403, 404)
    assert "测试一中应急处置工作组" not in client.get("/reception/emergency/").content.decode()  # his own unit's only
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/reception/emergency/").status_code == 403
