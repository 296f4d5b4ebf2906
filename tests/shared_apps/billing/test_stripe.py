"""Stripe, against a local HTTP server playing its API: the customer and subscription made
when an operator switches a restaurant to Stripe (never blocked by Stripe being down),
charging invoices, and the webhook (signature, timestamp, replay, events out of order)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingEvent, Invoice, Plan, StripeEvent, Subscription
from shared_apps.billing.payments import invoice_collect
from shared_apps.billing.subscriptions import subscription_renew
from shared_apps.billing.tasks import subscription_stripe_sync_task
from shared_apps.billing.terms import add_months
from tests.shared_apps.billing.conftest import WEBHOOK_SECRET, subscribe
from tests.shared_apps.billing.fake_stripe import FakeStripe, signed_headers, stripe_event
from tests.tenants.factories import TenantHandle
from tests.tenants.test_api import platform_client

pytestmark = pytest.mark.django_db

START = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)
WEBHOOK = "/webhooks/stripe/"


@pytest.fixture
def operator() -> APIClient:
    return platform_client("operator")


def _switch_to_stripe(operator: APIClient, slug: str, capture: Any) -> Any:
    with capture(execute=True):
        response = operator.patch(
            f"/api/platform/v1/subscriptions/{slug}/",
            {"payment_provider": "stripe"},
            format="json",
        )
    assert response.status_code == 200, response.content
    return response


def test_switching_to_stripe_creates_the_customer_and_subscription_at_once(
    tenant_a: TenantHandle,
    plans: dict[str, Plan],
    fake_stripe: FakeStripe,
    operator: APIClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(tenant_a.restaurant, plans["pro"])

    _switch_to_stripe(operator, tenant_a.restaurant.slug, django_capture_on_commit_callbacks)

    subscription = Subscription.objects.get(restaurant=tenant_a.restaurant)
    assert subscription.payment_provider == "stripe"
    assert subscription.stripe_customer_id.startswith("cus_")
    assert subscription.stripe_subscription_id.startswith("sub_")
    assert subscription.stripe_sync_pending is False
    mirrored = fake_stripe.calls("/v1/subscriptions")[0]
    assert mirrored["pause_collection[behavior]"] == "void"
    assert mirrored["customer"] == subscription.stripe_customer_id


def test_an_unreachable_stripe_never_blocks_the_switch_and_is_retried(
    tenant_a: TenantHandle,
    plans: dict[str, Plan],
    fake_stripe: FakeStripe,
    operator: APIClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(tenant_a.restaurant, plans["pro"])
    fake_stripe.unavailable = True

    response = _switch_to_stripe(
        operator, tenant_a.restaurant.slug, django_capture_on_commit_callbacks
    )

    assert response.json()["payment_provider"] == "stripe"
    assert response.json()["stripe_sync_pending"] is True
    subscription = Subscription.objects.get(restaurant=tenant_a.restaurant)
    fake_stripe.unavailable = False
    assert subscription_stripe_sync_task(subscription.pk) is True
    subscription.refresh_from_db()
    assert subscription.stripe_sync_pending is False
    assert subscription.stripe_subscription_id.startswith("sub_")


def _stripe_invoice(
    tenant: TenantHandle, plans: dict[str, Plan], capture: Any, *, customer: str = "cus_ok"
) -> Invoice:
    subscription = subscribe(
        tenant.restaurant,
        plans["starter"],
        start=START,
        payment_provider="stripe",
        stripe_customer_id=customer,
        stripe_subscription_id="sub_x",
    )
    with capture(execute=False) as queued:
        invoice = subscription_renew(subscription=subscription, now=add_months(START))
    assert invoice is not None
    assert len(queued) >= 1  # the collection task, queued after commit
    return invoice


@pytest.fixture
def stripe_invoice(
    tenant_a: TenantHandle,
    plans: dict[str, Plan],
    fake_stripe: FakeStripe,
    django_capture_on_commit_callbacks: Any,
) -> Invoice:
    """An open invoice of tenant A, whose subscription pays through Stripe."""
    return _stripe_invoice(tenant_a, plans, django_capture_on_commit_callbacks)


def test_an_invoice_is_charged_through_stripe(
    tenant_a: TenantHandle,
    plans: dict[str, Plan],
    fake_stripe: FakeStripe,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invoice = _stripe_invoice(tenant_a, plans, django_capture_on_commit_callbacks)

    result = invoice_collect(invoice_id=invoice.pk)

    invoice.refresh_from_db()
    assert result.paid
    assert invoice.status == Invoice.Status.PAID
    charge = fake_stripe.calls("/v1/payment_intents")[0]
    assert (charge["amount"], charge["currency"], charge["customer"]) == ("3509", "eur", "cus_ok")
    assert charge["metadata[dysa_invoice_id]"] == str(invoice.pk)


def test_a_declined_charge_makes_the_subscription_past_due(
    tenant_a: TenantHandle,
    plans: dict[str, Plan],
    fake_stripe: FakeStripe,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake_stripe.declining.add("cus_broke")
    invoice = _stripe_invoice(
        tenant_a, plans, django_capture_on_commit_callbacks, customer="cus_broke"
    )

    result = invoice_collect(invoice_id=invoice.pk)

    invoice.refresh_from_db()
    assert "declined" in result.failure
    assert (invoice.status, invoice.payment_attempts) == (Invoice.Status.OPEN, 1)
    subscription = Subscription.objects.get(restaurant=tenant_a.restaurant)
    assert subscription.status == Subscription.Status.PAST_DUE


def _deliver(client: Any, payload: bytes, **headers: str) -> Any:
    return client.post(WEBHOOK, data=payload, content_type="application/json", **headers)


def _intent(invoice: Invoice, **extra: Any) -> dict[str, Any]:
    return {
        "id": "pi_1",
        "object": "payment_intent",
        "metadata": {"dysa_invoice_id": str(invoice.pk)},
        **extra,
    }


def test_a_signed_payment_event_marks_the_invoice_paid(
    tenant_a: TenantHandle, stripe_invoice: Invoice, public_client: Any
) -> None:
    invoice = stripe_invoice
    payload = stripe_event("evt_paid", "payment_intent.succeeded", _intent(invoice))

    response = _deliver(public_client, payload, **signed_headers(payload, WEBHOOK_SECRET))

    assert response.status_code == 200, response.content
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda p: signed_headers(p, "whsec_wrong"), id="wrong-secret"),
        pytest.param(lambda p: signed_headers(p + b" ", WEBHOOK_SECRET), id="other-body"),
        pytest.param(lambda p: signed_headers(p, WEBHOOK_SECRET, at=time.time() - 301), id="stale"),
        pytest.param(
            lambda p: signed_headers(p, WEBHOOK_SECRET, at=time.time() + 301), id="future"
        ),
        pytest.param(lambda p: {"HTTP_STRIPE_SIGNATURE": "t=1,v0=abc"}, id="malformed"),
        pytest.param(lambda p: {}, id="missing"),
    ],
)
def test_an_event_without_a_good_recent_signature_is_refused_and_not_stored(
    stripe_invoice: Invoice, public_client: Any, headers: Any
) -> None:
    invoice = stripe_invoice
    payload = stripe_event("evt_forged", "payment_intent.succeeded", _intent(invoice))

    response = _deliver(public_client, payload, **headers(payload))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not StripeEvent.objects.exists()


def test_a_replayed_event_is_handled_once(
    tenant_a: TenantHandle, stripe_invoice: Invoice, public_client: Any
) -> None:
    invoice = stripe_invoice
    payload = stripe_event("evt_twice", "payment_intent.payment_failed", _intent(invoice))

    first = _deliver(public_client, payload, **signed_headers(payload, WEBHOOK_SECRET))
    second = _deliver(public_client, payload, **signed_headers(payload, WEBHOOK_SECRET))

    assert (first.json()["outcome"], second.json()["outcome"]) == ("failure recorded", "duplicate")
    invoice.refresh_from_db()
    assert invoice.payment_attempts == 1
    assert StripeEvent.objects.filter(event_id="evt_twice").count() == 1


def test_events_out_of_order_never_undo_newer_ones(
    tenant_a: TenantHandle, stripe_invoice: Invoice, public_client: Any
) -> None:
    invoice = stripe_invoice
    now = int(time.time())
    newer_failure = stripe_event(
        "evt_f2", "payment_intent.payment_failed", _intent(invoice), created=now - 10
    )
    older_failure = stripe_event(
        "evt_f1", "payment_intent.payment_failed", _intent(invoice), created=now - 20
    )
    success = stripe_event("evt_ok", "payment_intent.succeeded", _intent(invoice), created=now)
    late_failure = stripe_event(
        "evt_f0", "payment_intent.payment_failed", _intent(invoice), created=now - 30
    )

    outcomes = [
        _deliver(public_client, p, **signed_headers(p, WEBHOOK_SECRET)).json()["outcome"]
        for p in (newer_failure, older_failure, success, late_failure)
    ]

    assert outcomes == ["failure recorded", "stale or settled", "invoice paid", "stale or settled"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_attempts) == (Invoice.Status.PAID, 1)
    subscription = Subscription.objects.get(restaurant=tenant_a.restaurant)
    assert subscription.status == Subscription.Status.ACTIVE
    actions = list(
        BillingEvent.objects.filter(restaurant=tenant_a.restaurant)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "invoice.payment_failed",
        "subscription.past_due",
        "invoice.paid",
        "subscription.settled",
    ]


def test_the_webhook_exists_only_on_the_platform_host(tenant_a: TenantHandle) -> None:
    payload = stripe_event("evt_host", "payment_intent.succeeded", {})

    response = _deliver(
        Client(HTTP_HOST=tenant_a.host), payload, **signed_headers(payload, WEBHOOK_SECRET)
    )

    assert response.status_code == 404
