"""Reads of customers."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from core.cache import cached
from core.filters import apply_filters
from tenant_apps.customers.models import Customer
from tenant_apps.customers.phones import normalize_phone


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Name, phone or email")
    language = django_filters.CharFilter()
    marketing_consent = django_filters.BooleanFilter()

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_search(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(phone__contains=value.replace(" ", ""))
        )


def customer_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Customer]:
    return apply_filters(CustomerFilter, filters, Customer.objects.all())


def customer_get_uncached(*, customer_id: int) -> Customer | None:
    return Customer.objects.filter(pk=customer_id).first()


def customer_get(*, customer_id: int) -> Customer | None:
    """One customer, cached for five minutes (customers are read on every chat turn)."""
    return cached(
        "customers", f"id:{customer_id}", lambda: Customer.objects.filter(pk=customer_id).first()
    )


def customer_get_by_phone(*, phone: str) -> Customer | None:
    return Customer.objects.filter(phone=normalize_phone(phone)).first()


def customer_phone_example() -> str:
    """How a phone number with its country code looks in the restaurant's country."""
    from tenant_apps.customers.phones import example_phone

    return example_phone()
