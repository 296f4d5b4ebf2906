"""Development settings: `make run` and `manage.py` with the embedded services."""

from config.settings.base import *
from config.settings.embedded import embedded_services, require

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_embedded = embedded_services(BASE_DIR)
DATABASE_URL = DATABASE_URL or _embedded.get("database_url", "")
REDIS_URL = REDIS_URL or _embedded.get("redis_url", "")
DYSA_PG_BIN_DIR = DYSA_PG_BIN_DIR or _embedded.get("pg_bin_dir", "")
DATABASES = {"default": database_config(require(DATABASE_URL, "DATABASE_URL"))}
CACHES = redis_caches(require(REDIS_URL, "REDIS_URL"))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Development master key, so `make run` works out of the box; production refuses this default.
DYSA_MASTER_KEYS = DYSA_MASTER_KEYS or ["ZHlzYS1sb2NhbC1kZXZlbG9wbWVudC1rZXktMzJieXQ="]
DYSA_LOG_JSON = env.bool("DYSA_LOG_JSON", default=False)
LOGGING["handlers"]["console"]["formatter"] = "json" if DYSA_LOG_JSON else "plain"  # type: ignore[index]
# A model server on this machine (a local Ollama, the tests' fake servers) is allowed.
DYSA_LLM_PRIVATE_ALLOWED = DYSA_LLM_PRIVATE_ALLOWED or ["127.0.0.0/8", "::1/128", "localhost"]
