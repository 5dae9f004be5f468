"""Swagger UI and ReDoc under the app's CSP, offline.

drf-spectacular's stock pages carry an inline `<script>` and `<style>` (refused by the CSP, so Swagger UI stayed
blank) and ReDoc's page loads fonts from fonts.googleapis.com. These pages load only local files: the sidecar
bundles, Swagger UI's init script from the split view (`?script`, same origin), ReDoc's init from static/js.
ReDoc writes its styles into `<style>` elements (styled-components): this one page allows styles carrying its
per-response nonce (handed to ReDoc's `nonce` option), and the one stylesheet the bundle injects as it loads,
before any nonce can be set (perfect-scrollbar's CSS), by its hash. Scripts stay 'self' only: ReDoc's search runs
in a blob: worker, so search is off (Swagger UI has a filter).
"""

from csp.constants import NONCE
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


# perfect-scrollbar's CSS as drf-spectacular-sidecar's redoc.standalone.js (2.x) injects it, and the empty <style>
# it inserts first. Another sidecar version may change it: tests/e2e/test_api_docs.py fails on any CSP refusal.
REDOC_STYLE_HASHES = ["'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]


class RedocDocsView(SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response._csp_update = {"style-src": [NONCE, *REDOC_STYLE_HASHES]}
        return response
