"""Quantity rules of a product's unit: precision, minimum, maximum and increment."""

from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.catalog.models import ProductUnit
from comptoir.core.errors import InvalidQuantity
from comptoir.core.quantities import check_quantity, plain, written


def check_line_quantity(product_unit: ProductUnit, quantity: Decimal) -> Decimal:
    """Return ``quantity`` for a line of ``product_unit`` if every rule of the unit allows it.

    The unit's precision comes first (more than 0, not too many decimals), then its minimum,
    maximum and increment; increments count from zero, so a case of 6 takes 6, 12, 18.
    """
    unit_code = product_unit.unit.code
    amount = check_quantity(quantity, precision=product_unit.precision, unit_code=unit_code)

    facts = {
        "sku": product_unit.product.sku,
        "unit": unit_code,
        "quantity": written(plain(amount)),
    }
    minimum, maximum = product_unit.min_quantity, product_unit.max_quantity
    if minimum is not None and amount < minimum:
        raise InvalidQuantity(
            _("SKU '%(sku)s': order at least %(minimum)s %(unit)s, not %(quantity)s")
            % {**facts, "minimum": written(plain(minimum))},
            code="below_minimum",
        )
    if maximum is not None and amount > maximum:
        raise InvalidQuantity(
            _("SKU '%(sku)s': order at most %(maximum)s %(unit)s, not %(quantity)s")
            % {**facts, "maximum": written(plain(maximum))},
            code="above_maximum",
        )
    increment = product_unit.quantity_increment
    if increment and amount % increment:
        raise InvalidQuantity(
            not_a_multiple(amount, increment, minimum=minimum, maximum=maximum, facts=facts),
            code="not_a_multiple",
        )
    return amount


def not_a_multiple(
    amount: Decimal,
    increment: Decimal,
    *,
    minimum: Decimal | None,
    maximum: Decimal | None,
    facts: dict[str, str],
) -> str:
    """The message for ``amount`` off the increment, naming the nearest quantities allowed."""
    lower = (amount // increment) * increment
    choices = [
        written(plain(choice))
        for choice in (lower, lower + increment)
        if choice > 0
        and (minimum is None or choice >= minimum)
        and (maximum is None or choice <= maximum)
    ]
    facts = {**facts, "increment": written(plain(increment))}
    if len(choices) == 2:
        return _(
            "SKU '%(sku)s' is sold in multiples of %(increment)s %(unit)s: order %(lower)s or "
            "%(higher)s, not %(quantity)s"
        ) % {**facts, "lower": choices[0], "higher": choices[1]}
    if len(choices) == 1:
        return _(
            "SKU '%(sku)s' is sold in multiples of %(increment)s %(unit)s: order %(choice)s, "
            "not %(quantity)s"
        ) % {**facts, "choice": choices[0]}
    return _("SKU '%(sku)s' is sold in multiples of %(increment)s %(unit)s, not %(quantity)s") % (
        facts
    )
