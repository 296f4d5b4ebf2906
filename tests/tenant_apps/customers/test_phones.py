"""WhatsApp's forms of Mexican and Argentine mobiles: one person is one customer whether
they wrote their number on the web or write from WhatsApp."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.customers.phones import normalize_phone, phone_variants, whatsapp_phone
from tenant_apps.customers.services import customer_create, customer_get_or_create_by_phone
from tests.actors import TEST_ACTOR

pytestmark = pytest.mark.usefixtures("in_tenant_a")


@pytest.mark.parametrize(
    ("address", "e164"),
    [
        ("whatsapp:+5215512345678", "+525512345678"),  # Mexico: WhatsApp's 521 form
        ("5215512345678", "+525512345678"),  # Meta's wa_id
        ("whatsapp:+525512345678", "+525512345678"),
        ("5491123456789", "+5491123456789"),  # Argentina: the mobile 9 is E.164 already
        ("whatsapp:+34612345678", "+34612345678"),
    ],
)
def test_whatsapp_addresses_become_e164(address: str, e164: str) -> None:
    assert whatsapp_phone(address) == e164


def test_a_mexican_number_written_with_the_old_mobile_one_is_e164_without_it() -> None:
    assert normalize_phone("+52 1 55 1234 5678") == "+525512345678"
    assert normalize_phone("0052 1 55 1234 5678") == "+525512345678"


def test_argentine_mobiles_match_with_or_without_the_nine() -> None:
    assert set(phone_variants("+5491123456789")) == {"+5491123456789", "+541123456789"}
    assert set(phone_variants("+541123456789")) == {"+541123456789", "+5491123456789"}
    assert phone_variants("+34612345678") == ["+34612345678"]


def test_a_web_customer_from_mexico_is_the_same_customer_on_whatsapp() -> None:
    web = customer_create(actor=TEST_ACTOR, phone="+52 55 1234 5678", name="Lupe")
    assert customer_get_or_create_by_phone(phone=whatsapp_phone("5215512345678")).pk == web.pk


def test_a_web_customer_from_argentina_is_the_same_customer_on_whatsapp() -> None:
    web = customer_create(actor=TEST_ACTOR, phone="+54 11 2345-6789", name="Facundo")
    whatsapp = customer_get_or_create_by_phone(phone=whatsapp_phone("whatsapp:+5491123456789"))
    assert whatsapp.pk == web.pk
    with pytest.raises(ValidationError):
        customer_create(actor=TEST_ACTOR, phone="+54 9 11 2345-6789", name="Otro")


def test_a_whatsapp_address_that_is_no_phone_is_refused() -> None:
    with pytest.raises(ValidationError):
        whatsapp_phone("whatsapp:+1")
