"""Reads for named lists: the lists a customer user may see, whether it may change one, and
what reordering a past order would add."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, QuerySet, When
from django.utils.translation import gettext as _

from comptoir.accounts.models import Action, CustomerUser
from comptoir.accounts.scoping import visible_to
from comptoir.catalog.models import Product
from comptoir.catalog.queries import audience_of, visible_product_by_sku
from comptoir.core.errors import DomainError, NotOrderable
from comptoir.core.quantities import written
from comptoir.ordering.models import Order, OrderLine, ShoppingList
from comptoir.ordering.quantities import check_line_quantity
from comptoir.ordering.services import sellable_unit, substitute_for
from comptoir.pricing.queries import ResolvedPrice, price_for


def visible_lists_for(customer_user: CustomerUser | None) -> QuerySet[ShoppingList]:
    """The lists ``customer_user`` may see with their line counts: its own first (the cart
    first of all), then its colleagues' as far as its roles reach."""
    own_first = Case(
        When(customer_user=customer_user, then=0), default=1, output_field=IntegerField()
    )
    return (
        visible_to(customer_user, ShoppingList.objects.select_related("customer_user__user"))
        .annotate(line_count=Count("lines"), own_first=own_first)
        .order_by("own_first", "-is_current", "name", "id")
    )


def editable_list_ids(customer_user: CustomerUser | None, shopping_lists) -> set[int]:
    """Which of ``shopping_lists`` ``customer_user`` may change; the others are read-only."""
    ids = [shopping_list.pk for shopping_list in shopping_lists]
    return set(
        visible_to(customer_user, ShoppingList.objects.filter(pk__in=ids), Action.EDIT)
        .values_list("pk", flat=True)
        .order_by()
    )


def can_edit(customer_user: CustomerUser | None, shopping_list: ShoppingList) -> bool:
    """Whether ``customer_user``'s roles let it change ``shopping_list``."""
    return shopping_list.pk in editable_list_ids(customer_user, [shopping_list])


@dataclass(frozen=True)
class ReorderLineCheck:
    """Whether a past order's line can go into the cart today: its price, or why not and the
    product offered instead."""

    order_line: OrderLine
    price: ResolvedPrice | None
    problem: str = ""
    code: str = ""
    substitute: Product | None = None
    # The unit to offer the substitute in: the line's own if the substitute is sold in it.
    substitute_unit: str = ""


def reorder_checks(customer_user: CustomerUser, order: Order) -> list[ReorderLineCheck]:
    """Each line of ``order`` checked as reordering would add it to the cart, without adding.

    The checks are the cart's own (the product sold and visible to the company, the unit sold,
    the unit's quantity rules, a price for the company), so the report says what ``reorder``
    will do.
    """
    audience = audience_of(customer_user.company)
    checks = []
    for line in order.lines.select_related("product").order_by("id"):
        if line.product is None:
            what = line.free_form_product or line.sku or line.product_name
            problem = _("'%(product)s' is not a catalog product") % {"product": what}
            checks.append(ReorderLineCheck(line, None, problem, "not_in_catalog"))
            continue
        try:
            product = visible_product_by_sku(line.product.sku, audience)
            product_unit = sellable_unit(product, line.unit_code)
            quantity = check_line_quantity(product_unit, line.quantity)
            price = price_for(
                company=customer_user.company,
                product=product,
                unit=product_unit.unit,
                quantity=quantity,
            )
            if price is None:
                raise NotOrderable(
                    _("SKU '%(sku)s' has no price for %(quantity)s %(unit)s; ask your sales rep")
                    % {"sku": product.sku, "quantity": written(quantity), "unit": line.unit_code},
                    code="no_price",
                )
        except DomainError as error:
            substitute = substitute_for(line.product, audience)
            checks.append(
                ReorderLineCheck(
                    line,
                    None,
                    error.message,
                    error.code,
                    substitute,
                    substitute_unit_for(substitute, line.unit_code),
                )
            )
        else:
            checks.append(ReorderLineCheck(line, price))
    return checks


def substitute_unit_for(substitute: Product | None, unit_code: str) -> str:
    """``unit_code`` if ``substitute`` is sold in it, else the first unit it is sold in."""
    if substitute is None:
        return ""
    codes = [product_unit.unit.code for product_unit in substitute.sellable_units()]
    if unit_code in codes:
        return unit_code
    return codes[0] if codes else ""
