"""Role checks shared by every app: does an actor hold one of these roles (the superuser always does), and the
NoPermission with the app's own Chinese message when not. Which roles may do what is each app's rule; the check is here."""

from xinfang.core.errors import NoPermission


def holds_role(actor, *roles: str) -> bool:
    return bool(actor is not None and actor.is_authenticated and (actor.is_superuser or actor.has_role(*roles)))


def require_role(actor, *roles: str, message: str) -> None:
    """NoPermission(message) unless `actor` holds one of `roles` (or is the superuser)."""
    if not holds_role(actor, *roles):
        raise NoPermission(message)
