"""Every write of invoicing: issuing the invoice of an order (the ERP's are in
``invoicing.erp_invoices``)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.errors import DomainError
from comptoir.core.events import record_event
from comptoir.core.money import round_money
from comptoir.invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoiceSource,
    InvoiceTaxLine,
)
from comptoir.ordering.models import Order, OrderStatus
from comptoir.ordering.totals import Totals, order_totals

logger = logging.getLogger(__name__)


def issue_invoice(*, order: Order, issued_by: User | None = None) -> Invoice:
    """The invoice of ``order``, issued now if it has none yet.

    Its figures are the order's totals worked out again from the order's stored lines and
    discounts (``ordering.totals.order_totals``); when they differ from what the order states
    (an order imported with totals of its own, a product's tax code changed since), nothing is
    issued and the error says which figure differs.
    """
    with transaction.atomic():
        # The order's row is locked so two staff issuing at once make one invoice.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("company__tax_code", "shipping_address", "billing_address")
            .get(pk=order.pk)
        )
        existing = list(Invoice.objects.filter(order=order).order_by("pk"))
        for invoice in existing:
            if invoice.source == InvoiceSource.SHOP:
                return invoice
        if existing:
            raise DomainError(
                _(
                    "Order %(number)s is invoiced by the ERP (%(invoices)s): the shop does not "
                    "invoice it as well"
                )
                % {
                    "number": order.number,
                    "invoices": ", ".join(invoice.number for invoice in existing),
                },
                code="invoiced_by_erp",
            )
        if order.status == OrderStatus.CANCELLED:
            raise DomainError(
                _("Order %(number)s is cancelled: there is nothing to invoice")
                % {"number": order.number},
                code="order_cancelled",
            )
        totals = order_totals(order)
        check_totals_agree(order, totals)

        invoice = Invoice.objects.create(
            number=next_invoice_number(),
            order=order,
            company=order.company,
            customer_user=order.customer_user,
            issued_at=timezone.now(),
            issued_by=issued_by,
            currency=order.currency,
            company_name=order.company.name,
            vat_number=order.company.vat_number,
            billing_address=order.billing_address.one_line() if order.billing_address else "",
            shipping_address=(order.shipping_address.one_line() if order.shipping_address else ""),
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            shipping_total=totals.shipping_total,
            tax_total=totals.tax_total,
            total=totals.total,
            tax_notes="\n".join(totals.tax_notes),
        )
        order_lines = {line.pk: line for line in order.lines.all()}
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                order_line=order_lines[line.key],
                sku=order_lines[line.key].sku,
                product_name=order_lines[line.key].product_name,
                unit_code=line.unit_code,
                quantity=line.quantity,
                unit_price=line.unit_price,
                row_total=line.row_total,
                discount_total=line.discount_total,
                net_total=line.net,
                tax_rate=line.tax_rate,
                tax_total=line.tax_total,
                tax_note="; ".join(line.tax_notes)[:255],
            )
            for line in totals.lines
        )
        InvoiceTaxLine.objects.bulk_create(
            InvoiceTaxLine(
                invoice=invoice,
                label=tax_line.label,
                rate=tax_line.rate,
                base=tax_line.base,
                amount=tax_line.amount,
            )
            for tax_line in totals.tax_lines
        )
        record_event(
            "invoice_issued",
            entity_key=invoice.number,
            payload={
                "number": invoice.number,
                "order": order.number,
                "company": order.company.name,
                "total": str(invoice.total),
                "currency": invoice.currency,
                "source": invoice.source,
            },
        )

    logger.info(
        "invoice %s issued for order %s of %s: %s %s",
        invoice.number,
        order.number,
        order.company.name,
        invoice.total,
        invoice.currency,
    )
    return invoice


def check_totals_agree(order: Order, totals: Totals) -> None:
    """Refuse to invoice figures other than the ones the order states."""
    stated = {
        _("subtotal"): (order.subtotal, totals.subtotal),
        _("discounts"): (order.discount_total, totals.discount_total),
        _("shipping"): (order.shipping_total, totals.shipping_total),
        _("tax"): (order.tax_total, totals.tax_total),
        _("total"): (order.total, totals.total),
    }
    differ = [
        _("%(figure)s %(stated)s on the order, %(computed)s from its lines")
        % {
            "figure": figure,
            "stated": round_money(was, order.currency),
            "computed": round_money(now, order.currency),
        }
        for figure, (was, now) in stated.items()
        if was != now
    ]
    if differ:
        raise DomainError(
            _(
                "Order %(number)s cannot be invoiced as it stands: %(differences)s. Correct the "
                "order (or the product tax codes and tax rates) first."
            )
            % {"number": order.number, "differences": "; ".join(differ)},
            code="totals_differ",
        )


def next_invoice_number() -> str:
    """The next invoice number for the configured prefix; call inside the issuing transaction
    so that a failed issue gives its number back."""
    prefix = settings.COMPTOIR_INVOICE_NUMBER_PREFIX
    InvoiceNumberSequence.objects.get_or_create(prefix=prefix)
    sequence = InvoiceNumberSequence.objects.select_for_update().get(prefix=prefix)
    while True:
        sequence.last_value += 1
        number = f"{prefix}{sequence.last_value:06d}"
        if not Invoice.objects.filter(number=number).exists():
            break
    sequence.save(update_fields=["last_value"])
    return number
