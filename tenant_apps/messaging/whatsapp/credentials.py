"""Which secrets each provider needs, read from the restaurant's encrypted secret store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from core.db import current_schema_name
from tenants.secrets import secret_delete, secret_get, secret_set

# API field -> secret kind (tenants.secrets). Write-only: the API never returns a value.
TWILIO_FIELDS: Final = {
    "account_sid": "twilio_account_sid",
    "auth_token": "twilio_auth_token",
}
META_FIELDS: Final = {
    "phone_number_id": "meta_phone_number_id",
    "app_secret": "meta_app_secret",
    "verify_token": "meta_verify_token",
    "access_token": "whatsapp_access_token",
}
FIELDS_BY_PROVIDER: Final = {"twilio": TWILIO_FIELDS, "meta": META_FIELDS}
ALL_KINDS: Final = (*TWILIO_FIELDS.values(), *META_FIELDS.values())


@dataclass(frozen=True)
class Credentials:
    values: dict[str, str] = field(repr=False)

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")


def credential_get(name: str, *, provider: str) -> str:
    """One credential (API field name), or "" when it is not set."""
    kind = FIELDS_BY_PROVIDER[provider][name]
    return secret_get(schema_name=current_schema_name(), kind=kind) or ""


def credentials_get(*, provider: str) -> Credentials:
    return Credentials(
        {name: credential_get(name, provider=provider) for name in FIELDS_BY_PROVIDER[provider]}
    )


def credentials_present(*, provider: str) -> dict[str, bool]:
    return {name: bool(value) for name, value in credentials_get(provider=provider).values.items()}


def credentials_store(*, provider: str, values: dict[str, str]) -> None:
    schema = current_schema_name()
    for name, value in values.items():
        secret_set(schema_name=schema, kind=FIELDS_BY_PROVIDER[provider][name], value=value)


def credentials_erase() -> None:
    schema = current_schema_name()
    for kind in ALL_KINDS:
        secret_delete(schema_name=schema, kind=kind)
