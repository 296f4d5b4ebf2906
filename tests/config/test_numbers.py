"""Numbers from outside are parsed one way (finding 8 of the outside review): superscript or
other non-ASCII digits and overlong numbers were unauthenticated 500s."""

from __future__ import annotations

import jwt
import pytest
from rest_framework.test import APIClient

from core.numbers import MAX_DIGITS, NotANumberError, parse_id, parse_whole_number
from tests.tenants.factories import TenantHandle

ODD_NUMBERS = ["²", "٣", "1" * 5000, "1" * (MAX_DIGITS + 1), "-1", " 1", "1.0", "", "0x1"]


@pytest.mark.parametrize("raw", ODD_NUMBERS)
def test_only_short_ascii_digit_strings_are_numbers(raw: str) -> None:
    with pytest.raises(NotANumberError):
        parse_whole_number(raw)


def test_ids_start_at_one_and_fit_a_bigint() -> None:
    assert parse_id("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    assert parse_whole_number("0") == 0
    with pytest.raises(NotANumberError):
        parse_id("0")
    with pytest.raises(NotANumberError):
        parse_id(True)


@pytest.mark.django_db
@pytest.mark.parametrize("kid", ["²", "9" * 5000])
def test_a_visitor_token_with_an_odd_key_id_is_a_401(client_a: APIClient, kid: str) -> None:
    forged = jwt.encode({"sub": "1"}, "k" * 32, algorithm="HS256", headers={"kid": kid})

    response = client_a.get("/api/v1/chat/messages/", HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["²", "9" * 5000])
def test_an_odd_after_cursor_is_a_400(client_a: APIClient, after: str) -> None:
    token = client_a.post("/api/v1/chat/sessions/", {}, format="json").json()["token"]

    response = client_a.get(
        "/api/v1/chat/messages/", {"after": after}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 400
    assert "after" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("param", ["page", "page_size"])
@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_odd_page_numbers_are_a_400(tenant_a: TenantHandle, param: str, value: str) -> None:
    from tests.tenant_apps.staff.factories import client_as

    response = client_as(tenant_a, "viewer").get("/api/v1/orders/", {param: value})

    assert response.status_code == 400
    assert param in response.json()["errors"]


@pytest.mark.django_db
def test_an_overlong_id_in_a_path_is_a_404(tenant_a: TenantHandle) -> None:
    from tests.tenant_apps.staff.factories import client_as

    response = client_as(tenant_a, "viewer").get(f"/api/v1/orders/{'9' * 30}/")

    assert response.status_code == 404
