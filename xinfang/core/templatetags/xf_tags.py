"""Small display filters shared by the pages."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def span_cn(start: datetime | None, end: datetime | None) -> str:
    """The time from `start` to `end` as one plain Chinese unit: "108 天", "5 小时", "20 分钟".

    Django's `timesince` gives "3 月，2 周", which reads badly against legal time limits counted in days.
    """
    if not start or not end:
        return ""
    seconds = max(0, int((end - start).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} 天"
    if seconds >= 3600:
        return f"{seconds // 3600} 小时"
    return f"{max(1, seconds // 60)} 分钟"
