"""API-key authentication for integrations (keys are issued and verified by tenants.secrets).

An integration sends `X-API-Key: dysa_...` (or `Authorization: Api-Key dysa_...`). The key
belongs to one restaurant: on any other host it is unknown, hence a 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from tenants import secrets
from tenants.db import current_schema_name

API_KEY_HEADER = "X-API-Key"
AUTHORIZATION_SCHEME = b"api-key"


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Who a request authenticated by API key is; its permissions are API_KEY_PERMISSIONS."""

    key_id: int
    name: str
    prefix: str

    is_api_key = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    role = "integration"

    @property
    def pk(self) -> str:
        # Throttle and audit identity, distinct from every user id.
        return f"apikey-{self.key_id}"

    @property
    def label(self) -> str:
        return f"api-key:{self.name} ({self.prefix})"


def _presented_key(request: Request) -> str | None:
    header = request.headers.get(API_KEY_HEADER)
    if header:
        return header.strip()
    parts = get_authorization_header(request).split()
    if len(parts) == 2 and parts[0].lower() == AUTHORIZATION_SCHEME:
        try:
            return parts[1].decode()
        except UnicodeDecodeError:
            return ""
    return None


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        plaintext = _presented_key(request)
        if plaintext is None:
            return None
        key = secrets.api_key_verify(schema_name=current_schema_name(), plaintext=plaintext)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return ApiKeyPrincipal(key_id=key.pk, name=key.name, prefix=key.prefix), key

    def authenticate_header(self, request: Request) -> str:
        return 'Api-Key realm="api"'
