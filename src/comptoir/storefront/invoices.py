"""The invoice page: an order's invoices as the customer user may read and print them."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from comptoir.accounts.models import CustomerUser
from comptoir.core.errors import NotFound
from comptoir.invoicing.queries import invoices_of_order
from comptoir.storefront.buyers import customer_required


@require_safe
@customer_required
def invoice(request, number: str, *, customer_user: CustomerUser):
    """The invoices of one of the user's orders: the shop's with its lines, tax per rate and
    totals, the ERP's with their totals, due date, payment status and document."""
    try:
        shown = invoices_of_order(customer_user, number)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "storefront/invoice.html", {"order": shown[0].order, "invoices": shown})
