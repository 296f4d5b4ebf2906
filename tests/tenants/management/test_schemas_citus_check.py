"""`schemas citus-check` reports what Citus schema-based sharding would reject."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.tenants.factories import TenantHandle

SCRATCH = "t_citus_scratch"


def _check() -> tuple[dict[str, Any], CommandError | None]:
    out = io.StringIO()
    try:
        call_command("schemas", "citus-check", "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return json.loads(out.getvalue()), error
    return json.loads(out.getvalue()), None


def _kinds(report: dict[str, Any], relation_suffix: str) -> set[str]:
    return {f["kind"] for f in report["findings"] if f["relation"].endswith(relation_suffix)}


def test_the_restaurant_layout_has_no_finding_citus_would_refuse(
    tenant_a: TenantHandle, db: None
) -> None:
    report, error = _check()

    assert error is None, report
    assert report["errors"] == 0
    # Django's own apps keep 32-bit ids (auth, contenttypes): reported, not refused.
    assert {f["kind"] for f in report["findings"]} <= {"small-sequence"}


@pytest.mark.django_db
def test_each_departure_from_the_citus_rules_is_reported_and_fails_the_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{SCRATCH}"')
        cursor.execute("CREATE TABLE public.citus_plan (id bigint PRIMARY KEY)")
        cursor.execute(
            f'CREATE TABLE "{SCRATCH}".orders (id serial PRIMARY KEY, '
            "plan_id bigint REFERENCES public.citus_plan (id))"
        )
        cursor.execute(f'CREATE TABLE "{SCRATCH}".old_orders () INHERITS ("{SCRATCH}".orders)')
        cursor.execute(
            f'CREATE RULE no_delete AS ON DELETE TO "{SCRATCH}".orders DO INSTEAD NOTHING'
        )
        cursor.execute(
            "CREATE TABLE public.citus_invoice (id bigint PRIMARY KEY, "
            f'order_id integer REFERENCES "{SCRATCH}".orders (id))'
        )

    report, error = _check()

    assert error is not None
    assert error.returncode == 1
    assert _kinds(report, ".orders") >= {"fk-leaves-tenant-schema", "small-sequence", "rule"}
    assert _kinds(report, ".old_orders") == {"inheritance"}
    assert _kinds(report, "public.citus_invoice") == {"fk-into-tenant-schema"}
    scratch = [f for f in report["findings"] if f["relation"] == "<tenant>.orders"]
    assert all(f["schemas"] == [SCRATCH] for f in scratch)
