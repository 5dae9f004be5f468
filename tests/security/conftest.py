import pytest
from django.core.cache import cache

from tests.security.world import world  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """These tests call the public endpoints many times: start each with empty rate-limit counters."""
    cache.clear()
    yield
    cache.clear()
