"""Reads for invoicing: the invoice of an order, as the acting customer user may see it."""

from django.utils.translation import gettext as _

from comptoir.accounts.models import CustomerUser
from comptoir.accounts.scoping import get_visible
from comptoir.core.errors import NotFound
from comptoir.invoicing.models import Invoice
from comptoir.ordering.models import Order


def invoice_of_order(customer_user: CustomerUser, order_number: str) -> Invoice:
    """The invoice of the order ``order_number`` with its lines and tax lines, if the user's
    roles reach invoices; ``NotFound`` otherwise, saying so when the order is one the user sees
    and is not invoiced yet."""
    invoices = Invoice.objects.select_related("order").prefetch_related("lines", "tax_lines")
    try:
        return get_visible(customer_user, invoices, order__number=order_number)
    except NotFound as not_found:
        order = get_visible(customer_user, Order.objects, number=order_number)
        if Invoice.objects.filter(order=order).exists():
            raise not_found from None
        raise NotFound(
            _("Order %(number)s has no invoice yet") % {"number": order.number},
            code="not_invoiced",
        ) from None
