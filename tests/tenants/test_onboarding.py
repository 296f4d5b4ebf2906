"""Onboarding: one call makes a live restaurant, or leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenants import schema_template, services
from tenants.models import Domain, Restaurant, SpareSchema, TenantSecret
from tenants.schema_sql import schema_exists
from tests.tenants.factories import OWNER_PASSWORD, onboard_restaurant

pytestmark = pytest.mark.django_db

INITIALIZER_CALLS: list[str] = []


def recording_initializer(*, restaurant: Restaurant) -> None:
    INITIALIZER_CALLS.append(connection.schema_name)  # type: ignore[attr-defined]


def failing_initializer(*, restaurant: Restaurant) -> None:
    raise RuntimeError("initializer failed")


def migration_records(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {schema_name}.django_migrations")  # noqa: S608
        return set(cursor.fetchall())


def test_onboarded_restaurant_is_live_with_owner_secrets_and_migrated_schema() -> None:
    INITIALIZER_CALLS.clear()
    path = "tests.tenants.test_onboarding.recording_initializer"
    with override_settings(DYSA_TENANT_INITIALIZERS=[path]):
        result = onboard_restaurant("nuevo", name="Nuevo Sitio", plan="starter")

    restaurant = result.restaurant
    assert restaurant.schema_name == "t_nuevo"
    assert restaurant.plan == "starter"
    assert result.domain.domain == "nuevo.dysa.test"
    assert result.owner_setup_link is None
    assert INITIALIZER_CALLS == ["t_nuevo"]
    assert migration_records("t_nuevo") == migration_records(schema_template.TEMPLATE_SCHEMA)
    assert set(
        TenantSecret.objects.filter(schema_name="t_nuevo").values_list("kind", flat=True)
    ) == {"jwt_signing_key", "backup_key"}
    with schema_context("t_nuevo"):
        owner = get_user_model().objects.get()
        assert (owner.email, owner.role) == ("owner@nuevo.example", "owner")
        assert owner.check_password(OWNER_PASSWORD)
    client = APIClient(HTTP_HOST="nuevo.dysa.test")
    assert client.get("/api/v1/restaurant/").json()["name"] == "Nuevo Sitio"
    token = client.post(
        "/api/v1/auth/token/",
        {"email": "owner@nuevo.example", "password": OWNER_PASSWORD},
        format="json",
    )
    assert token.status_code == 200


def test_owner_without_password_gets_a_one_time_link() -> None:
    result = onboard_restaurant("linky", owner_password=None)

    link = result.owner_setup_link
    assert link is not None
    assert link.startswith("http://linky.dysa.test:8000/account/set-password/")
    uid, token = link.rstrip("/").split("/")[-2:]
    client = APIClient(HTTP_HOST="linky.dysa.test")
    with schema_context("t_linky"):
        assert not get_user_model().objects.get().has_usable_password()

    page = client.get(f"/account/set-password/{uid}/{token}/")
    assert page.status_code == 200
    first = client.post(
        "/api/v1/auth/password/set/",
        {"uid": uid, "token": token, "password": "a-fine-new-pass-42"},
        format="json",
    )
    again = client.post(
        "/api/v1/auth/password/set/",
        {"uid": uid, "token": token, "password": "another-pass-43"},
        format="json",
    )

    assert first.status_code == 204
    assert again.status_code == 400
    login = client.post(
        "/api/v1/auth/token/",
        {"email": "owner@linky.example", "password": "a-fine-new-pass-42"},
        format="json",
    )
    assert login.status_code == 200


def test_set_password_page_sets_the_password_once() -> None:
    link = onboard_restaurant("pagey", owner_password=None).owner_setup_link
    assert link is not None
    path = link.split(":8000")[1]
    client = APIClient(HTTP_HOST="pagey.dysa.test")

    done = client.post(path, {"password": "page-pass-9876", "password_again": "page-pass-9876"})

    assert done.status_code == 200
    assert b"Your password is set" in done.content
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "ab"}, "slug"),
        ({"slug": "www"}, "slug"),
        ({"slug": "-bad-"}, "slug"),
        ({"slug": "under_score"}, "slug"),
        ({"slug": "x" * 41}, "slug"),
        ({"name": "  "}, "name"),
        ({"owner_email": "not-an-email"}, "owner_email"),
        ({"owner_password": "123"}, "owner_password"),
    ],
)
def test_invalid_input_is_refused_with_field_errors(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        onboard_restaurant(fields.pop("slug", "valid-slug"), **fields)
    assert field in caught.value.message_dict
    assert not Restaurant.objects.filter(slug="valid-slug").exists()


def test_taken_slug_is_a_conflict_whatever_the_case(tenant_a: Any) -> None:
    with pytest.raises(services.RegistryConflictError) as caught:
        onboard_restaurant("ALPHA")
    assert "slug" in caught.value.errors


def _fail_after(original: Callable[..., Any]) -> Callable[..., Any]:
    def run_then_fail(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise RuntimeError("step failed after doing its work")

    return run_then_fail


STEPS = ["restaurant", "domain", "schema", "secrets", "owner", "initializers"]


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_leaves_nothing_behind(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    initializers: list[str] = []
    if step == "restaurant":
        monkeypatch.setattr(Restaurant.objects, "create", _fail_after(Restaurant.objects.create))
    elif step == "domain":
        monkeypatch.setattr(Domain.objects, "create", _fail_after(Domain.objects.create))
    elif step == "schema":
        monkeypatch.setattr(services, "_create_schema", _fail_after(services._create_schema))
    elif step == "secrets":
        monkeypatch.setattr(services, "secrets_provision", _fail_after(services.secrets_provision))
    elif step == "owner":
        monkeypatch.setattr(services, "_create_owner", _fail_after(services._create_owner))
    else:
        initializers = ["tests.tenants.test_onboarding.failing_initializer"]

    with override_settings(DYSA_TENANT_INITIALIZERS=initializers), pytest.raises(RuntimeError):
        onboard_restaurant("doomed")

    assert not Restaurant.objects.filter(slug="doomed").exists()
    assert not Domain.objects.filter(domain__startswith="doomed.").exists()
    assert not TenantSecret.objects.filter(schema_name="t_doomed").exists()
    assert not schema_exists("t_doomed")
    assert connection.schema_name == "public"  # type: ignore[attr-defined]
    monkeypatch.undo()
    assert onboard_restaurant("doomed").restaurant.schema_name == "t_doomed"


def test_a_slug_whose_schema_name_is_held_by_a_renamed_restaurant_gets_a_suffix() -> None:
    first = onboard_restaurant("oldname").restaurant
    services.restaurant_rename(restaurant=first, new_slug="newname")

    second = onboard_restaurant("oldname").restaurant

    assert second.schema_name == "t_oldname_2"


def test_template_is_rebuilt_when_migrations_change(monkeypatch: pytest.MonkeyPatch) -> None:
    real = schema_template.migration_fingerprint()
    monkeypatch.setattr(schema_template, "migration_fingerprint", lambda: "changed-migrations")
    try:
        sql = schema_template.template_sql()
        assert schema_template.PLACEHOLDER in sql
        assert onboard_restaurant("afterchange").restaurant.schema_name == "t_afterchange"
    finally:
        monkeypatch.undo()
        schema_template.template_build()
    assert schema_template.migration_fingerprint() == real


def test_template_script_strips_session_settings_and_names_no_schema() -> None:
    dump = "\n".join(
        [
            "\\restrict abc",
            "SET statement_timeout = 0;",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "CREATE SCHEMA dysa_template;",
            "-- comment",
            "CREATE TABLE dysa_template.menu_item (id bigint);",
            "SELECT pg_catalog.setval('dysa_template.menu_item_id_seq', 1, false);",
        ]
    )
    script = schema_template.template_script_from_dump(dump)
    assert script == (
        "CREATE TABLE __dysa_schema__.menu_item (id bigint);\n"
        "SELECT pg_catalog.setval('__dysa_schema__.menu_item_id_seq', 1, false);\n"
    )


def test_onboarding_takes_a_spare_schema_when_the_pool_has_one() -> None:
    with override_settings(DYSA_SPARE_SCHEMAS=2):
        assert schema_template.spare_schemas_fill() == 2
        spares = list(SpareSchema.objects.values_list("schema_name", flat=True))

        result = onboard_restaurant("de-repuesto")

    assert SpareSchema.objects.count() == 1
    taken = (set(spares) - set(SpareSchema.objects.values_list("schema_name", flat=True))).pop()
    assert not schema_exists(taken)
    assert schema_exists("t_de_repuesto")
    assert migration_records("t_de_repuesto") == migration_records(schema_template.TEMPLATE_SCHEMA)
    assert result.restaurant.schema_name == "t_de_repuesto"
    with schema_context("t_de_repuesto"):
        assert get_user_model().objects.count() == 1


def test_a_failed_onboarding_gives_the_spare_back(monkeypatch: pytest.MonkeyPatch) -> None:
    with override_settings(DYSA_SPARE_SCHEMAS=1):
        schema_template.spare_schemas_fill()
        spare = SpareSchema.objects.get().schema_name
        monkeypatch.setattr(services, "_create_owner", _fail_after(services._create_owner))
        with pytest.raises(RuntimeError):
            onboard_restaurant("sin-suerte")

    assert SpareSchema.objects.get().schema_name == spare
    assert schema_exists(spare)
    assert not schema_exists("t_sin_suerte")


def test_spares_of_an_older_migration_state_are_dropped_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with override_settings(DYSA_SPARE_SCHEMAS=1):
        schema_template.spare_schemas_fill()
        old = SpareSchema.objects.get()
        old.fingerprint = "an-older-state"
        old.save()

        assert schema_template.schema_take_spare(schema_name="t_nope") is False
        schema_template.spare_schemas_fill()

    assert not schema_exists(old.schema_name)
    assert SpareSchema.objects.get().fingerprint == schema_template.migration_fingerprint()


def _template_behind_by_sessions(*, keep_table: bool = False) -> None:
    """Put the template one migration behind, with a stored script that matches that state."""
    from tenants.models import SchemaTemplate
    from tenants.schema_sql import migration_digests

    template = schema_template.TEMPLATE_SCHEMA
    schema_template.template_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {template}.django_migrations WHERE app = 'sessions'")  # noqa: S608
        if not keep_table:
            cursor.execute(f"DROP TABLE {template}.django_session")
    row = SchemaTemplate.objects.get(fingerprint=schema_template.migration_fingerprint())
    row.sql += (
        "DROP TABLE __dysa_schema__.django_session;\n"
        "DELETE FROM __dysa_schema__.django_migrations WHERE app = 'sessions';\n"
    )
    row.fingerprint = "the-previous-release"
    row.migrations_digest = migration_digests([template])[template]
    row.save()
    schema_template._cached.clear()


def test_migrate_extends_the_template_script_without_dumping_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _template_behind_by_sessions()
    monkeypatch.setattr(schema_template, "_dump_template", lambda _: pytest.fail("dumped again"))
    try:
        schema_template.refresh_template_for_migrations()

        sql = schema_template.template_sql()
        assert 'CREATE TABLE "django_session"' in sql
        schema = onboard_restaurant("tras-migrar").restaurant.schema_name
        assert migration_records(schema) == migration_records(schema_template.TEMPLATE_SCHEMA)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {schema}.django_session")  # noqa: S608
        assert connection.schema_name == "public"  # type: ignore[attr-defined]
    finally:
        schema_template._cached.clear()


def test_a_migration_failing_in_the_template_stops_before_any_tenant(
    tenant_a: Any,
) -> None:
    from tenants import schema_migrations

    _template_behind_by_sessions(keep_table=True)  # CreateModel will fail in the template
    with connection.cursor() as cursor:
        schema = tenant_a.schema_name
        cursor.execute(f"DELETE FROM {schema}.django_migrations WHERE app = 'sessions'")  # noqa: S608
        cursor.execute(f"DROP TABLE {tenant_a.schema_name}.django_session")
    try:
        with pytest.raises(schema_template.TemplateMigrationError, match="django_session"):
            schema_migrations.migrate_pending_schemas()
        state = {s.schema_name: s.state for s in schema_migrations.schemas_state()}
        assert state[tenant_a.schema_name] == schema_migrations.PENDING
    finally:
        schema_template._cached.clear()


@pytest.mark.django_db(transaction=True)
def test_an_owner_without_password_is_emailed_the_set_password_link(
    celery_worker_session: object,
) -> None:
    import time

    from django.core import mail

    result = onboard_restaurant("mailed", owner_password=None, locale="en")
    try:
        deadline = time.monotonic() + 10
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [message.to for message in mail.outbox] == [["owner@mailed.example"]]
        assert result.owner_setup_link is not None
        assert result.owner_setup_link in str(mail.outbox[0].body)
        assert "/panel/" in str(mail.outbox[0].body)
    finally:
        services.restaurant_purge(
            restaurant=services.restaurant_delete(restaurant=result.restaurant, force=True)
        )
