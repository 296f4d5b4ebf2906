"""Suspend, reactivate, delete (soft, then purge), rename and custom domains."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tenants import secrets, services
from tenants.models import Domain, Restaurant, TenantSecret
from tenants.schema_sql import schema_exists
from tests.tenants.factories import onboard_restaurant

pytestmark = pytest.mark.django_db


def host(name: str) -> APIClient:
    return APIClient(HTTP_HOST=name)


def refuse_always(*, restaurant: Restaurant) -> str | None:
    return "no fresh verified backup"


def allow_always(*, restaurant: Restaurant) -> str | None:
    return None


def test_suspended_restaurant_answers_503_but_keeps_its_data_and_health() -> None:
    restaurant = onboard_restaurant("pausa").restaurant
    client = host("pausa.dysa.test")

    services.restaurant_suspend(restaurant=restaurant, reason="unpaid")

    api = client.get("/api/v1/restaurant/")
    assert api.status_code == 503
    assert api["Content-Type"] == "application/problem+json"
    assert client.get("/", HTTP_ACCEPT="text/html").status_code == 503
    assert client.post("/webhooks/whatsapp/", {}, format="json").status_code == 503
    assert client.get("/health/live/").status_code == 200
    assert schema_exists(restaurant.schema_name)

    services.restaurant_reactivate(restaurant=restaurant)
    assert client.get("/api/v1/restaurant/").status_code == 200


def test_delete_needs_force_while_no_guard_is_configured() -> None:
    restaurant = onboard_restaurant("borrar").restaurant
    with (
        override_settings(DYSA_TENANT_DELETE_GUARDS=[]),
        pytest.raises(services.LifecycleRefusedError, match="--force"),
    ):
        services.restaurant_delete(restaurant=restaurant)
    restaurant.refresh_from_db()
    assert restaurant.status == Restaurant.Status.ACTIVE


def test_delete_guards_decide_and_force_overrides_them() -> None:
    restaurant = onboard_restaurant("guarded").restaurant
    refusing = ["tests.tenants.test_lifecycle.refuse_always"]
    with override_settings(DYSA_TENANT_DELETE_GUARDS=refusing):
        with pytest.raises(services.LifecycleRefusedError, match="backup"):
            services.restaurant_delete(restaurant=restaurant)
        services.restaurant_delete(restaurant=restaurant, force=True)
    other = onboard_restaurant("guarded-ok").restaurant
    with override_settings(DYSA_TENANT_DELETE_GUARDS=["tests.tenants.test_lifecycle.allow_always"]):
        assert services.restaurant_delete(restaurant=other).is_deleted


def test_soft_deleted_restaurant_is_gone_from_its_host_but_restorable_in_grace() -> None:
    restaurant = onboard_restaurant("casi").restaurant

    deleted = services.restaurant_delete(restaurant=restaurant, force=True)

    assert deleted.status == Restaurant.Status.DELETED
    assert deleted.purge_after is not None
    assert deleted.purge_after - timezone.now() > timedelta(days=29)
    assert host("casi.dysa.test").get("/api/v1/restaurant/").status_code == 404
    assert services.restaurants_purge_due() == []
    assert schema_exists(restaurant.schema_name)

    services.restaurant_reactivate(restaurant=restaurant)
    assert host("casi.dysa.test").get("/api/v1/restaurant/").status_code == 200


def test_purge_after_grace_drops_schema_rows_and_secrets() -> None:
    restaurant = onboard_restaurant("adios").restaurant
    secrets.secret_set(schema_name=restaurant.schema_name, kind="llm_api_key", value="sk-x")
    services.restaurant_delete(restaurant=restaurant, force=True, grace=timedelta(0))
    progress: list[tuple[int, int]] = []

    purged = services.restaurants_purge_due(progress=lambda d, t: progress.append((d, t)))

    assert purged == ["adios"]
    assert progress == [(1, 1)]
    assert not schema_exists(restaurant.schema_name)
    assert not Restaurant.objects.filter(slug="adios").exists()
    assert not Domain.objects.filter(domain="adios.dysa.test").exists()
    assert not TenantSecret.objects.filter(schema_name=restaurant.schema_name).exists()


def test_an_active_restaurant_cannot_be_purged() -> None:
    restaurant = onboard_restaurant("vivo").restaurant
    with pytest.raises(services.LifecycleRefusedError):
        services.restaurant_purge(restaurant=restaurant)


def test_a_deleted_restaurant_cannot_be_suspended() -> None:
    restaurant = onboard_restaurant("ido").restaurant
    services.restaurant_delete(restaurant=restaurant, force=True)
    with pytest.raises(services.LifecycleRefusedError):
        services.restaurant_suspend(restaurant=restaurant)


def test_rename_moves_the_host_and_keeps_schema_and_tokens() -> None:
    restaurant = onboard_restaurant("antes").restaurant
    login = host("antes.dysa.test").post(
        "/api/v1/auth/token/",
        {"email": "owner@antes.example", "password": "owner-pass-123"},
        format="json",
    )
    access = login.json()["access"]

    renamed = services.restaurant_rename(restaurant=restaurant, new_slug="despues")

    assert renamed.schema_name == "t_antes"
    assert host("antes.dysa.test").get("/api/v1/restaurant/").status_code == 404
    new_host = host("despues.dysa.test")
    assert new_host.get("/api/v1/restaurant/").json()["slug"] == "despues"
    assert (
        new_host.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200
    )
    assert Domain.objects.get(domain="despues.dysa.test").is_primary


def test_rename_to_a_taken_or_invalid_slug_is_refused(tenant_a: object) -> None:
    restaurant = onboard_restaurant("nombre").restaurant
    with pytest.raises(services.RegistryConflictError):
        services.restaurant_rename(restaurant=restaurant, new_slug="alpha")
    with pytest.raises(ValidationError):
        services.restaurant_rename(restaurant=restaurant, new_slug="admin")


def test_custom_domain_serves_the_restaurant_until_removed() -> None:
    restaurant = onboard_restaurant("propio").restaurant

    services.domain_add(restaurant=restaurant, domain="WWW.Propio-Restaurante.es.", primary=True)

    assert host("www.propio-restaurante.es").get("/api/v1/restaurant/").json()["slug"] == "propio"
    assert Domain.objects.get(domain="www.propio-restaurante.es").is_primary
    assert not Domain.objects.get(domain="propio.dysa.test").is_primary

    services.domain_remove(restaurant=restaurant, domain="www.propio-restaurante.es")

    assert host("www.propio-restaurante.es").get("/api/v1/restaurant/").status_code == 404
    assert Domain.objects.get(domain="propio.dysa.test").is_primary


@pytest.mark.parametrize(
    "domain",
    ["localhost", "not a domain", "-bad.example.com", "1.2.3.4", "x.dysa.test", "dysa.test"],
)
def test_invalid_or_reserved_custom_domains_are_refused(domain: str) -> None:
    restaurant = onboard_restaurant("dominio").restaurant
    with pytest.raises(ValidationError):
        services.domain_add(restaurant=restaurant, domain=domain)


def test_a_domain_in_use_is_a_conflict_and_the_subdomain_cannot_be_removed() -> None:
    first = onboard_restaurant("uno").restaurant
    second = onboard_restaurant("dos").restaurant
    services.domain_add(restaurant=first, domain="shared.example.com")
    with pytest.raises(services.RegistryConflictError):
        services.domain_add(restaurant=second, domain="shared.example.com")
    with pytest.raises(services.LifecycleRefusedError):
        services.domain_remove(restaurant=first, domain="uno.dysa.test")
    with pytest.raises(ValidationError):
        services.domain_remove(restaurant=second, domain="shared.example.com")


def test_lifecycle_works_after_a_request_left_a_tenant_schema_active() -> None:
    restaurant = onboard_restaurant("tras").restaurant
    assert host("tras.dysa.test").get("/api/v1/restaurant/").status_code == 200

    assert services.restaurant_suspend(restaurant=restaurant).is_suspended
    services.domain_add(restaurant=restaurant, domain="tras.example.com")
    services.domain_remove(restaurant=restaurant, domain="tras.example.com")


def test_a_purged_restaurants_cache_does_not_pass_to_the_next_with_its_slug(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Finding 10: cache keys are prefixed by schema name, which a purge frees for reuse."""
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    from core.cache import cached, invalidate

    first = onboard_restaurant("eco").restaurant
    with schema_context(first.schema_name):
        invalidate("menu")
        assert cached("menu", "public", lambda: "first restaurant's menu") == (
            "first restaurant's menu"
        )
        cache.set("assistant:breaker", "open", timeout=None)
    services.restaurant_delete(restaurant=first, force=True, grace=timedelta(0))
    with django_capture_on_commit_callbacks(execute=True):
        services.restaurants_purge_due()
    with schema_context(first.schema_name):
        assert cache.get("assistant:breaker") is None  # wiped at the purge

    second = onboard_restaurant("eco").restaurant

    assert second.schema_name == first.schema_name
    with schema_context(second.schema_name):
        assert cached("menu", "public", lambda: "second restaurant's menu") == (
            "second restaurant's menu"
        )
        assert cache.get("assistant:breaker") is None
