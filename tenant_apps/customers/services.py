"""Writes to customers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.actors import Actor
from core.api_errors import Conflict
from core.cache import invalidate
from core.i18n import SUPPORTED_LANGUAGES
from core.services import model_update
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.customers.models import Customer
from tenant_apps.customers.phones import normalize_phone, phone_variants

CUSTOMER_FIELDS = ("name", "phone", "email", "language", "marketing_consent", "notes")


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    if "phone" in cleaned:
        cleaned["phone"] = normalize_phone(cleaned["phone"])
    if cleaned.get("language") and cleaned["language"] not in SUPPORTED_LANGUAGES:
        raise ValidationError({"language": [f"Use one of {list(SUPPORTED_LANGUAGES)}."]})
    for text_field in ("name", "email", "notes"):
        if text_field in cleaned:
            cleaned[text_field] = str(cleaned[text_field] or "").strip()
    return cleaned


def _phone_taken(phone: str, *, exclude_id: int | None = None) -> bool:
    queryset = Customer.objects.filter(phone__in=phone_variants(phone))
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.exists()


@transaction.atomic
def customer_create(
    *,
    actor: Actor,
    phone: str,
    name: str = "",
    email: str = "",
    language: str = "",
    marketing_consent: bool = False,
    notes: str = "",
) -> Customer:
    data = _clean(
        {"phone": phone, "name": name, "email": email, "language": language, "notes": notes}
    )
    if _phone_taken(data["phone"]):
        raise ValidationError({"phone": ["A customer with this phone number already exists."]})
    customer = Customer(
        **data,
        marketing_consent=marketing_consent,
        marketing_consent_at=timezone.now() if marketing_consent else None,
    )
    customer.full_clean()
    customer.save()
    invalidate("customers")
    audit_record(
        actor=actor, action="customers.customer.create", target=customer, after=snapshot(customer)
    )
    return customer


@transaction.atomic
def customer_update(*, actor: Actor, customer: Customer, changes: Mapping[str, Any]) -> Customer:
    before = snapshot(customer)
    data = _clean(changes)
    if "phone" in data and _phone_taken(data["phone"], exclude_id=customer.pk):
        raise ValidationError({"phone": ["A customer with this phone number already exists."]})
    if "marketing_consent" in data and data["marketing_consent"] != customer.marketing_consent:
        # When consent was given is part of the consent record (GDPR art. 7(1)).
        customer.marketing_consent_at = timezone.now() if data["marketing_consent"] else None
        customer.save(update_fields=["marketing_consent_at"])
    model_update(instance=customer, fields=CUSTOMER_FIELDS, data=data)
    invalidate("customers")
    old, new = snapshot_diff(before, snapshot(customer))
    audit_record(
        actor=actor, action="customers.customer.update", target=customer, before=old, after=new
    )
    return customer


@transaction.atomic
def customer_delete(*, actor: Actor, customer: Customer) -> None:
    before, customer_id = snapshot(customer), customer.pk
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError as exc:
        raise Conflict("This customer has orders or reservations and cannot be deleted.") from exc
    invalidate("customers")
    audit_record(
        actor=actor,
        action="customers.customer.delete",
        target_type="customers.customer",
        target_id=customer_id,
        summary=customer.phone,
        before=before,
    )


def customer_get_or_create_by_phone(*, phone: str, name: str = "", language: str = "") -> Customer:
    """The customer with this phone (E.164-normalised), created on first contact.

    A known customer keeps their data; only an empty name or language is filled in. Two
    concurrent first messages from the same number end with one customer.
    """
    data = _clean({"phone": phone, "name": name, "language": language})
    # A known number (the usual case) is one plain read: the savepoint that get_or_create
    # needs against a concurrent first contact is only paid when the customer is new.
    # Any form of the same line (Argentina's with and without the mobile 9) is this customer.
    customer = Customer.objects.filter(phone__in=phone_variants(data["phone"])).first()
    created = False
    if customer is None:
        try:
            with transaction.atomic():
                customer, created = Customer.objects.get_or_create(
                    phone=data["phone"],
                    defaults={"name": data["name"], "language": data["language"]},
                )
        except IntegrityError:
            customer, created = Customer.objects.get(phone=data["phone"]), False
    if created:
        invalidate("customers")
        return customer
    fill = {
        key: data[key] for key in ("name", "language") if data[key] and not getattr(customer, key)
    }
    if fill:
        with transaction.atomic():
            model_update(instance=customer, fields=CUSTOMER_FIELDS, data=fill)
            invalidate("customers")
    return customer


def customer_resolve(
    *, customer_id: int | None = None, phone: str = "", name: str = "", language: str = ""
) -> Customer | None:
    """The customer an order or booking names: by id, or by phone (created on first use).

    Neither given: None (a walk-in). An unknown id is a field error, not a 404: the request
    is about the order, and the customer is one of its fields.
    """
    if customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise ValidationError({"customer": ["Unknown customer."]})
        return customer
    if phone:
        return customer_get_or_create_by_phone(phone=phone, name=name, language=language)
    return None
