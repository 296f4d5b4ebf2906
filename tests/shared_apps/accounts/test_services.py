"""The credential check both login endpoints (API tokens, panel session) share."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context
from rest_framework.exceptions import AuthenticationFailed

from shared_apps.accounts.services import user_authenticate
from tests.tenant_apps.staff.factories import STAFF_PASSWORD, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_the_email_matches_whatever_its_case(tenant_a: TenantHandle) -> None:
    user = make_staff(tenant_a, "staff")

    with schema_context(tenant_a.schema_name):
        found = user_authenticate(
            request=RequestFactory().post("/"), email=user.email.upper(), password=STAFF_PASSWORD
        )

    assert found.pk == user.pk


def test_a_wrong_password_and_an_unknown_email_fail_alike(
    tenant_a: TenantHandle, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_staff(tenant_a, "staff")
    attempts = [(user.email, "not-the-password"), ("nobody@alpha.example", STAFF_PASSWORD)]
    failures = []

    with (
        schema_context(tenant_a.schema_name),
        caplog.at_level(logging.WARNING, logger="security"),
    ):
        for email, password in attempts:
            with pytest.raises(AuthenticationFailed) as failure:
                user_authenticate(
                    request=RequestFactory().post("/"),
                    email=email,
                    password=password,
                    event="panel login",
                )
            failures.append(str(failure.value.detail))

    assert failures == ["Invalid email or password."] * 2
    logged = [r.getMessage() for r in caplog.records if r.name == "security"]
    assert logged == ["panel login failed"] * 2
