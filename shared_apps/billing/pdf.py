"""An invoice as a PDF (fpdf2), drawn from the stored invoice: the same bytes layout every time."""

from __future__ import annotations

from django.http import HttpResponse
from fpdf import FPDF

from shared_apps.billing.models import Invoice

_LABELS = {
    "es": {
        "invoice": "Factura",
        "draft": "Borrador",
        "issued": "Fecha de emisión",
        "due": "Vencimiento",
        "period": "Periodo",
        "billed_to": "Facturado a",
        "concept": "Concepto",
        "qty": "Cant.",
        "price": "Precio",
        "amount": "Importe",
        "subtotal": "Base imponible",
        "tax": "Impuesto",
        "total": "Total",
        "status": "Estado",
    },
    "en": {
        "invoice": "Invoice",
        "draft": "Draft",
        "issued": "Issued",
        "due": "Due",
        "period": "Period",
        "billed_to": "Billed to",
        "concept": "Description",
        "qty": "Qty",
        "price": "Price",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "tax": "Tax",
        "total": "Total",
        "status": "Status",
    },
}


def _text(value: object) -> str:
    """The core PDF fonts speak Latin-1: anything else becomes '?' rather than an error."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(*, invoice: Invoice, language: str = "es") -> bytes:
    labels = _LABELS.get(language, _LABELS["en"])
    pdf = FPDF(format="A4")
    pdf.set_title(_text(f"{labels['invoice']} {invoice.display_number}"))
    pdf.set_creation_date(invoice.issued_at or invoice.created)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    title = invoice.display_number or labels["draft"]
    pdf.cell(0, 10, _text(f"dysa - {labels['invoice']} {title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    rows = [
        (labels["billed_to"], f"{invoice.customer_name} ({invoice.restaurant_slug})"),
        (labels["issued"], f"{invoice.issued_at:%Y-%m-%d}" if invoice.issued_at else "-"),
        (labels["due"], f"{invoice.due_at:%Y-%m-%d}" if invoice.due_at else "-"),
        (
            labels["period"],
            f"{invoice.period_start:%Y-%m-%d} - {invoice.period_end:%Y-%m-%d}",
        ),
        (labels["status"], invoice.status),
    ]
    for label, value in rows:
        pdf.cell(40, 6, _text(label))
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 10)
    widths = (100, 20, 30, 30)
    for width, label in zip(
        widths, (labels["concept"], labels["qty"], labels["price"], labels["amount"]), strict=True
    ):
        pdf.cell(width, 7, _text(label), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in invoice.lines.all():
        cells = (
            line.description,
            f"{line.quantity.normalize():f}",
            f"{line.unit_price.normalize():f}",
            f"{line.amount} {invoice.currency}",
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _text(value))
        pdf.ln()
    pdf.ln(4)
    totals = (
        (labels["subtotal"], invoice.subtotal),
        (f"{labels['tax']} ({invoice.tax_rate.normalize():f}%, {invoice.country})", invoice.tax),
        (labels["total"], invoice.total),
    )
    for label, amount in totals:
        pdf.cell(150, 7, _text(label), align="R")
        pdf.cell(30, 7, _text(f"{amount} {invoice.currency}"), align="R")
        pdf.ln()
    return bytes(pdf.output())


def pdf_response(invoice: Invoice, *, language: str) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice=invoice, language=language), "application/pdf")
    name = invoice.display_number or f"draft-{invoice.pk}"
    response["Content-Disposition"] = f'inline; filename="invoice-{name}.pdf"'
    return response
