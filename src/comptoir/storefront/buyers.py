"""Who is buying on a storefront request: the acting customer user, if there is one.

A guest and a staff user without a customer user browse the same way: they may see the
website's prices when ``COMPTOIR_GUEST_PRICES`` is on, and they cannot order. A sales rep who
chose to shop as one of its companies' customer users (``backoffice.sales_reps``) acts as that
customer user until it stops or logs out; the buying services then record the rep as the login
acting.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from comptoir.accounts.models import Company, CustomerUser, User
from comptoir.backoffice.sales_reps import customer_user_for_sales_rep
from comptoir.catalog.queries import Audience, audience_of
from comptoir.core.errors import NotFound

# The id of the customer user a sales rep shops as; login and logout clear the session.
SHOP_AS_SESSION_KEY = "storefront_shop_as"


def acting_customer_user(request) -> CustomerUser | None:
    """The customer user the logged-in user buys as, or None for guests and staff (except a
    sales rep shopping as one of its companies' users)."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return shopped_as(request)
    try:
        return user.customer_user
    except ObjectDoesNotExist:
        return None


def shopped_as(request) -> CustomerUser | None:
    """The customer user the staff user of ``request`` shops as, checked again on every request
    so that a rep unassigned from the company stops at once."""
    if not hasattr(request, "_shopped_as"):
        customer_user = None
        customer_user_id = request.session.get(SHOP_AS_SESSION_KEY)
        if customer_user_id is not None:
            try:
                customer_user = customer_user_for_sales_rep(request.user, customer_user_id)
            except NotFound:
                request.session.pop(SHOP_AS_SESSION_KEY, None)
            else:
                if not customer_user.user.is_active:
                    customer_user = None
        request._shopped_as = customer_user
    return request._shopped_as


def acting_user(request) -> User | None:
    """The login acting for the customer user when it is not the customer user's own (a sales
    rep shopping as them), else None."""
    customer_user = acting_customer_user(request)
    if customer_user is None or customer_user.user_id == request.user.pk:
        return None
    return request.user


def pricing_company(request) -> Company | None:
    """The company whose prices the request sees; None means the default website's."""
    customer_user = acting_customer_user(request)
    return customer_user.company if customer_user is not None else None


def catalog_audience(request) -> Audience:
    """Who the request shows the catalog to: the buyer's company, else everyone, guests only
    while the access mode lets them browse."""
    if not hasattr(request, "_catalog_audience"):
        request._catalog_audience = audience_of(
            pricing_company(request), guest=not request.user.is_authenticated
        )
    return request._catalog_audience


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
                messages.info(request, _("Log in with a customer account to order."))
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
