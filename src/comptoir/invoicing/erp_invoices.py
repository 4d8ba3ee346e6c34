"""The ERP's invoices: an order invoiced by the seller's ERP rather than by the shop.

The ERP pushes its invoices (``integration.erp_orders_api``): an order may have several (one per
shipment, say), each with the ERP's number and figures, a due date, a payment status it keeps
up to date, and a link to its document. An order is invoiced by the shop or by the ERP, never
both (``invoicing.services.issue_invoice`` refuses an order the ERP invoiced).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.api.formats import money_text
from comptoir.core.errors import BatchRefused, InvalidInput
from comptoir.core.events import NewEvent, record_events
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, UpsertStatus, assign_changes
from comptoir.invoicing.models import Invoice, InvoiceSource, PaymentStatus
from comptoir.ordering.models import Order, OrderStatus
from comptoir.ordering.status_changes import lock_orders

logger = logging.getLogger(__name__)

# Amounts up to what the invoice's columns hold (19 digits, 4 of them decimals).
MAX_AMOUNT = Decimal("1e15")


@dataclass(frozen=True)
class InvoiceFigures:
    """What an invoice of the ERP says it costs: net of discounts, plus shipping and tax."""

    currency: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    discount_total: Decimal = Decimal(0)
    shipping_total: Decimal = Decimal(0)


@dataclass(frozen=True)
class ErpInvoice:
    """An invoice of the ERP for ``order``, as it says it today."""

    order: Order
    number: str
    issued_at: datetime
    figures: InvoiceFigures
    payment_status: str = PaymentStatus.OPEN
    due_at: date | None = None
    paid_at: datetime | None = None
    document_url: str = ""


def record_erp_invoice(
    *,
    order: Order,
    number: str,
    issued_at: datetime,
    figures: InvoiceFigures,
    payment_status: str = PaymentStatus.OPEN,
    due_at: date | None = None,
    paid_at: datetime | None = None,
    document_url: str = "",
) -> tuple[Invoice, UpsertStatus]:
    """Record the ERP's invoice ``number`` of ``order`` (see ``record_erp_invoices``)."""
    invoice = ErpInvoice(
        order, number, issued_at, figures, payment_status, due_at, paid_at, document_url
    )
    try:
        [recorded] = record_erp_invoices(invoices=[invoice])
    except BatchRefused as refused:
        raise refused.refusals[0][1] from None
    return recorded


