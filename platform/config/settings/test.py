"""Test settings: real PostgreSQL and Redis (embedded by default), fast hashing."""

from config.settings.base import *
from config.settings.embedded import embedded_services, require

_embedded = embedded_services(BASE_DIR)
DATABASE_URL = DATABASE_URL or _embedded.get("database_url", "")
# Tests use their own Redis database number so they never see `make run` data.
REDIS_URL = REDIS_URL or _embedded.get("redis_url", "").replace("/0", "/1")
DYSA_PG_BIN_DIR = DYSA_PG_BIN_DIR or _embedded.get("pg_bin_dir", "")
DATABASES = {"default": database_config(require(DATABASE_URL, "DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES = redis_caches(require(REDIS_URL, "REDIS_URL"))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Tests change the registry between requests; the host cache has its own tests.
DYSA_TENANT_CACHE_SECONDS = 0.0
CELERY_TASK_TENANT_CACHE_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DYSA_MASTER_KEYS = DYSA_MASTER_KEYS or [
    "dGVzdC1tYXN0ZXIta2V5LW51bWJlci1vbmUtMzJieXQ=",
]
DYSA_BASE_DOMAIN = "dysa.test"
DYSA_PUBLIC_HOSTS = [DYSA_BASE_DOMAIN, f"www.{DYSA_BASE_DOMAIN}"]
ALLOWED_HOSTS = [DYSA_BASE_DOMAIN, f".{DYSA_BASE_DOMAIN}", "127.0.0.1", "localhost", "testserver"]
DYSA_LOG_JSON = True
LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]
# No spare schema pool by default: spares outlive test transactions (tests that need it opt in).
DYSA_SPARE_SCHEMAS = 0
# Test-only tenant apps, for the manage.py subprocesses of tests that need a migration of their
# own against a database of their own (tests/tenants/test_killed_migrations.py); never set
# for pytest itself, so the suite's apps, migrations and template stay the real ones.
_EXTRA_TENANT_APPS = env.list("DYSA_TEST_EXTRA_TENANT_APPS", default=[])
TENANT_APPS = [*TENANT_APPS, *_EXTRA_TENANT_APPS]
INSTALLED_APPS = [*INSTALLED_APPS, *_EXTRA_TENANT_APPS]
# A model server on this machine (a local Ollama, the tests' fake servers) is allowed.
DYSA_LLM_PRIVATE_ALLOWED = DYSA_LLM_PRIVATE_ALLOWED or ["127.0.0.0/8", "::1/128", "localhost"]
# Browser tests load axe-core from the page's own origin, under the pages' real CSP.
STATICFILES_DIRS = [*STATICFILES_DIRS, ("vendor/axe", NODE_MODULES_DIR / "axe-core")]
