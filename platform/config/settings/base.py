"""Settings shared by every environment.

Every environment variable dysa reads is read here, in one place; the environment modules
(local, test, production) only change defaults and add guards. README's configuration table
lists each variable with its default.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.settings.apps import discover_apps

BASE_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()

# --- core -----------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dysa-insecure-development-key")
# Previous keys still accepted for signed values (sessions, password-reset links) while a new
# DJANGO_SECRET_KEY rolls out (docs/operations.md, "Rotate the Django secret key").
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DYSA_BASE_DOMAIN = env.str("DYSA_BASE_DOMAIN", default="localhost").lower()
DYSA_MASTER_KEYS = env.list("DYSA_MASTER_KEYS", default=[])
# After `secrets rotate`, how long a tenant's previous JWT signing key still verifies tokens.
DYSA_JWT_KEY_GRACE_SECONDS = env.int("DYSA_JWT_KEY_GRACE_SECONDS", default=3600)
DYSA_JWT_ACCESS_SECONDS = env.int("DYSA_JWT_ACCESS_SECONDS", default=15 * 60)
DYSA_JWT_REFRESH_SECONDS = env.int("DYSA_JWT_REFRESH_SECONDS", default=7 * 24 * 3600)
# Failed passwords for one account within the window before each client address is slowed to
# one try per DYSA_LOGIN_SLOW_SECONDS for it (shared_apps/accounts/login_limits.py).
DYSA_LOGIN_ACCOUNT_FAILURES = env.int("DYSA_LOGIN_ACCOUNT_FAILURES", default=10)
DYSA_LOGIN_ACCOUNT_WINDOW = env.int("DYSA_LOGIN_ACCOUNT_WINDOW", default=15 * 60)
DYSA_LOGIN_SLOW_SECONDS = env.int("DYSA_LOGIN_SLOW_SECONDS", default=5 * 60)
# Absolute lifetime of a login (API token session or panel cookie): refreshing never extends it.
DYSA_SESSION_MAX_SECONDS = env.int("DYSA_SESSION_MAX_SECONDS", default=7 * 24 * 3600)
# A deleted restaurant is kept (unreachable, restorable) this long before its schema is dropped.
DYSA_TENANT_DELETE_GRACE_DAYS = env.int("DYSA_TENANT_DELETE_GRACE_DAYS", default=30)
DYSA_BACKUP_URL = env.str("DYSA_BACKUP_URL", default=f"file://{BASE_DIR / '.dev' / 'backups'}")
DYSA_PG_BIN_DIR = env.str("DYSA_PG_BIN_DIR", default="")
DYSA_PUBLIC_SCHEME = env.str("DYSA_PUBLIC_SCHEME", default="http")
DYSA_PUBLIC_PORT = env.int("DYSA_PUBLIC_PORT", default=8000)
DYSA_LOG_LEVEL = env.str("DYSA_LOG_LEVEL", default="INFO")
DYSA_LOG_JSON = env.bool("DYSA_LOG_JSON", default=True)
DYSA_TENANT_CACHE_SECONDS = env.float("DYSA_TENANT_CACHE_SECONDS", default=5.0)
# /health/ready/ details (dependency checks) only for this token (X-Health-Token header) or
# callers from these networks; anyone else gets liveness only (shared_apps/health/access.py).
DYSA_HEALTH_TOKEN = env.str("DYSA_HEALTH_TOKEN", default="")
DYSA_HEALTH_INTERNAL_NETWORKS = env.list(
    "DYSA_HEALTH_INTERNAL_NETWORKS", default=["127.0.0.0/8", "::1/128"]
)
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development")

# The platform (landing, signup, operator console) answers on the bare base domain.
DYSA_PUBLIC_HOSTS = [DYSA_BASE_DOMAIN, f"www.{DYSA_BASE_DOMAIN}"]
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[DYSA_BASE_DOMAIN, f".{DYSA_BASE_DOMAIN}", "127.0.0.1"]
)

# --- apps: the folder decides the schema (see config/settings/apps.py) ----------------------
_discovered = discover_apps(BASE_DIR)
DJANGO_SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Two-factor devices of platform accounts (public schema only): shared_apps.accounts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
DJANGO_TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
]
# The one documented exception (ADR 0001): the single user model lives in both schemas.
USER_MODEL_APP = "shared_apps.accounts"
SHARED_APPS = [*DJANGO_SHARED_APPS, "tenants", *_discovered.shared]
TENANT_APPS = [*DJANGO_TENANT_APPS, USER_MODEL_APP, *_discovered.tenant]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Restaurant"
# One `SET search_path` per schema switch instead of one per cursor (django-tenants' default):
# every switch goes through set_tenant/set_schema, which forget the path set before.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas' default executor: only schemas with pending migrations, one transaction
# each, template schema first as a canary (tenants/schema_migrations.py).
GET_EXECUTOR_FUNCTION = "tenants.schema_migrations.get_executor"
DYSA_MIGRATION_WORKERS = env.int("DYSA_MIGRATION_WORKERS", default=2)
# Schemas kept cloned in advance so onboarding only renames one (tenants/schema_template.py).
DYSA_SPARE_SCHEMAS = env.int("DYSA_SPARE_SCHEMAS", default=3)
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "accounts.User"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    # Answers the staff panel's unchanged live-update polls: a 204 with the non-page security
    # headers, before anything else runs (tenant_apps/panel/middleware.py).
    "tenant_apps.panel.middleware.PanelPollMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CSP (with a per-request nonce), Permissions-Policy, and the request-body size limit.
    "core.security_headers.SecurityHeadersMiddleware",
    # Outside the cached-read shortcut below, so its answers get the header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Serves /static/ (Swagger UI, widget assets) from gunicorn with compression and caching.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers cache hits of public reads (the menu) without the session/auth/DRF work below.
    "core.hotpath.middleware.CachedPublicReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends a logged-in cookie session DYSA_SESSION_MAX_SECONDS after its login.
    "core.sessions.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx for the panel's partial updates.
    "django_htmx.middleware.HtmxMiddleware",
    # Support staff inside a restaurant's panel: request.support_access, read-only, logged.
    "tenant_apps.support_access.middleware.SupportAccessMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- data stores ----------------------------------------------------------------------------
# DATABASE_URL / REDIS_URL have no default here: local and test settings fall back to the
# embedded servers that infra/devservices.py started; production requires them.
DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
DATABASE_CONN_MAX_AGE = env.int("DATABASE_CONN_MAX_AGE", default=60)
# DATABASE_URL is PgBouncer in transaction pooling mode (ADR 0011): the restaurant's search_path
# travels with each transaction (core.db_backend) and no server-side cursor outlives one.
DYSA_PGBOUNCER_TRANSACTION_MODE = env.bool("DYSA_PGBOUNCER_TRANSACTION_MODE", default=False)


def database_config(url: str) -> dict[str, object]:
    config: dict[str, object] = environ.Env.db_url_config(url)
    config["ENGINE"] = "django_tenants.postgresql_backend"
    config["CONN_MAX_AGE"] = DATABASE_CONN_MAX_AGE
    config["CONN_HEALTH_CHECKS"] = True
    if DYSA_PGBOUNCER_TRANSACTION_MODE:
        config["ENGINE"] = "core.db_backend"
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Redis down means slower, not broken: cache errors are swallowed and logged.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }


DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Process-local copies of hot cache entries, kept valid by Redis client tracking, and rate
# counting that does not wait for Redis (core.hotpath.near). Off: one round trip per request.
DYSA_NEAR_CACHE = env.bool("DYSA_NEAR_CACHE", default=True)
DJANGO_REDIS_LOGGER = "dysa.cache"

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Lax: sent on top-level navigation to the site, not on cross-site subrequests or posts.
# The CSRF cookie stays readable by scripts: the panel sends it back in X-CSRFToken.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every endpoint: a declared body over this is a 413 (core/security_headers.py); Django
# refuses to read more than this of an undeclared one.
DYSA_MAX_REQUEST_BYTES = env.int("DYSA_MAX_REQUEST_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = DYSA_MAX_REQUEST_BYTES

# --- i18n -----------------------------------------------------------------------------------
# The one outbound email path (shared_apps.mail): SMTP in production, the console locally.
# EMAIL_URL as django-environ reads it: smtp+tls://user:pass@host:587, consolemail://,
# filemail:///path; pytest-django swaps in the in-memory backend for tests.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", str(BASE_DIR / ".dev" / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"dysa <no-reply@{DYSA_BASE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm registry (package-lock.json, `make install`) and are
# served by the app itself under /static/vendor/: no CDN, nothing third-party in the repo.
NODE_MODULES_DIR = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES_DIR / "chart.js" / "dist"),
]
# Without collectstatic (make run, tests) files are found in the apps directly.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "core.api_errors.problem_exception_handler",
    # JWT for API clients (signed per schema, tenants/auth.py); sessions for the web panel.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.auth.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Integrations' API keys (tenants.secrets), restaurant hosts only.
        "tenants.auth.ApiKeyAuthentication",
    ],
    "UNAUTHENTICATED_USER": None,
    # `anon` (per IP) and `user` (per account or API key) in one Redis round trip.
    "DEFAULT_THROTTLE_CLASSES": ["core.hotpath.throttle.RedisWindowThrottle"],
    # Throttle counters live in the default (Redis) cache, so their keys are tenant-prefixed.
    # How many reverse proxies (nginx) sit in front: the client IP that anonymous throttling
    # counts is taken that many hops back in X-Forwarded-For; 0 ignores the header, which a
    # client could otherwise forge to dodge the limit.
    "NUM_PROXIES": env.int("DYSA_TRUSTED_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("DYSA_RATE_LIMIT_DEFAULT", default="100/min"),
        "user": env.str("DYSA_RATE_LIMIT_DEFAULT", default="100/min"),
        "login": env.str("DYSA_RATE_LIMIT_LOGIN", default="5/min"),
        # Web chat (public): messages per conversation, sessions and polls per IP/conversation.
        "chat_message": env.str("DYSA_RATE_LIMIT_CHAT", default="30/min"),
        "chat_session": env.str("DYSA_RATE_LIMIT_CHAT_SESSION", default="10/min"),
        "chat_poll": env.str("DYSA_RATE_LIMIT_CHAT_POLL", default="120/min"),
        # Chat message budgets per client IP (all its conversations) and per restaurant.
        "chat_ip": env.str("DYSA_RATE_LIMIT_CHAT_IP", default="60/min"),
        "chat_restaurant": env.str("DYSA_RATE_LIMIT_CHAT_RESTAURANT", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dysa API",
    "DESCRIPTION": "Restaurant REST API (restaurant hosts) and platform API (platform host).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation declares the problem answers it can give (core/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.declare_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "tenant_apps.orders.models.Order.Status",
        "AssistantProviderEnum": "tenant_apps.assistant.models.AssistantSettings.Provider",
        "WhatsAppProviderEnum": "tenant_apps.messaging.whatsapp.models.WhatsAppChannel.Provider",
        "OrderChannelEnum": "tenant_apps.orders.models.Order.Channel",
        "ReservationStatusEnum": "tenant_apps.reservations.models.Reservation.Status",
        "ReservationChannelEnum": "tenant_apps.reservations.models.Reservation.Channel",
        "ConversationStatusEnum": "tenant_apps.conversations.models.Conversation.Status",
        "ConversationChannelEnum": "tenant_apps.conversations.models.Channel",
        "LanguageEnum": "config.settings.base.LANGUAGES",
        # The same codes without their names (fields listing core.i18n.SUPPORTED_LANGUAGES).
        "LanguageCodeEnum": "core.i18n.SUPPORTED_LANGUAGES",
    },
}

# --- extension points ------------------------------------------------------------------------
# Called, in order, inside a new restaurant's schema during onboarding (keyword `restaurant`);
# each tenant app that needs starting data (profile, default hours, roles) adds its function.
DYSA_TENANT_INITIALIZERS: list[str] = [
    "tenant_apps.restaurant.services.restaurant_initialize",
    "tenant_apps.reservations.services.reservation_settings_initialize",
    "tenant_apps.staff.services.roles_initialize",
]
# Checks before a restaurant is deleted, `fn(*, restaurant) -> str | None` returning a reason
# to refuse (the backups app adds "no fresh verified backup"). With none, delete needs --force.
DYSA_TENANT_DELETE_GUARDS: list[str] = ["shared_apps.backups.selectors.tenant_delete_guard"]
# What a principal (staff user or API key) may do: core.api's permission check asks this
# function, so the bottom layer knows no app (ADR 0008).
DYSA_PERMISSIONS_FOR = "tenant_apps.staff.selectors.permissions_for"
# Called by `seed_demo` inside each demo restaurant's schema (keywords `restaurant`, `demo`).
DYSA_DEMO_SEEDERS: list[str] = [
    "tenant_apps.restaurant.demo.restaurant_seed_demo",
    "tenant_apps.menu.demo.menu_seed_demo",
    "tenant_apps.promotions.demo.promotions_seed_demo",
    "tenant_apps.reservations.demo.reservations_seed_demo",
]

# How a customer's one-time chat code travels (tenant_apps/customers/verification.py): the
# first sender that can deliver it; each `fn(*, customer, code, language, restaurant) -> bool`.
DYSA_CUSTOMER_CODE_SENDERS: list[str] = [
    "tenant_apps.messaging.whatsapp.verification.whatsapp_code_send",
    "tenant_apps.customers.verification.email_code_send",
]

# --- backups (shared_apps/backups; runbook in docs/operations.md) ----------------------------
# Ask S3 for server-side encryption ("AES256", "aws:kms"; "" = never); buckets that refuse it
# get the (already client-side encrypted) object without.
DYSA_BACKUP_S3_SSE = env.str("DYSA_BACKUP_S3_SSE", default="AES256")
DYSA_BACKUP_RETENTION = env.str("DYSA_BACKUP_RETENTION", default="daily=7,weekly=4,monthly=12")
DYSA_BACKUP_CONCURRENCY = env.int("DYSA_BACKUP_CONCURRENCY", default=2)
# Schemas per pg_dump in the nightly run (pg_dump's start-up cost is paid once per batch).
DYSA_BACKUP_BATCH_SIZE = env.int("DYSA_BACKUP_BATCH_SIZE", default=25)
DYSA_BACKUP_MAX_ATTEMPTS = env.int("DYSA_BACKUP_MAX_ATTEMPTS", default=3)
DYSA_BACKUP_RETRY_DELAY = env.int("DYSA_BACKUP_RETRY_DELAY", default=300)
DYSA_BACKUP_DRILL_SAMPLE = env.int("DYSA_BACKUP_DRILL_SAMPLE", default=3)
DYSA_BACKUP_HOUR_UTC = env.int("DYSA_BACKUP_HOUR_UTC", default=2)
# Deleting a restaurant needs a verified backup at most this old (or --force).
DYSA_BACKUP_DELETE_MAX_AGE_HOURS = env.int("DYSA_BACKUP_DELETE_MAX_AGE_HOURS", default=24)

# --- assistant (tenant_apps/assistant) ------------------------------------------------------
# Private model servers the assistant may reach (host names and networks, e.g. "ollama",
# "10.0.0.0/8"); any other non-public address is refused at save and at connect (SSRF).
DYSA_LLM_PRIVATE_ALLOWED = env.list("DYSA_LLM_PRIVATE_ALLOWED", default=[])
# Language-model calls in flight at once, per restaurant and over all restaurants (per Redis);
# a turn that finds no free slot is answered by the rules engine alone.
DYSA_LLM_INFLIGHT_PER_RESTAURANT = env.int("DYSA_LLM_INFLIGHT_PER_RESTAURANT", default=2)
DYSA_LLM_INFLIGHT_TOTAL = env.int("DYSA_LLM_INFLIGHT_TOTAL", default=16)
# Each language-model call's record (ModelCall) is deleted this many days after it was made,
# daily in every restaurant; conversation token totals are kept on the conversation.
DYSA_MODEL_CALL_RETENTION_DAYS = env.int("DYSA_MODEL_CALL_RETENTION_DAYS", default=90)
if DYSA_MODEL_CALL_RETENTION_DAYS < 1:  # 0 or less would delete every record, today's too
    raise ImproperlyConfigured("DYSA_MODEL_CALL_RETENTION_DAYS must be 1 or more (days)")

# --- WhatsApp (tenant_apps/messaging/whatsapp) -------------------------------------------------
# Provider API bases (tests point them at local servers).
DYSA_TWILIO_API_BASE = env.str("DYSA_TWILIO_API_BASE", default="https://api.twilio.com")
DYSA_META_GRAPH_BASE = env.str("DYSA_META_GRAPH_BASE", default="https://graph.facebook.com/v21.0")
# A send attempt younger than this is left to the worker on it; older, it is sent again unless
# a status callback reported it meanwhile.
DYSA_WHATSAPP_IN_FLIGHT_SECONDS = env.float("DYSA_WHATSAPP_IN_FLIGHT_SECONDS", default=120.0)
# First retry delay after a 429/5xx; doubles per attempt (at most 5 minutes, 8 attempts).
DYSA_WHATSAPP_RETRY_BASE_SECONDS = env.float("DYSA_WHATSAPP_RETRY_BASE_SECONDS", default=2.0)

# --- Celery ---------------------------------------------------------------------------------
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_RETRY_DELAY = 10
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".dev" / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_EXPIRES = 3600
# A worker finds a task's restaurant by schema name (tenant-schemas-celery): kept this long in
# each worker process, like the web's host lookups, instead of a query per task (measured
# ~4 ms of worker CPU per WhatsApp message, `make bench whatsapp`).
CELERY_TASK_TENANT_CACHE_SECONDS = int(DYSA_TENANT_CACHE_SECONDS)
# Two queues so a nightly run never delays a customer's reply: "interactive" (the default:
# webhooks, chat, mail) and "batch" (backups, usage metering, pruning, schema upkeep).
# Production runs one worker pool per queue (`--queues interactive` / `--queues batch`,
# infra/compose.yaml, infra/k8s/); a worker started without --queues (make run, tests)
# consumes both.
# A task whose worker died (SIGKILL, OOM, node lost) is redelivered once it has been unacked
# this long: longer than the hard time limit, so a task still running is never delivered twice.
# Every worker sweeps for such tasks every DYSA_CELERY_RESTORE_INTERVAL seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "DYSA_CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 100
    ),
    "unacked_restore_interval": env.int("DYSA_CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name} for name in ("interactive", "batch")
}
CELERY_TASK_ROUTES = {
    pattern: {"queue": "batch"}
    for pattern in (
        "shared_apps.backups.tasks.*",
        "*meter*",
        "tenants.tasks.restaurants_purge_due_task",
        "tenants.tasks.spare_schemas_fill_task",
        "tenant_apps.assistant.tasks.model_calls_prune*",
    )
}

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "core.logging.RequestContextFilter"},
        "redact": {"()": "core.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "core.logging.JsonLinesFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(schema)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context", "redact"],
            "formatter": "json" if DYSA_LOG_JSON else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": DYSA_LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "security": {"level": "INFO"},
        "audit": {"level": "INFO"},
    },
}

# --- error reporting ------------------------------------------------------------------------
if SENTRY_DSN:
    from config.observability import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# --- billing (shared_apps/billing; docs/billing.md) -----------------------------------------
DYSA_BILLING_DEFAULT_PLAN = env.str("DYSA_BILLING_DEFAULT_PLAN", default="pro")
DYSA_BILLING_DEFAULT_COUNTRY = env.str("DYSA_BILLING_DEFAULT_COUNTRY", default="ES").upper()
# VAT/sales tax per billing country (percent); countries not listed pay the default rate.
DYSA_BILLING_TAX_RATES = env.str(
    "DYSA_BILLING_TAX_RATES",
    default="ES=21,PT=23,FR=20,DE=19,IT=22,GB=20,MX=16,CO=19,AR=21,CL=19,PE=18,US=0",
)
DYSA_BILLING_DEFAULT_TAX_RATE = env.str("DYSA_BILLING_DEFAULT_TAX_RATE", default="0")
DYSA_BILLING_INVOICE_DUE_DAYS = env.int("DYSA_BILLING_INVOICE_DUE_DAYS", default=14)
# Dunning: reminders this many days after a subscription became past due, suspension after
# the grace period (days) unless it pays.
DYSA_BILLING_REMINDER_DAYS = env.list("DYSA_BILLING_REMINDER_DAYS", cast=int, default=[1, 3, 7])
DYSA_BILLING_GRACE_DAYS = env.int("DYSA_BILLING_GRACE_DAYS", default=14)
# Nightly usage metering (UTC hour) and restaurants counted per task and query.
DYSA_BILLING_HOUR_UTC = env.int("DYSA_BILLING_HOUR_UTC", default=1)
DYSA_BILLING_METER_BATCH = env.int("DYSA_BILLING_METER_BATCH", default=100)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
DYSA_STRIPE_API_BASE = env.str("DYSA_STRIPE_API_BASE", default="https://api.stripe.com")
DYSA_STRIPE_TIMEOUT = env.float("DYSA_STRIPE_TIMEOUT", default=10.0)
# Webhook signatures older than this (seconds) are refused: a captured request replayed later.
DYSA_STRIPE_WEBHOOK_TOLERANCE = env.int("DYSA_STRIPE_WEBHOOK_TOLERANCE", default=300)
DYSA_TENANT_INITIALIZERS.append("shared_apps.billing.subscriptions.subscription_initialize")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "InvoiceKindEnum": "shared_apps.billing.models.Invoice.Kind",
        "InvoiceLineKindEnum": "shared_apps.billing.models.InvoiceLine.Kind",
        "InvoiceStatusEnum": "shared_apps.billing.models.Invoice.Status",
        "SubscriptionStatusEnum": "shared_apps.billing.models.Subscription.Status",
        # Named once a second "kind" enum (billing's) appeared beside it.
        "PromotionKindEnum": "tenant_apps.promotions.models.Promotion.Kind",
        "RestaurantStatusEnum": "tenants.models.Restaurant.Status",
        "AssistantProviderEnum": "tenant_apps.assistant.models.AssistantSettings.Provider",
    }
)
# --- platform host: two-factor, console, support, signup (issue 14) -------------------------
OTP_TOTP_ISSUER = "dysa"
# Console logins follow the login limits of every login path (DYSA_LOGIN_* above), codes
# included. django-otp's own per-device throttle (a delay doubling with every failure, for
# every address) is off: it was a second wall anyone holding the password could raise to
# lock the operator out; the login limits slow each address instead (docs/security.md).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Support access to a restaurant's panel: default and longest duration (minutes).
DYSA_SUPPORT_ACCESS_MINUTES = env.int("DYSA_SUPPORT_ACCESS_MINUTES", default=30)
DYSA_SUPPORT_ACCESS_MAX_MINUTES = env.int("DYSA_SUPPORT_ACCESS_MAX_MINUTES", default=240)
# Self-service signup: email domains refused as disposable, and new restaurants waiting for an
# operator's approval before they go live.
DYSA_SIGNUP_DISPOSABLE_DOMAINS = env.list(
    "DYSA_SIGNUP_DISPOSABLE_DOMAINS",
    default=["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"],
)
DYSA_SIGNUP_REQUIRES_APPROVAL = env.bool("DYSA_SIGNUP_REQUIRES_APPROVAL", default=False)
DYSA_SIGNUP_ENABLED = env.bool("DYSA_SIGNUP_ENABLED", default=True)
# Signups (restaurants created) per client IP per hour.
DYSA_SIGNUP_PER_IP_PER_HOUR = env.int("DYSA_SIGNUP_PER_IP_PER_HOUR", default=5)
