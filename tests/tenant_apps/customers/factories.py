from __future__ import annotations

import itertools

from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_get_or_create_by_phone

_numbers = itertools.count(100000)


def make_customer(name: str = "Ana", *, phone: str | None = None, language: str = "es") -> Customer:
    return customer_get_or_create_by_phone(
        phone=phone or f"+34600{next(_numbers):06d}"[:12], name=name, language=language
    )
