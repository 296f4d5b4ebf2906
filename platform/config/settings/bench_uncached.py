"""Benchmark settings with no cache at all: every menu read comes from the database."""

from config.settings.bench import *

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    }
}
