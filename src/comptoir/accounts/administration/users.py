"""A company's customer users: details, department, roles, and disabling them."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from comptoir.accounts.administration.common import (
    KEEP,
    MANAGE_USERS,
    USERS,
    InvalidValue,
    Keep,
    clean_text,
    keep_a_user_manager,
    lock_company,
    record_change,
    user_managers,
)
from comptoir.accounts.administration.departments import department_for
from comptoir.accounts.administration.roles import (
    beyond_own_grants,
    grants_of_role,
    predefined_roles_in_order,
)
from comptoir.accounts.audit import snapshot
from comptoir.accounts.invitations import revoke_pending_invitations
from comptoir.accounts.models import (
    Action,
    CustomerRole,
    CustomerUser,
    Department,
    User,
)
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import DomainError, PermissionDenied

logger = logging.getLogger(__name__)


def customer_users_visible_to(
    customer_user: CustomerUser,
    *,
    action: str = Action.VIEW,
    company_id: int | None = None,
    department_id: int | None = None,
    is_active: bool | None = None,
) -> QuerySet[CustomerUser]:
    """The customer users ``customer_user`` may take ``action`` on, by company and e-mail."""
    require(customer_user, USERS, action)
    members = visible_to(
        customer_user,
        CustomerUser.objects.select_related("user", "company", "department").prefetch_related(
            "roles"
        ),
        action,
    )
    if company_id is not None:
        members = members.filter(company_id=company_id)
    if department_id is not None:
        members = members.filter(department_id=department_id)
    if is_active is not None:
        members = members.filter(user__is_active=is_active)
    return members.order_by("company__name", "user__email")


def customer_user_for(
    customer_user: CustomerUser, customer_user_id: int, action: str = Action.VIEW
) -> CustomerUser:
    """One customer user ``customer_user`` may take ``action`` on."""
    require(customer_user, USERS, action)
    return get_visible(
        customer_user,
        CustomerUser.objects.select_related("user", "company", "department"),
        action,
        pk=customer_user_id,
    )


def customer_user_snapshot(member: CustomerUser) -> dict[str, Any]:
    """A customer user as the audit log keeps it."""
    return {
        **snapshot(member.user, ("email", "first_name", "last_name", "is_active")),
        "department": member.department.name if member.department_id else None,
        "roles": sorted(role.name for role in member.roles.all()),
    }


def update_customer_user(
    *,
    customer_user: CustomerUser,
    customer_user_id: int,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    department_id: int | None | Keep = KEEP,
    role_codes: Iterable[str] | None = None,
    acting_user: User | None = None,
) -> CustomerUser:
    """Change a customer user's e-mail, names, department or roles; what is left out is kept.

    The e-mail and names take the right to edit users; the department and the roles, the
    right to manage them. ``role_codes`` replace the user's roles.
    """
    edits_details = any(value is not None for value in (email, first_name, last_name))
    edits_membership = department_id is not KEEP or role_codes is not None
    actions = [Action.EDIT] * edits_details + [MANAGE_USERS] * edits_membership or [Action.VIEW]
    for action in actions:
        require(customer_user, USERS, action)

    with transaction.atomic():
        member = customer_user_for(customer_user, customer_user_id, actions[0])
        for action in actions[1:]:
            customer_user_for(customer_user, customer_user_id, action)
        lock_company(member.company_id)
        managers_before = user_managers(member.company_id)
        before = customer_user_snapshot(member)

        details = {
            "email": None if email is None else _free_email(email, member.user),
            "first_name": clean_text(first_name, "first_name", _("The first name"), 150),
            "last_name": clean_text(last_name, "last_name", _("The last name"), 150),
        }
        changed = [name for name, value in details.items() if value is not None]
        for name in changed:
            setattr(member.user, name, details[name])
        if changed:
            member.user.save(update_fields=changed)
        if department_id is not KEEP:
            member.department = _department_of(customer_user, member, department_id)
            member.save(update_fields=["department"])
        if role_codes is not None:
            roles = _roles_named(customer_user, member, role_codes)
            _check_role_change(customer_user, set(member.roles.all()), set(roles))
            member.roles.set(roles)
            _forget_grants(member, customer_user)
        keep_a_user_manager(member.company, managers_before)

        after = customer_user_snapshot(member)
        record_change(
            customer_user,
            acting_user,
            member.company,
            "customer_user.updated",
            member,
            before,
            after,
        )

    if before != after:
        logger.info("customer user %s updated by %s", member.email, customer_user.email)
    return member


def disable_customer_user(
    *, customer_user: CustomerUser, customer_user_id: int, acting_user: User | None = None
) -> CustomerUser:
    """Stop a customer user from logging in; its sessions and API tokens stop working too."""
    return _set_active(customer_user, customer_user_id, False, acting_user)


def enable_customer_user(
    *, customer_user: CustomerUser, customer_user_id: int, acting_user: User | None = None
) -> CustomerUser:
    """Let a disabled customer user log in again."""
    return _set_active(customer_user, customer_user_id, True, acting_user)


def _set_active(
    customer_user: CustomerUser, customer_user_id: int, active: bool, acting_user: User | None
) -> CustomerUser:
    require(customer_user, USERS, MANAGE_USERS)

    with transaction.atomic():
        member = customer_user_for(customer_user, customer_user_id, MANAGE_USERS)
        if not active and member.pk == customer_user.pk:
            raise DomainError(
                _("You cannot disable your own account; another administrator can."),
                code="disable_self",
            )
        lock_company(member.company_id)
        managers_before = user_managers(member.company_id)
        # An invited user is inactive until it accepts: disabling it must also void the link.
        revoked = 0 if active else revoke_pending_invitations(invited=member)
        if revoked:
            record_change(
                customer_user,
                acting_user,
                member.company,
                "customer_user.invitation_revoked",
                member,
                {"pending_invitations": revoked},
                {"pending_invitations": 0},
            )
        if member.user.is_active == active:
            return member
        member.user.is_active = active
        member.user.save(update_fields=["is_active"])
        keep_a_user_manager(member.company, managers_before)
        action = "customer_user.enabled" if active else "customer_user.disabled"
        record_change(
            customer_user,
            acting_user,
            member.company,
            action,
            member,
            {"is_active": not active},
            {"is_active": active},
        )

    logger.info("customer user %s %s by %s", member.email, action, customer_user.email)
    return member


def assignable_roles(customer_user: CustomerUser, member: CustomerUser) -> list[CustomerRole]:
    """The roles ``member`` may be given: the predefined ones and its company's custom roles."""
    require(customer_user, USERS, MANAGE_USERS)
    custom = visible_to(
        customer_user, CustomerRole.objects.filter(company_id=member.company_id), MANAGE_USERS
    )
    return [*predefined_roles_in_order(), *custom.order_by("name")]


