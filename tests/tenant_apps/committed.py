"""Putting tenant A back as onboarding made it, after tests whose writes really commit."""

from __future__ import annotations

from tests.tenants.factories import TenantHandle


def delete_domain_rows(schema_name: str) -> None:
    from django_tenants.utils import schema_context

    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.customers.models import Customer
    from tenant_apps.menu.models import Category, MenuItem
    from tenant_apps.orders.models import Order
    from tenant_apps.promotions.models import Promotion, PromotionRedemption
    from tenant_apps.reservations.models import Reservation, Table

    with schema_context(schema_name):
        for model in (
            PromotionRedemption,
            Order,
            Reservation,
            Promotion,
            Customer,
            MenuItem,
            Category,
            Table,
            AuditEntry,
        ):
            model.objects.all().delete()


def back_to_onboarding_state(handle: TenantHandle) -> None:
    """What committed tests leave that other tests count or read: staff accounts beyond the
    onboarding owner (they fill the plan's staff seats), the profile and opening hours
    (a seeded assistant restaurant, open all day). Rebuilt as onboarding made them."""
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from tenant_apps.restaurant.models import ClosedDate, OpeningHours, RestaurantProfile
    from tenant_apps.restaurant.services import restaurant_initialize

    delete_domain_rows(handle.schema_name)
    with schema_context(handle.schema_name):
        User.objects.exclude(email=handle.owner_email).delete()
        for model in (ClosedDate, OpeningHours, RestaurantProfile):
            model.objects.all().delete()
        restaurant_initialize(restaurant=handle.restaurant)
