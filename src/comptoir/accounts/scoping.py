"""The one scoping function: which records of customer data an acting customer user may see.

Every storefront page and API endpoint that reads or changes orders, shopping lists,
addresses, users, tokens or the audit log passes its queryset through ``visible_to`` with the
action it is about to take; nothing filters on its own. The level comes from the user's roles
(``accounts.permissions``) and only reaches down the trees:

- own: records the user owns;
- department: those, and records owned by users of the user's department or any department
  under it (a user without a department sees only its own);
- company: records of the user's company;
- company and subsidiaries: records of the user's company and every company under it.

Records that belong to a company but to no one in it (addresses) count as the company's own:
at the levels own and department they are those of the user's company.
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Address,
    ApiToken,
    AuditEntry,
    Company,
    CustomerRole,
    CustomerUser,
    Department,
    Invitation,
    Resource,
)
from comptoir.accounts.permissions import level_for
from comptoir.core.errors import NotFound, excerpt
from comptoir.invoicing.models import Invoice
from comptoir.ordering.models import Order, ShoppingList, ShoppingListLine


@dataclass(frozen=True)
class Scope:
    """Where a model keeps its company, its owner and its owner's department."""

    resource: str
    company: str
    owner: str | None = None
    department: str | None = None


_SCOPES: dict[type[Model], Scope] = {
    Order: Scope(
        Resource.ORDERS, "company_id", "customer_user_id", "customer_user__department_id"
    ),
    ShoppingList: Scope(
        Resource.SHOPPING_LISTS, "company_id", "customer_user_id", "customer_user__department_id"
    ),
    ShoppingListLine: Scope(
        Resource.SHOPPING_LISTS,
        "shopping_list__company_id",
        "shopping_list__customer_user_id",
        "shopping_list__customer_user__department_id",
    ),
    Invoice: Scope(
        Resource.INVOICES, "company_id", "customer_user_id", "customer_user__department_id"
    ),
    Address: Scope(Resource.ADDRESSES, "company_id"),
    CustomerUser: Scope(Resource.USERS, "company_id", "id", "department_id"),
    Department: Scope(Resource.USERS, "company_id", department="id"),
    Invitation: Scope(
        Resource.USERS,
        "customer_user__company_id",
        "customer_user_id",
        "customer_user__department_id",
    ),
    ApiToken: Scope(
        Resource.USERS,
        "customer_user__company_id",
        "customer_user_id",
        "customer_user__department_id",
    ),
    AuditEntry: Scope(Resource.AUDIT_LOG, "company_id", "actor__customer_user__id"),
    # Custom roles only: the predefined ones belong to no company and every company uses them.
    CustomerRole: Scope(Resource.USERS, "company_id"),
}


def scope_of(model: type[Model]) -> Scope:
    try:
        return _SCOPES[model]
    except KeyError:
        raise LookupError(f"No scope is defined for {model.__name__}") from None


def visible_to[M: Model](
    customer_user: CustomerUser | None, queryset: QuerySet[M], action: str = Action.VIEW
) -> QuerySet[M]:
    """The part of ``queryset`` on which ``customer_user`` may take ``action``."""
    scope = scope_of(queryset.model)
    level = level_for(customer_user, scope.resource, action)
    if customer_user is None or level == AccessLevel.NONE:
        return queryset.none()
    return queryset.filter(_condition(customer_user, scope, level))


def companies_visible_to(
    customer_user: CustomerUser | None, resource: str, action: str = Action.VIEW
) -> QuerySet[Company]:
    """The companies in which ``customer_user`` may take ``action`` on ``resource``: its own,
    and its subsidiaries at the level "company and subsidiaries"."""
    level = level_for(customer_user, resource, action)
    if customer_user is None or level == AccessLevel.NONE:
        return Company.objects.none()
    if level >= AccessLevel.COMPANY_AND_SUBSIDIARIES:
        return Company.objects.filter(pk__in=customer_user.company.subtree_ids())
    return Company.objects.filter(pk=customer_user.company_id)


def _condition(customer_user: CustomerUser, scope: Scope, level: int) -> Q:
    own_company = Q(**{scope.company: customer_user.company_id})
    if level >= AccessLevel.COMPANY_AND_SUBSIDIARIES:
        return Q(**{f"{scope.company}__in": customer_user.company.subtree_ids()})
    if level >= AccessLevel.COMPANY or scope.owner is None and scope.department is None:
        return own_company
    own = Q(**{scope.owner: customer_user.pk}) if scope.owner else Q(pk__in=[])
    if level >= AccessLevel.DEPARTMENT and customer_user.department_id and scope.department:
        departments = customer_user.department.subtree_ids()
        return own_company & (own | Q(**{f"{scope.department}__in": departments}))
    return own_company & own


def get_visible[M: Model](
    customer_user: CustomerUser | None,
    queryset: QuerySet[M],
    action: str = Action.VIEW,
    **lookup,
) -> M:
    """One record ``customer_user`` may take ``action`` on, or ``NotFound`` (whether absent or
    someone else's: the two look the same)."""
    not_found = NotFound(f"No {queryset.model._meta.verbose_name} matches {lookup_text(lookup)}")
    # No record holds a NUL character or an id beyond 64 bits, and databases refuse both.
    if any(
        (isinstance(value, str) and "\x00" in value)
        or (isinstance(value, int) and not -(2**63) <= value < 2**63)
        for value in lookup.values()
    ):
        raise not_found
    try:
        return visible_to(customer_user, queryset, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found from None


def lookup_text(lookup: dict) -> str:
    return ", ".join(
        f"{key.split('__')[0]} {(excerpt(value) if isinstance(value, str) else value)!r}"
        for key, value in lookup.items()
    )
