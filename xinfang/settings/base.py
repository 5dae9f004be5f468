"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "xinfang"


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The repository's development keys. Production reads every key from the environment only, and the
# system check xinfang.core.checks refuses to start without its own keys or with any of these.
DEV_KEYS = {
    "SECRET_KEY": "dev-only-insecure-key-change-me-in-production-0123456789",
    "XINFANG_FIELD_KEYS": "bW9jay1kZXYta2V5LW9ubHktMzItYnl0ZXMtbG9uZyE=",
    "XINFANG_HASH_KEY": "dev-only-hash-key",
    "XINFANG_CHAIN_KEY": "dev-only-chain-key-not-for-production-0123456789",
}
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_KEYS["SECRET_KEY"])
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Demo mode creates the well-known demo logins; never on in production.
XINFANG_DEMO = env_bool("XINFANG_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "xinfang.core",
    "xinfang.org",
    "xinfang.audit",
    "xinfang.petitions",
    "xinfang.access",
    "xinfang.supervision",
    "xinfang.reception",
    "xinfang.grassroots",
    "xinfang.safety",
    "xinfang.stats",
    "xinfang.portal",
    "xinfang.knowledge",
    "xinfang.transfer",
    "xinfang.messaging",
    "xinfang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinfang.core.session_refresh.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A reviewer of an organ above the county opens only the pages of its work (core.navigation.REVIEWER_PAGES).
    "xinfang.core.confine.ReviewerConfinementMiddleware",
    # The input layer: body size, control characters, JSON depth, date range (before any view reads the body).
    "xinfang.core.hardening.RequestHardeningMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"
ASGI_APPLICATION = "xinfang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.core.context_processors.navigation",
                "xinfang.supervision.context_processors.inbox_unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'xinfang.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite with write transactions queued on a lock file (xinfang/core/sqlite/base.py). WAL and a busy
    # timeout let the dev server and a management command share the file.
    DATABASES["default"]["ENGINE"] = "xinfang.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# A read replica for reports and statistics (see xinfang/core/db_router.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL's JIT compiles a plan whose estimate passes jit_above_cost: a LIMIT 51 search estimated high for its text
# filter spent 600 ms compiling to run in 4 ms (docs/data.md, 2026-12-04). The pages' statements are all short. Added to
# the URL's own `options` (a libpq `options` replaces PGOPTIONS: carry a statement_timeout there, not in PGOPTIONS); a
# pooler that refuses startup options wants `ALTER ROLE … SET jit = off` instead (docs/data.md).
for _alias in DATABASES:
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
        _options = DATABASES[_alias].setdefault("OPTIONS", {})
        if "jit" not in _options.get("options", ""):
            _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
DATABASE_ROUTERS = ["xinfang.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after two hours of inactivity and when the browser closes. The expiry moves when the session is
# saved: at most once a minute (xinfang.core.session_refresh), not on every request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default

# Lockout after repeated failures (django-axes): 5 failures lock username+address for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "xinfang.access.throttles.axes_client_ip"

# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), e.g. the nginx
# in front of gunicorn: "127.0.0.1". Unset: the header is ignored and the peer address counts.
XINFANG_TRUSTED_PROXIES = env_list("XINFANG_TRUSTED_PROXIES", "")

# API tokens (django-rest-knox): end after XINFANG_TOKEN_IDLE_HOURS without use (each use slides the
# expiry), and XINFANG_TOKEN_MAX_DAYS after issue at the latest.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("XINFANG_TOKEN_IDLE_HOURS", "8"))),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=int(os.environ.get("XINFANG_TOKEN_MAX_DAYS", "30"))),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}

# Chinese for everyone, whatever the browser's Accept-Language says (no LocaleMiddleware): pages, form and API field
# errors, and the admin alike.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for the few strings Django's admin, django-axes and django-rest-knox ship untranslated.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"  # never served directly: attachments go through the access policy
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
# Whole request bodies above this answer 413 before they are read (nginx's client_max_body_size matches).
XINFANG_MAX_REQUEST_BYTES = int(os.environ.get("XINFANG_MAX_REQUEST_BYTES", str(30 * 1024 * 1024)))
XINFANG_MAX_JSON_DEPTH = 32
# The access log writes one record per person, petition and kind of identity view within this many minutes (0: every view).
XINFANG_ACCESS_LOG_WINDOW_MINUTES = int(os.environ.get("XINFANG_ACCESS_LOG_WINDOW_MINUTES", "30"))
# Open311 GeoReport v2: this endpoint's jurisdiction_id (e.g. "anhe.gov.cn"); when set, a request naming another is refused.
XINFANG_OPEN311_JURISDICTION = os.environ.get("XINFANG_OPEN311_JURISDICTION", "")
# PDFs embed this TrueType Chinese font (xinfang/core/pdf.py; default AR PL UMing CN from fonts-arphic-uming, face 0 of the .ttc).
XINFANG_PDF_FONT = os.environ.get("XINFANG_PDF_FONT", "/usr/share/fonts/truetype/arphic/uming.ttc")
XINFANG_PDF_FONT_INDEX = int(os.environ.get("XINFANG_PDF_FONT_INDEX", "0"))
# The petitioners' portal as printed on receipts (e.g. https://xinfang.anhe.gov.cn/portal/); empty: this site's /portal/.
XINFANG_PORTAL_URL = os.environ.get("XINFANG_PORTAL_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xinfang.api.authentication.TokenAuthentication",  # django-rest-knox: hashed, expiring, revocable
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "xinfang.api.permissions.ReviewerConfined"],
    "DEFAULT_SCHEMA_CLASS": "xinfang.api.schema.XinfangAutoSchema",  # nested serializers named after their view
    "EXCEPTION_HANDLER": "xinfang.core.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min", "token": "20/min", "public": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "xinfang 信访工作管理系统 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: served locally, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The one action endpoint is published as one operation per action, each with its own body (xinfang/api/petitions.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "xinfang.api.petitions.split_action_operations"],
}

# Content security policy: only our own assets (django-csp 4 format).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Rate-limit counters must be shared by every worker: the database cache table (`manage.py
# createcachetable`, run by `make migrate`) unless Redis is configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xinfang_cache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}

# Identity fields are encrypted at rest. XINFANG_FIELD_KEYS is a comma-separated list of
# Fernet keys, newest first (rotation: add a new key in front, run `manage.py rotate_field_keys`).
XINFANG_FIELD_KEYS = env_list("XINFANG_FIELD_KEYS", DEV_KEYS["XINFANG_FIELD_KEYS"])
# Key for the keyed hashes (HMAC) that let us search encrypted ID numbers and phones.
XINFANG_HASH_KEY = os.environ.get("XINFANG_HASH_KEY", DEV_KEYS["XINFANG_HASH_KEY"])
# HMAC keys of the event chain, the access-log chain, checkpoints and backup manifests (xinfang/audit/keys.py):
# XINFANG_CHAIN_KEY is a comma-separated list, newest first; old keys stay listed (they verify what they signed).
XINFANG_CHAIN_KEYS = env_list("XINFANG_CHAIN_KEY", DEV_KEYS["XINFANG_CHAIN_KEY"])

# Messages to petitioners (xinfang/messaging, docs/messages.md): the gateway adapter (default: a file under var/outbox),
# the HTTP gateway's address, account, shared secret and signature name, and the portal address the texts name.
XINFANG_PETITIONER_SMS_GATEWAY = os.environ.get("XINFANG_PETITIONER_SMS_GATEWAY", "")
XINFANG_SMS_GATEWAY_URL = os.environ.get("XINFANG_SMS_GATEWAY_URL", "")
XINFANG_SMS_GATEWAY_ACCOUNT = os.environ.get("XINFANG_SMS_GATEWAY_ACCOUNT", "")
XINFANG_SMS_GATEWAY_SECRET = os.environ.get("XINFANG_SMS_GATEWAY_SECRET", "")
XINFANG_SMS_GATEWAY_SIGN_NAME = os.environ.get("XINFANG_SMS_GATEWAY_SIGN_NAME", "信访")
XINFANG_PORTAL_URL = os.environ.get("XINFANG_PORTAL_URL", "")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
# A worker keeps its database connection across tasks (Celery closes it after every task otherwise: a new PostgreSQL
# backend per petitioner message); xinfang.celery closes one that broke or outlived CONN_MAX_AGE, as around a request.
CELERY_DB_REUSE_MAX = 1_000_000  # tasks per connection; CONN_MAX_AGE is what retires it
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {"task": "xinfang.supervision.tasks.sweep_reminders", "schedule": 60.0},
    "refresh-stats": {"task": "xinfang.stats.tasks.refresh_stats", "schedule": 300.0},
    "open311-drop-replays": {"task": "xinfang.portal.tasks.open311_drop_replays", "schedule": 3600.0},
    "messaging-retry": {"task": "xinfang.messaging.tasks.retry_due", "schedule": 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "xinfang.core.logging.JsonFormatter"},
    },
    # LOG_FORMAT=json gives one JSON object per line (production); plain text otherwise.
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": os.environ.get("LOG_FORMAT", "plain")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