def record_erp_invoices(*, invoices: Sequence[ErpInvoice]) -> list[tuple[Invoice, UpsertStatus]]:
    """Record the ERP's ``invoices``, or bring them up to date, in their order.

    An invoice sent again may change its payment status, due date and document, never its
    order, date or figures. ``invoice_issued`` is recorded for a new one, ``invoice_paid`` for
    one that becomes paid (then ``paid_at`` is now unless given). All or nothing:
    ``BatchRefused`` names every invoice refused, and nothing is written.
    """
    with transaction.atomic():
        orders = lock_orders(invoice.order for invoice in invoices)
        numbers = [invoice.number.strip() for invoice in invoices]
        existing = {
            invoice.number: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(number__in=numbers)
            .select_related("order")
        }
        shop_invoices = dict(
            Invoice.objects.filter(order__in=list(orders), source=InvoiceSource.SHOP).values_list(
                "order_id", "number"
            )
        )
        addresses = {
            order.pk: order
            for order in Order.objects.filter(pk__in=list(orders)).select_related(
                "billing_address", "shipping_address"
            )
        }
        now = timezone.now()
        results: list[tuple[Invoice, UpsertStatus]] = []
        changed: list[tuple[Invoice, list[str]]] = []
        events: list[NewEvent] = []
        seen: dict[str, int] = {}
        refusals = []
        for index, wanted in enumerate(invoices):
            order = orders[wanted.order.pk]
            number, document_url = wanted.number.strip(), wanted.document_url.strip()
            paid = wanted.payment_status == PaymentStatus.PAID
            try:
                _check_erp_invoice(wanted, number, document_url)
                if number in seen:
                    raise InvalidInput(
                        _("Invoice %(number)s is also item %(index)s of this batch")
                        % {"number": number, "index": seen[number]},
                        code="invoice_twice",
                        field="number",
                    )
                seen[number] = index
                fixed = _fixed_values(wanted)
                kept_up = {
                    "payment_status": wanted.payment_status,
                    "due_at": wanted.due_at,
                    "paid_at": (wanted.paid_at or now) if paid else None,
                    "document_url": document_url,
                }
                invoice = existing.get(number)
                if invoice is None:
                    _check_order_takes_erp_invoices(order, wanted.figures, shop_invoices)
                    invoice = _new_erp_invoice(addresses[order.pk], number, fixed, kept_up)
                    status, was_paid = CREATED, False
                else:
                    _check_same_invoice(invoice, order, fixed)
                    was_paid = invoice.payment_status == PaymentStatus.PAID
                    if was_paid and paid and wanted.paid_at is None:
                        kept_up["paid_at"] = invoice.paid_at
                    fields = assign_changes(invoice, kept_up)
                    changed.append((invoice, fields))
                    status = UPDATED if fields else UNCHANGED
            except InvalidInput as error:
                refusals.append((index, error))
                continue
            results.append((invoice, status))
            events += _invoice_events(invoice, order, status, paid and not was_paid)
        if refusals:
            raise BatchRefused(refusals)

        Invoice.objects.bulk_create([invoice for invoice, status in results if status == CREATED])
        for invoice, fields in changed:
            if fields:
                invoice.save(update_fields=fields)
        record_events(events)

    for invoice, status in results:
        if status != UNCHANGED:
            logger.info(
                "ERP invoice %s of order %s %s: %s %s, %s",
                invoice.number,
                invoice.order.number,
                status,
                invoice.total,
                invoice.currency,
                invoice.payment_status,
            )
    return results


def _fixed_values(wanted: ErpInvoice) -> dict:
    """What an issued invoice keeps for good."""
    figures = wanted.figures
    return {
        "currency": figures.currency,
        "subtotal": figures.subtotal,
        "discount_total": figures.discount_total,
        "shipping_total": figures.shipping_total,
        "tax_total": figures.tax_total,
        "total": figures.total,
        "issued_at": wanted.issued_at,
    }


def _new_erp_invoice(order: Order, number: str, fixed: dict, kept_up: dict) -> Invoice:
    return Invoice(
        number=number,
        order=order,
        source=InvoiceSource.ERP,
        company=order.company,
        customer_user_id=order.customer_user_id,
        company_name=order.company.name,
        vat_number=order.company.vat_number,
        billing_address=order.billing_address.one_line() if order.billing_address else "",
        shipping_address=order.shipping_address.one_line() if order.shipping_address else "",
        **fixed,
        **kept_up,
    )


def _invoice_events(
    invoice: Invoice, order: Order, status: UpsertStatus, became_paid: bool
) -> list[NewEvent]:
    facts = {
        "number": invoice.number,
        "order": order.number,
        "company": order.company.name,
        "total": money_text(invoice.total, invoice.currency),
        "currency": invoice.currency,
        "source": invoice.source,
    }
    events = []
    if status == CREATED:
        payload = {**facts, "due_at": invoice.due_at, "payment_status": invoice.payment_status}
        events.append(NewEvent("invoice_issued", invoice.number, payload))
    if became_paid:
        events.append(
            NewEvent("invoice_paid", invoice.number, {**facts, "paid_at": invoice.paid_at})
        )
    return events


