"""A customer's page: edit their details and consent, or delete them, through the customers
services with the API's permissions (customers.update, customers.delete)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.actors import Actor
from core.api_errors import Conflict
from tenant_apps.customers.models import Customer
from tenant_apps.customers.selectors import customer_get_uncached
from tenant_apps.customers.services import customer_delete, customer_update
from tenant_apps.panel.access import panel_page, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.views.common import page

LANGUAGE_CHOICES = [("", _("Restaurant's language")), ("es", "Español"), ("en", "English")]


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    marketing_consent = forms.BooleanField(label=_("Agrees to receive promotions"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _customer_or_404(customer_id: int) -> Customer:
    customer = customer_get_uncached(customer_id=customer_id)
    if customer is None:
        raise Http404("No such customer in this restaurant.")
    return customer


def _initial(customer: Customer) -> dict[str, Any]:
    return {field: getattr(customer, field) for field in CustomerEditForm.base_fields}


@require_http_methods(["GET", "POST"])
@panel_page("customers.view")
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    require(request, "customers.update")
    customer = _customer_or_404(customer_id)
    form = CustomerEditForm(request.POST or None, initial=_initial(customer))
    if request.method == "POST" and form.is_valid():
        try:
            customer_update(
                actor=Actor.of(request.user), customer=customer, changes=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect("/panel/customers/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "customer": customer}
    return page(request, "panel/customer_form.html", context, active="customers", status=status)


@require_http_methods(["GET", "POST"])
@panel_page("customers.view")
def customer_remove(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, or shows why not (their orders or bookings)."""
    require(request, "customers.delete")
    customer = _customer_or_404(customer_id)
    context = {
        "heading": gettext("Delete customer"),
        "name": customer.name or customer.phone,
        "action": request.path,
        "back_url": "/panel/customers/",
        "back_label": gettext("Customers"),
        "error": "",
    }
    status = 200
    if request.method == "POST":
        try:
            customer_delete(actor=Actor.of(request.user), customer=customer)
        except Conflict as error:
            context["error"] = str(error.detail)
            status = 409
        else:
            return HttpResponseRedirect("/panel/customers/")
    return page(request, "panel/confirm_delete.html", context, active="customers", status=status)
