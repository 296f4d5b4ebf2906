"""Customers, promotions, staff and roles, and the audit log: lists with the few actions each
role may take, through the same services and permissions as the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actors import Actor
from core.api_errors import Conflict
from shared_apps.accounts.services import password_setup_path
from shared_apps.mail.services import email_send
from tenant_apps.audit.selectors import audit_list
from tenant_apps.customers.selectors import customer_list
from tenant_apps.customers.services import customer_create
from tenant_apps.panel.access import panel_page, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.views.common import page
from tenant_apps.promotions.selectors import promotion_get, promotion_list
from tenant_apps.promotions.services import promotion_create, promotion_update
from tenant_apps.staff.permissions import ROLES
from tenant_apps.staff.selectors import staff_get, staff_list
from tenant_apps.staff.services import staff_create, staff_update

PAGE_SIZE = 50
ROLE_LABELS: dict[str, Any] = {
    "owner": _("Owner"),
    "manager": _("Manager"),
    "staff": _("Staff"),
    "viewer": _("Viewer"),
}


def _page_of(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    email = forms.EmailField(label=_("Email"), required=False)


@require_http_methods(["GET", "POST"])
@panel_page("customers.view")
def customers(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request, "customers.create")
        if form.is_valid():
            try:
                customer_create(actor=Actor.of(request.user), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect("/panel/customers/")
        status = 400
    search = request.GET.get("search", "").strip()[:100]
    rows = customer_list(filters={"search": search} if search else None).order_by("-created")
    context = {"form": form, "search": search, "rows": _page_of(request, rows)}
    return page(request, "panel/customers.html", context, active="customers", status=status)


class PromotionForm(forms.Form):
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    kind = forms.ChoiceField(
        label=_("Discount"), choices=[("percent", _("Percent off")), ("fixed", _("Amount off"))]
    )
    value = forms.DecimalField(
        label=_("Value"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )
    code = forms.CharField(
        label=_("Code"), max_length=32, required=False, help_text=_("Empty: applies by itself.")
    )
    min_order_total = forms.DecimalField(
        label=_("Minimum order"), min_value=Decimal("0"), max_digits=10, decimal_places=2, initial=0
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["name"] = {"es": data.pop("name_es"), "en": data.pop("name_en")}
        data["code"] = data["code"] or None
        return data


@require_http_methods(["GET", "POST"])
@panel_page("promotions.view")
def promotions(request: HttpRequest) -> HttpResponse:
    form = PromotionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request, "promotions.manage")
        if form.is_valid():
            try:
                promotion_create(actor=Actor.of(request.user), **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect("/panel/promotions/")
        status = 400
    rows = promotion_list().order_by("-is_active", "-created")
    context = {"rows": _page_of(request, rows), "form": form}
    return page(request, "panel/promotions.html", context, active="promotions", status=status)


@require_POST
@panel_page("promotions.view")
def promotion_toggle(request: HttpRequest, promotion_id: int) -> HttpResponse:
    require(request, "promotions.manage")
    promotion = promotion_get(promotion_id=promotion_id)
    if promotion is None:
        raise Http404("No such promotion in this restaurant.")
    promotion_update(
        actor=Actor.of(request.user),
        promotion=promotion,
        changes={"is_active": not promotion.is_active},
    )
    return HttpResponseRedirect("/panel/promotions/")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=list(ROLE_LABELS.items()), initial="staff")


def _invite(request: HttpRequest, form: InviteForm) -> None:
    """Create the account without a password and email it a set-password link."""
    with transaction.atomic():
        user = staff_create(actor=Actor.of(request.user), **form.cleaned_data)
        email_send(
            to=user.email,
            template="panel_staff_invite",
            context={
                "restaurant": str(request.tenant.name),  # type: ignore[attr-defined]
                "link": f"{request.scheme}://{request.get_host()}{password_setup_path(user=user)}",
                "panel": f"{request.scheme}://{request.get_host()}/panel/",
            },
            language=str(request.tenant.locale),  # type: ignore[attr-defined]
        )


@require_http_methods(["GET", "POST"])
@panel_page("staff.view")
def staff(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request, "staff.manage")
        if form.is_valid():
            try:
                _invite(request, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect("/panel/staff/")
        status = 400
    context = {"form": form, "rows": staff_list(), "role_labels": ROLE_LABELS, "roles": ROLES}
    return page(request, "panel/staff.html", context, active="staff", status=status)


@require_POST
@panel_page("staff.view")
def staff_change(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request, "staff.manage")
    user = staff_get(user_id=user_id)
    if user is None:
        raise Http404("No such staff account.")
    changes: dict[str, Any] = {}
    if request.POST.get("role"):
        changes["role"] = request.POST["role"]
    if request.POST.get("active") in ("true", "false"):
        changes["is_active"] = request.POST["active"] == "true"
    try:
        staff_update(actor=Actor.of(request.user), user=user, changes=changes)
    except (ValidationError, Conflict) as error:
        message = error.messages if isinstance(error, ValidationError) else [str(error.detail)]
        context = {
            "form": InviteForm(),
            "rows": staff_list(),
            "role_labels": ROLE_LABELS,
            "roles": ROLES,
            "change_error": " ".join(message),
        }
        return page(request, "panel/staff.html", context, active="staff", status=409)
    return HttpResponseRedirect("/panel/staff/")


@require_GET
@panel_page("audit.view")
def audit(request: HttpRequest) -> HttpResponse:
    prefix = request.GET.get("action", "").strip()[:64]
    rows = audit_list(filters={"action_prefix": prefix} if prefix else None).order_by("-id")
    context = {"rows": _page_of(request, rows), "action": prefix}
    return page(request, "panel/audit.html", context, active="audit")
