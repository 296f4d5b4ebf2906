"""Billing for operators: plans (price and limits, from each subscription's next period) and
invoices (filter by status, mark paid, void, PDF). Reads through billing's selectors; every
change through billing's services, with its platform audit entry (console.actions)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shared_apps.accounts.models import User
from shared_apps.billing import selectors
from shared_apps.billing.invoices import InvoiceStateError
from shared_apps.billing.models import Invoice, Plan
from shared_apps.billing.pdf import pdf_response
from shared_apps.console import actions
from shared_apps.console.access import ANY_PLATFORM_ROLE, console_page

BILLING_PATH = "/console/billing/"


class PlanForm(forms.Form):
    monthly_price = forms.DecimalField(
        label=gettext_lazy("Monthly price"), min_value=0, max_digits=10, decimal_places=2
    )
    trial_days = forms.IntegerField(label=gettext_lazy("Trial days"), min_value=0, max_value=365)
    staff_seats = forms.IntegerField(label=gettext_lazy("Staff seats"), min_value=0, required=False)
    menu_items = forms.IntegerField(label=gettext_lazy("Menu items"), min_value=0, required=False)
    conversations_per_month = forms.IntegerField(
        label=gettext_lazy("Conversations per month"), min_value=0, required=False
    )
    whatsapp_allowed = forms.BooleanField(label=gettext_lazy("WhatsApp"), required=False)
    llm_allowed = forms.BooleanField(label=gettext_lazy("Language model"), required=False)


def _plan_or_404(code: str) -> Plan:
    plan = selectors.plan_list().filter(code=code).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _invoice_or_404(invoice_id: int) -> Invoice:
    invoice = selectors.invoice_list().filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@require_GET
@console_page(ANY_PLATFORM_ROLE)
def billing_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Invoice.Status.values:
        status = ""
    plans = [
        (
            plan,
            PlanForm(
                prefix=plan.code,
                initial={name: getattr(plan, name) for name in PlanForm.base_fields},
            ),
        )
        for plan in selectors.plan_list()
    ]
    context = {
        "plans": plans,
        "invoices": selectors.invoice_list(status=status or None)[:200],
        "status": status,
        "statuses": Invoice.Status.choices,
    }
    return render(request, "console/billing.html", context)


@require_POST
@console_page()
def plan_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan_or_404(code)
    form = PlanForm(request.POST, prefix=plan.code)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label}: {' '.join(str(m) for m in e)}"
            for name, e in form.errors.items()
        )
        messages.error(request, errors)
        return HttpResponseRedirect(BILLING_PATH)
    actor: User = request.user  # type: ignore[assignment]
    actions.console_plan_update(actor=actor, plan=plan, fields=form.cleaned_data)
    messages.success(
        request, _("Plan %(code)s saved: it applies from each next period.") % {"code": code}
    )
    return HttpResponseRedirect(BILLING_PATH)


@require_POST
@console_page()
def invoice_action_view(request: HttpRequest, invoice_id: int, action: str) -> HttpResponse:
    invoice = _invoice_or_404(invoice_id)
    actor: User = request.user  # type: ignore[assignment]
    try:
        if action == "mark-paid":
            actions.console_invoice_mark_paid(actor=actor, invoice=invoice)
            messages.success(request, _("Invoice %(n)s paid.") % {"n": invoice.display_number})
        elif action == "void":
            reason = request.POST.get("reason", "").strip()[:200]
            actions.console_invoice_void(actor=actor, invoice=invoice, reason=reason)
            messages.success(request, _("Invoice %(n)s voided.") % {"n": invoice.display_number})
        else:
            raise Http404("No such action.")
    except InvoiceStateError as refused:
        messages.error(request, str(refused))
    return HttpResponseRedirect(BILLING_PATH)


@require_GET
@console_page(ANY_PLATFORM_ROLE)
def invoice_pdf_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return pdf_response(_invoice_or_404(invoice_id), language=request.LANGUAGE_CODE)
