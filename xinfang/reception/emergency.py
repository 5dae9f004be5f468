"""Writes for the emergency response group (应急处置工作组), its 后勤保障 resources (物资、车辆、经费) and a unit's
urgent-report organs (局信访办、教办 or as set). Members and resources are retired (not in the group / not available),
never deleted: a past mobilisation still names them."""

from django.db import transaction

from xinfang.core import inputs
from xinfang.core.errors import NoPermission, NotFound
from xinfang.core.permissions import holds_role
from xinfang.org.models import Role, Unit, User
from xinfang.reception.models import EmergencyGroup, EmergencyMember, EmergencyResource, ReportingRule
from xinfang.reception.services import is_manager

UNIT_EDITORS = (Role.LEADER, Role.UNIT_HANDLER, Role.SAFETY_OFFICER)


def can_edit(actor, unit: Unit | None) -> bool:
    """The office and leaders everywhere; a unit's own leader, handler or safety officer for its own group."""
    if is_manager(actor):
        return True
    return unit is not None and actor.unit_id == unit.pk and holds_role(actor, *UNIT_EDITORS)


def _require(actor, unit):
    if not can_edit(actor, unit):
        raise NoPermission("只有信访办、领导或本单位负责人可以维护应急处置工作组")


@transaction.atomic
def emergency_group_save(*, actor, unit: Unit | None, name: str, pk: int | None = None) -> EmergencyGroup:
    if pk is not None:
        group = EmergencyGroup.objects.select_for_update().filter(pk=pk).first()
        if group is None:
            raise NotFound("未找到该应急处置工作组")
        unit = group.unit
    _require(actor, unit)
    if unit is None:
        raise inputs.bad("unit", "请选择单位")
    name = inputs.text(name, "name", "工作组名称", max_len=100)
    if pk is None:
        return EmergencyGroup.objects.create(unit=unit, name=name)
    group.name = name
    group.save(update_fields=["name"])
    return group


def _group(actor, group_id: int) -> EmergencyGroup:
    group = EmergencyGroup.objects.select_related("unit").filter(pk=group_id).first()
    if group is None:
        raise NotFound("未找到该应急处置工作组")
    _require(actor, group.unit)
    return group


@transaction.atomic
def emergency_member_save(
    *,
    actor,
    group_id: int,
    name: str,
    duty: str = "",
    phone: str = "",
    user: User | None = None,
    active: bool = True,
    pk: int | None = None,
) -> EmergencyMember:
    group = _group(actor, group_id)
    values = {
        "name": inputs.text(name, "name", "姓名", max_len=64),
        "duty": inputs.text(duty, "duty", "分工", required=False, max_len=64),
        "phone": inputs.phone(phone, "phone", label="电话"),
        "user": user,
        "active": bool(active),
    }
    if pk is None:
        return EmergencyMember.objects.create(group=group, **values)
    member = group.members.select_for_update().filter(pk=pk).first()
    if member is None:
        raise NotFound("未找到该成员")
    for k, v in values.items():
        setattr(member, k, v)
    member.save(update_fields=list(values))
    return member


@transaction.atomic
def emergency_resource_save(
    *, actor, group_id: int, kind: str, name: str, quantity: str = "", keeper: str = "", active: bool = True, pk: int | None = None
) -> EmergencyResource:
    """后勤保障: the vehicles, supplies and funds the group can call on."""
    group = _group(actor, group_id)
    values = {
        "kind": inputs.choice(kind, EmergencyResource.Kind, "kind", "资源类型"),
        "name": inputs.text(name, "name", "名称", max_len=100),
        "quantity": inputs.text(quantity, "quantity", "数量", required=False, max_len=32),
        "keeper": inputs.text(keeper, "keeper", "保管人/联系方式", required=False, max_len=64),
        "active": bool(active),
    }
    if pk is None:
        return EmergencyResource.objects.create(group=group, **values)
    resource = group.resources.select_for_update().filter(pk=pk).first()
    if resource is None:
        raise NotFound("未找到该资源")
    for k, v in values.items():
        setattr(resource, k, v)
    resource.save(update_fields=list(values))
    return resource


@transaction.atomic
def reporting_rule_save(*, actor, unit: Unit, organs: list[Unit], external_organs: str = "") -> ReportingRule:
    """Set whom `unit` tells of an urgent matter within 15 minutes (the seed: 局信访办 and 教办)."""
    _require(actor, unit)
    external = inputs.text(external_organs, "external_organs", "系统外报告对象", required=False, max_len=1000)
    organs = [o for o in organs if o is not None and o.pk != unit.pk]
    if not organs and not external:
        raise inputs.bad("organs", "请至少填写一个报告对象")
    rule, _ = ReportingRule.objects.select_for_update().get_or_create(unit=unit)
    rule.external_organs = "\n".join(line.strip() for line in external.splitlines() if line.strip())
    rule.updated_by = actor
    rule.save(update_fields=["external_organs", "updated_by", "updated_at"])
    rule.organs.set(organs)
    return rule
