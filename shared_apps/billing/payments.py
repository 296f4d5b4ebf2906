"""Payment providers behind one interface: `manual` (the default: an operator marks invoices
paid) and `stripe` (the `stripe` SDK, pointed at DYSA_STRIPE_API_BASE).

dysa is the ledger: invoices, numbers, tax and overage are dysa's. Stripe holds the customer
and a mirror of the subscription (the plan's Stripe price, with collection paused so Stripe
never bills it on its own) and charges dysa's invoices as PaymentIntents, whose outcome also
arrives by webhook (shared_apps/billing/webhooks.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

import stripe
from celery import current_app
from django.conf import settings
from django.db import transaction

from shared_apps.billing.events import STRIPE, billing_event_record
from shared_apps.billing.models import Invoice, Plan, Subscription

logger = logging.getLogger(__name__)

# Stripe failures worth retrying later (Stripe down, slow, or answering 5xx/429).
RETRYABLE_STRIPE_ERRORS: tuple[type[Exception], ...] = (
    stripe.APIConnectionError,
    stripe.RateLimitError,
)


class ProviderUnavailableError(Exception):
    """The provider could not be reached; the caller retries later."""


@dataclass(frozen=True)
class Collection:
    """What a payment attempt did: paid, failed (with why), or left for later/others."""

    paid: bool = False
    failure: str = ""


class PaymentProvider(Protocol):
    code: str

    def subscription_sync(self, subscription: Subscription) -> None: ...

    def invoice_collect(self, invoice: Invoice) -> Collection: ...


class ManualProvider:
    """Nothing to sync or charge: the restaurant pays by transfer and an operator marks the
    invoice paid through the platform API."""

    code: str = Subscription.Provider.MANUAL.value

    def subscription_sync(self, subscription: Subscription) -> None:
        return None

    def invoice_collect(self, invoice: Invoice) -> Collection:
        return Collection()


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderUnavailableError("STRIPE_SECRET_KEY is not set")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.DYSA_STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=settings.DYSA_STRIPE_TIMEOUT),
        max_network_retries=0,  # Celery retries, with backoff, outside the request
    )


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class StripeProvider:
    code: str = Subscription.Provider.STRIPE.value

    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            self._client = stripe_client()
        return self._client

    def _price_id(self, plan: Plan) -> str:
        if plan.stripe_price_id:
            return str(plan.stripe_price_id)
        price = self.client.v1.prices.create(
            params={
                "currency": plan.currency.lower(),
                "unit_amount": _cents(Decimal(plan.monthly_price)),
                "recurring": {"interval": "month"},
                "product_data": {"name": f"dysa {plan.name_en}"},
                "metadata": {"dysa_plan": plan.code},
            },
            options={"idempotency_key": f"dysa-price-{plan.code}-{plan.updated.timestamp()}"},
        )
        Plan.objects.filter(pk=plan.pk).update(stripe_price_id=price.id)
        plan.stripe_price_id = price.id
        return str(price.id)

    def subscription_sync(self, subscription: Subscription) -> None:
        """Create the Stripe customer and subscription if missing; follow plan changes."""
        restaurant = subscription.restaurant
        if not subscription.stripe_customer_id:
            customer = self.client.v1.customers.create(
                params=cast(
                    Any,
                    {
                        "name": restaurant.name,
                        "email": subscription.billing_email,
                        "metadata": {"dysa_restaurant": restaurant.slug},
                    },
                ),
                options={"idempotency_key": f"dysa-customer-{subscription.pk}"},
            )
            subscription.stripe_customer_id = customer.id
            Subscription.objects.filter(pk=subscription.pk).update(stripe_customer_id=customer.id)
        price_id = self._price_id(subscription.plan)
        if not subscription.stripe_subscription_id:
            mirrored = self.client.v1.subscriptions.create(
                params=cast(
                    Any,
                    {
                        "customer": subscription.stripe_customer_id,
                        "items": [{"price": price_id}],
                        "pause_collection": {"behavior": "void"},
                        "metadata": {"dysa_subscription": str(subscription.pk)},
                    },
                ),
                options={"idempotency_key": f"dysa-subscription-{subscription.pk}"},
            )
            subscription.stripe_subscription_id = mirrored.id
        else:
            self.client.v1.subscriptions.update(
                subscription.stripe_subscription_id,
                params={"metadata": {"dysa_plan": subscription.plan.code}},
            )
        Subscription.objects.filter(pk=subscription.pk).update(
            stripe_subscription_id=subscription.stripe_subscription_id,
            stripe_sync_pending=False,
        )

    def invoice_collect(self, invoice: Invoice) -> Collection:
        """Charge the invoice to the customer's default payment method, off session."""
        subscription = invoice.subscription
        if subscription is None or not subscription.stripe_customer_id:
            raise ProviderUnavailableError("the Stripe customer does not exist yet")
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": _cents(invoice.total),
                    "currency": invoice.currency.lower(),
                    "customer": subscription.stripe_customer_id,
                    "confirm": True,
                    "off_session": True,
                    "description": f"dysa invoice {invoice.display_number}",
                    "metadata": {
                        "dysa_invoice_id": str(invoice.pk),
                        "dysa_invoice": invoice.display_number,
                    },
                },
                options={
                    "idempotency_key": f"dysa-invoice-{invoice.pk}-{invoice.payment_attempts}"
                },
            )
        except stripe.CardError as error:
            return Collection(failure=str(error.user_message or error.code or "card declined"))
        Invoice.objects.filter(pk=invoice.pk).update(stripe_payment_intent_id=intent.id)
        if intent.status == "succeeded":
            return Collection(paid=True)
        return Collection()  # processing: the webhook will say


