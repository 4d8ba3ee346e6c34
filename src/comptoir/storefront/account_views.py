"""Account pages: my account and its API tokens, password change and reset, invitations.

The pages act as the logged-in customer user (a sales rep shopping as one acts for it and is
recorded as the acting login); every record is read through ``accounts.scoping`` and every
change is a call of an account service. The password reset and invitation pages are for
people not logged in, and answer the same whether or not an e-mail has an account.
"""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts import invitations, throttling
from comptoir.accounts.models import AccessLevel, Action, CustomerUser, Resource
from comptoir.accounts.permissions import can, level_for
from comptoir.accounts.tokens import create_own_token, revoke_visible_token, visible_tokens_for
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.errors import PermissionDenied as DomainPermissionDenied
from comptoir.storefront.account_forms import InviteForm, LocalizedPasswordResetForm, TokenForm
from comptoir.storefront.buyers import acting_user, customer_required

logger = logging.getLogger(__name__)

LOGIN_BACKEND = "comptoir.accounts.backends.EmailBackend"


def site_url(request) -> str:
    """The scheme and host the request came to, for links in e-mails."""
    return request.build_absolute_uri("/")


# My account


@require_safe
@customer_required
def account(request, *, customer_user: CustomerUser):
    """The customer user's profile, company and roles, with links to its tokens and password."""
    context = {
        "profile": customer_user,
        "roles": customer_user.roles.order_by("name"),
        "can_invite": can_invite(customer_user),
    }
    return render(request, "storefront/account/account.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def tokens(request, *, customer_user: CustomerUser):
    """The user's API tokens and a form to make one; a new token is shown on this answer only."""
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_own_token(
                customer_user=customer_user,
                name=form.cleaned_data["name"],
                acting_user=acting_user(request),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm()

    visible = visible_tokens_for(customer_user)
    context = {
        "form": form,
        "created": created,
        "own_tokens": visible.filter(customer_user=customer_user),
        "managed_tokens": (
            visible.exclude(customer_user=customer_user).order_by(
                "customer_user__user__email", "-created_at"
            )
            if can(customer_user, Resource.USERS, Action.MANAGE_USERS)
            else None
        ),
    }
    response = render(request, "storefront/account/tokens.html", context)
    # The page may hold a token in clear: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@customer_required
def revoke_token(request, prefix: str, *, customer_user: CustomerUser):
    """Revoke one of the user's tokens, or one of a user it manages."""
    try:
        api_token = revoke_visible_token(
            customer_user=customer_user, prefix=prefix, acting_user=acting_user(request)
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainPermissionDenied as error:
        raise PermissionDenied(error.message) from None
    messages.success(
        request, _("The token %(prefix)s… is revoked.") % {"prefix": api_token.prefix}
    )
    return redirect("storefront:account_tokens")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "storefront/account/password_change.html"
    success_url = reverse_lazy("storefront:account")
    success_message = gettext_lazy("Your password is changed.")


# Password reset by e-mail


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    template_name = "storefront/account/password_reset.html"
    success_url = reverse_lazy("storefront:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "storefront/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "storefront/account/password_reset_confirm.html"
    success_url = reverse_lazy("storefront:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Proving control of the e-mail ends a lock set by failed logins.
        throttling.record_success(form.user.email)
        logger.info("password of %s reset by e-mail", form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "storefront/account/password_reset_complete.html"


# Invitations


def can_invite(customer_user: CustomerUser) -> bool:
    action = invitations.managing_action(customer_user)
    return level_for(customer_user, Resource.USERS, action) >= AccessLevel.DEPARTMENT


def inviter_required(view):
    """``customer_required``, and a 403 for a user whose roles do not let it invite."""

    @wraps(view)
    def wrapper(request, *args, customer_user: CustomerUser, **kwargs):
        if not can_invite(customer_user):
            raise PermissionDenied(_("Your role does not allow you to invite users."))
        return view(request, *args, customer_user=customer_user, **kwargs)

    return customer_required(wrapper)


@require_safe
@inviter_required
def invitation_list(request, *, customer_user: CustomerUser):
    """The invitations the user manages, newest first, with their state."""
    shown = [
        (invitation, invitations.status_of(invitation))
        for invitation in invitations.invitations_managed_by(customer_user)
    ]
    return render(request, "storefront/account/invitations.html", {"invitations": shown})


@require_http_methods(["GET", "HEAD", "POST"])
@inviter_required
def invite_user(request, *, customer_user: CustomerUser):
    """Invite a person by e-mail: name, company, department, roles and language."""
    action = invitations.managing_action(customer_user)
    form = InviteForm(request.POST or None, customer_user=customer_user, action=action)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitations.invite_customer_user(
                customer_user=customer_user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role_codes=data["roles"],
                company_id=data["company"],
                department_id=data["department"],
                language=data["language"],
                site_url=site_url(request),
                acting_user=acting_user(request),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.")
                % {"email": invitation.customer_user.email},
            )
            return redirect("storefront:invitations")
    return render(request, "storefront/account/invite.html", {"form": form})


@require_POST
@inviter_required
def resend_invitation(request, invitation_id: int, *, customer_user: CustomerUser):
    """Send a new invitation link; the previous one stops working."""
    try:
        invitation = invitations.resend_invitation(
            customer_user=customer_user,
            invitation_id=invitation_id,
            site_url=site_url(request),
            acting_user=acting_user(request),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s.")
            % {"email": invitation.customer_user.email},
        )
    return redirect("storefront:invitations")


@require_POST
@inviter_required
def revoke_invitation(request, invitation_id: int, *, customer_user: CustomerUser):
    """Make an invitation's link stop working."""
    try:
        invitation = invitations.revoke_invitation(
            customer_user=customer_user,
            invitation_id=invitation_id,
            acting_user=acting_user(request),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is withdrawn.")
            % {"email": invitation.customer_user.email},
        )
    return redirect("storefront:invitations")


@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, token: str):
    """The invited person chooses a password; the account opens and the person is logged in."""
    try:
        invitation = invitations.usable_invitation(token)
    except invitations.InvitationNotUsable as error:
        context = {"problem": error.message}
        return render(request, "storefront/account/invitation_unusable.html", context, status=410)

    invited = invitation.customer_user
    form = SetPasswordForm(invited.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = invitations.accept_invitation(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            login(request, invited.user, backend=LOGIN_BACKEND)
            messages.success(
                request,
                _("Welcome, %(name)s: your account for %(company)s is open.")
                % {"name": invited.user.get_short_name(), "company": invited.company.name},
            )
            return redirect(reverse("storefront:home"))
    context = {"form": form, "invited": invited}
    response = render(request, "storefront/account/accept_invitation.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response
