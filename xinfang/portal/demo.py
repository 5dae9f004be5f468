"""Demo portal data: the Open311 channel with the well-known key, and published summaries.

Demo mode only (load_demo refuses to run without XINFANG_DEMO); never in production.
"""

from django.conf import settings

from xinfang.core.errors import DomainError
from xinfang.org.models import User
from xinfang.petitions.models import Petition, Status
from xinfang.portal import services
from xinfang.portal.models import Open311Client, PublishedSummary, hash_api_key

DEMO_KEY = "demo-open311-key"


def load(**_options) -> str:
    if not settings.XINFANG_DEMO:
        return "非演示模式，跳过"
    if not Open311Client.objects.filter(api_key_hash=hash_api_key(DEMO_KEY)).exists():
        if not Open311Client.objects.filter(channel_code="demo-12345").exists():
            services.open311_client_create(name="12345政务服务便民热线（演示）", channel_code="demo-12345", api_key=DEMO_KEY)
    office = User.objects.filter(username="office").first()
    published = 0
    if office is not None:
        candidates = (
            Petition.objects.filter(public_consent=True, status__in=[Status.REPLIED, Status.EVALUATED, Status.ARCHIVED])
            .exclude(published_summaries__withdrawn_at__isnull=True, published_summaries__isnull=False)
            .select_related("category")
            .order_by("pk")[:8]
        )
        for p in candidates:
            try:
                services.summary_publish(
                    actor=office,
                    petition=p,
                    title=f"群众反映{p.category.name}方面的问题",
                    summary=f"群众通过{p.get_channel_display()}反映{p.category.name}方面的问题，请求依法处理。",
                    result="经调查核实，有关单位已依法处理，并已书面答复信访人。",
                )
                published += 1
            except DomainError:
                continue
    return f"Open311 演示渠道（api_key={DEMO_KEY}）；公开事项 {PublishedSummary.objects.filter(withdrawn_at__isnull=True).count()} 条（新增 {published}）"
