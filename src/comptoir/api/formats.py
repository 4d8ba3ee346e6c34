"""How the API reads and writes numbers: decimals, never floats; strings on the way out."""

import json
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja.parser import Parser
from pydantic import PlainValidator, WithJsonSchema

from comptoir.core.money import minor_units
from comptoir.core.quantities import plain


def money_text(amount: Decimal, currency: str) -> str:
    """``amount`` with at least the currency's minor units and no padding beyond them.

    A stored price keeps up to four decimals (a screw may cost 0.0125), so only the zeros past
    the currency's own decimals are dropped: 94.9900 USD is "94.99" and 10 USD is "10.00".
    """
    places = minor_units(currency)
    trimmed = plain(amount)
    if max(0, -trimmed.as_tuple().exponent) < places:
        trimmed = amount.quantize(Decimal(1).scaleb(-places))
    return format(trimmed, "f")


def quantity_text(quantity: Decimal) -> str:
    """``quantity`` without trailing zeros: 12.000 is "12", 2.500 is "2.5"."""
    return format(plain(quantity), "f")


class DecimalJsonParser(Parser):
    """Reads JSON numbers with a fraction as ``Decimal``, so that 1.1 never becomes a float."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return json.loads(request.body, parse_float=Decimal)


def quantity_input(value: object) -> str | int | Decimal:
    """Let a JSON string or number through unchanged; the buying services read and check it."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError('a quantity is a string or a number, such as "12" or 2.5')
    return value


# Kept as sent so that "1,5" reaches ``parse_quantity``, which explains how to write it.
Quantity = Annotated[
    str | int | Decimal,
    PlainValidator(quantity_input),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "number"}],
            "description": "A positive quantity with a decimal point, within the unit's "
            'precision: "12", 12, "2.5" or 2.5.',
            "examples": ["12", 2.5],
        }
    ),
]
