"""Tests: fast hashing, eager tasks, no lockout surprises across tests."""

from .base import *  # noqa: F401,F403

DEBUG = False
XINFANG_DEMO = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}  # noqa: F405
# Tests run on a frozen clock (tests/conftest.py) while Chromium keeps the real one: a CSRF cookie with
# an expiry computed from the frozen date would look expired to the browser, so it lasts the session.
CSRF_COOKIE_AGE = None
# Each test process has its own counters (tests that need the shared database cache switch to it
# with override_settings; tests/conftest.py creates its table).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The replica alias stays out of the test databases: a test's rows live in its own open transaction, which a second
# connection (the replica alias) cannot see, so statistics read through `reporting()` would count nothing. The router
# itself is tested with a replica set up in tests/core/test_health_and_router.py.
DATABASES.pop("replica", None)  # noqa: F405
# SQLite's test database is in memory, named so: pytest-django's xdist suffix knows SQLite only by Django's own
# ENGINE path, and would make a file name of the project's backend's database (xinfang/core/sqlite).
if DATABASES["default"]["ENGINE"] == "xinfang.core.sqlite":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
