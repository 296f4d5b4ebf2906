"""Invoices at period end: plan and overage lines, tax by country, idempotent generation; the
period rules (trial, plan edits, upgrade with proration, downgrade and cancellation at the
end of the period)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.db import use_public_schema, use_tenant
from shared_apps.billing.invoices import invoice_for_period
from shared_apps.billing.models import Invoice, Plan, Subscription
from shared_apps.billing.pdf import invoice_pdf
from shared_apps.billing.subscriptions import (
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
)
from shared_apps.billing.terms import PlanTerms, add_months
from tests.shared_apps.billing.activity import conversations_on
from tests.shared_apps.billing.conftest import subscribe
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

START = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)
END = add_months(START)


@pytest.fixture
def metered_plan(plans: dict[str, Plan]) -> Plan:
    plan: Plan = Plan.objects.create(
        code="metered",
        name_es="Medido",
        name_en="Metered",
        monthly_price=Decimal("5.00"),
        conversations_per_month=2,
        conversation_overage_price=Decimal("0.50"),
        model_tokens_included=1000,
        model_tokens_overage_price_per_1k=Decimal("0.01"),
    )
    return plan


def test_a_period_invoice_has_the_plan_overage_and_the_countrys_tax(
    tenant_a: TenantHandle, metered_plan: Plan
) -> None:
    subscription = subscribe(tenant_a.restaurant, metered_plan, start=START)
    use_tenant(tenant_a.restaurant)
    conversations_on(date(2025, 11, 10), count=3, tokens=1000)
    conversations_on(date(2025, 12, 2), count=2, tokens=1000)
    conversations_on(date(2025, 12, 3), count=4)  # the next period's first day
    use_public_schema()

    invoice = subscription_renew(subscription=subscription, now=END + timedelta(hours=1))

    assert invoice is not None
    lines = [(line.kind, line.quantity, line.amount) for line in invoice.lines.all()]
    assert lines == [
        ("plan", Decimal("1.000"), Decimal("5.00")),
        ("conversations", Decimal("3.000"), Decimal("1.50")),
        ("model_tokens", Decimal("4.000"), Decimal("0.04")),
    ]
    assert (invoice.subtotal, invoice.tax_rate, invoice.tax) == (
        Decimal("6.54"),
        Decimal("21.00"),
        Decimal("1.37"),
    )
    assert invoice.total == Decimal("7.91")
    assert invoice.status == Invoice.Status.OPEN
    assert invoice.issued_at is not None
    assert invoice.display_number.startswith(f"{invoice.issued_at.year}-")


def test_the_tax_rate_follows_the_billing_country(
    tenant_a: TenantHandle, metered_plan: Plan
) -> None:
    subscription = subscribe(tenant_a.restaurant, metered_plan, start=START, country="MX")

    invoice = subscription_renew(subscription=subscription, now=END)

    assert invoice is not None
    assert (invoice.tax_rate, invoice.tax, invoice.total) == (
        Decimal("16.00"),
        Decimal("0.80"),
        Decimal("5.80"),
    )


def test_generating_a_periods_invoice_twice_makes_one_invoice(
    tenant_a: TenantHandle, metered_plan: Plan
) -> None:
    subscription = subscribe(tenant_a.restaurant, metered_plan, start=START)

    first = subscription_renew(subscription=subscription, now=END)
    # The period was closed: a second run finds nothing to do; forcing the same period
    # through the generator again returns the same invoice.
    again = subscription_renew(subscription=subscription, now=END)
    forced = invoice_for_period(
        subscription=subscription,
        period_start=START,
        period_end=END,
        terms=PlanTerms.of(metered_plan),
    )

    assert first is not None
    assert again is None
    assert forced.pk == first.pk
    assert Invoice.objects.filter(restaurant=tenant_a.restaurant).count() == 1


def test_a_trial_is_free_and_plan_edits_apply_from_the_next_period(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    starter = plans["starter"]
    subscription = subscribe(
        tenant_a.restaurant, starter, status=Subscription.Status.TRIALING, start=START
    )
    Plan.objects.filter(pk=starter.pk).update(monthly_price=Decimal("35.00"), staff_seats=4)

    after_trial = subscription_renew(subscription=subscription, now=END)
    subscription.refresh_from_db()
    second = subscription_renew(subscription=subscription, now=add_months(END))

    assert after_trial is None
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.terms["staff_seats"] == 4
    assert second is not None
    assert second.subtotal == Decimal("35.00")


def test_an_upgrade_applies_at_once_with_a_prorated_invoice(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    subscription = subscribe(tenant_a.restaurant, plans["starter"], start=START)
    halfway = START + (END - START) / 2

    change = subscription_change_plan(
        subscription=subscription, plan=plans["pro"], actor="test", now=halfway
    )

    subscription.refresh_from_db()
    assert subscription.plan.code == "pro"
    assert subscription.terms["llm_allowed"] is True
    tenant_a.restaurant.refresh_from_db()
    assert tenant_a.restaurant.plan == "pro"
    assert change.proration is not None
    assert change.proration.subtotal == Decimal("25.00")  # (79 - 29) / 2
    assert change.proration.kind == Invoice.Kind.PRORATION


def test_a_downgrade_waits_for_the_end_of_the_period(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    subscription = subscribe(tenant_a.restaurant, plans["pro"], start=START)

    change = subscription_change_plan(
        subscription=subscription, plan=plans["starter"], actor="test", now=START + timedelta(1)
    )
    subscription.refresh_from_db()
    kept = subscription.plan.code
    invoice = subscription_renew(subscription=subscription, now=END)
    subscription.refresh_from_db()

    assert (change.applies_at, change.proration) == (END, None)
    assert kept == "pro"
    assert invoice is not None
    assert invoice.subtotal == Decimal("79.00")
    assert (subscription.plan.code, subscription.next_plan) == ("starter", None)


def test_a_cancellation_ends_the_subscription_at_the_end_of_the_period(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    subscription = subscribe(tenant_a.restaurant, plans["starter"], start=START)

    subscription_cancel(subscription=subscription, actor="test")
    subscription.refresh_from_db()
    still = subscription.status
    last = subscription_renew(subscription=subscription, now=add_months(END))
    subscription.refresh_from_db()

    assert still == Subscription.Status.ACTIVE
    assert last is not None
    assert last.period_end == END
    assert subscription.status == Subscription.Status.CANCELLED


def test_each_invoice_has_a_pdf(tenant_a: TenantHandle, metered_plan: Plan) -> None:
    subscription = subscribe(tenant_a.restaurant, metered_plan, start=START)
    invoice = subscription_renew(subscription=subscription, now=END)
    assert invoice is not None

    pdf = invoice_pdf(invoice=invoice, language="es")

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
