from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    verbose_name = "接待值班"

    def ready(self):
        from xinfang.core.home import register_home_panel

        register_home_panel(reception_panel)


def reception_panel(user) -> list[dict]:
    from datetime import timedelta

    from django.utils import timezone

    from xinfang.org.models import Role
    from xinfang.reception import first_receipts, selectors, services

    items = [("紧急报告（发现后15分钟内上报）", "录入", "/reception/urgent/new/")]
    if getattr(user, "unit_id", None):
        items.append(("首问登记（引领来访人到信访办）", "登记", "/reception/first/"))
    if user.has_role(Role.CLERK, Role.OFFICE):
        items.append(("待登记的首问", first_receipts.open_receipts().count(), "/reception/first/"))
    from xinfang.reception.duty import can_report_away

    if getattr(user, "unit_id", None) and user.unit.kind == "school" and can_report_away(user, user.unit):
        items.append(("校长外出当日不能返校（向教办报告）", "登记", "/reception/away/"))
    if services.is_manager(user):
        today = timezone.localdate()
        empty = len(selectors.reception_day_warnings(start=today, end=today + timedelta(weeks=8)))
        gaps = len(selectors.duty_gaps(start=today, end=today + timedelta(days=30)))
        items += [("接待日空岗（8周内）", empty, "/reception/"), ("值班缺口（按各单位规则，30天内）", gaps, "/reception/duty/")]
        from xinfang.petitions.selectors import count_label
        from xinfang.reception.cross_level import open_cross_level

        n = open_cross_level(user, limit=51).count()  # counted, not read; the list shows 50, so "50+" beyond
        items.append(("越级访待疏导报告", count_label(min(n, 50), n > 50), "/reception/cross-level/"))
        from xinfang.reception.collective import open_plans

        items.append(("集体访处置中（清单未完毕）", open_plans(user).count(), "/reception/collective/"))
    return [{"title": "接待值班", "items": items}]
