"""Invitations: a company administrator asks a person to join as a customer user.

Inviting creates the login (without a usable password, inactive) and the customer user in the
inviter's company or a subsidiary it manages, and sends an e-mail, in the invitee's language,
with a signed link to set a password. The link names one invitation row and works while that
row is pending: not accepted, not revoked, not expired. Resending revokes the pending
invitation and sends a new one, so an older link stops working. Accepting sets the password
and activates the user. Every step is audited.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit, snapshot
from comptoir.accounts.emails import language_of, render_email
from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Company,
    CustomerRole,
    CustomerUser,
    Department,
    Invitation,
    Resource,
    User,
)
from comptoir.accounts.permissions import grants_of, level_for, predefined_roles, require
from comptoir.accounts.scoping import companies_visible_to, get_visible, visible_to
from comptoir.core.errors import DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

_SALT = "comptoir.accounts.invitation"

NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length

PENDING = "pending"
ACCEPTED = "accepted"
REVOKED = "revoked"
EXPIRED = "expired"


class EmailTaken(DomainError):
    code = "email_taken"
    status = 409


class InvitationNotUsable(DomainError):
    """The link names no pending invitation: it is garbled, used, revoked or expired."""

    code = "invitation_not_usable"
    status = 410


def status_of(invitation: Invitation) -> str:
    """``pending``, ``accepted``, ``revoked`` or ``expired``."""
    if invitation.accepted_at is not None:
        return ACCEPTED
    if invitation.revoked_at is not None:
        return REVOKED
    if invitation.expires_at <= timezone.now():
        return EXPIRED
    return PENDING


def invitation_token(invitation: Invitation) -> str:
    """The signed value in an invitation link; it names the invitation and nothing else."""
    return signing.dumps(invitation.pk, salt=_SALT)


def invitation_link(invitation: Invitation, site_url: str) -> str:
    path = reverse("storefront:accept_invitation", args=[invitation_token(invitation)])
    return f"{site_url.rstrip('/')}{path}"


def managing_action(customer_user: CustomerUser) -> str:
    """The action that lets ``customer_user`` invite most widely: users/create or
    users/manage_users, whichever its roles grant at the wider level."""
    return max(
        (Action.CREATE, Action.MANAGE_USERS),
        key=lambda action: level_for(customer_user, Resource.USERS, action),
    )


def invitations_managed_by(customer_user: CustomerUser) -> QuerySet[Invitation]:
    """The invitations ``customer_user`` may see, resend and revoke, newest first; refused to
    a user whose roles do not let it create or manage users."""
    action = managing_action(customer_user)
    require(customer_user, Resource.USERS, action)
    invitations = Invitation.objects.select_related(
        "customer_user__user", "customer_user__company", "customer_user__department", "invited_by"
    )
    return visible_to(customer_user, invitations, action)


def assignable_roles(company: Company) -> list[CustomerRole]:
    """Roles a new user of ``company`` may be given: the predefined ones, then the company's
    custom roles. The inviter's own grants limit them further."""
    custom = CustomerRole.objects.filter(company=company).order_by("name")
    return [*predefined_roles(), *custom]


@transaction.atomic
def invite_customer_user(
    *,
    customer_user: CustomerUser,
    email: str,
    first_name: str,
    last_name: str,
    role_codes: Iterable[str],
    site_url: str,
    company_id: int | None = None,
    department_id: int | None = None,
    language: str = "",
    acting_user: User | None = None,
) -> Invitation:
    """Create an inactive customer user for ``email`` and e-mail it a link to set a password.

    The user joins ``company_id`` (the inviter's company when left out), which must be one the
    inviter manages, in ``department_id`` if given; an inviter limited to its department must
    give one of its departments.
    """
    action = managing_action(customer_user)
    level = level_for(customer_user, Resource.USERS, action)
    if level < AccessLevel.DEPARTMENT:
        raise PermissionDenied(
            _("Your role does not allow you to invite users: ask your company's administrator")
        )
    email = User.objects.normalize_email(email.strip())
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise DomainError(
            _("Give the first and last name of the person you invite"), code="name_missing"
        )
    if max(len(first_name), len(last_name)) > NAME_MAX_LENGTH:
        raise DomainError(
            _("A first or last name is longer than %(limit)d characters")
            % {"limit": NAME_MAX_LENGTH},
            code="name_too_long",
        )
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("'%(email)s' is not an e-mail address") % {"email": email}, code="email_invalid"
        ) from None
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError(
            _("Unknown language '%(language)s'") % {"language": language},
            code="language_unknown",
        )
    company = _target_company(customer_user, company_id, action)
    department = _target_department(customer_user, company, department_id, action, level)
    roles = _roles_to_give(customer_user, company, role_codes)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(_email_taken_message(email))

    try:
        with transaction.atomic():
            user = User(
                email=email,
                first_name=first_name,
                last_name=last_name,
                language=language,
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
    except IntegrityError:
        # Someone created the same e-mail a moment ago.
        raise EmailTaken(_email_taken_message(email)) from None
    invited = CustomerUser.objects.create(user=user, company=company, department=department)
    invited.roles.set(roles)
    actor = acting_user or customer_user.user
    invitation = issue_invitation(invited=invited, invited_by=actor, site_url=site_url)

    record_audit(
        actor=actor,
        on_behalf_of=customer_user if acting_user else None,
        company=company,
        action="customer_user.invited",
        instance=invited,
        after={
            **snapshot(user, ["email", "first_name", "last_name", "language", "is_active"]),
            **snapshot(invited, ["company", "department", "roles"]),
            "invitation_expires_at": invitation.expires_at,
        },
    )
    logger.info("invitation %s of %s sent by %s", invitation.pk, email, actor.email)
    return invitation


def issue_invitation(*, invited: CustomerUser, invited_by: User, site_url: str) -> Invitation:
    """A new invitation of ``invited``, e-mailed once the caller's transaction commits; call
    inside it, after checking that ``invited_by`` may invite."""
    invitation = Invitation.objects.create(
        customer_user=invited,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.COMPTOIR_INVITATION_DAYS),
    )
    _send_after_commit(invitation, site_url)
    return invitation


