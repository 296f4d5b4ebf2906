"""`manage.py tenant ...`: every subcommand, human and JSON output, clear failures."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Domain, Restaurant

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("tenant", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def run_human(*args: str) -> str:
    out = io.StringIO()
    call_command("tenant", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_onboard_with_password_then_show_and_list() -> None:
    created = run(
        "onboard",
        "cli-place",
        "--name",
        "CLI Place",
        "--owner-email",
        "Boss@CLI.example",
        "--owner-password",
        "a-strong-pass-77",
        "--plan",
        "pro",
    )

    assert created["schema_name"] == "t_cli_place"
    assert created["url"] == "http://cli-place.dysa.test:8000/"
    assert created["owner_email"] == "boss@cli.example"
    assert created["owner_setup_link"] is None
    assert run("show", "cli-place")["plan"] == "pro"
    assert [r["slug"] for r in run("list", "--search", "CLI PL")] == ["cli-place"]
    assert "cli-place" in run_human("list", "--status", "active")


def test_onboard_without_password_prints_the_link_once() -> None:
    output = run_human("onboard", "linked", "--name", "Linked", "--owner-email", "o@linked.es")
    assert "set-password link (shown once): http://linked.dysa.test:8000/account/" in output


def test_onboard_refuses_bad_input_with_a_readable_error() -> None:
    with pytest.raises(CommandError, match="slug"):
        run("onboard", "admin", "--name", "X", "--owner-email", "o@x.es")
    with pytest.raises(CommandError, match="owner_email"):
        run("onboard", "fine-slug", "--name", "X", "--owner-email", "nope")


def test_suspend_reactivate_delete_and_purge() -> None:
    run("onboard", "ciclo", "--name", "Ciclo", "--owner-email", "o@ciclo.es")

    assert run("suspend", "ciclo", "--reason", "unpaid")["status"] == "suspended"
    assert run("reactivate", "ciclo")["status"] == "active"
    with pytest.raises(CommandError, match="--force"):
        run("delete", "ciclo")
    deleted = run("delete", "ciclo", "--force", "--grace-days", "0")
    assert deleted["status"] == "deleted"
    assert run("list", "--status", "deleted")[0]["slug"] == "ciclo"
    assert run("purge") == {"purged": ["ciclo"]}
    assert not Restaurant.objects.filter(slug="ciclo").exists()


def test_rename_and_domains() -> None:
    run("onboard", "viejo", "--name", "Viejo", "--owner-email", "o@viejo.es")

    renamed = run("rename", "viejo", "nuevo-nombre")
    added = run("domains", "nuevo-nombre", "add", "menu.viejo.es", "--primary")
    listed = run("domains", "nuevo-nombre", "list")
    removed = run("domains", "nuevo-nombre", "remove", "menu.viejo.es")

    assert renamed["domains"] == ["nuevo-nombre.dysa.test"]
    assert {"domain": "menu.viejo.es", "is_primary": True} in added["domains"]
    assert listed == added
    assert removed["domains"] == [{"domain": "nuevo-nombre.dysa.test", "is_primary": True}]
    with pytest.raises(CommandError, match="not a valid domain"):
        run("domains", "nuevo-nombre", "add", "bad domain")
    assert not Domain.objects.filter(domain__startswith="viejo.").exists()


def test_unknown_slug_fails_clearly() -> None:
    with pytest.raises(CommandError, match="no restaurant with slug 'ghost'"):
        run("suspend", "ghost")
