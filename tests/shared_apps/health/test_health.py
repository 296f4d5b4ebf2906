"""Liveness and readiness on every host, and the healthcheck command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"


@pytest.mark.parametrize("path", ["/health/live/", "/health/ready/"])
def test_health_answers_on_the_platform_and_restaurant_hosts(
    path: str, public_client: Client, tenant_a: TenantHandle
) -> None:
    for client in (public_client, Client(HTTP_HOST=tenant_a.host)):
        response = client.get(path)

        assert response.status_code == 200
        assert response.json()["status"] == "ok"


def test_ready_lists_each_dependency(public_client: Client) -> None:
    checks = public_client.get("/health/ready/").json()["checks"]

    assert set(checks) == {"database", "redis", "broker", "migrations"}
    assert all(check["ok"] for check in checks.values())


def test_ready_is_503_when_redis_is_down(public_client: Client, settings: SettingsWrapper) -> None:
    settings.REDIS_URL = CLOSED_PORT_REDIS

    response = public_client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_healthcheck_command_exits_zero_when_healthy(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("healthcheck", "--json")

    assert '"status": "ok"' in capsys.readouterr().out


def test_healthcheck_command_exits_one_when_unhealthy(settings: SettingsWrapper) -> None:
    settings.REDIS_URL = CLOSED_PORT_REDIS

    with pytest.raises(CommandError) as excinfo:
        call_command("healthcheck")

    assert excinfo.value.returncode == 1


PUBLIC_ADDRESS = "203.0.113.9"


def test_a_public_caller_gets_liveness_only_and_costs_no_checks(
    public_client: Client, tenant_a: TenantHandle, settings: SettingsWrapper
) -> None:
    settings.REDIS_URL = CLOSED_PORT_REDIS  # a check that ran would say so

    for client in (public_client, Client(HTTP_HOST=tenant_a.host)):
        response = client.get("/health/ready/", REMOTE_ADDR=PUBLIC_ADDRESS)

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": "restricted"}


def test_the_health_token_or_an_internal_network_sees_the_checks(
    public_client: Client, settings: SettingsWrapper
) -> None:
    settings.DYSA_HEALTH_TOKEN = "probe-secret-7731"
    settings.DYSA_HEALTH_INTERNAL_NETWORKS = ["10.0.0.0/8"]

    wrong = public_client.get(
        "/health/ready/", REMOTE_ADDR=PUBLIC_ADDRESS, HTTP_X_HEALTH_TOKEN="guess"
    )
    with_token = public_client.get(
        "/health/ready/", REMOTE_ADDR=PUBLIC_ADDRESS, HTTP_X_HEALTH_TOKEN="probe-secret-7731"
    )
    internal = public_client.get("/health/ready/", REMOTE_ADDR="10.1.2.3")

    assert wrong.json()["checks"] == "restricted"
    assert set(with_token.json()["checks"]) == {"database", "redis", "broker", "migrations"}
    assert set(internal.json()["checks"]) == {"database", "redis", "broker", "migrations"}


def test_a_failed_check_names_the_kind_of_failure_not_its_text(
    public_client: Client, settings: SettingsWrapper
) -> None:
    settings.REDIS_URL = CLOSED_PORT_REDIS

    response = public_client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["detail"] == "ConnectionError"
    assert "127.0.0.1" not in response.content.decode()
