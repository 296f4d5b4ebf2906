"""Checks that keep production from starting with development defaults."""

from __future__ import annotations

import base64
import binascii

INSECURE_SECRET_KEYS = {"", "dysa-insecure-development-key", "change-me"}
MIN_SECRET_KEY_LENGTH = 50
FERNET_KEY_BYTES = 32
# What a production deployment must provide (compose, Kubernetes and the env file example are
# checked against this list by tests/infra/).
PRODUCTION_REQUIRED_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DYSA_MASTER_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "DYSA_BASE_DOMAIN",
)


def _is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode())) == FERNET_KEY_BYTES
    except (binascii.Error, ValueError):
        return False


def insecure_setting_problems(
    *,
    debug: bool,
    secret_key: str,
    master_keys: list[str],
    session_cookie_secure: bool,
    csrf_cookie_secure: bool,
    database_url: str,
    redis_url: str,
    base_domain: str = "",
    public_scheme: str = "https",
) -> list[str]:
    """Everything wrong with a production configuration, as readable sentences."""
    problems: list[str] = []
    if debug:
        problems.append("DJANGO_DEBUG must be off")
    if secret_key in INSECURE_SECRET_KEYS or len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"DJANGO_SECRET_KEY must be set to a random value of {MIN_SECRET_KEY_LENGTH}+ chars"
        )
    if not master_keys:
        problems.append("DYSA_MASTER_KEYS must list at least one key")
    elif not all(_is_fernet_key(key) for key in master_keys):
        problems.append("DYSA_MASTER_KEYS must be url-safe base64 32-byte (Fernet) keys")
    if not session_cookie_secure or not csrf_cookie_secure:
        problems.append("session and CSRF cookies must be secure (DJANGO_SECURE_COOKIES)")
    if not database_url:
        problems.append("DATABASE_URL must be set")
    if not redis_url:
        problems.append("REDIS_URL must be set")
    if base_domain in ("localhost", "127.0.0.1"):
        problems.append("DYSA_BASE_DOMAIN must be the platform's real domain, not localhost")
    if public_scheme != "https":
        problems.append("DYSA_PUBLIC_SCHEME must be https (cookies are Secure)")
    return problems
