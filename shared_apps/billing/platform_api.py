"""Operators' billing API on the platform host (`/api/platform/v1/`): plans, subscriptions,
invoices (+ PDF), and usage per restaurant. Support staff read; operators change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import NoInput, StandardPagination, page_of, validated_query
from core.api_errors import Conflict
from shared_apps.accounts.permissions import IsOperatorOrReadOnly
from shared_apps.billing import selectors
from shared_apps.billing.events import billing_event_record, operator_actor
from shared_apps.billing.invoices import InvoiceStateError, invoice_mark_paid, invoice_void
from shared_apps.billing.limits import usage_window_start
from shared_apps.billing.metering import usage_meter
from shared_apps.billing.models import Invoice, Plan, Subscription
from shared_apps.billing.pdf import pdf_response
from shared_apps.billing.serializers import (
    BillingEventSerializer,
    InvoiceQuery,
    InvoiceSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    SubscriptionChangeSerializer,
    SubscriptionQuery,
    SubscriptionSerializer,
    UsageDaySerializer,
    UsageQuery,
    UsageRefreshSerializer,
    VoidSerializer,
)
from shared_apps.billing.subscriptions import (
    BillingConflictError,
    plan_get,
    subscription_cancel,
    subscription_change_plan,
    subscription_update,
)
from tenants.models import Restaurant
from tenants.selectors import restaurant_get

T = TypeVar("T")
_PAGE_PARAMS = (StandardPagination.page_query_param, StandardPagination.page_size_query_param)
_NOT_FOUND = OpenApiResponse(description="Not found (problem JSON)")
_CONFLICT = OpenApiResponse(description="Not allowed in the current state (problem JSON)")


def _conflicts(call: Callable[[], T]) -> T:
    try:
        return call()
    except (BillingConflictError, InvoiceStateError) as error:
        raise Conflict(str(error)) from None


class _BillingApi(APIView):
    permission_classes = [IsOperatorOrReadOnly]

    def actor(self, request: Request) -> str:
        return operator_actor(str(getattr(request.user, "email", "")))

    def restaurant(self, slug: str) -> Restaurant:
        restaurant = restaurant_get(slug=slug)
        if restaurant is None:
            raise exceptions.NotFound(f"No restaurant with slug '{slug}'.")
        return restaurant

    def subscription(self, slug: str) -> Subscription:
        found = selectors.subscription_of(restaurant=self.restaurant(slug))
        if found is None:
            raise exceptions.NotFound(f"'{slug}' has no subscription.")
        return found

    def invoice(self, invoice_id: int) -> Invoice:
        found = selectors.invoice_list().filter(pk=invoice_id).first()
        if found is None:
            raise exceptions.NotFound("No such invoice.")
        return found

    def page(self, request: Request, queryset: Any, serializer: Any) -> Response:
        paginator = StandardPagination()
        rows: Any = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer(rows, many=True).data)


class PlanListApi(_BillingApi):
    @extend_schema(responses=PlanSerializer(many=True), tags=["billing"])
    def get(self, request: Request) -> Response:
        validated_query(NoInput, request)
        return Response(PlanSerializer(selectors.plan_list(), many=True).data)

    @extend_schema(request=PlanWriteSerializer, responses={201: PlanSerializer}, tags=["billing"])
    def post(self, request: Request) -> Response:
        body = PlanWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = body.save()
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(_BillingApi):
    def plan(self, code: str) -> Plan:
        found = Plan.objects.filter(code=code).first()
        if found is None:
            raise exceptions.NotFound(f"No plan '{code}'.")
        return found

    @extend_schema(responses={200: PlanSerializer, 404: _NOT_FOUND}, tags=["billing"])
    def get(self, request: Request, code: str) -> Response:
        return Response(PlanSerializer(self.plan(code)).data)

    @extend_schema(
        request=PlanWriteSerializer,
        responses={200: PlanSerializer, 404: _NOT_FOUND},
        tags=["billing"],
        description="Subscriptions get the new terms from their next period.",
    )
    def patch(self, request: Request, code: str) -> Response:
        body = PlanWriteSerializer(self.plan(code), data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        plan = body.save()
        return Response(PlanSerializer(plan).data)


class SubscriptionListApi(_BillingApi):
    @extend_schema(
        operation_id="platform_v1_subscriptions_list",
        parameters=[SubscriptionQuery],
        responses=page_of(SubscriptionSerializer),
        tags=["billing"],
    )
    def get(self, request: Request) -> Response:
        query = validated_query(SubscriptionQuery, request, also=_PAGE_PARAMS)
        return self.page(
            request, selectors.subscription_list(status=query.get("status")), SubscriptionSerializer
        )


class SubscriptionDetailApi(_BillingApi):
    @extend_schema(responses={200: SubscriptionSerializer, 404: _NOT_FOUND}, tags=["billing"])
    def get(self, request: Request, slug: str) -> Response:
        return Response(SubscriptionSerializer(self.subscription(slug)).data)

    @extend_schema(
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["billing"],
        description=(
            "Plan: an upgrade applies at once (prorated invoice), a downgrade at period end. "
            "payment_provider 'stripe' creates the Stripe customer and subscription right "
            "away (retried if Stripe is unreachable). cancel_at_period_end cancels at the end "
            "of the period (false takes it back)."
        ),
    )
    def patch(self, request: Request, slug: str) -> Response:
        subscription = self.subscription(slug)
        body = SubscriptionChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        actor = self.actor(request)
        plan = plan_get(code=data["plan"]) if "plan" in data else None
        with transaction.atomic():
            subscription = subscription_update(
                subscription=subscription,
                actor=actor,
                country=data.get("country"),
                billing_email=data.get("billing_email"),
                payment_provider=data.get("payment_provider"),
            )
            if plan is not None:
                subscription = _conflicts(
                    lambda: (
                        subscription_change_plan(
                            subscription=subscription, plan=plan, actor=actor
                        ).subscription
                    )
                )
            if "cancel_at_period_end" in data:
                subscription = _conflicts(
                    lambda: subscription_cancel(
                        subscription=subscription,
                        actor=actor,
                        cancel=data["cancel_at_period_end"],
                    )
                )
        return Response(SubscriptionSerializer(self.subscription(slug)).data)


class SubscriptionEventsApi(_BillingApi):
    @extend_schema(
        operation_id="platform_v1_subscription_events_list",
        responses={200: page_of(BillingEventSerializer), 404: _NOT_FOUND},
        tags=["billing"],
        description="The billing audit trail of a restaurant: who changed what, newest first.",
    )
    def get(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        validated_query(NoInput, request, also=_PAGE_PARAMS)
        return self.page(
            request, selectors.billing_events(restaurant=restaurant), BillingEventSerializer
        )


class InvoiceListApi(_BillingApi):
    @extend_schema(
        operation_id="platform_v1_invoices_list",
        parameters=[InvoiceQuery],
        responses=page_of(InvoiceSerializer),
        tags=["billing"],
    )
    def get(self, request: Request) -> Response:
        query = validated_query(InvoiceQuery, request, also=_PAGE_PARAMS)
        restaurant = self.restaurant(query["restaurant"]) if "restaurant" in query else None
        invoices = selectors.invoice_list(restaurant=restaurant, status=query.get("status"))
        return self.page(request, invoices, InvoiceSerializer)


class InvoiceDetailApi(_BillingApi):
    @extend_schema(responses={200: InvoiceSerializer, 404: _NOT_FOUND}, tags=["billing"])
    def get(self, request: Request, invoice_id: int) -> Response:
        return Response(InvoiceSerializer(self.invoice(invoice_id)).data)


class InvoicePdfApi(_BillingApi):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(description="The invoice PDF")},
        tags=["billing"],
    )
    def get(self, request: Request, invoice_id: int) -> HttpResponse:
        return pdf_response(self.invoice(invoice_id), language="en")


class InvoiceMarkPaidApi(_BillingApi):
    @extend_schema(
        request=None,
        responses={200: InvoiceSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["billing"],
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = self.invoice(invoice_id)
        NoInput(data=request.data).is_valid(raise_exception=True)
        _conflicts(lambda: invoice_mark_paid(invoice=invoice, actor=self.actor(request)))
        return Response(InvoiceSerializer(self.invoice(invoice_id)).data)


class InvoiceVoidApi(_BillingApi):
    @extend_schema(
        request=VoidSerializer,
        responses={200: InvoiceSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["billing"],
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = self.invoice(invoice_id)
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _conflicts(
            lambda: invoice_void(
                invoice=invoice,
                actor=self.actor(request),
                reason=body.validated_data["reason"],
            )
        )
        return Response(InvoiceSerializer(self.invoice(invoice_id)).data)


class UsageApi(_BillingApi):
    @extend_schema(
        parameters=[UsageQuery],
        responses={200: UsageDaySerializer(many=True), 404: _NOT_FOUND},
        tags=["billing"],
        description="Metered usage per day (UTC) of a restaurant; default: its current period.",
    )
    def get(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        query = validated_query(UsageQuery, request)
        subscription = selectors.subscription_of(restaurant=restaurant)
        default_start = (
            usage_window_start(subscription.current_period_start).date()
            if subscription
            else timezone.now().date().replace(day=1)
        )
        start: date = query.get("start", default_start)
        end: date = query.get("end", timezone.now().date())
        days = selectors.usage_days(restaurant_id=restaurant.pk, start=start, end=end)
        totals = selectors.usage_totals(restaurant_id=restaurant.pk, start=start, end=end)
        return Response(
            {
                "restaurant": restaurant.slug,
                "start": start,
                "end": end,
                "totals": totals.__dict__,
                "days": UsageDaySerializer(days, many=True).data,
            }
        )


class UsageRefreshApi(_BillingApi):
    @extend_schema(
        request=UsageRefreshSerializer,
        responses={200: OpenApiResponse(description="{'days': n}"), 404: _NOT_FOUND},
        tags=["billing"],
        description="Count a restaurant's usage now for days in [start, end) (backfill). "
        "Idempotent: a day counted again replaces its earlier count.",
    )
    def post(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        body = UsageRefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        written = usage_meter(
            restaurant_ids=[restaurant.pk],
            start=body.validated_data["start"],
            end=body.validated_data["end"],
        )
        billing_event_record(
            restaurant=restaurant,
            action="usage.metered",
            actor=self.actor(request),
            start=body.validated_data["start"].isoformat(),
            end=body.validated_data["end"].isoformat(),
        )
        return Response({"days": written})


urlpatterns = [
    path("plans/", PlanListApi.as_view(), name="billing-plan-list"),
    path("plans/<slug:code>/", PlanDetailApi.as_view(), name="billing-plan-detail"),
    path("subscriptions/", SubscriptionListApi.as_view(), name="billing-subscription-list"),
    path(
        "subscriptions/<slug:slug>/",
        SubscriptionDetailApi.as_view(),
        name="billing-subscription-detail",
    ),
    path(
        "subscriptions/<slug:slug>/events/",
        SubscriptionEventsApi.as_view(),
        name="billing-subscription-events",
    ),
    path("invoices/", InvoiceListApi.as_view(), name="billing-invoice-list"),
    path("invoices/<int:invoice_id>/", InvoiceDetailApi.as_view(), name="billing-invoice-detail"),
    path("invoices/<int:invoice_id>/pdf/", InvoicePdfApi.as_view(), name="billing-invoice-pdf"),
    path(
        "invoices/<int:invoice_id>/mark-paid/",
        InvoiceMarkPaidApi.as_view(),
        name="billing-invoice-mark-paid",
    ),
    path("invoices/<int:invoice_id>/void/", InvoiceVoidApi.as_view(), name="billing-invoice-void"),
    path("usage/<slug:slug>/", UsageApi.as_view(), name="billing-usage"),
    path("usage/<slug:slug>/refresh/", UsageRefreshApi.as_view(), name="billing-usage-refresh"),
]
