"""A code sender for tests (DYSA_CUSTOMER_CODE_SENDERS is the extension point): keeps the
codes so a test can type them, as a customer reading their WhatsApp or email would."""

from __future__ import annotations

from tenant_apps.customers.models import Customer

SENT: list[tuple[str, str]] = []  # (phone, code)


def record_code(*, customer: Customer, code: str, language: str, restaurant: str) -> bool:
    SENT.append((str(customer.phone), code))
    return True
