"""Delivers customers' one-time chat codes over the restaurant's WhatsApp (a sender for
tenant_apps.customers.verification, listed in DYSA_CUSTOMER_CODE_SENDERS)."""

from __future__ import annotations

from tenant_apps.customers.models import Customer

# Outside WhatsApp's 24-hour window only an approved template is delivered: a restaurant
# that wants codes there stores one under this name with the code as its one variable.
CODE_TEMPLATE = "dysa_verification_code"


def whatsapp_code_send(*, customer: Customer, code: str, language: str, restaurant: str) -> bool:
    from tenant_apps.messaging.whatsapp.selectors import whatsapp_channel_active
    from tenant_apps.messaging.whatsapp.services import whatsapp_send_text

    if whatsapp_channel_active() is None:
        return False
    text = (
        f"{restaurant}: tu código es {code}"
        if language == "es"
        else f"{restaurant}: your code is {code}"
    )
    whatsapp_send_text(
        text=text, phone=customer.phone, template_name=CODE_TEMPLATE, template_variables=[code]
    )
    return True
