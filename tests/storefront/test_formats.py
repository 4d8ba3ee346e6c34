from decimal import Decimal

import pytest

from comptoir.storefront.formats import format_amount, format_quantity


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("94.9900"), "USD", "94.99"),
        (Decimal("1139.88"), "USD", "1,139.88"),
        (Decimal("0.1234"), "USD", "0.1234"),
        (Decimal("1500.0000"), "JPY", "1,500"),
        (Decimal("100"), "EUR", "100.00"),
    ],
)
def test_amounts_keep_the_currencys_decimals_and_any_finer_price(value, currency, expected):
    assert format_amount(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("12.000"), "12"), (Decimal("2.500"), "2.5"), (Decimal("100"), "100")],
)
def test_quantities_drop_trailing_zeros_without_an_exponent(value, expected):
    assert format_quantity(value) == expected
