"""Home-page panel: the knowledge base and, for the office, routing and the portal's office page."""

from django.urls import reverse

from xinfang.org.models import Role


def knowledge_panel(user) -> list[dict]:
    from xinfang.knowledge.selectors import is_staff_reader, latest_routing_run
    from xinfang.portal.selectors import active_lockouts

    if not is_staff_reader(user):
        return []
    items = [("应知应会（法规、职责、标准答复）", "查阅", reverse("knowledge:library"))]
    if user.is_superuser or user.has_role(Role.ADMIN, Role.OFFICE, Role.CLERK):
        run = latest_routing_run()
        accuracy = f"{run.unit_accuracy:.0%}" if run and run.unit_accuracy is not None else "关键词规则"
        items.append(("分办建议准确率", accuracy, reverse("knowledge:routing")))
        items.append(("门户查询锁定", active_lockouts().count(), reverse("portal:office")))
    return [{"title": "应知应会与群众门户", "items": items}]
