"""How the storefront writes money and quantities, in pages and in messages alike."""

from decimal import Decimal

from comptoir.core.money import minor_units


def format_amount(value: Decimal, currency: str) -> str:
    """``value`` with its currency's decimals (more if the price has more), in thousands."""
    decimals = max(minor_units(currency), -value.normalize().as_tuple().exponent)
    return f"{value:,.{decimals}f}"


def format_quantity(value: Decimal) -> str:
    """``value`` without trailing zeros or an exponent: 12.000 is 12, 2.500 is 2.5."""
    return format(value.normalize(), "f")
