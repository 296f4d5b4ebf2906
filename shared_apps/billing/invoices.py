"""Invoices: generated at period end (plan + metered overage + tax), numbered without gaps,
paid or voided. Statuses: draft -> open (numbered, issued) -> paid | void.

Numbers are gapless per series (the year of issue): the series' counter row is locked and
incremented in the same transaction that opens the invoice, so a rollback gives the number
back and concurrent generations queue on that one row. Generating twice for the same reason
(the idempotency key: restaurant + period, or restaurant + upgrade) returns the first invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shared_apps.billing.events import billing_event_record
from shared_apps.billing.limits import usage_window_start
from shared_apps.billing.metering import usage_meter
from shared_apps.billing.models import Invoice, InvoiceCounter, InvoiceLine, Plan, Subscription
from shared_apps.billing.selectors import tax_rate_for, usage_totals
from shared_apps.billing.terms import PlanTerms

CENT = Decimal("0.01")
Status = Invoice.Status
Kind = InvoiceLine.Kind


class InvoiceStateError(Exception):
    """The invoice's status does not allow this step (a 409 at the API)."""


@dataclass(frozen=True)
class LineDraft:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_number_take(*, series: str) -> int:
    """The next number of `series`; call inside the transaction that opens the invoice."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(series=series)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _finalize(invoice: Invoice, now: datetime) -> None:
    """draft -> open: number, issue date, due date."""
    invoice.series = str(now.year)
    invoice.number = invoice_number_take(series=invoice.series)
    invoice.status = Status.OPEN
    invoice.issued_at = now
    invoice.due_at = now + timedelta(days=settings.DYSA_BILLING_INVOICE_DUE_DAYS)
    invoice.save(update_fields=["series", "number", "status", "issued_at", "due_at"])


def _issue(
    *,
    subscription: Subscription,
    key: str,
    kind: str,
    period_start: datetime,
    period_end: datetime,
    currency: str,
    lines: list[LineDraft],
    now: datetime,
) -> Invoice:
    existing = Invoice.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    restaurant = subscription.restaurant
    rate = tax_rate_for(subscription.country)
    subtotal = sum((line.amount for line in lines), Decimal("0"))
    tax = _money(subtotal * rate / 100)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                restaurant=restaurant,
                subscription=subscription,
                idempotency_key=key,
                kind=kind,
                restaurant_slug=restaurant.slug,
                customer_name=restaurant.name,
                billing_email=subscription.billing_email,
                country=subscription.country,
                period_start=period_start,
                period_end=period_end,
                currency=currency,
                tax_rate=rate,
                subtotal=subtotal,
                tax=tax,
                total=subtotal + tax,
                payment_provider=subscription.payment_provider,
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice=invoice,
                    kind=line.kind,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                )
                for line in lines
            )
            _finalize(invoice, now)
    except IntegrityError:
        # A concurrent generation of the same invoice won: its invoice is the one.
        return Invoice.objects.get(idempotency_key=key)
    billing_event_record(
        restaurant=restaurant,
        action="invoice.issued",
        actor="system",
        invoice=invoice.display_number,
        total=str(invoice.total),
        currency=currency,
    )
    _collect_on_commit(invoice)
    return invoice


def _collect_on_commit(invoice: Invoice) -> None:
    if invoice.payment_provider != Subscription.Provider.STRIPE or invoice.total <= 0:
        return
    invoice_id = invoice.pk
    # By name: the tasks module imports this one, and imports go one way (ADR 0008).
    transaction.on_commit(
        lambda: current_app.send_task(
            "shared_apps.billing.tasks.invoice_collect_task", args=(invoice_id,)
        )
    )


def overage_lines(*, terms: PlanTerms, conversations: int, model_tokens: int) -> list[LineDraft]:
    lines = []
    quota = terms.conversations_per_month
    if quota is not None and conversations > quota and terms.conversation_overage_price > 0:
        lines.append(
            LineDraft(
                kind=Kind.CONVERSATIONS,
                description=f"Conversations beyond the {quota} included",
                quantity=Decimal(conversations - quota),
                unit_price=terms.conversation_overage_price,
            )
        )
    included = terms.model_tokens_included
    if (
        included is not None
        and model_tokens > included
        and terms.model_tokens_overage_price_per_1k > 0
    ):
        lines.append(
            LineDraft(
                kind=Kind.MODEL_TOKENS,
                description=f"Model tokens beyond the {included} included (per 1,000)",
                quantity=(Decimal(model_tokens - included) / 1000).quantize(Decimal("0.001")),
                unit_price=terms.model_tokens_overage_price_per_1k,
            )
        )
    return lines


def invoice_for_period(
    *,
    subscription: Subscription,
    period_start: datetime,
    period_end: datetime,
    terms: PlanTerms,
    now: datetime | None = None,
) -> Invoice:
    """The invoice of a finished period: the plan's price for it, overage from the metered
    usage of its days (counted again now, so the last days are in), and tax."""
    now = now or timezone.now()
    restaurant = subscription.restaurant
    first_day = usage_window_start(period_start).date()
    last_day = usage_window_start(period_end).date()
    usage_meter(restaurant_ids=[restaurant.pk], start=first_day, end=last_day)
    usage = usage_totals(restaurant_id=restaurant.pk, start=first_day, end=last_day)
    lines = [
        LineDraft(
            kind=Kind.PLAN,
            description=f"Plan {terms.code}, {period_start:%Y-%m-%d} to {period_end:%Y-%m-%d}",
            quantity=Decimal(1),
            unit_price=terms.monthly_price,
        ),
        *overage_lines(
            terms=terms, conversations=usage.conversations, model_tokens=usage.model_tokens
        ),
    ]
    return _issue(
        subscription=subscription,
        key=f"{restaurant.schema_name}:period:{period_start.isoformat()}",
        kind=Invoice.Kind.PERIOD,
        period_start=period_start,
        period_end=period_end,
        currency=terms.currency,
        lines=lines,
        now=now,
    )


def invoice_proration_create(
    *, subscription: Subscription, new_plan: Plan, amount: Decimal, now: datetime
) -> Invoice:
    """The upgrade's price difference for the rest of the current period."""
    return _issue(
        subscription=subscription,
        key=f"{subscription.restaurant.schema_name}:proration:{now.isoformat()}:{new_plan.code}",
        kind=Invoice.Kind.PRORATION,
        period_start=now,
        period_end=subscription.current_period_end,
        currency=new_plan.currency,
        lines=[
            LineDraft(
                kind=Kind.PRORATION,
                description=(
                    f"Upgrade to {new_plan.code} until "
                    f"{subscription.current_period_end:%Y-%m-%d} (prorated)"
                ),
                quantity=Decimal(1),
                unit_price=amount,
            )
        ],
        now=now,
    )


