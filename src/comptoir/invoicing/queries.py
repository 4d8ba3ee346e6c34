"""Reads for invoicing: the invoices of an order, as the acting customer user may see them."""

from django.utils.translation import gettext as _

from comptoir.accounts.models import CustomerUser
from comptoir.accounts.scoping import get_visible, lookup_text, visible_to
from comptoir.core.errors import NotFound
from comptoir.invoicing.models import Invoice
from comptoir.ordering.models import Order


def invoices_of_order(customer_user: CustomerUser, order_number: str) -> list[Invoice]:
    """The invoices of the order ``order_number`` that the user's roles reach, oldest first,
    with their lines and tax lines; ``NotFound`` when there is none, saying so when the order
    is one the user sees and is not invoiced yet."""
    if "\x00" not in order_number:
        invoices = list(
            visible_to(customer_user, Invoice.objects.select_related("order"))
            .filter(order__number=order_number)
            .prefetch_related("lines", "tax_lines")
            .order_by("issued_at", "id")
        )
        if invoices:
            return invoices
    order = get_visible(customer_user, Order.objects, number=order_number)
    if Invoice.objects.filter(order=order).exists():
        raise NotFound(f"No invoice matches {lookup_text({'order__number': order_number})}")
    raise NotFound(
        _("Order %(number)s has no invoice yet") % {"number": order.number}, code="not_invoiced"
    )


def invoices_visible_on_order(customer_user: CustomerUser, order: Order) -> list[Invoice]:
    """The invoices of ``order`` the user's roles reach, oldest first, for the order's page."""
    return list(
        visible_to(customer_user, Invoice.objects.filter(order=order)).order_by("issued_at", "id")
    )
