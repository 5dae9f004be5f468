"""API permission shared by every view (settings.REST_FRAMEWORK): a reviewer of an organ above the county reaches only
the endpoints of its work (core.navigation.REVIEWER_PAGES); elsewhere the structured 403."""

from rest_framework.permissions import BasePermission


class ReviewerConfined(BasePermission):
    def has_permission(self, request, view) -> bool:
        # Imported here: DRF loads this class while xinfang.core.errors (which imports DRF) is still being imported.
        from xinfang.core.errors import NoPermission
        from xinfang.core.navigation import REVIEWER_REFUSED, reviewer_may_open

        match = request.resolver_match
        if match is not None and not reviewer_may_open(request.user, match.view_name or "", match.route):
            raise NoPermission(REVIEWER_REFUSED)
        return True
