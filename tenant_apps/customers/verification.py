"""Proof that a web chat visitor is the customer whose phone they typed.

A typed phone proves nothing: anyone can type anyone's number. Before a web chat reveals or
changes a customer's existing orders or bookings, the visitor shows one of:
- a one-time code sent to that customer through the restaurant's channels (WhatsApp when the
  restaurant has it, otherwise email to the customer's address): 6 digits, stored hashed,
  valid CODE_MINUTES, MAX_ATTEMPTS tries, one use, and at most MAX_CODES_PER_HOUR sent;
- or a signed link the restaurant sent the customer (`customer_link_token`), valid
  LINK_DAYS, presented when the chat starts.

WhatsApp conversations need neither: the provider vouches for the sender's number.
How a code travels is pluggable (DYSA_CUSTOMER_CODE_SENDERS, first that delivers wins), so
this domain app does not depend on the channels above it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tenant_apps.customers.models import Customer, CustomerVerification

logger = logging.getLogger("security")

CODE_DIGITS: Final = 6
CODE_MINUTES: Final = 10
MAX_ATTEMPTS: Final = 5
MAX_CODES_PER_HOUR: Final = 3
LINK_DAYS: Final = 7
_LINK_SALT: Final = "dysa.customers.chat-link"


def _hash(code: str, customer_id: int) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{customer_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def email_code_send(*, customer: Customer, code: str, language: str, restaurant: str) -> bool:
    """Deliver a code by email (the one outbound email path); False without an address."""
    from shared_apps.mail.services import email_send

    if not customer.email:
        return False
    email_send(
        to=customer.email,
        template="customer_verification_code",
        context={"code": code, "restaurant": restaurant, "minutes": str(CODE_MINUTES)},
        language=language,
    )
    return True


@transaction.atomic
def customer_verification_start(*, customer: Customer, restaurant: str, language: str) -> str:
    """Send `customer` a new one-time code; the channel used ("" when none could deliver it
    or too many were sent this hour). Earlier unused codes stop working."""
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = CustomerVerification.objects.filter(customer=customer, created__gte=hour_ago)
    if recent.count() >= MAX_CODES_PER_HOUR:
        logger.warning("customer verification refused: too many codes this hour")
        return ""
    CustomerVerification.objects.filter(customer=customer, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    for path in settings.DYSA_CUSTOMER_CODE_SENDERS:
        sender = import_string(path)
        if sender(customer=customer, code=code, language=language, restaurant=restaurant):
            CustomerVerification.objects.create(
                customer=customer,
                code_hash=_hash(code, customer.pk),
                channel=path.rsplit(".", 1)[-1],
                expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
            )
            return path.rsplit(".", 1)[-1]
    return ""


@transaction.atomic
def customer_verification_check(*, customer: Customer, code: str) -> bool:
    """Whether `code` is the customer's current code; each wrong try spends an attempt."""
    current = (
        CustomerVerification.objects.select_for_update()
        .filter(customer=customer, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created")
        .first()
    )
    if current is None or current.attempts >= MAX_ATTEMPTS:
        return False
    if not hmac.compare_digest(current.code_hash, _hash(code.strip(), customer.pk)):
        current.attempts += 1
        current.save(update_fields=["attempts"])
        return False
    current.used_at = timezone.now()
    current.save(update_fields=["used_at"])
    return True


def customer_link_token(*, customer: Customer) -> str:
    """A signed token for a link the restaurant sends the customer: a chat started with it
    acts for that customer (valid LINK_DAYS, this restaurant only)."""
    from core.db import current_schema_name

    return signing.dumps(
        {"c": customer.pk, "s": current_schema_name()}, salt=_LINK_SALT, compress=True
    )


def customer_from_link_token(token: str) -> Customer | None:
    """The customer a valid link token names here, or None."""
    from core.db import current_schema_name

    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != current_schema_name():
        return None
    customer_id = data.get("c")
    if not isinstance(customer_id, int):
        return None
    return Customer.objects.filter(pk=customer_id).first()
