"""Home-page panel for auditors: the access log at a glance."""

from datetime import datetime, time

from django.utils import timezone

from xinfang.access.models import AccessRecord, IdentityGrant
from xinfang.access.selectors import can_audit


def access_panel(user) -> list[dict]:
    if not can_audit(user):
        return []
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    views_today = AccessRecord.objects.filter(at__gte=today).count()
    active_grants = IdentityGrant.objects.filter(revocation__isnull=True).count()
    return [
        {
            "title": "保密与审计",
            "items": [
                ("今日身份信息查看", views_today, "/access/log/"),
                ("未撤销的身份授权", active_grants, "/access/log/"),
            ],
        }
    ]
