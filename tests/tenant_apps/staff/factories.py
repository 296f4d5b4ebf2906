"""Staff accounts and authenticated API clients for each role."""

from __future__ import annotations

import uuid

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from shared_apps.accounts.models import User
from tenant_apps.staff.services import staff_create
from tenants.auth import token_pair_issue
from tests.actors import TEST_ACTOR
from tests.tenants.factories import TenantHandle

STAFF_PASSWORD = "staff-pass-4821"


def make_staff(handle: TenantHandle, role: str, *, email: str | None = None) -> User:
    with schema_context(handle.schema_name):
        return staff_create(
            actor=TEST_ACTOR,
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@{handle.restaurant.slug}.example",
            role=role,
            full_name=f"Test {role}",
            password=STAFF_PASSWORD,
        )


def bearer_for(handle: TenantHandle, user: User) -> str:
    """A real access token, signed with the restaurant's key (no login throttle involved)."""
    with schema_context(handle.schema_name):
        return token_pair_issue(user=user).access


def client_as(handle: TenantHandle, role: str) -> APIClient:
    """An API client on the restaurant's host, logged in as a new account with `role`."""
    user = make_staff(handle, role)
    client = APIClient(HTTP_HOST=handle.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(handle, user)}")
    client.user = user  # type: ignore[attr-defined]
    return client
