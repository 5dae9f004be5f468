from tests.security.world import world  # noqa: F401
