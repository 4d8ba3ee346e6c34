"""The storefront access mode, applied to every request.

- The basic-auth gate, when set, stands in front of everything: storefront, back office and
  API. An API request carrying a bearer token passes it, since the token is its credential
  (one ``Authorization`` header cannot carry both).
- Login required: guests see only the pages marked public and are sent to the login page
  elsewhere; the API refuses callers without a token.
- Pilot: only users of the pilot's companies and groups may log in or use the API. Others are
  logged out (or not logged in) and see the "coming soon" page; guests see it too, instead of
  the catalog. The API refuses guests (401) and users outside the pilot (403, "not_in_pilot").

Staff users are never held back by a mode: the back office has its own login, and staff may
look at the storefront before the launch. The settings are read on every request, so a change
applies at once, without a restart.
"""

import logging
from functools import cache

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.accounts.access import (
    basic_auth_passes,
    gate_is_set,
    may_enter,
    storefront_access,
)
from comptoir.accounts.models import AccessMode, StorefrontAccess
from comptoir.accounts.tokens import authenticate_token
from comptoir.api.errors import error_body

logger = logging.getLogger(__name__)

# Pages any visitor may open whatever the mode, besides the views marked with ``public`` (and
# Django's own login and password reset views, which carry the same mark).
PUBLIC_URL_NAMES = frozenset(
    {
        "storefront:login",
        "storefront:logout",
        "storefront:accept_invitation",
        "set_language",
    }
)
# The API's description and docs page say nothing about the catalog or any customer.
PUBLIC_API_URL_NAMES = frozenset({"openapi-json", "openapi-view"})


def public(view):
    """Mark a storefront view as open to guests when a login is required or a pilot runs."""
    return login_not_required(view)


def is_public(view_func, view_name: str) -> bool:
    """Whether the view answers guests whatever the access mode."""
    return getattr(view_func, "login_required", True) is False or view_name in PUBLIC_URL_NAMES


@cache
def api_namespace() -> str:
    # Imported here: the API module imports every app's router, which may import views.
    from comptoir.api.urls import api

    return api.urls_namespace


def is_api_path(path: str) -> bool:
    return path.startswith(reverse(f"{api_namespace()}:api-root"))


class StorefrontAccessMiddleware:
    """Apply the access mode and the basic-auth gate; place after authentication and
    messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        access = storefront_access()
        request.storefront_access = access
        if gate_is_set(access) and not self.passes_gate(request, access):
            return self.gate_refusal(request)

        pilot = access.mode == AccessMode.PILOT
        logged_in_before = request.session.get(SESSION_KEY) if pilot else None
        response = self.get_response(request)

        # A view that has just logged someone in (the login page, an accepted invitation)
        # outside the pilot sees that login undone before its answer leaves.
        logged_in_now = pilot and request.session.get(SESSION_KEY) not in (None, logged_in_before)
        if logged_in_now and not in_pilot(request.user, access):
            return self.send_away(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        access = getattr(request, "storefront_access", None) or storefront_access()
        if access.mode == AccessMode.OPEN:
            return None
        match = request.resolver_match
        if "admin" in match.namespaces:
            return None
        if api_namespace() in match.namespaces:
            return self.check_api(request, access, match.url_name)

        user = request.user
        if access.mode == AccessMode.PILOT and user.is_authenticated:
            return None if in_pilot(user, access) else self.send_away(request)
        if user.is_authenticated or is_public(view_func, match.view_name):
            return None
        if access.mode == AccessMode.LOGIN_REQUIRED:
            return redirect_to_login(request.get_full_path())
        return redirect("storefront:coming_soon")

    def passes_gate(self, request, access: StorefrontAccess) -> bool:
        authorization = request.headers.get("Authorization", "")
        if basic_auth_passes(access, authorization):
            return True
        scheme, _space, token = authorization.strip().partition(" ")
        # The API checks the token itself, and refuses a wrong one.
        return scheme.lower() == "bearer" and bool(token.strip()) and is_api_path(request.path)

    def gate_refusal(self, request) -> HttpResponse:
        detail = _("This site is not open yet: give the username and password you were sent")
        if is_api_path(request.path):
            response = JsonResponse(error_body(detail, "basic_auth_required"), status=401)
        else:
            response = HttpResponse(detail, status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Basic realm="Comptoir", charset="UTF-8"'
        return response

    def check_api(self, request, access: StorefrontAccess, url_name: str) -> HttpResponse | None:
        if url_name in PUBLIC_API_URL_NAMES:
            return None
        scheme, _space, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            response = JsonResponse(
                error_body(
                    _(
                        "The shop is open to its customers only: send an API token as "
                        "'Authorization: Bearer TOKEN'"
                    ),
                    "not_authenticated",
                ),
                status=401,
            )
            response["WWW-Authenticate"] = "Bearer"
            return response
        if access.mode != AccessMode.PILOT:
            return None
        customer_user = authenticate_token(token.strip())
        # An unknown or revoked token is refused by the API, with its own message.
        if customer_user is None or may_enter(customer_user, access):
            return None
        logger.info("API call by %s refused: outside the pilot", customer_user.email)
        return JsonResponse(
            error_body(
                _(
                    "The shop is open to a pilot group of customers for now, and %(company)s "
                    "is not in it yet: the API will answer when the shop opens to everyone"
                )
                % {"company": customer_user.company.name},
                "not_in_pilot",
            ),
            status=403,
        )

    def send_away(self, request) -> HttpResponse:
        """Log out a user outside the pilot and show them the "coming soon" page."""
        logger.info("user %s is outside the pilot: logged out", request.user.pk)
        logout(request)
        messages.info(
            request,
            _(
                "The shop is open to a pilot group of customers for now, and your company is "
                "not in it yet. You will be able to log in when the shop opens to everyone."
            ),
        )
        return redirect("storefront:coming_soon")


def in_pilot(user, access: StorefrontAccess) -> bool:
    """Whether a logged-in ``user`` may use the storefront in pilot mode: staff, and customer
    users the pilot holds."""
    if user.is_staff:
        return True
    customer_user = getattr(user, "customer_user", None) if user.is_active else None
    return customer_user is not None and may_enter(customer_user, access)
