"""Home-page panel for the office and the administrator: the latest checkpoint, to print and file."""

from django.urls import reverse
from django.utils import timezone


def checkpoint_panel(user) -> list[dict]:
    from xinfang.audit.models import Checkpoint
    from xinfang.audit.views import may_see_checkpoints

    if not may_see_checkpoints(user):
        return []
    latest = Checkpoint.objects.defer("entries").order_by("-number").first()
    value = f"第 {latest.number} 号 · {timezone.localtime(latest.created_at):%m-%d %H:%M}" if latest else "尚未生成"
    return [{"title": "事件链检查点", "items": [("最近检查点（打印存档）", value, reverse("audit:checkpoints"))]}]
