"""Factories for restaurants (tenants) in tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_tenants.utils import schema_context

from tenants.models import Domain, Restaurant
from tenants.schema_sql import schema_exists
from tenants.selectors import restaurant_get
from tenants.services import OnboardingResult, restaurant_onboard
from tenants.validation import schema_name_for

OWNER_PASSWORD = "owner-pass-123"


@dataclass(frozen=True)
class TenantHandle:
    restaurant: Restaurant
    host: str
    owner_email: str
    owner_password: str = OWNER_PASSWORD

    @property
    def schema_name(self) -> str:
        return str(self.restaurant.schema_name)


def ensure_test_restaurant(slug: str, *, name: str, locale: str = "es") -> TenantHandle:
    """Onboard a restaurant once; later sessions (--reuse-db) find it already there."""
    owner_email = f"owner@{slug}.example"
    restaurant = restaurant_get(slug=slug)
    if restaurant is None and schema_exists(schema_name_for(slug)):
        restaurant = _reattach(slug, name=name, locale=locale)
        _migrate_if_behind(restaurant)
    if restaurant is None:
        restaurant = restaurant_onboard(
            slug=slug,
            name=name,
            owner_email=owner_email,
            owner_password=OWNER_PASSWORD,
            locale=locale,
        ).restaurant
    _public_rows_restored(restaurant)
    return TenantHandle(
        restaurant=restaurant, host=f"{slug}.{settings.DYSA_BASE_DOMAIN}", owner_email=owner_email
    )


def _reattach(slug: str, *, name: str, locale: str) -> Restaurant:
    """Register an existing schema again after a transactional test flushed the registry."""
    restaurant: Restaurant = Restaurant.objects.create(
        schema_name=schema_name_for(slug), slug=slug, name=name, locale=locale
    )
    Domain.objects.create(
        domain=f"{slug}.{settings.DYSA_BASE_DOMAIN}", tenant=restaurant, is_primary=True
    )
    return restaurant


def _public_rows_restored(restaurant: Restaurant) -> None:
    """The other public rows onboarding gives a restaurant (its secrets, the built-in plans,
    a trial subscription), which a transactional test's flush empties too: a test sees the
    same restaurant whether or not a flush came before it (all idempotent)."""
    from shared_apps.billing.default_plans import DEFAULT_PLANS
    from shared_apps.billing.subscriptions import plan_get, subscription_initialize
    from tenants.secrets import secrets_provision

    secrets_provision(schema_name=restaurant.schema_name)
    for plan in DEFAULT_PLANS:
        plan_get(code=str(plan["code"]))
    with schema_context(restaurant.schema_name):
        subscription_initialize(restaurant=restaurant)


def onboard_restaurant(slug: str, **overrides: object) -> OnboardingResult:
    """A fresh restaurant for a test that changes its lifecycle (rolled back with the test)."""
    fields: dict[str, object] = {
        "slug": slug,
        "name": f"Restaurant {slug}",
        "owner_email": f"owner@{slug}.example",
        "owner_password": OWNER_PASSWORD,
        **overrides,
    }
    return restaurant_onboard(**fields)  # type: ignore[arg-type]


def _migrate_if_behind(restaurant: Restaurant) -> None:
    """A kept schema misses migrations added since it was made: the test database's migrate
    ran while the registry was empty (flushed by a transactional test), so it skipped it."""
    from django.core.management import call_command

    from tenants.schema_migrations import APPLIED, schemas_state

    (state,) = schemas_state([(restaurant.schema_name, restaurant.slug)])
    if state.state != APPLIED:
        call_command(
            "migrate_schemas", schema_name=restaurant.schema_name, executor="standard", verbosity=0
        )
