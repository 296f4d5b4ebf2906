"""Billing's Celery tasks: nightly metering fan-out, period renewals and invoices, dunning,
and Stripe calls retried while Stripe is unreachable. Every task runs in the public schema,
takes ids, and is idempotent."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from core.db import use_public_schema
from shared_apps.billing.dunning import subscription_dun, subscriptions_to_dun
from shared_apps.billing.metering import batches, meterable_restaurant_ids, usage_meter
from shared_apps.billing.models import Subscription
from shared_apps.billing.payments import (
    ProviderUnavailableError,
    invoice_collect,
    stripe_sync_failed,
    subscription_provider_sync,
)
from shared_apps.billing.subscriptions import subscription_renew, subscriptions_due

logger = logging.getLogger(__name__)
STRIPE_RETRIES = 8


def _public_headers() -> dict[str, str]:
    return {"_schema_name": "public"}


@shared_task(name="shared_apps.billing.tasks.usage_meter_nightly")
def usage_meter_nightly(day: str | None = None) -> int:
    """Queue one metering task per batch of restaurants for `day` (default: yesterday, UTC)."""
    use_public_schema()
    target = date.fromisoformat(day) if day else timezone.now().date() - timedelta(days=1)
    ids = meterable_restaurant_ids()
    groups = batches(ids, settings.DYSA_BILLING_METER_BATCH)
    for group in groups:
        queue = partial(
            usage_meter_batch.apply_async,
            args=(group, target.isoformat(), (target + timedelta(days=1)).isoformat()),
            headers=_public_headers(),
        )
        transaction.on_commit(queue)
    return len(groups)


@shared_task(
    name="shared_apps.billing.tasks.usage_meter_batch",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def usage_meter_batch(restaurant_ids: list[int], start: str, end: str) -> int:
    """Count one batch for days in [start, end); safe to run again (rows are replaced)."""
    use_public_schema()
    return usage_meter(
        restaurant_ids=restaurant_ids,
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )


@shared_task(name="shared_apps.billing.tasks.subscriptions_renew_due")
def subscriptions_renew_due() -> int:
    use_public_schema()
    due = subscriptions_due(now=timezone.now())
    for subscription_id in due:
        transaction.on_commit(
            partial(
                subscription_renew_task.apply_async,
                args=(subscription_id,),
                headers=_public_headers(),
            )
        )
    return len(due)


@shared_task(name="shared_apps.billing.tasks.subscription_renew_task")
def subscription_renew_task(subscription_id: int) -> int | None:
    use_public_schema()
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return None
    invoice = subscription_renew(subscription=subscription, now=timezone.now())
    return invoice.pk if invoice else None


@shared_task(name="shared_apps.billing.tasks.dunning_run")
def dunning_run() -> int:
    use_public_schema()
    ids = subscriptions_to_dun(now=timezone.now())
    for subscription_id in ids:
        transaction.on_commit(
            partial(dunning_step.apply_async, args=(subscription_id,), headers=_public_headers())
        )
    return len(ids)


@shared_task(name="shared_apps.billing.tasks.dunning_step")
def dunning_step(subscription_id: int) -> str:
    use_public_schema()
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return ""
    return subscription_dun(subscription=subscription, now=timezone.now())


def _backoff(retries: int) -> int:
    return int(min(30 * 2**retries, 3600))


@shared_task(
    name="shared_apps.billing.tasks.subscription_stripe_sync_task", bind=True, max_retries=None
)
def subscription_stripe_sync_task(self: object, subscription_id: int) -> bool:
    """Create/update the Stripe customer and subscription; retried while Stripe is down."""
    use_public_schema()
    subscription = Subscription.objects.select_related("restaurant").filter(pk=subscription_id)
    found = subscription.first()
    if found is None or found.payment_provider != Subscription.Provider.STRIPE:
        return False
    try:
        subscription_provider_sync(subscription_id=subscription_id)
    except ProviderUnavailableError as error:
        retries = self.request.retries  # type: ignore[attr-defined]
        stripe_sync_failed(
            subscription=found, error=str(error), gave_up=retries + 1 >= STRIPE_RETRIES
        )
        if retries + 1 >= STRIPE_RETRIES:
            return False  # the 10-minute sweep picks it up again
        raise self.retry(countdown=_backoff(retries), exc=error) from error  # type: ignore[attr-defined]
    return True


@shared_task(name="shared_apps.billing.tasks.stripe_sync_pending")
def stripe_sync_pending() -> int:
    """Safety net: subscriptions still waiting for Stripe (broker or Stripe down earlier)."""
    use_public_schema()
    ids = list(
        Subscription.objects.filter(
            stripe_sync_pending=True, payment_provider=Subscription.Provider.STRIPE
        ).values_list("pk", flat=True)
    )
    for subscription_id in ids:
        subscription_stripe_sync_task.apply_async(
            args=(subscription_id,), headers=_public_headers()
        )
    return len(ids)


@shared_task(name="shared_apps.billing.tasks.invoice_collect_task", bind=True, max_retries=None)
def invoice_collect_task(self: object, invoice_id: int) -> bool:
    use_public_schema()
    try:
        return invoice_collect(invoice_id=invoice_id).paid
    except ProviderUnavailableError as error:
        retries = self.request.retries  # type: ignore[attr-defined]
        if retries + 1 >= STRIPE_RETRIES:
            logger.warning("invoice collection gave up", extra={"invoice": invoice_id})
            return False
        raise self.retry(countdown=_backoff(retries), exc=error) from error  # type: ignore[attr-defined]
