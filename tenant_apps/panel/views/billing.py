"""The restaurant's billing (owner, `billing.view`): plan, status, period, usage against the
plan's limits and the invoices with their PDFs, read through billing's own selectors (the
same figures as `GET /api/v1/billing/`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from core.db import current_schema_name
from shared_apps.billing import selectors
from shared_apps.billing.limits import subscription_for_schema
from shared_apps.billing.models import Invoice
from shared_apps.billing.pdf import pdf_response
from shared_apps.billing.restaurant_api import billing_overview
from tenant_apps.panel.access import panel_page
from tenant_apps.panel.views.common import page


def _own_invoices() -> Any:
    """This restaurant's issued invoices (drafts are not the restaurant's to see)."""
    return (
        selectors.invoice_list()
        .filter(restaurant__schema_name=current_schema_name())
        .exclude(status=Invoice.Status.DRAFT)
    )


def _limit_rows(limits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each limit with the share used, for the bars (capped at 100)."""
    rows = []
    for key, value in limits.items():
        allowed = value["limit"]
        percent = min(100, round(100 * value["used"] / allowed)) if allowed else 0
        rows.append({"key": key, **value, "percent": percent})
    return rows


@require_GET
@panel_page("billing.view")
def billing(request: HttpRequest) -> HttpResponse:
    subscription = subscription_for_schema(current_schema_name())
    context: dict[str, Any] = {"overview": None, "invoices": _own_invoices()[:100]}
    if subscription is not None:
        overview = billing_overview(subscription, get_language())
        context["overview"] = overview
        context["limit_rows"] = _limit_rows(overview["limits"])
    return page(request, "panel/billing.html", context, active="billing")


@require_GET
@panel_page("billing.view")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _own_invoices().filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("Not an invoice of this restaurant.")
    return pdf_response(invoice, language=get_language())
