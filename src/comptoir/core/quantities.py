"""Quantities: parsed from what people type, checked against a unit's precision."""

from decimal import Decimal, InvalidOperation

from comptoir.core.errors import InvalidQuantity, excerpt

MAX_QUANTITY = Decimal(1_000_000_000)


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """Read a quantity written with a decimal point; refuse anything else with a clear message."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        raw = str(text).strip()
        if "," in raw:
            raise InvalidQuantity(
                f"Quantity '{excerpt(raw)}' is not a number: write decimals with a point, "
                f"as in '{excerpt(raw.replace(',', '.'))}'"
            )
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InvalidQuantity(f"Quantity '{excerpt(raw)}' is not a number") from None
    if not value.is_finite():
        raise InvalidQuantity(f"Quantity '{excerpt(str(text))}' is not a number")
    return value


def check_quantity(quantity: Decimal, *, precision: int, unit_code: str) -> Decimal:
    """Return ``quantity`` if it is positive and fits ``precision`` decimals of the unit."""
    if quantity <= 0:
        raise InvalidQuantity(f"Quantity must be more than 0, got {quantity}")
    if quantity >= MAX_QUANTITY:
        raise InvalidQuantity(
            f"Quantity {excerpt(str(quantity))} is too large: order less than {MAX_QUANTITY}"
        )
    normalized = quantity.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)
    if decimals > precision:
        allowed = "whole numbers" if precision == 0 else f"at most {precision} decimals"
        raise InvalidQuantity(
            f"Quantity {quantity} has too many decimals: unit '{unit_code}' takes {allowed}"
        )
    return (
        quantity.quantize(Decimal(1).scaleb(-precision)) if precision else normalized.quantize(1)
    )


def plain(quantity: Decimal) -> Decimal:
    """``quantity`` without trailing zeros and never in exponent form: 10.000 -> 10."""
    normalized = quantity.normalize()
    return normalized.quantize(1) if normalized == normalized.to_integral() else normalized
