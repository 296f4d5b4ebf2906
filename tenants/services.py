"""Writes to the tenant registry: onboarding and lifecycle of restaurants."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from tenants.db import use_public_schema
from tenants.models import Domain, Restaurant
from tenants.secrets import secrets_provision
from tenants.validation import normalize_slug, schema_name_for, validate_slug_format

logger = logging.getLogger(__name__)
audit = logging.getLogger("audit")

OWNER_ROLE = "owner"


@dataclass(frozen=True)
class OnboardingResult:
    restaurant: Restaurant
    domain: Domain
    owner_id: int


def run_tenant_initializers(restaurant: Restaurant) -> None:
    """Give a new schema its starting data; the caller has the restaurant's schema active."""
    for dotted_path in settings.DYSA_TENANT_INITIALIZERS:
        import_string(dotted_path)(restaurant=restaurant)


def _drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def restaurant_onboard(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    locale: str = Restaurant.Locale.SPANISH,
    timezone: str = "Europe/Madrid",
    currency: str = "EUR",
) -> OnboardingResult:
    """Create a restaurant, its domain, its schema and its owner account, all or nothing."""
    slug = normalize_slug(slug)
    validate_slug_format(slug)
    if Restaurant.objects.filter(slug__iexact=slug).exists():
        raise ValidationError({"slug": [f"'{slug}' is already taken"]})
    if not name.strip():
        raise ValidationError({"name": ["is required"]})

    schema_name = schema_name_for(slug)
    use_public_schema()
    try:
        with transaction.atomic():
            restaurant = Restaurant.objects.create(
                schema_name=schema_name,
                slug=slug,
                name=name.strip(),
                locale=locale,
                timezone=timezone,
                currency=currency,
            )
            domain = Domain.objects.create(
                domain=f"{slug}.{settings.DYSA_BASE_DOMAIN}", tenant=restaurant, is_primary=True
            )
            restaurant.create_schema(check_if_exists=True, verbosity=0)
            secrets_provision(schema_name=schema_name)
            with schema_context(schema_name):
                owner = get_user_model().objects.create_user(
                    owner_email, owner_password, role=OWNER_ROLE, full_name=""
                )
                run_tenant_initializers(restaurant)
            use_public_schema()
    except Exception:
        use_public_schema()
        _drop_schema(schema_name)
        raise
    audit.info("restaurant onboarded", extra={"slug": slug, "schema_name": schema_name})
    return OnboardingResult(restaurant=restaurant, domain=domain, owner_id=owner.pk)
