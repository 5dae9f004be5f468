from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    verbose_name = "督查督办"

    def ready(self):
        from xinfang.core.home import register_home_panel

        register_home_panel(supervision_panel)


def supervision_panel(user) -> list[dict]:
    from xinfang.org.models import Role
    from xinfang.supervision import selectors
    from xinfang.supervision.notifications import unread_count

    items = [("未读消息", unread_count(user), "/inbox/?unread=1")]
    if selectors.is_supervising_staff(user) or user.has_role(Role.UNIT_HANDLER, Role.SUPERVISOR):
        items.append(("待答复督办单", selectors.open_order_count(user), "/supervision/"))
    return [{"title": "督办与消息", "items": items}]
