from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError, InvalidQuantity
from comptoir.core.money import checked_currency, minor_units, round_money
from comptoir.core.quantities import check_quantity, parse_quantity


def test_quantity_with_a_decimal_point_is_read():
    assert parse_quantity(" 2.5 ") == Decimal("2.5")


def test_quantity_with_a_decimal_comma_is_refused_with_the_fix():
    with pytest.raises(InvalidQuantity) as error:
        parse_quantity("2,5")

    assert error.value.message == (
        "Quantity '2,5' is not a number: write decimals with a point, as in '2.5'"
    )


@pytest.mark.parametrize("text", ["abc", "", "NaN", "Infinity"])
def test_quantity_that_is_not_a_number_is_refused(text):
    with pytest.raises(InvalidQuantity):
        parse_quantity(text)


def test_whole_unit_refuses_decimals():
    with pytest.raises(InvalidQuantity) as error:
        check_quantity(Decimal("1.5"), precision=0, unit_code="item")

    assert error.value.message == (
        "Quantity 1.5 has too many decimals: unit 'item' takes whole numbers"
    )


def test_unit_with_precision_keeps_its_decimals():
    assert check_quantity(Decimal("1.250"), precision=3, unit_code="kg") == Decimal("1.250")


def test_trailing_zeros_do_not_count_as_decimals():
    assert check_quantity(Decimal("12.000"), precision=0, unit_code="item") == Decimal(12)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_zero_and_negative_quantities_are_refused(value):
    with pytest.raises(InvalidQuantity) as error:
        check_quantity(Decimal(value), precision=0, unit_code="item")

    assert error.value.message == f"Quantity must be more than 0, got {value}"


def test_absurdly_large_quantity_is_refused():
    with pytest.raises(InvalidQuantity):
        check_quantity(Decimal("1e12"), precision=0, unit_code="item")


def test_money_rounds_half_up_to_the_currency_minor_unit():
    assert round_money(Decimal("94.9905"), "USD") == Decimal("94.99")
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.2345"), "KWD") == Decimal("1.235")
    assert minor_units("jpy") == 0


def test_a_very_long_quantity_is_quoted_short_in_the_message():
    with pytest.raises(InvalidQuantity) as error:
        parse_quantity("9" * 5000 + "x")

    assert error.value.message == f"Quantity '{'9' * 59}…' is not a number"


def test_a_quantity_of_thousands_of_digits_is_too_large_in_a_short_message():
    with pytest.raises(InvalidQuantity) as error:
        check_quantity(parse_quantity("9" * 5000), precision=0, unit_code="item")

    assert error.value.message == (
        f"Quantity {'9' * 59}… is too large: order less than 1000000000"
    )


def test_currency_codes_are_checked_against_iso_4217():
    assert checked_currency(" eur ") == "EUR"
    with pytest.raises(DomainError) as unknown:
        checked_currency("ZZZ")
    with pytest.raises(DomainError) as malformed:
        checked_currency("US$")

    assert (unknown.value.code, unknown.value.message) == (
        "currency_unknown",
        "'ZZZ' is not an ISO 4217 currency code",
    )
    assert (
        malformed.value.message == "'US$' is not a currency code: write three letters, as in USD"
    )


def test_funds_codes_keep_their_four_decimals():
    assert round_money(Decimal("1.23456"), "CLF") == Decimal("1.2346")
    assert minor_units("UYW") == 4
