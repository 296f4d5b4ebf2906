"""Rules for restaurant slugs: a DNS label that is free and not reserved."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40  # leaves room in the 63-char schema name and DNS label
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "public",
        "static",
        "media",
        "support",
        "operator",
        "operators",
        "mail",
        "email",
        "smtp",
        "imap",
        "ftp",
        "app",
        "dashboard",
        "console",
        "help",
        "status",
        "billing",
        "docs",
        "blog",
        "health",
        "webhooks",
        "cdn",
        "assets",
        "auth",
        "login",
        "signup",
        "dysa",
        "root",
        "test",
        "template",
        "information_schema",
    }
)
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def normalize_slug(raw: str) -> str:
    return raw.strip().lower()


def validate_slug_format(slug: str) -> None:
    if not SLUG_MIN_LENGTH <= len(slug) <= SLUG_MAX_LENGTH:
        raise ValidationError(
            {"slug": [f"must be {SLUG_MIN_LENGTH}-{SLUG_MAX_LENGTH} characters long"]}
        )
    if not _DNS_LABEL.match(slug):
        raise ValidationError(
            {
                "slug": [
                    "use lowercase letters, digits and hyphens; "
                    "start and end with a letter or digit"
                ]
            }
        )
    if "--" in slug:
        raise ValidationError({"slug": ["must not contain consecutive hyphens"]})
    if slug in RESERVED_SLUGS or slug.startswith("pg"):
        raise ValidationError({"slug": [f"'{slug}' is reserved"]})


def schema_name_for(slug: str) -> str:
    """Schema names are slugs with underscores, prefixed so they never clash with system schemas."""
    return "t_" + slug.replace("-", "_")


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HOSTNAME_MAX_LENGTH = 253


def normalize_hostname(raw: str) -> str:
    return raw.strip().lower().rstrip(".")


def validate_custom_domain(hostname: str) -> None:
    """A restaurant's own domain: a DNS name with a dot, not an IP, not ours to hand out."""
    from django.conf import settings

    labels = hostname.split(".")
    if (
        len(hostname) > HOSTNAME_MAX_LENGTH
        or len(labels) < 2
        or not all(_HOST_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError({"domain": [f"'{hostname}' is not a valid domain name"]})
    base = settings.DYSA_BASE_DOMAIN
    if hostname == base or hostname.endswith(f".{base}"):
        raise ValidationError(
            {"domain": [f"subdomains of {base} are assigned by slug, not added as custom domains"]}
        )