@transaction.atomic
def resend_invitation(
    *,
    customer_user: CustomerUser,
    invitation_id: int,
    site_url: str,
    acting_user: User | None = None,
) -> Invitation:
    """Send a new invitation to a user who has not accepted; the previous link stops working.

    An expired or revoked invitation may be sent again; an accepted one may not.
    """
    previous = _managed_invitation(customer_user, invitation_id, for_update=True)
    if status_of(previous) == ACCEPTED:
        raise DomainError(
            _("%(email)s has already accepted the invitation and can log in")
            % {"email": previous.customer_user.email},
            code="invitation_accepted",
        )
    invited = previous.customer_user
    if invited.user.has_usable_password():
        raise DomainError(
            _("%(email)s already has a password: they can reset it from the login page")
            % {"email": invited.email},
            code="invitation_not_needed",
        )

    now = timezone.now()
    Invitation.objects.filter(
        customer_user=invited, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    actor = acting_user or customer_user.user
    invitation = Invitation.objects.create(
        customer_user=invited,
        invited_by=actor,
        expires_at=now + timedelta(days=settings.COMPTOIR_INVITATION_DAYS),
    )

    record_audit(
        actor=actor,
        on_behalf_of=customer_user if acting_user else None,
        company=invited.company,
        action="customer_user.invitation_resent",
        instance=invited,
        before={"invitation": previous.pk, "invitation_expires_at": previous.expires_at},
        after={"invitation": invitation.pk, "invitation_expires_at": invitation.expires_at},
    )
    _send_after_commit(invitation, site_url)
    logger.info("invitation %s of %s resent as %s", previous.pk, invited.email, invitation.pk)
    return invitation


@transaction.atomic
def revoke_invitation(
    *, customer_user: CustomerUser, invitation_id: int, acting_user: User | None = None
) -> Invitation:
    """Make a pending invitation's link stop working; the invited user stays inactive."""
    invitation = _managed_invitation(customer_user, invitation_id, for_update=True)
    status = status_of(invitation)
    if status == ACCEPTED:
        raise DomainError(
            _("%(email)s has already accepted the invitation: disable the user instead")
            % {"email": invitation.customer_user.email},
            code="invitation_accepted",
        )
    if status == REVOKED:
        return invitation

    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])

    record_audit(
        actor=acting_user or customer_user.user,
        on_behalf_of=customer_user if acting_user else None,
        company=invitation.customer_user.company,
        action="customer_user.invitation_revoked",
        instance=invitation.customer_user,
        before={"invitation": invitation.pk, "invitation_revoked_at": None},
        after={"invitation": invitation.pk, "invitation_revoked_at": invitation.revoked_at},
    )
    logger.info("invitation %s of %s revoked", invitation.pk, invitation.customer_user.email)
    return invitation


def revoke_pending_invitations(*, invited: CustomerUser) -> int:
    """Revoke every pending invitation of ``invited`` (when it is disabled); call inside the
    caller's transaction, which audits the change it is part of."""
    return Invitation.objects.filter(
        customer_user=invited, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def usable_invitation(token: str) -> Invitation:
    """The pending invitation a link names, or ``InvitationNotUsable`` saying why not."""
    invitation = _invitation_named(token, for_update=False)
    _check_usable(invitation)
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> CustomerUser:
    """Set the invited user's password from the link, activate it and close the invitation.

    The password must pass the site's password validators.
    """
    invitation = _invitation_named(token, for_update=True)
    _check_usable(invitation)
    invited = invitation.customer_user
    user = invited.user
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="password_invalid") from None

    before = snapshot(user, ["is_active"])
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])

    record_audit(
        actor=user,
        company=invited.company,
        action="customer_user.invitation_accepted",
        instance=invited,
        before={**before, "invitation": invitation.pk},
        after={**snapshot(user, ["is_active"]), "invitation": invitation.pk},
    )
    logger.info("invitation %s accepted by %s", invitation.pk, user.email)
    return invited


