"""Production: everything secret comes from the environment; HTTPS only."""

import os

from .base import *  # noqa: F401,F403
from .base import env_bool, env_list

DEBUG = False
XINFANG_DEMO = False
# Every key from the environment, no default: the system check xinfang.core.checks (Error level, run by
# `check --deploy`, every manage.py command and the wsgi/asgi/celery entry points) refuses to start when one
# is missing or is a repository development key.
XINFANG_PRODUCTION = True
SECRET_KEY = os.environ.get("SECRET_KEY", "")
XINFANG_FIELD_KEYS = env_list("XINFANG_FIELD_KEYS")
XINFANG_HASH_KEY = os.environ.get("XINFANG_HASH_KEY", "")
XINFANG_CHAIN_KEYS = env_list("XINFANG_CHAIN_KEY")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
