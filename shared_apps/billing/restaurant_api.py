"""A restaurant's own billing, on its host (`/api/v1/billing/`, permission `billing.view`):
plan, status, period, usage against the plan's limits, invoices and their PDFs."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import page_of
from core.db import current_schema_name, tenant_connection
from core.views import TenantApiView
from shared_apps.billing import selectors
from shared_apps.billing.limits import subscription_for_schema, usage_window_start
from shared_apps.billing.models import Invoice, Subscription
from shared_apps.billing.pdf import pdf_response
from shared_apps.billing.serializers import BillingOverviewSerializer, InvoiceSerializer
from shared_apps.billing.terms import PlanTerms


def _counted(label: str, **filters: Any) -> int:
    """Rows of a restaurant app's table in this schema (through the app registry: billing
    reads the count, never the rows)."""
    count: int = apps.get_model(label).objects.filter(**filters).count()
    return count


def _limit(used: int, allowed: int | None) -> dict[str, Any]:
    return {"used": used, "limit": allowed, "reached": allowed is not None and used >= allowed}


def billing_overview(subscription: Subscription, language: str) -> dict[str, Any]:
    terms = PlanTerms.from_json(subscription.terms)
    since = usage_window_start(subscription.current_period_start)
    conversations = _counted("conversations.Conversation", created__gte=since)
    totals = selectors.usage_totals(
        restaurant_id=subscription.restaurant_id,
        start=since.date(),
        end=timezone.now().date(),
    )
    return {
        "plan": {
            "code": subscription.plan.code,
            "name": subscription.plan.name(language),
            "monthly_price": str(terms.monthly_price),
            "currency": terms.currency,
            "whatsapp_allowed": terms.whatsapp_allowed,
            "llm_allowed": terms.llm_allowed,
        },
        "next_plan": subscription.next_plan.code if subscription.next_plan else None,
        "status": subscription.status,
        "trial_ends_at": subscription.trial_ends_at,
        "current_period": {
            "start": subscription.current_period_start,
            "end": subscription.current_period_end,
        },
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "limits": {
            "staff_seats": _limit(
                get_user_model().objects.filter(is_active=True).count(), terms.staff_seats
            ),
            "menu_items": _limit(_counted("menu.MenuItem"), terms.menu_items),
            "conversations_per_month": _limit(conversations, terms.conversations_per_month),
        },
        # Metered (nightly) usage of the period's finished days.
        "usage": {
            "orders": totals.orders,
            "reservations": totals.reservations,
            "model_tokens": totals.model_tokens,
            "messages": totals.messages,
        },
        # Staff panels show a banner: new conversations go to staff until the next period.
        "conversations_handed_to_staff": terms.hard_conversation_cap
        and terms.conversations_per_month is not None
        and conversations >= terms.conversations_per_month,
    }


class _RestaurantBillingApi(TenantApiView):
    required_permissions = {"GET": "billing.view"}

    def own_subscription(self) -> Subscription:
        subscription = subscription_for_schema(current_schema_name())
        if subscription is None:
            raise NotFound("This restaurant has no subscription.")
        return subscription

    def own_invoices(self) -> Any:
        """This restaurant's issued invoices (with or without a subscription now)."""
        return (
            selectors.invoice_list()
            .filter(restaurant__schema_name=current_schema_name())
            .exclude(status=Invoice.Status.DRAFT)
        )


class BillingOverviewApi(_RestaurantBillingApi):
    @extend_schema(
        responses=BillingOverviewSerializer,
        tags=["billing"],
    )
    def get(self, request: Request) -> Response:
        subscription = self.own_subscription()
        language = subscription.restaurant.locale
        return Response(billing_overview(subscription, language))


class BillingInvoiceListApi(_RestaurantBillingApi):
    ordering_fields = ["created"]

    @extend_schema(responses=page_of(InvoiceSerializer), tags=["billing"])
    def get(self, request: Request) -> Response:
        return Response(self.paginated(request, self.own_invoices(), InvoiceSerializer))


class BillingInvoicePdfApi(_RestaurantBillingApi):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The invoice PDF"),
            404: OpenApiResponse(description="Not an invoice of this restaurant"),
        },
        tags=["billing"],
    )
    def get(self, request: Request, invoice_id: int) -> HttpResponse:
        invoice = self.found(self.own_invoices().filter(pk=invoice_id).first())
        return pdf_response(invoice, language=str(tenant_connection().tenant.locale))


urlpatterns = [
    path("", BillingOverviewApi.as_view(), name="billing-overview"),
    path("invoices/", BillingInvoiceListApi.as_view(), name="billing-invoices"),
    path(
        "invoices/<int:invoice_id>/pdf/",
        BillingInvoicePdfApi.as_view(),
        name="billing-invoice-pdf",
    ),
]