def _locked_invoice(invoice: Invoice) -> Invoice:
    locked: Invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("restaurant", "subscription")
        .get(pk=invoice.pk)
    )
    return locked


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor: str, event_at: datetime | None = None) -> Invoice:
    """open -> paid (the manual provider's operator, or Stripe's confirmation). Paying the
    last overdue invoice ends dunning and reactivates a restaurant suspended for it."""
    from shared_apps.billing.dunning import subscription_settle

    invoice = _locked_invoice(invoice)
    if invoice.status == Status.PAID:
        return invoice
    if invoice.status != Status.OPEN:
        raise InvoiceStateError(f"A {invoice.status} invoice cannot be paid.")
    invoice.status = Status.PAID
    invoice.paid_at = timezone.now()
    invoice.stripe_event_at = event_at or invoice.stripe_event_at
    invoice.save(update_fields=["status", "paid_at", "stripe_event_at"])
    if invoice.restaurant is not None:
        billing_event_record(
            restaurant=invoice.restaurant,
            action="invoice.paid",
            actor=actor,
            invoice=invoice.display_number,
            total=str(invoice.total),
        )
    if invoice.subscription is not None:
        subscription_settle(subscription=invoice.subscription, actor=actor)
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, actor: str, reason: str = "") -> Invoice:
    """draft/open -> void (its number stays used: the series keeps no gap)."""
    from shared_apps.billing.dunning import subscription_settle

    invoice = _locked_invoice(invoice)
    if invoice.status == Status.VOID:
        return invoice
    if invoice.status == Status.PAID:
        raise InvoiceStateError("A paid invoice cannot be voided.")
    invoice.status = Status.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at"])
    if invoice.restaurant is not None:
        billing_event_record(
            restaurant=invoice.restaurant,
            action="invoice.voided",
            actor=actor,
            invoice=invoice.display_number,
            reason=reason,
        )
    if invoice.subscription is not None:
        subscription_settle(subscription=invoice.subscription, actor=actor)
    return invoice


@transaction.atomic
def invoice_payment_failed(
    *, invoice: Invoice, actor: str, reason: str, event_at: datetime | None = None
) -> Invoice:
    """A payment attempt failed: the subscription becomes past due (dunning starts)."""
    from shared_apps.billing.dunning import subscription_mark_past_due

    invoice = _locked_invoice(invoice)
    if invoice.status != Status.OPEN:
        return invoice  # paid or voided meanwhile: a late failure changes nothing
    if event_at is not None and invoice.stripe_event_at and event_at <= invoice.stripe_event_at:
        return invoice  # older than what we already know
    invoice.payment_attempts += 1
    invoice.last_payment_error = reason[:300]
    invoice.stripe_event_at = event_at or invoice.stripe_event_at
    invoice.save(update_fields=["payment_attempts", "last_payment_error", "stripe_event_at"])
    if invoice.restaurant is not None:
        billing_event_record(
            restaurant=invoice.restaurant,
            action="invoice.payment_failed",
            actor=actor,
            invoice=invoice.display_number,
            reason=reason[:300],
        )
    if invoice.subscription is not None:
        subscription_mark_past_due(subscription=invoice.subscription, actor=actor, invoice=invoice)
    return invoice
