"""URL map. Each app owns its own `urls.py` (pages) and the api app exposes every app under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("xinfang.core.urls")),
    path("org/", include("xinfang.org.urls")),
    path("petitions/settings/time-limits/", include("xinfang.petitions.urls_timelimits")),
    path("petitions/", include("xinfang.petitions.urls")),
    path("access/", include("xinfang.access.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("reception/", include("xinfang.reception.urls")),
    path("grassroots/", include("xinfang.grassroots.urls")),
    path("safety/", include("xinfang.safety.urls")),
    path("stats/", include("xinfang.stats.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("audit/", include("xinfang.audit.urls")),
    path("knowledge/", include("xinfang.knowledge.urls")),
    path("transfer/", include("xinfang.transfer.urls")),
    path("inbox/", include("xinfang.supervision.inbox_urls")),
    path("api/v1/", include("xinfang.api.urls")),
    path("open311/", include("xinfang.portal.open311_urls")),
    path("admin/", admin.site.urls),
]
