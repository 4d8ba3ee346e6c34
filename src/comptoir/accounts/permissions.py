"""Which actions a customer user's roles grant, and at which access level.

The predefined roles are defined here as data; a migration installs them and later ones can
install them again after a change. Custom roles are composed by a company's administrator.
"""

from collections.abc import Iterable

from comptoir.accounts.models import (
    AccessLevel,
    Action,
    CustomerRole,
    CustomerUser,
    Resource,
    RolePermission,
)
from comptoir.core.errors import PermissionDenied

A, R, L = Action, Resource, AccessLevel

# The actions that mean something for each resource; a role grants only these.
RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    R.ORDERS: (A.VIEW, A.CREATE, A.EDIT, A.DELETE, A.PLACE_ORDER, A.REORDER),
    R.SHOPPING_LISTS: (A.VIEW, A.CREATE, A.EDIT, A.DELETE, A.PLACE_ORDER),
    R.ADDRESSES: (A.VIEW, A.CREATE, A.EDIT, A.DELETE),
    R.USERS: (A.VIEW, A.CREATE, A.EDIT, A.DELETE, A.MANAGE_USERS),
    R.INVOICES: (A.VIEW,),
    R.QUOTES: (A.VIEW, A.CREATE, A.EDIT, A.DELETE),
    R.APPROVALS: (A.VIEW, A.EDIT),
    R.AUDIT_LOG: (A.VIEW,),
}


def _all(level: int) -> dict[tuple[str, str], int]:
    return {
        (resource, action): level
        for resource, actions in RESOURCE_ACTIONS.items()
        for action in actions
    }


# name, and the grants of each predefined role.
PREDEFINED_ROLES: dict[str, tuple[str, dict[tuple[str, str], int]]] = {
    "administrator": ("Administrator", _all(L.COMPANY_AND_SUBSIDIARIES)),
    "buyer": (
        "Buyer",
        {
            (R.ORDERS, A.VIEW): L.OWN,
            (R.ORDERS, A.CREATE): L.OWN,
            (R.ORDERS, A.PLACE_ORDER): L.OWN,
            (R.ORDERS, A.REORDER): L.OWN,
            (R.SHOPPING_LISTS, A.VIEW): L.OWN,
            (R.SHOPPING_LISTS, A.CREATE): L.OWN,
            (R.SHOPPING_LISTS, A.EDIT): L.OWN,
            (R.SHOPPING_LISTS, A.DELETE): L.OWN,
            (R.SHOPPING_LISTS, A.PLACE_ORDER): L.OWN,
            (R.ADDRESSES, A.VIEW): L.COMPANY,
            (R.USERS, A.VIEW): L.OWN,
            (R.USERS, A.EDIT): L.OWN,
            (R.INVOICES, A.VIEW): L.OWN,
            (R.QUOTES, A.VIEW): L.OWN,
            (R.QUOTES, A.CREATE): L.OWN,
        },
    ),
    "viewer": (
        "Viewer",
        {
            (R.ORDERS, A.VIEW): L.COMPANY,
            (R.SHOPPING_LISTS, A.VIEW): L.COMPANY,
            (R.ADDRESSES, A.VIEW): L.COMPANY,
            (R.USERS, A.VIEW): L.OWN,
            (R.INVOICES, A.VIEW): L.COMPANY,
            (R.QUOTES, A.VIEW): L.COMPANY,
        },
    ),
}


def install_predefined_roles(customer_role_model, role_permission_model) -> None:
    """Create or bring up to date the predefined roles and their grants.

    Takes the model classes so a migration can pass its historical models.
    """
    for code, (name, grants) in PREDEFINED_ROLES.items():
        role, _ = customer_role_model.objects.update_or_create(
            code=code, company=None, defaults={"name": name}
        )
        for (resource, action), level in grants.items():
            role_permission_model.objects.update_or_create(
                role=role, resource=resource, action=action, defaults={"access_level": level}
            )
        stale = [
            permission.pk
            for permission in role_permission_model.objects.filter(role=role)
            if (permission.resource, permission.action) not in grants
        ]
        role_permission_model.objects.filter(pk__in=stale).delete()


def predefined_roles() -> list[CustomerRole]:
    """The predefined roles, installed first if they are missing (a flushed test database)."""
    roles = list(CustomerRole.objects.filter(company__isnull=True, code__in=PREDEFINED_ROLES))
    if len(roles) < len(PREDEFINED_ROLES):
        install_predefined_roles(CustomerRole, RolePermission)
        roles = list(CustomerRole.objects.filter(company__isnull=True, code__in=PREDEFINED_ROLES))
    return roles


def predefined_role(code: str) -> CustomerRole:
    return next(role for role in predefined_roles() if role.code == code)


def grants_of(customer_user: CustomerUser) -> dict[tuple[str, str], int]:
    """Every (resource, action) the user's roles grant, at the widest level any grants.

    Cached on the customer user object for the length of a request.
    """
    cached = getattr(customer_user, "_grants", None)
    if cached is not None:
        return cached
    grants: dict[tuple[str, str], int] = {}
    roles = customer_user.roles.prefetch_related("permissions")
    for role in roles:
        for permission in role.permissions.all():
            key = (permission.resource, permission.action)
            grants[key] = max(grants.get(key, L.NONE), permission.access_level)
    customer_user._grants = grants
    return grants


def level_for(customer_user: CustomerUser | None, resource: str, action: str) -> int:
    """The access level at which ``customer_user`` may do ``action`` on ``resource``."""
    if customer_user is None or not customer_user.user.is_active:
        return L.NONE
    return grants_of(customer_user).get((resource, action), L.NONE)


def can(customer_user: CustomerUser | None, resource: str, action: str) -> bool:
    return level_for(customer_user, resource, action) > L.NONE


def require(customer_user: CustomerUser | None, resource: str, action: str) -> int:
    """The level granted for ``action`` on ``resource``, or ``PermissionDenied``."""
    level = level_for(customer_user, resource, action)
    if level == L.NONE:
        raise PermissionDenied(
            f"Your role does not allow you to {Action(action).label.lower()} "
            f"{Resource(resource).label.lower()}; ask your company's administrator"
        )
    return level


def check_grants(grants: Iterable[tuple[str, str, int]]) -> list[str]:
    """Problems in a list of (resource, action, level) a custom role would grant."""
    problems = []
    for resource, action, level in grants:
        if resource not in RESOURCE_ACTIONS:
            problems.append(f"unknown resource '{resource}'")
        elif action not in RESOURCE_ACTIONS[resource]:
            allowed = ", ".join(RESOURCE_ACTIONS[resource])
            problems.append(f"'{action}' does not apply to {resource} (allowed: {allowed})")
        if level not in AccessLevel.values:
            problems.append(f"unknown access level {level!r}")
    return problems
