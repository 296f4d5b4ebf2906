"""Customers: E.164 phones, matching by phone, consent records, deletion guard."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.customers.models import Customer
from tenant_apps.customers.selectors import customer_get, customer_list
from tenant_apps.customers.services import (
    customer_create,
    customer_get_or_create_by_phone,
    customer_update,
)
from tests.actors import TEST_ACTOR

pytestmark = pytest.mark.usefixtures("in_tenant_a")


@pytest.mark.parametrize(
    "written", ["+34 612 34 56 78", "0034612345678", "612345678", "+34-612-345-678"]
)
def test_phones_are_stored_in_e164(written: str) -> None:
    customer = customer_create(actor=TEST_ACTOR, phone=written, name="Ana")

    assert customer.phone == "+34612345678"


@pytest.mark.parametrize("written", ["", "hello", "+34 12", "+999 123"])
def test_invalid_phones_are_rejected_with_a_field_error(written: str) -> None:
    with pytest.raises(ValidationError) as error:
        customer_create(actor=TEST_ACTOR, phone=written)

    assert "phone" in error.value.message_dict


def test_a_chatting_customer_is_matched_by_phone_whatever_its_format() -> None:
    first = customer_get_or_create_by_phone(phone="+34 612 345 678", name="Ana", language="es")

    again = customer_get_or_create_by_phone(phone="0034612345678", name="Someone else")

    assert again.pk == first.pk
    assert again.name == "Ana"
    assert Customer.objects.count() == 1


def test_matching_fills_in_a_missing_name_and_language_only() -> None:
    customer_get_or_create_by_phone(phone="+34612345678")

    customer = customer_get_or_create_by_phone(phone="+34612345678", name="Luis", language="en")

    assert (customer.name, customer.language) == ("Luis", "en")


def test_duplicate_phone_is_a_field_error() -> None:
    customer_create(actor=TEST_ACTOR, phone="+34612345678")

    with pytest.raises(ValidationError) as error:
        customer_create(actor=TEST_ACTOR, phone="612 345 678")

    assert "phone" in error.value.message_dict


def test_marketing_consent_records_when_it_was_given_and_withdrawn() -> None:
    customer = customer_create(actor=TEST_ACTOR, phone="+34612345678")

    customer_update(actor=TEST_ACTOR, customer=customer, changes={"marketing_consent": True})
    given_at = customer.marketing_consent_at
    customer_update(actor=TEST_ACTOR, customer=customer, changes={"marketing_consent": False})

    assert given_at is not None
    assert customer.marketing_consent_at is None


def test_cached_customer_read_sees_updates() -> None:
    customer = customer_create(actor=TEST_ACTOR, phone="+34612345678", name="Ana")
    assert customer_get(customer_id=customer.pk).name == "Ana"  # type: ignore[union-attr]

    customer_update(actor=TEST_ACTOR, customer=customer, changes={"name": "Ana María"})

    assert customer_get(customer_id=customer.pk).name == "Ana María"  # type: ignore[union-attr]


def test_list_searches_name_phone_and_email() -> None:
    customer_create(actor=TEST_ACTOR, phone="+34612345678", name="Ana", email="ana@example.com")
    customer_create(actor=TEST_ACTOR, phone="+34699999999", name="Luis")

    assert [c.name for c in customer_list(filters={"search": "ana@"})] == ["Ana"]
    assert [c.name for c in customer_list(filters={"search": "69999"})] == ["Luis"]


def test_numbers_without_country_code_are_read_as_the_restaurants_country() -> None:
    from tenant_apps.restaurant.services import restaurant_profile_update

    restaurant_profile_update(actor=TEST_ACTOR, changes={"phone": "+442079460000"})

    customer = customer_get_or_create_by_phone(phone="07911 123456", name="Jake")

    assert customer.phone == "+447911123456"
    assert customer_get_or_create_by_phone(phone="+34 612 345 678").phone == "+34612345678"
