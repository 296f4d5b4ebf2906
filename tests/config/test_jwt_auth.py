"""JWT login, refresh and revoke on restaurant hosts and on the platform host."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from tenants import secrets
from tenants.auth import JWTAuthentication, token_pair_issue
from tests.conftest import PUBLIC_HOST
from tests.shared_apps.accounts.otp import current_code, platform_account
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
REVOKE = "/api/v1/auth/token/revoke/"
ME = "/api/v1/auth/me/"
PLATFORM_TOKEN = "/api/platform/v1/auth/token/"
PLATFORM_ME = "/api/platform/v1/auth/me/"


def login(client: APIClient, tenant: TenantHandle) -> dict[str, Any]:
    response = client.post(
        TOKEN, {"email": tenant.owner_email, "password": tenant.owner_password}, format="json"
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def me(client: APIClient, access: str, path: str = ME) -> Any:
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {access}")


@pytest.fixture
def operator() -> Any:
    return platform_account("ops@dysa.test", "operator-pass-1")[0]


@pytest.fixture
def platform_client() -> APIClient:
    return APIClient(HTTP_HOST=PUBLIC_HOST)


def test_owner_logs_in_and_the_token_carries_schema_and_role(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    tokens = login(client_a, tenant_a)

    response = me(client_a, tokens["access"])

    assert response.status_code == 200
    assert response.json()["email"] == tenant_a.owner_email
    assert response.json()["role"] == "owner"
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    assert claims["schema"] == tenant_a.schema_name
    assert claims["typ"] == "access"


def test_wrong_password_is_a_401_problem(client_a: APIClient, tenant_a: TenantHandle) -> None:
    response = client_a.post(
        TOKEN, {"email": tenant_a.owner_email, "password": "nope"}, format="json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_missing_fields_are_field_errors(client_a: APIClient) -> None:
    response = client_a.post(TOKEN, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_a_restaurant_token_is_rejected_on_another_restaurant_and_on_the_platform(
    client_a: APIClient, client_b: APIClient, tenant_a: TenantHandle, platform_client: APIClient
) -> None:
    access = login(client_a, tenant_a)["access"]
    assert me(client_b, access).status_code == 401
    assert me(platform_client, access, PLATFORM_ME).status_code == 401


def test_a_token_with_another_schema_claim_is_rejected_even_if_signed_with_this_key(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    access = login(client_a, tenant_a)["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    version, key = secrets.jwt_signing_key_versioned(schema_name=tenant_a.schema_name)
    forged = jwt.encode(
        {**claims, "schema": "t_bravo"}, key, algorithm="HS256", headers={"kid": str(version)}
    )
    assert me(client_a, forged).status_code == 401


def test_unsigned_and_tampered_tokens_are_rejected(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    access = login(client_a, tenant_a)["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": "1"})
    header, payload, signature = access.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    for token in (unsigned, tampered, "eyJhbGciOi.garbage.token"):
        assert me(client_a, token).status_code == 401


def test_operator_logs_in_on_the_platform_with_the_platform_key(
    platform_client: APIClient, operator: Any, client_a: APIClient
) -> None:
    response = platform_client.post(
        PLATFORM_TOKEN,
        {"email": "ops@dysa.test", "password": "operator-pass-1", "otp": current_code(operator)},
        format="json",
    )
    assert response.status_code == 200
    access = response.json()["access"]
    assert me(platform_client, access, PLATFORM_ME).json()["role"] == "operator"
    assert jwt.decode(access, secrets.jwt_signing_key(schema_name="public"), algorithms=["HS256"])
    assert me(client_a, access).status_code == 401


def test_restaurant_staff_cannot_log_in_on_the_platform(
    platform_client: APIClient, tenant_a: TenantHandle
) -> None:
    response = platform_client.post(
        PLATFORM_TOKEN,
        {"email": tenant_a.owner_email, "password": tenant_a.owner_password, "otp": "123456"},
        format="json",
    )
    assert response.status_code == 401


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    first = login(client_a, tenant_a)

    second = client_a.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert second.status_code == 200
    new = second.json()
    assert me(client_a, new["access"]).status_code == 200

    replay = client_a.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401
    assert me(client_a, new["access"]).status_code == 401
    assert client_a.post(REFRESH, {"refresh": new["refresh"]}, format="json").status_code == 401


def test_an_access_token_is_not_a_refresh_token(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    tokens = login(client_a, tenant_a)
    response = client_a.post(REFRESH, {"refresh": tokens["access"]}, format="json")
    assert response.status_code == 401
    assert me(client_a, tokens["refresh"]).status_code == 401


def test_revoke_ends_the_session_for_access_and_refresh(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    tokens = login(client_a, tenant_a)
    other_session = login(client_a, tenant_a)

    response = client_a.post(REVOKE, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    assert me(client_a, tokens["access"]).status_code == 401
    assert client_a.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert me(client_a, other_session["access"]).status_code == 200


def test_expired_access_token_is_rejected(client_a: APIClient, tenant_a: TenantHandle) -> None:
    with override_settings(DYSA_JWT_ACCESS_SECONDS=-1):
        tokens = login(client_a, tenant_a)
    assert me(client_a, tokens["access"]).status_code == 401


def test_deactivated_user_tokens_stop_working(
    client_a: APIClient, tenant_a: TenantHandle, in_tenant_a: Any
) -> None:
    tokens = login(client_a, tenant_a)
    get_user_model().objects.filter(email=tenant_a.owner_email).update(is_active=False)
    assert me(client_a, tokens["access"]).status_code == 401


def test_key_rotation_keeps_old_tokens_valid_during_grace_only(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    before = login(client_a, tenant_a)["access"]
    secrets.secret_rotate(schema_name=tenant_a.schema_name, kind=secrets.JWT_SIGNING_KEY)
    after = login(client_a, tenant_a)["access"]
    assert me(client_a, before).status_code == 200
    assert me(client_a, after).status_code == 200

    secrets.secret_rotate(
        schema_name=tenant_a.schema_name, kind=secrets.JWT_SIGNING_KEY, grace=timedelta(0)
    )
    assert me(client_a, after).status_code == 401


def test_login_is_throttled_at_five_per_minute(client_a: APIClient, tenant_a: TenantHandle) -> None:
    statuses = [
        client_a.post(
            TOKEN, {"email": tenant_a.owner_email, "password": "wrong"}, format="json"
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    assert (
        client_a.post(
            TOKEN,
            {"email": tenant_a.owner_email, "password": tenant_a.owner_password},
            format="json",
        ).status_code
        == 429
    )


def test_bearer_values_that_are_not_jwts_are_left_to_other_authenticators(
    client_a: APIClient,
) -> None:
    response = client_a.get(ME, HTTP_AUTHORIZATION="Bearer visitor-token-abc")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_endpoints_are_in_both_openapi_schemas(
    client_a: APIClient, platform_client: APIClient
) -> None:
    tenant_schema = client_a.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    platform_schema = platform_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {TOKEN, REFRESH, REVOKE, ME} <= set(tenant_schema["paths"])
    assert PLATFORM_TOKEN in platform_schema["paths"]


def test_authenticating_an_access_token_is_one_query(
    tenant_a: TenantHandle, in_tenant_a: Any, django_assert_num_queries: Any
) -> None:
    # Given a key rotation in its grace period, and tokens under the old and the new key
    owner = get_user_model().objects.get(email=tenant_a.owner_email)
    before = token_pair_issue(user=owner).access
    secrets.secret_rotate(schema_name=tenant_a.schema_name, kind=secrets.JWT_SIGNING_KEY)
    after = token_pair_issue(user=owner).access

    for access in (before, after):
        request = Request(APIRequestFactory().get(ME, HTTP_AUTHORIZATION=f"Bearer {access}"))
        # When either authenticates: user, key and denylist in one round trip
        with django_assert_num_queries(1):
            principal = JWTAuthentication().authenticate(request)

        assert principal is not None
        user, claims = principal
        assert user == owner
        assert claims["sub"] == str(owner.pk)
        assert "jwt_key_ciphertext" not in vars(user)


@pytest.mark.parametrize(
    ("header", "changes"),
    [
        ({"kid": "-1"}, {}),
        ({"kid": str(2**70)}, {}),
        ({"kid": "one"}, {}),
        ({}, {"sub": "not-a-number"}),
        ({}, {"sub": str(2**70)}),
        ({}, {"sub": None}),
        ({}, {"jti": ["a", "b"]}),
        ({}, {"sid": {"nested": True}}),
    ],
)
def test_odd_key_ids_and_claims_are_a_401_never_a_500(
    client_a: APIClient, tenant_a: TenantHandle, header: dict[str, str], changes: dict[str, Any]
) -> None:
    # Signed with the real key: only what the claims say is wrong
    claims = jwt.decode(login(client_a, tenant_a)["access"], options={"verify_signature": False})
    version, key = secrets.jwt_signing_key_versioned(schema_name=tenant_a.schema_name)
    token = jwt.encode(
        {**claims, **changes}, key, algorithm="HS256", headers={"kid": str(version), **header}
    )

    assert me(client_a, token).status_code == 401


def test_a_token_naming_another_user_without_a_valid_signature_is_rejected(
    client_a: APIClient, tenant_a: TenantHandle, in_tenant_a: Any
) -> None:
    # The user is read before the signature is checked; reading it must grant nothing
    other = get_user_model().objects.create_user("other@alpha.example", "pass-1234", role="owner")
    access = login(client_a, tenant_a)["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "sub": str(other.pk)},
        "a-guessed-key-that-is-long-enough-0123456789",
        algorithm="HS256",
        headers={"kid": "1"},
    )

    assert me(client_a, forged).status_code == 401
