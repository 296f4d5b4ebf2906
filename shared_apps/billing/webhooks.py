"""Stripe webhooks: `POST /webhooks/stripe/` on the platform host.

The `Stripe-Signature` header (`t=<unix time>,v1=<hex>[,v1=...]`) carries an HMAC-SHA256 of
`"<t>.<raw body>"` keyed with STRIPE_WEBHOOK_SECRET. It is checked before anything is stored:
compared in constant time, and refused when `t` is further than
DYSA_STRIPE_WEBHOOK_TOLERANCE seconds from now (a captured request replayed later). Each event
is handled once by its id (a redelivery answers 200 and does nothing), and an event older than
the last one applied to the same invoice or subscription changes nothing (Stripe does not
promise order).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.api_errors import problem_response
from shared_apps.billing.events import STRIPE, billing_event_record
from shared_apps.billing.invoices import invoice_mark_paid, invoice_payment_failed
from shared_apps.billing.models import Invoice, StripeEvent, Subscription

security = logging.getLogger("security")


class SignatureError(Exception):
    pass


def signature_verify(*, payload: bytes, header: str, secret: str, now: float | None = None) -> None:
    """Raise SignatureError unless `header` signs `payload` with `secret`, recently."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("malformed Stripe-Signature header")
    now = time.time() if now is None else now
    if abs(now - timestamp) > settings.DYSA_STRIPE_WEBHOOK_TOLERANCE:
        raise SignatureError("timestamp outside the tolerance")
    signed = f"{timestamp}.".encode() + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # Every candidate is compared (no early exit on the first match's position).
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise SignatureError("signature mismatch")


def _event_time(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(event.get("created", 0)), tz=UTC)


def _invoice_of(obj: dict[str, Any]) -> Invoice | None:
    invoice_id = str((obj.get("metadata") or {}).get("dysa_invoice_id", ""))
    if not invoice_id.isdigit():
        return None
    found: Invoice | None = Invoice.objects.filter(pk=int(invoice_id)).first()
    return found


def _payment_succeeded(obj: dict[str, Any], at: datetime) -> str:
    invoice = _invoice_of(obj)
    if invoice is None:
        return "no dysa invoice"
    if invoice.status == Invoice.Status.VOID:
        return "invoice void"
    invoice_mark_paid(invoice=invoice, actor=STRIPE, event_at=at)
    return "invoice paid"


def _payment_failed(obj: dict[str, Any], at: datetime) -> str:
    invoice = _invoice_of(obj)
    if invoice is None:
        return "no dysa invoice"
    error = (obj.get("last_payment_error") or {}).get("message") or "payment failed"
    before = invoice.payment_attempts
    invoice = invoice_payment_failed(invoice=invoice, actor=STRIPE, reason=str(error), event_at=at)
    return "failure recorded" if invoice.payment_attempts > before else "stale or settled"


def _subscription_deleted(obj: dict[str, Any], at: datetime) -> str:
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("restaurant")
        .filter(stripe_subscription_id=str(obj.get("id", "")))
        .first()
    )
    if subscription is None:
        return "no dysa subscription"
    if subscription.stripe_event_at and at <= subscription.stripe_event_at:
        return "stale"
    subscription.stripe_event_at = at
    subscription.status = Subscription.Status.CANCELLED
    subscription.save(update_fields=["stripe_event_at", "status", "updated"])
    billing_event_record(
        restaurant=subscription.restaurant,
        action="subscription.cancelled",
        actor=STRIPE,
        reason="deleted in Stripe",
    )
    return "subscription cancelled"


_HANDLERS = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": _payment_failed,
    "customer.subscription.deleted": _subscription_deleted,
}


def stripe_event_handle(*, event: dict[str, Any]) -> str:
    """Apply one verified event exactly once; returns what it did."""
    event_id = str(event.get("id", ""))
    event_type = str(event.get("type", ""))
    if not event_id:
        raise ValueError("event without id")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event_id, type=event_type, event_created=_event_time(event)
                )
        except IntegrityError:
            return "duplicate"
        handler = _HANDLERS.get(event_type)
        obj = (event.get("data") or {}).get("object") or {}
        outcome = handler(obj, _event_time(event)) if handler else "ignored"
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return outcome


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    payload = request.body
    try:
        signature_verify(
            payload=payload,
            header=request.headers.get("Stripe-Signature", ""),
            secret=settings.STRIPE_WEBHOOK_SECRET,
        )
    except SignatureError as error:
        security.warning("stripe webhook refused", extra={"reason": str(error)})
        return problem_response(400, "The Stripe signature is missing, wrong or too old.")
    try:
        event = json.loads(payload)
    except ValueError:
        return problem_response(400, "The body is not JSON.")
    if not isinstance(event, dict) or not event.get("id"):
        return problem_response(400, "The body is not a Stripe event.")
    outcome = stripe_event_handle(event=event)
    return JsonResponse({"received": True, "outcome": outcome})
