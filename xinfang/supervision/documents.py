"""督办单 and 催办单 in the project's one document module (`core.gongwen`): A4, dated by the order (the urging), never the
print date. They go to the unit, so they name the matter by its registration number and category and carry no
petitioner identity (a 检举控告's accuser never reaches the accused's unit through them)."""

from django.utils import timezone

from xinfang.core import gongwen
from xinfang.supervision.models import SupervisionOrder, Urging


def _organ(user, petition) -> str:
    unit = getattr(user, "unit", None)
    return unit.name if unit is not None else petition.office.name


def order_notice(order: SupervisionOrder) -> gongwen.Notice:
    p = order.petition
    organ = _organ(order.issued_by, p)
    due = timezone.localtime(order.answer_due_at)
    return gongwen.Notice(
        kind="supervision_order",
        title="信访事项督办单",
        organ=organ,
        signer=organ,
        issued_on=timezone.localtime(order.issued_at).date(),
        issued_at=order.issued_at,
        reference=f"督办编号：{order.pk}　登记编号：{p.reg_no}",
        addressee=order.unit.name,
        body=[
            f"登记编号{p.reg_no}的信访事项（{p.category.name}）由你单位办理。现予{order.get_form_display()}，请按以下要求办理，并于{due:%Y年%m月%d日}前书面答复。"
        ],
        rows=[
            gongwen.Row("督办要求", order.requirements, 4),
            gongwen.Row("答复期限", f"{due:%Y年%m月%d日 %H:%M}"),
            gongwen.Row("单位答复", "", 4),
            gongwen.Row("单位负责人签字", "", 2),
        ],
    )


def urging_notice(urging: Urging) -> gongwen.Notice:
    p = urging.petition
    organ = _organ(urging.by, p)
    return gongwen.Notice(
        kind="urging",
        title="信访事项催办单",
        organ=organ,
        signer=organ,
        issued_on=timezone.localtime(urging.at).date(),
        issued_at=urging.at,
        reference=f"登记编号：{p.reg_no}",
        addressee=urging.unit.name,
        body=[
            f"登记编号{p.reg_no}的信访事项（{p.category.name}）由你单位办理"
            + (f"，本机关已于{timezone.localtime(urging.order.issued_at):%Y年%m月%d日}督办" if urging.order_id else "")
            + "。现予催办：",
            urging.note,
            "请抓紧办理，及时报送办理情况。",
        ],
    )
