"""Panel clients: a browser-like Django test client logged in with a session, per role."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

# Connects the login-time receiver (core.sessions) before the first force_login: it is
# otherwise imported with the middleware, on the first request.
import core.sessions  # noqa: F401
from shared_apps.accounts.models import User
from tests.tenant_apps.staff.factories import make_staff
from tests.tenants.factories import TenantHandle


def panel_client(handle: TenantHandle, role: str) -> tuple[Client, User]:
    user = make_staff(handle, role)
    client = Client(HTTP_HOST=handle.host)
    with schema_context(handle.schema_name):
        client.force_login(user)
    return client, user
