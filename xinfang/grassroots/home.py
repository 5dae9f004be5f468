"""Home-page panel for the grassroots network (registered in apps.py)."""

from django.urls import reverse

from xinfang.org.models import Role


def grassroots_panel(user) -> list[dict]:
    from xinfang.grassroots import selectors
    from xinfang.grassroots.models import ReportStatus

    if not user.has_role(Role.LIAISON, Role.INFO_OFFICER, Role.SUPERVISOR, Role.UNIT_HANDLER, Role.OFFICE, Role.ADMIN):
        return []
    items = []
    if selectors.can_file_report(user):
        items.append(("上报信息", "＋", reverse("grassroots:report_new")))
    if user.has_role(Role.LIAISON, Role.INFO_OFFICER):
        for r in selectors.report_list(actor=user, mine=True)[:5]:
            items.append(
                (r.text[:18] + ("…" if len(r.text) > 18 else ""), r.get_status_display(), reverse("grassroots:report", args=[r.pk]))
            )
    else:
        if selectors.actor_scope(user).empty:
            return [{"title": "基层信息报送", "items": items}] if items else []
        new = selectors.report_list(actor=user, status=ReportStatus.NEW).count()
        items.append(("待签收信息", new, reverse("grassroots:reports") + "?status=new"))
        totals = selectors.dispute_totals(actor=user)
        items.append(("调处中的矛盾纠纷", totals["open"], reverse("grassroots:disputes") + "?status=open"))
        items.append(("超过调处时限", totals["overdue"], reverse("grassroots:disputes") + "?overdue=1"))
        items.append(("基层工作首页", "进入", reverse("grassroots:index")))
    return [{"title": "基层信息报送", "items": items}] if items else []
