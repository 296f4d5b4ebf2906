"""`manage.py tenant …` (and `secrets …`) write the platform audit log like the console and
the platform API: each change is recorded by the service that makes it, with an actor naming
the CLI (OS user and host); a failing command records nothing and changes nothing."""

from __future__ import annotations

import getpass
import io
import socket

import pytest
from django.core.management import CommandError, call_command

from shared_apps.platform_audit.models import PlatformAuditEntry
from tenants.models import Domain, Restaurant
from tests.shared_apps.console.helpers import console_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
CLI_ACTOR = f"cli:{getpass.getuser()}@{socket.gethostname()}"


def tenant(*args: str) -> None:
    call_command("tenant", *args, stdout=io.StringIO(), stderr=io.StringIO())


def recorded() -> list[tuple[str, str, str]]:
    return list(
        PlatformAuditEntry.objects.order_by("id").values_list(
            "action", "restaurant_slug", "actor_email"
        )
    )


def test_every_change_by_the_cli_is_in_the_platform_audit_log() -> None:
    tenant("onboard", "por-cli", "--name", "Por CLI", "--owner-email", "o@porcli.es")
    tenant("suspend", "por-cli", "--reason", "unpaid")
    tenant("reactivate", "por-cli")
    tenant("domains", "por-cli", "add", "porcli.example.com")
    tenant("domains", "por-cli", "remove", "porcli.example.com")
    tenant("rename", "por-cli", "via-cli")
    tenant("delete", "via-cli", "--force", "--grace-days", "0")
    tenant("purge")

    assert recorded() == [
        ("restaurant.onboard", "por-cli", CLI_ACTOR),
        ("restaurant.suspend", "por-cli", CLI_ACTOR),
        ("restaurant.reactivate", "por-cli", CLI_ACTOR),
        ("domain.add", "por-cli", CLI_ACTOR),
        ("domain.remove", "por-cli", CLI_ACTOR),
        ("restaurant.rename", "por-cli", CLI_ACTOR),
        ("restaurant.delete", "via-cli", CLI_ACTOR),
        ("restaurant.purge", "via-cli", CLI_ACTOR),
    ]
    suspend = PlatformAuditEntry.objects.get(action="restaurant.suspend")
    assert suspend.detail == {"reason": "unpaid"}
    assert suspend.actor is None  # not a platform account
    rename = PlatformAuditEntry.objects.get(action="restaurant.rename")
    assert rename.detail == {"new_slug": "via-cli"}


def test_cli_entries_show_in_the_consoles_audit_page() -> None:
    tenant("onboard", "visible", "--name", "Visible", "--owner-email", "o@visible.es")
    tenant("suspend", "visible", "--reason", "checking")
    client, _ = console_client("operator")

    page = client.get("/console/audit/?restaurant=visible").content.decode()

    assert CLI_ACTOR in page
    assert "restaurant.suspend" in page


def test_a_failing_command_records_nothing_and_changes_nothing() -> None:
    tenant("onboard", "firme", "--name", "Firme", "--owner-email", "o@firme.es")
    before = recorded()

    with pytest.raises(CommandError, match="no restaurant"):
        tenant("suspend", "no-such-slug", "--reason", "x")
    with pytest.raises(CommandError, match="taken"):
        tenant("onboard", "firme", "--name", "Otra", "--owner-email", "p@firme.es")
    with pytest.raises(CommandError):
        tenant("rename", "firme", "admin")  # a reserved slug
    with pytest.raises(CommandError):
        tenant("delete", "firme")  # refused without --force (no backup guard configured)
    with pytest.raises(CommandError):
        tenant("domains", "firme", "remove", "firme.dysa.test")  # the platform subdomain

    assert recorded() == before
    firme = Restaurant.objects.get(slug="firme")
    assert firme.status == Restaurant.Status.ACTIVE
    assert set(Domain.objects.filter(tenant=firme).values_list("domain", flat=True)) == {
        "firme.dysa.test"
    }
    assert Restaurant.objects.filter(slug__in=["admin", "no-such-slug"]).count() == 0


def test_the_console_and_the_api_record_through_the_same_services() -> None:
    client, operator = console_client("operator")
    tenant("onboard", "mixto", "--name", "Mixto", "--owner-email", "o@mixto.es")

    response = client.post("/console/restaurants/mixto/suspend/", {"reason": "from the console"})

    assert response.status_code in (200, 302)
    entry = PlatformAuditEntry.objects.get(action="restaurant.suspend", restaurant_slug="mixto")
    assert entry.actor == operator
    assert entry.actor_email == operator.email
    assert entry.detail == {"reason": "from the console"}


def test_secret_rotations_by_the_cli_are_recorded_without_values(tenant_a: TenantHandle) -> None:
    call_command("secrets", "rotate", "alpha", "--kind", "jwt_signing_key", stdout=io.StringIO())
    call_command("secrets", "rotate-master", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("secrets", "rotate", "no-such-slug", stdout=io.StringIO())

    rotate = PlatformAuditEntry.objects.get(action="secret.rotate")
    assert (rotate.restaurant_slug, rotate.actor_email) == ("alpha", CLI_ACTOR)
    assert set(rotate.detail) == {"schema_name", "kind", "version"}
    master = PlatformAuditEntry.objects.get(action="secret.rotate_master")
    assert master.actor_email == CLI_ACTOR
    assert PlatformAuditEntry.objects.count() == 2
