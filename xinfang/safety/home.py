"""Home-page panel for safety information officers: this month's count against the quota."""

from django.urls import reverse

from xinfang.org.models import Role


def safety_panel(user) -> list[dict]:
    if not user.has_role(Role.SAFETY_OFFICER):
        return []
    from xinfang.safety.selectors import home_count

    items = []
    for row in home_count(user):
        label = f"{row['school'].name} 本月安全信息" + (f"（还差{row['missing']}条）" if row["missing"] else "（已达标）")
        items.append((label, f"{row['count']} / {row['quota']}", reverse("safety:index")))
    if items:
        items.append(("报送安全信息", "＋", reverse("safety:report_new")))
    return [{"title": "校园安全信息", "items": items}] if items else []
