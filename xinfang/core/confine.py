"""Pages a reviewer of an organ above the county may open (the rule: core.navigation.REVIEWER_PAGES): any other page
answers 403 before its view runs (the Chinese 403 page). The API applies the same rule in api.permissions."""

from django.core.exceptions import PermissionDenied

from xinfang.core.navigation import REVIEWER_REFUSED, reviewer_may_open


class ReviewerConfinementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.route.startswith("api/"):  # the API authenticates in the view (api.permissions)
            return None
        if not reviewer_may_open(request.user, match.view_name or "", match.route):
            raise PermissionDenied(REVIEWER_REFUSED)
        return None
