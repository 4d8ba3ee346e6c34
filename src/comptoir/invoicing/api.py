"""Invoicing endpoints: the invoices of an order, for the customer's accounting."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.api.formats import money_text, quantity_text
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.queries import invoices_of_order
from comptoir.ordering.models import LINE_DISCOUNT_TOTAL_HELP

router = Router()


class InvoiceLineOut(Schema):
    sku: str
    name: str
    unit: str
    quantity: str
    unit_price: str
    row_total: str = Field(description="Quantity times unit price.")
    discount_total: str = Field(description=LINE_DISCOUNT_TOTAL_HELP)
    net_total: str = Field(description="Row total less discounts: the tax base.")
    tax_rate: str | None = Field(description="In percent; null when no rate applied.")
    tax_total: str
    tax_note: str = Field(description='Why the line is taxed so: "Reverse charge: ...".')


class InvoiceTaxLineOut(Schema):
    label: str
    rate: str = Field(description="In percent.")
    base: str
    amount: str


class InvoiceOut(Schema):
    number: str
    order: str = Field(description="The order's number.")
    source: str = Field(description='"shop" (issued here, with lines) or "erp" (totals only).')
    issued_at: datetime
    due_at: date | None
    payment_status: str = Field(
        description='"open" or "paid" as the ERP last said; empty where payments are not '
        "followed here."
    )
    paid_at: datetime | None
    document_url: str = Field(description="The ERP's copy of the invoice, if it gave one.")
    currency: str
    company_name: str
    vat_number: str
    billing_address: str
    shipping_address: str
    lines: list[InvoiceLineOut]
    tax_lines: list[InvoiceTaxLineOut] = Field(description="The tax summed per rate.")
    subtotal: str
    discount_total: str
    shipping_total: str
    tax_total: str
    total: str
    tax_notes: list[str] = Field(description="Mentions such as reverse charge or exemption.")


@router.get(
    "/orders/{number}/invoices", response={200: list[InvoiceOut], **error_responses(401, 404)}
)
def list_order_invoices(request: HttpRequest, number: str):
    """The invoices of one of the company's orders, oldest first: the shop's one, or the
    ERP's (one per shipment, say); 404 with code `not_invoiced` until there is one."""
    invoices = invoices_of_order(acting_customer_user(request), number.strip())
    return [invoice_out(invoice) for invoice in invoices]


def invoice_out(invoice: Invoice) -> dict:
    currency = invoice.currency
    return {
        "number": invoice.number,
        "order": invoice.order.number,
        "source": invoice.source,
        "issued_at": invoice.issued_at,
        "due_at": invoice.due_at,
        "payment_status": invoice.payment_status,
        "paid_at": invoice.paid_at,
        "document_url": invoice.document_url,
        "currency": currency,
        "company_name": invoice.company_name,
        "vat_number": invoice.vat_number,
        "billing_address": invoice.billing_address,
        "shipping_address": invoice.shipping_address,
        "lines": [
            {
                "sku": line.sku,
                "name": line.product_name,
                "unit": line.unit_code,
                "quantity": quantity_text(line.quantity),
                "unit_price": money_text(line.unit_price, currency),
                "row_total": money_text(line.row_total, currency),
                "discount_total": money_text(line.discount_total, currency),
                "net_total": money_text(line.net_total, currency),
                "tax_rate": quantity_text(line.tax_rate) if line.tax_rate is not None else None,
                "tax_total": money_text(line.tax_total, currency),
                "tax_note": line.tax_note,
            }
            for line in invoice.lines.all()
        ],
        "tax_lines": [
            {
                "label": tax_line.label,
                "rate": quantity_text(tax_line.rate),
                "base": money_text(tax_line.base, currency),
                "amount": money_text(tax_line.amount, currency),
            }
            for tax_line in invoice.tax_lines.all()
        ],
        "subtotal": money_text(invoice.subtotal, currency),
        "discount_total": money_text(invoice.discount_total, currency),
        "shipping_total": money_text(invoice.shipping_total, currency),
        "tax_total": money_text(invoice.tax_total, currency),
        "total": money_text(invoice.total, currency),
        "tax_notes": [note for note in invoice.tax_notes.splitlines() if note],
    }