def _check_erp_invoice(wanted: ErpInvoice, number: str, document_url: str) -> None:
    figures, due_at = wanted.figures, wanted.due_at
    if not number or len(number) > 32 or "\x00" in number:
        raise InvalidInput(
            _("An invoice number has 1 to 32 characters, none of them NUL"),
            code="invoice_number_invalid",
            field="number",
        )
    if wanted.payment_status not in PaymentStatus.values:
        raise InvalidInput(
            _("'%(status)s' is not a payment status; write open or paid")
            % {"status": wanted.payment_status[:20]},
            code="payment_status_invalid",
            field="status",
        )
    amounts = {
        "subtotal": figures.subtotal,
        "discount_total": figures.discount_total,
        "shipping_total": figures.shipping_total,
        "tax_total": figures.tax_total,
        "total": figures.total,
    }
    for name, amount in amounts.items():
        if (
            not amount.is_finite()
            or amount < 0
            or amount >= MAX_AMOUNT
            or -amount.normalize().as_tuple().exponent > 4
        ):
            raise InvalidInput(
                _("'%(amount)s' is not an amount: 0 or more, at most 4 decimals")
                % {"amount": amount},
                code="amount_invalid",
                field=name,
            )
    computed = figures.subtotal - figures.discount_total + figures.shipping_total
    computed += figures.tax_total
    if computed != figures.total:
        raise InvalidInput(
            _(
                "The total %(total)s is not subtotal %(subtotal)s less discounts "
                "%(discounts)s plus shipping %(shipping)s and tax %(tax)s, which make "
                "%(computed)s"
            )
            % {
                "total": figures.total,
                "subtotal": figures.subtotal,
                "discounts": figures.discount_total,
                "shipping": figures.shipping_total,
                "tax": figures.tax_total,
                "computed": computed,
            },
            code="totals_differ",
            field="total",
        )
    if due_at is not None and due_at < wanted.issued_at.date():
        raise InvalidInput(
            _("The due date %(due)s is before the invoice date %(issued)s")
            % {"due": due_at.isoformat(), "issued": wanted.issued_at.date().isoformat()},
            code="due_before_issued",
            field="due_at",
        )
    if document_url:
        try:
            URLValidator(schemes=["http", "https"])(document_url)
            if len(document_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            raise InvalidInput(
                _("'%(url)s' is not an http or https address of at most 500 characters")
                % {"url": document_url[:100]},
                code="document_url_invalid",
                field="document_url",
            ) from None


def _check_order_takes_erp_invoices(
    order: Order, figures: InvoiceFigures, shop_invoices: dict[int, str]
) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise InvalidInput(
            _("Order %(number)s is cancelled: there is nothing to invoice")
            % {"number": order.number},
            code="order_cancelled",
            field="order",
        )
    if order.pk in shop_invoices:
        raise InvalidInput(
            _(
                "Order %(number)s was invoiced by the shop (%(invoice)s): the ERP does not "
                "invoice it as well"
            )
            % {"number": order.number, "invoice": shop_invoices[order.pk]},
            code="invoiced_by_shop",
            field="order",
        )
    if figures.currency != order.currency:
        raise InvalidInput(
            _("Order %(number)s is in %(order_currency)s, not %(currency)s")
            % {
                "number": order.number,
                "order_currency": order.currency,
                "currency": figures.currency[:10],
            },
            code="currency_differs",
            field="currency",
        )


def _check_same_invoice(invoice: Invoice, order: Order, fixed: dict) -> None:
    if invoice.source != InvoiceSource.ERP or invoice.order_id != order.pk:
        raise InvalidInput(
            _("Invoice number %(number)s is taken by an invoice of order %(order)s")
            % {"number": invoice.number, "order": invoice.order.number},
            code="invoice_number_taken",
            field="number",
        )
    differ = [name for name, value in fixed.items() if getattr(invoice, name) != value]
    if differ:
        raise InvalidInput(
            _(
                "Invoice %(number)s was issued with other figures (%(fields)s); an invoice's "
                "date and figures do not change: only its payment status, due date and "
                "document do"
            )
            % {"number": invoice.number, "fields": ", ".join(differ)},
            code="invoice_figures_differ",
            field=differ[0],
        )