def provider_for(code: str) -> PaymentProvider:
    return StripeProvider() if code == Subscription.Provider.STRIPE else ManualProvider()


def subscription_provider_sync(*, subscription_id: int) -> None:
    """Bring the provider's copy of the subscription up to date (idempotent). Raises
    ProviderUnavailableError when the provider cannot be reached (the task retries)."""
    subscription = Subscription.objects.select_related("restaurant", "plan").get(pk=subscription_id)
    provider = provider_for(subscription.payment_provider)
    try:
        provider.subscription_sync(subscription)
    except RETRYABLE_STRIPE_ERRORS as error:
        raise ProviderUnavailableError(str(error)) from error
    except stripe.APIError as error:
        raise ProviderUnavailableError(str(error)) from error


def subscription_stripe_sync_now(*, subscription_id: int) -> bool:
    """Sync now; if the provider is unreachable, leave it pending and let Celery retry (and
    if even the broker is down, the ten-minute sweep of pending syncs finds it)."""
    try:
        subscription_provider_sync(subscription_id=subscription_id)
    except ProviderUnavailableError as error:
        logger.warning("stripe unreachable, sync retried later", extra={"error": str(error)})
        try:
            # By name: the tasks module imports this one (imports go one way, ADR 0008).
            current_app.send_task(
                "shared_apps.billing.tasks.subscription_stripe_sync_task",
                args=(subscription_id,),
                countdown=30,
            )
        except Exception:
            logger.warning("could not queue the stripe sync retry", exc_info=True)
        return False
    return True


def invoice_collect(*, invoice_id: int) -> Collection:
    """One payment attempt of an open invoice through its provider."""
    from shared_apps.billing.invoices import invoice_mark_paid, invoice_payment_failed

    invoice = Invoice.objects.select_related("subscription", "restaurant").get(pk=invoice_id)
    if invoice.status != Invoice.Status.OPEN:
        return Collection(paid=invoice.status == Invoice.Status.PAID)
    provider = provider_for(invoice.payment_provider)
    try:
        result = provider.invoice_collect(invoice)
    except RETRYABLE_STRIPE_ERRORS as error:
        raise ProviderUnavailableError(str(error)) from error
    except stripe.APIError as error:
        raise ProviderUnavailableError(str(error)) from error
    with transaction.atomic():
        if result.paid:
            invoice_mark_paid(invoice=invoice, actor=STRIPE)
        elif result.failure:
            invoice_payment_failed(invoice=invoice, actor=STRIPE, reason=result.failure)
    return result


def stripe_sync_failed(*, subscription: Subscription, error: str, gave_up: bool) -> None:
    """Record that syncing with Stripe failed (it stays pending and is retried)."""
    logger.warning("stripe sync failed", extra={"subscription": subscription.pk, "error": error})
    if gave_up:
        billing_event_record(
            restaurant=subscription.restaurant,
            action="stripe.sync_failed",
            actor=STRIPE,
            error=error[:200],
        )
