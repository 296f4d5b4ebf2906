"""Reads of the tenant registry."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Domain, Restaurant

PUBLIC_SCHEMA = "public"


def public_tenant() -> Restaurant:
    """The platform itself, as django-tenants expects a tenant object for the public schema.

    Not a database row: the platform host comes from configuration, not from the registry.
    """
    return Restaurant(schema_name=PUBLIC_SCHEMA, name="dysa", slug=PUBLIC_SCHEMA)


def tenant_for_host(hostname: str) -> Restaurant | None:
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain is not None else None


def restaurant_list(*, status: str | None = None) -> QuerySet[Restaurant]:
    queryset = Restaurant.objects.exclude(schema_name=PUBLIC_SCHEMA)
    if status:
        queryset = queryset.filter(status=status)
    ordered: QuerySet[Restaurant] = queryset.order_by("slug")
    return ordered


def restaurant_get(*, slug: str) -> Restaurant | None:
    found: Restaurant | None = (
        Restaurant.objects.exclude(schema_name=PUBLIC_SCHEMA).filter(slug=slug.lower()).first()
    )
    return found


def restaurant_primary_url(restaurant: Restaurant) -> str:
    from django.conf import settings

    domain = restaurant.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    host = domain or f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}"
    port = settings.DYSA_PUBLIC_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    return f"{settings.DYSA_PUBLIC_SCHEME}://{host}{suffix}/"
