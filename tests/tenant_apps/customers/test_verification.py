"""One-time codes and signed links that prove who a web chat visitor is (finding 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from shared_apps.mail.services import email_render
from tenant_apps.customers.models import Customer, CustomerVerification
from tenant_apps.customers.verification import (
    MAX_ATTEMPTS,
    MAX_CODES_PER_HOUR,
    customer_from_link_token,
    customer_link_token,
    customer_verification_check,
    customer_verification_start,
)
from tests.tenant_apps.customers import code_outbox

pytestmark = pytest.mark.django_db
OUTBOX = override_settings(
    DYSA_CUSTOMER_CODE_SENDERS=["tests.tenant_apps.customers.code_outbox.record_code"]
)


@pytest.fixture
def customer(in_tenant_a: object) -> Iterator[Customer]:
    code_outbox.SENT.clear()
    with OUTBOX:
        yield Customer.objects.create(phone="+34612000111", name="Eva", email="eva@example.com")


def _start(customer: Customer) -> str:
    assert customer_verification_start(customer=customer, restaurant="Alfa", language="es")
    return code_outbox.SENT[-1][1]


def test_a_code_works_once_and_only_its_hash_is_stored(customer: Customer) -> None:
    code = _start(customer)

    assert code not in str(list(CustomerVerification.objects.values()))
    assert customer_verification_check(customer=customer, code=code)
    assert not customer_verification_check(customer=customer, code=code)


def test_wrong_codes_spend_attempts_until_the_right_one_no_longer_works(
    customer: Customer,
) -> None:
    code = _start(customer)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(MAX_ATTEMPTS):
        assert not customer_verification_check(customer=customer, code=wrong)

    assert not customer_verification_check(customer=customer, code=code)


def test_an_expired_code_does_not_work(customer: Customer) -> None:
    code = _start(customer)
    CustomerVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert not customer_verification_check(customer=customer, code=code)


def test_a_new_code_replaces_the_old_one(customer: Customer) -> None:
    first = _start(customer)
    second = _start(customer)

    assert customer_verification_check(customer=customer, code=second)
    if first != second:
        assert not customer_verification_check(customer=customer, code=first)


def test_codes_sent_to_one_customer_are_limited_per_hour(customer: Customer) -> None:
    for _ in range(MAX_CODES_PER_HOUR):
        _start(customer)

    assert customer_verification_start(customer=customer, restaurant="A", language="es") == ""
    assert len(code_outbox.SENT) == MAX_CODES_PER_HOUR


def test_the_email_carries_the_code_in_the_customers_language() -> None:
    rendered = email_render(
        template="customer_verification_code",
        context={"code": "482913", "restaurant": "Alfa", "minutes": "10"},
        language="en",
    )

    assert "482913" in rendered.subject
    assert "482913" in rendered.text


def test_a_signed_link_names_its_customer_here_only(customer: Customer) -> None:
    from django.core import signing

    from tenant_apps.customers import verification

    token = customer_link_token(customer=customer)
    elsewhere = signing.dumps({"c": customer.pk, "s": "t_other"}, salt=verification._LINK_SALT)

    assert customer_from_link_token(token) == customer
    assert customer_from_link_token(token[:-2] + "xx") is None
    assert customer_from_link_token(elsewhere) is None
