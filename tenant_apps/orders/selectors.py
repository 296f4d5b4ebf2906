"""Reads of orders."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet

from core.filters import apply_filters
from tenant_apps.customers.models import Customer
from tenant_apps.orders.models import Order, OrderLine, OrderStatusChange


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Order.Channel.choices)
    order_type = django_filters.ChoiceFilter(choices=Order.Type.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")
    created_after = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = Order
        fields: list[str] = []


def _order_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created", "id")),
    )


def order_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Order]:
    return apply_filters(OrderFilter, filters, _order_queryset())


def order_get(*, order_id: int) -> Order | None:
    return _order_queryset().filter(pk=order_id).first()


def order_get_by_number(*, number: int) -> Order | None:
    return _order_queryset().filter(number=number).first()


def order_latest_for_customer(*, customer: Customer) -> Order | None:
    return _order_queryset().filter(customer=customer).order_by("-created", "-id").first()
