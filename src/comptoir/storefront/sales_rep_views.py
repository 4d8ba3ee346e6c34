"""Shop as a customer user: a sales rep (or a superuser) acts in the storefront for one of its
companies' users, from a button in the back office, until it stops or logs out.

The views only check and record through ``backoffice.sales_reps``; the acting customer user is
then found by ``storefront.buyers`` on every request. Anyone who may not shop as the user gets a
404, as if the user did not exist.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.backoffice import sales_reps
from comptoir.core.errors import DomainError, NotFound
from comptoir.storefront.buyers import SHOP_AS_SESSION_KEY, acting_customer_user, acting_user


@require_http_methods(["GET", "HEAD", "POST"])
def shop_as(request, customer_user_id: int):
    """Ask the rep to confirm (GET), then shop as the customer user (POST)."""
    try:
        candidate = sales_reps.customer_user_for_sales_rep(request.user, customer_user_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if request.method != "POST":
        return render(request, "storefront/shop_as.html", {"candidate": candidate})

    previous = acting_customer_user(request) if acting_user(request) else None
    try:
        customer_user = sales_reps.start_shopping_as(
            sales_rep=request.user, customer_user_id=candidate.pk
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("admin:accounts_customeruser_change", candidate.pk)
    if previous is not None and previous.pk != customer_user.pk:
        sales_reps.stop_shopping_as(sales_rep=request.user, customer_user=previous)
    request.session[SHOP_AS_SESSION_KEY] = customer_user.pk
    messages.success(
        request,
        _("You are shopping as %(name)s for %(company)s.")
        % {"name": customer_user.user.get_full_name(), "company": customer_user.company.name},
    )
    return redirect("storefront:home")


@require_POST
def stop_shopping_as(request):
    """Stop shopping as a customer user and go back to that user's page in the back office."""
    customer_user = acting_customer_user(request) if acting_user(request) else None
    request.session.pop(SHOP_AS_SESSION_KEY, None)
    if customer_user is None:
        return redirect("storefront:home")

    sales_reps.stop_shopping_as(sales_rep=request.user, customer_user=customer_user)
    messages.success(
        request,
        _("You no longer shop as %(name)s.") % {"name": customer_user.user.get_full_name()},
    )
    return redirect(reverse("admin:accounts_customeruser_change", args=[customer_user.pk]))
