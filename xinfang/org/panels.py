"""Home-page panels of the organization (registered in OrgConfig.ready())."""

from django.urls import reverse

from xinfang.org import selectors, services
from xinfang.org.coverage import SECTION_TITLES, coverage_counts
from xinfang.org.models import PostRole, Role

NETWORK_ROLES = (Role.LIAISON, Role.INFO_OFFICER, Role.SAFETY_OFFICER, Role.SUPERVISOR)


def _place(post) -> str:
    if post.role == PostRole.SUPERVISOR and post.supervision_group:
        towns = "、".join(t.name for t in post.supervision_group.townships.all())
        return f"{post.supervision_group.name}（包联 {towns}）" if towns else post.supervision_group.name
    if post.school_id:
        return post.school.name
    if post.region_id:
        names, node = [], post.region
        while node is not None and node.level != "county":
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
    return "—"


def my_posts_panel(user) -> list[dict]:
    if not user.has_role(*NETWORK_ROLES):
        return []
    posts = selectors.my_posts(user)
    items = []
    for p in posts:
        items.append((p.get_role_display(), _place(p), "#"))
        items.append(("上岗日期", f"{p.start_on:%Y-%m-%d}", "#"))
        if p.end_on:
            items.append(("期满日期", f"{p.end_on:%Y-%m-%d}", "#"))
        if p.role == PostRole.SUPERVISOR:
            items.append(("岗前培训", f"{p.trained_on:%Y-%m-%d}" if p.trained_on else "未登记，请联系县联席办", "#"))
        items.append(("管理与考核", p.managed_by, "#"))
    if not items:
        items.append(("尚未登记岗位", "请联系信访局", "#"))
    return [{"title": "我的岗位", "items": items}]


def coverage_panel(user) -> list[dict]:
    if not services.can_manage_network(user) or not user.is_authenticated:
        return []
    counts = coverage_counts()
    url = reverse("org:coverage")
    return [{"title": "网络覆盖", "items": [(SECTION_TITLES[k], v, f"{url}#{k}") for k, v in counts.items()]}]
