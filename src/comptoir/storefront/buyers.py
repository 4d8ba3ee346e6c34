"""Who is buying on a storefront request: the acting customer user, if there is one.

A guest and a staff user without a customer user browse the same way: they may see the
website's prices when ``COMPTOIR_GUEST_PRICES`` is on, and they cannot order.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from comptoir.accounts.models import Company, CustomerUser


def acting_customer_user(request) -> CustomerUser | None:
    """The customer user the logged-in user buys as, or None for guests and staff."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.customer_user
    except ObjectDoesNotExist:
        return None


def pricing_company(request) -> Company | None:
    """The company whose prices the request sees; None means the default website's."""
    customer_user = acting_customer_user(request)
    return customer_user.company if customer_user is not None else None


def shows_prices(request) -> bool:
    """Whether the request may see prices: buyers always, others only if guest prices are on."""
    return acting_customer_user(request) is not None or settings.COMPTOIR_GUEST_PRICES


def customer_required(view):
    """Run ``view`` with the acting customer user as ``customer_user``; others go to log in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer_user = acting_customer_user(request)
        if customer_user is None:
            if request.user.is_authenticated:
                messages.info(request, "Log in with a customer account to order.")
            # A form posted by a guest comes back to the page it was on, not to its action.
            after_login = (
                request.get_full_path()
                if request.method == "GET"
                else next_url(request, default=resolve_url("storefront:home"))
            )
            return redirect_to_login(after_login)
        return view(request, *args, customer_user=customer_user, **kwargs)

    return wrapper


def next_url(request, *, default: str) -> str:
    """The ``next`` field of the request if it points inside this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
