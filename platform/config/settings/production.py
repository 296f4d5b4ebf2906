"""Production settings: everything from the environment, insecure defaults refused."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *
from config.settings.guards import insecure_setting_problems

DATABASES = {"default": database_config(DATABASE_URL)} if DATABASE_URL else {}
CACHES = redis_caches(REDIS_URL) if REDIS_URL else {}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
DYSA_PUBLIC_SCHEME = env.str("DYSA_PUBLIC_SCHEME", default="https")
# The port in public links is the proxy's (443), never gunicorn's bind (DYSA_WEB_BIND).
DYSA_PUBLIC_PORT = env.int("DYSA_PUBLIC_PORT", default=443)

_problems = insecure_setting_problems(
    debug=DEBUG,
    secret_key=SECRET_KEY,
    master_keys=DYSA_MASTER_KEYS,
    session_cookie_secure=SESSION_COOKIE_SECURE,
    csrf_cookie_secure=CSRF_COOKIE_SECURE,
    database_url=DATABASE_URL,
    redis_url=REDIS_URL,
    base_domain=DYSA_BASE_DOMAIN,
    public_scheme=DYSA_PUBLIC_SCHEME,
)
if _problems:
    raise ImproperlyConfigured("refusing to start: " + "; ".join(_problems))
