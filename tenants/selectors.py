"""Reads of the tenant registry."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.hosts import public_url
from tenants.models import Domain, Restaurant

PUBLIC_SCHEMA = "public"


def public_tenant() -> Restaurant:
    """The platform itself, as django-tenants expects a tenant object for the public schema.

    Not a database row: the platform host comes from configuration, not from the registry.
    """
    return Restaurant(schema_name=PUBLIC_SCHEMA, name="dysa", slug=PUBLIC_SCHEMA)


def tenant_for_host(hostname: str) -> Restaurant | None:
    """The restaurant a host serves; soft-deleted restaurants serve nothing (404)."""
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname)
        .exclude(tenant__status=Restaurant.Status.DELETED)
        .first()
    )
    return domain.tenant if domain is not None else None


def restaurant_list(*, status: str | None = None, search: str = "") -> QuerySet[Restaurant]:
    """Restaurants by slug; `search` matches slug, name or any domain (case-insensitive)."""
    queryset = Restaurant.objects.exclude(schema_name=PUBLIC_SCHEMA)
    if status:
        queryset = queryset.filter(status=status)
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(slug__icontains=term) | Q(name__icontains=term) | Q(domains__domain__icontains=term)
        ).distinct()
    ordered: QuerySet[Restaurant] = queryset.order_by("slug")
    return ordered


def restaurant_get(*, slug: str) -> Restaurant | None:
    found: Restaurant | None = (
        Restaurant.objects.exclude(schema_name=PUBLIC_SCHEMA).filter(slug=slug.lower()).first()
    )
    return found


def restaurant_primary_url(restaurant: Restaurant) -> str:
    from django.conf import settings

    # Iterating .all() uses prefetched domains when a list view prefetched them.
    domain = next((d.domain for d in restaurant.domains.all() if d.is_primary), None)
    return public_url(domain or f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}")
