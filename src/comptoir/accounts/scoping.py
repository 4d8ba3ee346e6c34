"""The one scoping function: which records of customer data an acting customer user may see.

Every storefront page and API endpoint that reads orders, shopping lists or addresses passes
its queryset through ``visible_to``; nothing filters on its own. For now a customer user sees
its company's orders and addresses and its own shopping lists.
"""

from django.db.models import Model, QuerySet

from comptoir.accounts.models import Address, ApiToken, CustomerUser
from comptoir.core.errors import NotFound, excerpt
from comptoir.ordering.models import Order, ShoppingList, ShoppingListLine

# TODO(#3): access levels (own, department, company, company and subsidiaries) per role.
_SCOPES = {
    Order: lambda cu: {"company_id": cu.company_id},
    Address: lambda cu: {"company_id": cu.company_id},
    ShoppingList: lambda cu: {"customer_user_id": cu.pk},
    ShoppingListLine: lambda cu: {"shopping_list__customer_user_id": cu.pk},
    ApiToken: lambda cu: {"customer_user_id": cu.pk},
}


def visible_to[M: Model](customer_user: CustomerUser | None, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` that ``customer_user`` may see; nothing for anyone else."""
    scope = _SCOPES.get(queryset.model)
    if scope is None:
        raise LookupError(f"No scope is defined for {queryset.model.__name__}")
    if customer_user is None:
        return queryset.none()
    return queryset.filter(**scope(customer_user))


def get_visible[M: Model](
    customer_user: CustomerUser | None, queryset: QuerySet[M], **lookup
) -> M:
    """One record ``customer_user`` may see, or ``NotFound`` (whether absent or someone else's)."""
    not_found = NotFound(f"No {queryset.model._meta.verbose_name} matches {lookup_text(lookup)}")
    # No record holds a NUL character, and PostgreSQL refuses to be asked for one.
    if any(isinstance(value, str) and "\x00" in value for value in lookup.values()):
        raise not_found
    try:
        return visible_to(customer_user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found from None


def lookup_text(lookup: dict) -> str:
    return ", ".join(
        f"{key.split('__')[0]} {(excerpt(value) if isinstance(value, str) else value)!r}"
        for key, value in lookup.items()
    )