@task
def send_invitation_email(invitation_id: int, site_url: str) -> bool:
    """Send the invitation e-mail, in the invitee's language; False if it is no longer pending
    (revoked or resent before the e-mail left)."""
    invitation = (
        Invitation.objects.select_related(
            "customer_user__user", "customer_user__company", "invited_by"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or status_of(invitation) != PENDING:
        logger.info("invitation %s is no longer pending: no e-mail sent", invitation_id)
        return False

    user = invitation.customer_user.user
    context = {
        "user": user,
        "company": invitation.customer_user.company,
        "invited_by": invitation.invited_by,
        "link": invitation_link(invitation, site_url),
        "expires_at": invitation.expires_at,
        "shop_name": settings.COMPTOIR_SHOP_NAME,
    }
    with translation.override(language_of(user)):
        message = render_email("accounts/email/invitation", context, to=user.email)
    message.send()

    logger.info("invitation %s e-mailed to %s", invitation.pk, user.email)
    return True


def _send_after_commit(invitation: Invitation, site_url: str) -> None:
    transaction.on_commit(
        partial(send_invitation_email.enqueue, invitation_id=invitation.pk, site_url=site_url)
    )


def _managed_invitation(
    customer_user: CustomerUser, invitation_id: int, *, for_update: bool
) -> Invitation:
    invitations = invitations_managed_by(customer_user)
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    try:
        return invitations.get(pk=invitation_id)
    except Invitation.DoesNotExist:
        raise NotFound(
            _("No invitation matches id %(id)s") % {"id": invitation_id}, code="not_found"
        ) from None


def _invitation_named(token: str, *, for_update: bool) -> Invitation:
    try:
        invitation_id = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        invitation_id = None
    invitations = Invitation.objects.select_related(
        "customer_user__user", "customer_user__company"
    )
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=invitation_id).first() if invitation_id else None
    if invitation is None:
        raise InvitationNotUsable(
            _(
                "This invitation link is not valid: copy the whole link from the e-mail, or ask "
                "your company's administrator to send the invitation again"
            )
        )
    return invitation


def _check_usable(invitation: Invitation) -> None:
    status = status_of(invitation)
    if status == ACCEPTED:
        raise InvitationNotUsable(
            _(
                "This invitation has already been used: log in with your e-mail and password, "
                "or reset your password from the login page"
            )
        )
    if status == REVOKED:
        raise InvitationNotUsable(
            _(
                "This invitation was withdrawn or replaced by a newer one: use the latest "
                "e-mail, or ask your company's administrator to send it again"
            )
        )
    if status == EXPIRED:
        raise InvitationNotUsable(
            _("This invitation has expired: ask your company's administrator to send it again")
        )


def _target_company(customer_user: CustomerUser, company_id: int | None, action: str) -> Company:
    if company_id is None:
        return customer_user.company
    company = companies_visible_to(customer_user, Resource.USERS, action).filter(pk=company_id)
    if not company:
        raise NotFound(
            _("No company you manage matches id %(id)s") % {"id": company_id},
            code="company_not_found",
        )
    return company[0]


def _target_department(
    customer_user: CustomerUser,
    company: Company,
    department_id: int | None,
    action: str,
    level: int,
) -> Department | None:
    if department_id is None:
        if level < AccessLevel.COMPANY:
            raise DomainError(
                _("Choose one of your departments for the user you invite"),
                code="department_required",
            )
        return None
    try:
        return get_visible(
            customer_user, Department.objects.filter(company=company), action, pk=department_id
        )
    except NotFound:
        raise NotFound(
            _("No department of %(company)s that you manage matches id %(id)s")
            % {"company": company.name, "id": department_id},
            code="department_not_found",
        ) from None


def _roles_to_give(
    customer_user: CustomerUser, company: Company, role_codes: Iterable[str]
) -> list[CustomerRole]:
    codes = {code.strip().lower() for code in role_codes if code.strip()}
    if not codes:
        raise DomainError(_("Give the invited user at least one role"), code="roles_missing")
    available = {role.code: role for role in assignable_roles(company)}
    roles = {code: available[code] for code in codes if code in available}
    unknown = sorted(codes - roles.keys())
    if unknown:
        raise DomainError(
            _("Unknown role %(codes)s for %(company)s; the roles are: %(known)s")
            % {
                "codes": ", ".join(unknown),
                "company": company.name,
                "known": ", ".join(sorted(available)),
            },
            code="role_unknown",
        )

    own = grants_of(customer_user)
    for role in roles.values():
        for permission in role.permissions.all():
            if own.get((permission.resource, permission.action), AccessLevel.NONE) < (
                permission.access_level
            ):
                raise PermissionDenied(
                    _("You cannot give the role %(role)s: it allows more than your own roles do")
                    % {"role": role.name}
                )
    return sorted(roles.values(), key=lambda role: role.code)


def _email_taken_message(email: str) -> str:
    return _(
        "%(email)s already has an account: they can log in, or reset their password from the "
        "login page. A user of another company cannot be invited."
    ) % {"email": email}
