"""Quantities: parsed from what people type, checked against a unit's precision."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.core.errors import InvalidQuantity, excerpt

MAX_QUANTITY = Decimal(1_000_000_000)


# Digits 0-9 with an optional point: no exponent ("1e3"), no other script's digits.
_WRITTEN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """Read a quantity written with a decimal point; refuse anything else with a clear message."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        raw = str(text).strip()
        if raw and not _WRITTEN_NUMBER.fullmatch(raw) and "," not in raw:
            raise InvalidQuantity(not_a_number(raw))
        if "," in raw:
            raise InvalidQuantity(
                _(
                    "Quantity '%(quantity)s' is not a number: write decimals with a point, "
                    "as in '%(example)s'"
                )
                % {"quantity": excerpt(raw), "example": excerpt(raw.replace(",", "."))}
            )
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InvalidQuantity(not_a_number(raw)) from None
    if not value.is_finite():
        raise InvalidQuantity(not_a_number(str(text)))
    return value


def not_a_number(text: str) -> str:
    return _("Quantity '%(quantity)s' is not a number") % {"quantity": excerpt(text)}


def check_quantity(quantity: Decimal, *, precision: int, unit_code: str) -> Decimal:
    """Return ``quantity`` if it is positive and fits ``precision`` decimals of the unit.

    The messages write the quantity with the decimal separator of the active language.
    """
    if quantity <= 0:
        raise InvalidQuantity(
            _("Quantity must be more than 0, got %(quantity)s") % {"quantity": written(quantity)}
        )
    if quantity >= MAX_QUANTITY:
        raise InvalidQuantity(
            _("Quantity %(quantity)s is too large: order less than %(limit)s")
            % {"quantity": written(quantity), "limit": MAX_QUANTITY}
        )
    normalized = quantity.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)
    if decimals > precision:
        if precision == 0:
            message = _(
                "Quantity %(quantity)s has too many decimals: unit '%(unit)s' takes whole numbers"
            )
        else:
            message = ngettext(
                "Quantity %(quantity)s has too many decimals: unit '%(unit)s' takes at most "
                "%(precision)s decimal",
                "Quantity %(quantity)s has too many decimals: unit '%(unit)s' takes at most "
                "%(precision)s decimals",
                precision,
            )
        raise InvalidQuantity(
            message % {"quantity": written(quantity), "unit": unit_code, "precision": precision}
        )
    return (
        quantity.quantize(Decimal(1).scaleb(-precision)) if precision else normalized.quantize(1)
    )


def written(quantity: Decimal) -> str:
    """``quantity`` for a message: with the active language's decimal separator, cut short."""
    return excerpt(str(quantity).replace(".", get_format("DECIMAL_SEPARATOR")))


def plain(quantity: Decimal) -> Decimal:
    """``quantity`` without trailing zeros and never in exponent form: 10.000 -> 10 (a number
    too large to write out, such as 1E+400, is left as it is)."""
    normalized = quantity.normalize()
    if normalized != normalized.to_integral():
        return normalized
    try:
        return normalized.quantize(1)
    except InvalidOperation:
        return normalized