def _free_email(email: str, user: User) -> str:
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValue(
            _("'%(email)s' is not an e-mail address.") % {"email": email},
            field="email",
            code="email_invalid",
        ) from None
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise InvalidValue(
            _("The e-mail %(email)s is already used by another account.") % {"email": email},
            field="email",
            code="email_taken",
        )
    return email


def _department_of(
    customer_user: CustomerUser, member: CustomerUser, department_id: int | None
) -> Department | None:
    if department_id is None:
        return None
    department = department_for(customer_user, department_id, MANAGE_USERS)
    if department.company_id != member.company_id:
        raise InvalidValue(
            _("The department %(department)s belongs to %(other)s, not to %(company)s.")
            % {
                "department": department.name,
                "other": department.company.name,
                "company": member.company.name,
            },
            field="department",
            code="department_other_company",
        )
    return department


def _roles_named(
    customer_user: CustomerUser, member: CustomerUser, codes: Iterable[str]
) -> list[CustomerRole]:
    available = {role.code: role for role in assignable_roles(customer_user, member)}
    wanted = {code.strip().lower() for code in codes}
    if unknown := sorted(wanted - available.keys()):
        raise InvalidValue(
            _("Unknown role %(codes)s for %(company)s; the roles are: %(known)s.")
            % {
                "codes": ", ".join(unknown),
                "company": member.company.name,
                "known": ", ".join(sorted(available)),
            },
            field="roles",
            code="role_unknown",
        )
    return [available[code] for code in sorted(wanted)]


def _check_role_change(
    customer_user: CustomerUser, current: set[CustomerRole], wanted: set[CustomerRole]
) -> None:
    for role in sorted(current ^ wanted, key=lambda role: role.name):
        if beyond := beyond_own_grants(customer_user, grants_of_role(role)):
            raise PermissionDenied(
                _(
                    "You cannot give or take the role %(role)s: it grants more than your own "
                    "roles (%(grants)s)."
                )
                % {"role": role.name, "grants": "; ".join(beyond)},
            )


def _forget_grants(*customer_users: CustomerUser) -> None:
    # ``permissions.grants_of`` caches a user's grants on the object for a request.
    for each in customer_users:
        each.__dict__.pop("_grants", None)
