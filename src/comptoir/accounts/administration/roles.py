"""Custom roles: a company's own sets of grants, composed by its administrator."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.accounts.administration.common import (
    COMPANY_WIDE,
    LEVEL_NAMES,
    MANAGE_USERS,
    USERS,
    InUse,
    InvalidValue,
    clean_text,
    company_for,
    keep_a_user_manager,
    level_name,
    listed_names,
    lock_company,
    record_change,
    user_managers,
)
from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Company,
    CustomerRole,
    CustomerUser,
    Resource,
    RolePermission,
    User,
)
from comptoir.accounts.permissions import check_grants, level_for, predefined_roles, require
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import DomainError, PermissionDenied

logger = logging.getLogger(__name__)


def roles_visible_to(customer_user: CustomerUser) -> list[CustomerRole]:
    """The predefined roles, then the custom roles of the companies whose users
    ``customer_user`` manages, each with its grants."""
    require(customer_user, USERS, MANAGE_USERS)
    custom = visible_to(
        customer_user, CustomerRole.objects.select_related("company"), MANAGE_USERS
    )
    roles = [*predefined_roles_in_order(), *custom.order_by("company__name", "name")]
    prefetch_related_objects(roles, "permissions")
    return roles


def role_for(customer_user: CustomerUser, role_id: int) -> CustomerRole:
    """One role ``customer_user`` may see: a predefined one, or a custom role it manages."""
    require(customer_user, USERS, MANAGE_USERS)
    role = next((role for role in predefined_roles_in_order() if role.pk == role_id), None)
    if role is None:
        role = get_visible(
            customer_user, CustomerRole.objects.select_related("company"), MANAGE_USERS, pk=role_id
        )
    prefetch_related_objects([role], "permissions")
    return role


def grants_of_role(role: CustomerRole) -> dict[tuple[str, str], int]:
    """What a role grants: (resource, action) -> access level."""
    return {(p.resource, p.action): p.access_level for p in role.permissions.all()}


def role_snapshot(role: CustomerRole) -> dict[str, Any]:
    """A role as the audit log keeps it."""
    grants = grants_of_role(role)
    return {
        "name": role.name,
        "grants": {f"{r}.{a}": level_name(grants[r, a]) for r, a in sorted(grants)},
    }


def create_role(
    *,
    customer_user: CustomerUser,
    name: str,
    grants: Iterable[tuple[str, str, int | str]],
    company_id: int | None = None,
    acting_user: User | None = None,
) -> CustomerRole:
    """Make a custom role for the caller's company (or a subsidiary it manages).

    ``grants`` are (resource, action, level), the level a number or a name ("own"); nobody
    grants more than its own roles do.
    """
    require_role_management(customer_user)
    name = clean_text(name, "name", _("The role's name"), 100, required=True)
    wanted = _checked_grants(customer_user, grants)

    with transaction.atomic():
        company = company_for(customer_user, company_id, USERS, MANAGE_USERS)
        lock_company(company.pk)
        _check_role_name(company, name)
        role = CustomerRole.objects.create(
            code=_role_code(company, name), name=name, company=company
        )
        RolePermission.objects.bulk_create(
            RolePermission(role=role, resource=r, action=a, access_level=level)
            for (r, a), level in wanted.items()
        )
        record_change(
            customer_user, acting_user, company, "role.created", role, None, role_snapshot(role)
        )

    logger.info("role %s created for %s by %s", role.code, company.name, customer_user.email)
    return role


def update_role(
    *,
    customer_user: CustomerUser,
    role_id: int,
    name: str | None = None,
    grants: Iterable[tuple[str, str, int | str]] | None = None,
    acting_user: User | None = None,
) -> CustomerRole:
    """Rename a custom role or replace its grants; its code stays."""
    require_role_management(customer_user)
    name = clean_text(name, "name", _("The role's name"), 100, required=True)
    wanted = None if grants is None else _checked_grants(customer_user, grants)

    with transaction.atomic():
        role = _custom_role(customer_user, role_id)
        lock_company(role.company_id)
        managers_before = user_managers(role.company_id)
        before = role_snapshot(role)
        if name is not None and name != role.name:
            _check_role_name(role.company, name, role=role)
            role.name = name
            role.save(update_fields=["name"])
        if wanted is not None:
            current = grants_of_role(role)
            changed = {
                key: max(current.get(key, 0), wanted.get(key, 0))
                for key in current.keys() | wanted.keys()
                if current.get(key) != wanted.get(key)
            }
            if beyond := beyond_own_grants(customer_user, changed):
                raise PermissionDenied(
                    _("You cannot change grants beyond your own: %(grants)s.")
                    % {"grants": "; ".join(beyond)},
                )
            role.permissions.all().delete()
            RolePermission.objects.bulk_create(
                RolePermission(role=role, resource=r, action=a, access_level=level)
                for (r, a), level in wanted.items()
            )
            role = CustomerRole.objects.select_related("company").get(pk=role.pk)
            keep_a_user_manager(role.company, managers_before)
        after = role_snapshot(role)
        record_change(
            customer_user, acting_user, role.company, "role.updated", role, before, after
        )

    if before != after:
        logger.info("role %s of %s updated by %s", role.code, role.company, customer_user.email)
    return role


def delete_role(
    *, customer_user: CustomerUser, role_id: int, acting_user: User | None = None
) -> None:
    """Delete a custom role that nobody holds."""
    require_role_management(customer_user)

    with transaction.atomic():
        role = _custom_role(customer_user, role_id)
        holders = list(role.customer_users.select_related("user").order_by("user__email"))
        if holders:
            raise InUse(
                _("The role %(role)s is held by %(holders)s: give them another role first.")
                % {"role": role.name, "holders": listed_names([h.email for h in holders])},
                code="role_in_use",
            )
        before = role_snapshot(role)
        record_change(customer_user, acting_user, role.company, "role.deleted", role, before, None)
        role.delete()

    logger.info("role %s deleted by %s", before["name"], customer_user.email)


def require_role_management(customer_user: CustomerUser) -> int:
    """The level at which ``customer_user`` manages users, if it may manage roles."""
    level = require(customer_user, USERS, MANAGE_USERS)
    if level < COMPANY_WIDE:
        raise PermissionDenied(
            _(
                "Roles apply to a whole company: managing them takes the right to manage the "
                "users of the company; ask your company's administrator."
            )
        )
    return level


def _custom_role(customer_user: CustomerUser, role_id: int) -> CustomerRole:
    if any(role.pk == role_id for role in predefined_roles_in_order()):
        raise DomainError(
            _("The predefined roles cannot be changed: make a custom role instead."),
            code="role_predefined",
        )
    return get_visible(
        customer_user,
        CustomerRole.objects.select_related("company").prefetch_related("permissions"),
        MANAGE_USERS,
        pk=role_id,
    )


def _checked_grants(
    customer_user: CustomerUser, grants: Iterable[tuple[str, str, int | str]]
) -> dict[tuple[str, str], int]:
    problems, wanted = [], {}
    for resource, action, level in grants:
        number = LEVEL_NAMES.get(level, -1) if isinstance(level, str) else level
        if number == -1:
            known = ", ".join(LEVEL_NAMES)
            problems.append(
                _("unknown access level '%(level)s' (known: %(known)s)")
                % {"level": level, "known": known}
            )
            continue
        problems.extend(check_grants([(resource, action, number)]))
        if (resource, action) in wanted:
            problems.append(
                _("%(resource)s.%(action)s is granted twice")
                % {"resource": resource, "action": action}
            )
        if number != AccessLevel.NONE:
            wanted[resource, action] = number
    if problems:
        raise InvalidValue("; ".join(problems), field="grants", code="grants_invalid")
    if beyond := beyond_own_grants(customer_user, wanted):
        raise PermissionDenied(
            _("You cannot grant more than your own roles do: %(grants)s.")
            % {"grants": "; ".join(beyond)},
        )
    return wanted


def beyond_own_grants(
    customer_user: CustomerUser, grants: dict[tuple[str, str], int]
) -> list[str]:
    """The ``grants`` wider than ``customer_user``'s own roles give, described for a person."""
    beyond = []
    for (resource, action), level in sorted(grants.items()):
        own = level_for(customer_user, resource, action)
        if level > own:
            beyond.append(
                _("%(action)s %(resource)s at %(level)s (yours: %(own)s)")
                % {
                    "action": Action(action).label.lower(),
                    "resource": Resource(resource).label.lower(),
                    "level": AccessLevel(level).label,
                    "own": AccessLevel(own).label,
                }
            )
    return beyond


def _check_role_name(company: Company, name: str, role: CustomerRole | None = None) -> None:
    same = CustomerRole.objects.filter(Q(company=company) | Q(company__isnull=True)).filter(
        name__iexact=name
    )
    if role is not None:
        same = same.exclude(pk=role.pk)
    if same.exists():
        raise InvalidValue(
            _("A role named %(name)s already exists for %(company)s.")
            % {"name": name, "company": company.name},
            field="name",
            code="role_name_taken",
        )


def _role_code(company: Company, name: str) -> str:
    base = slugify(name)[:40] or "role"
    taken = set(
        CustomerRole.objects.filter(Q(company=company) | Q(company__isnull=True))
        .filter(code__startswith=base)
        .values_list("code", flat=True)
    )
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def predefined_roles_in_order() -> list[CustomerRole]:
    """Administrator, Buyer, Viewer: the widest first."""
    order = CustomerRole.PREDEFINED
    return sorted(predefined_roles(), key=lambda role: order.index(role.code))
