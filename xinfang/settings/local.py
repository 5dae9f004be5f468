"""Development: `make run`. Debug on, demo logins allowed."""

import os

os.environ.setdefault("XINFANG_DEMO", "1")

from .base import *  # noqa: E402,F401,F403
from .base import env_bool  # noqa: E402

DEBUG = env_bool("DEBUG", True)
XINFANG_DEMO = env_bool("XINFANG_DEMO", True)
