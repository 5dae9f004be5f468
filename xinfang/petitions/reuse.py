"""“使用该信访人信息”: the repeat hint on the registration form copies an earlier petitioner's details into the form.

Only what the clerk may see of that petitioner (the access policy's visible fields: a protected petitioner's identity
without the right or a grant is not copied); the view is logged like any other identity view."""

from xinfang.access import policy
from xinfang.core.crypto import keyed_hash
from xinfang.petitions.models import Petitioner

PURPOSE = "登记时复用信访人信息"


def earlier_petitioner(*, actor, reg_no: str, id_number: str = "", phone: str = "", path: str = "") -> dict:
    """{"fields": {name, id_number, phone, address, work_unit: value}, "withheld": [labels], "reg_no"} of the earlier
    petition's petitioner matching the typed ID number or phone (else its first petitioner); NotFound (404) alike for an
    absent or invisible petition."""
    petition = policy.get_visible_petition(actor, reg_no)
    people = list(Petitioner.objects.filter(petition=petition).order_by("is_representative", "position", "pk"))
    if petition.anonymous or not people:
        return {"reg_no": reg_no, "fields": {}, "withheld": [], "anonymous": True}
    wanted = {keyed_hash(v.strip()) for v in (id_number, phone) if v and v.strip()}
    person = next((p for p in people if wanted & {p.id_hash, p.phone_hash}), people[0])
    visible, _grant = policy.visible_identity_fields(actor, petition)
    shown = policy.petitioner_identity(actor, petition, person, purpose=PURPOSE, path=path)
    labels = {"name": "姓名", "id_number": "身份证号", "phone": "电话", "address": "住址", "work_unit": "工作单位"}
    fields = {f: shown[f] for f in policy.IDENTITY_FIELDS if f in visible and shown.get(f)}
    withheld = [labels[f] for f in policy.IDENTITY_FIELDS if f not in visible and getattr(person, f)]
    return {"reg_no": reg_no, "fields": fields, "withheld": withheld, "anonymous": False}
