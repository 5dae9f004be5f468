"""Demo data for the access app: one identity grant to the demo handling unit's handler for a
protected petition assigned to it, and the clerk's view of it in the access log. Idempotent."""

from xinfang.access import policy, services
from xinfang.access.models import IdentityGrant
from xinfang.org.models import User
from xinfang.petitions.models import Nature, Petition

REASON = "演示：承办单位需电话联系信访人核实情况"


def load(**_options) -> str:
    if IdentityGrant.objects.filter(reason=REASON).exists():
        return "已有演示授权"
    office = User.objects.filter(username="office").select_related("unit").first()
    handler = User.objects.filter(username="unit_handler").select_related("unit").first()
    clerk = User.objects.filter(username="clerk").first()
    if not (office and handler and clerk):
        return "无演示账号，跳过"
    protected = Petition.objects.filter(handling_unit_id=handler.unit_id, office_id=office.unit_id).filter(nature=Nature.REPORT)
    petition = protected.order_by("pk").first() or Petition.objects.filter(handling_unit_id=handler.unit_id, confidential=True).first()
    if petition is None or not policy.can_see(handler, petition):
        return "无可演示的保密件，跳过"
    services.identity_grant_create(actor=office, petition=petition, grantee_user=handler, fields=["name", "phone"], reason=REASON)
    policy.identity_for_display(clerk, petition, purpose="演示：查看信访件详情", path=f"/petitions/{petition.reg_no}/")
    return f"授权 {petition.reg_no} 给 {handler.display_name}；1 条查看记录"
