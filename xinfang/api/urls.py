"""/api/v1/: each domain's API module owns its urlpatterns; no business logic here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from xinfang.api.docs import RedocDocsView, SwaggerDocsView

urlpatterns = [
    path("", include("xinfang.api.accounts")),
    path("", include("xinfang.api.org")),
    path("", include("xinfang.api.petitions")),
    path("", include("xinfang.api.petition_documents")),
    path("", include("xinfang.api.access")),
    path("", include("xinfang.api.supervision")),
    path("", include("xinfang.api.reception")),
    path("", include("xinfang.api.grassroots")),
    path("", include("xinfang.api.safety")),
    path("", include("xinfang.api.stats")),
    path("", include("xinfang.api.public")),
    path("", include("xinfang.api.knowledge")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocDocsView.as_view(url_name="api-schema"), name="api-redoc"),
]
