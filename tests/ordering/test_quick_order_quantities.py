"""Quantity rules of a product's unit, and the shopping list services that apply them."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import ProductUnit
from comptoir.core.errors import InvalidQuantity
from comptoir.ordering.quantities import check_line_quantity
from comptoir.ordering.services import add_to_shopping_list, change_line_quantity
from tests import factories

pytestmark = pytest.mark.django_db


def unit_with_rules(sku="BOLT-6", *, precision=0, unit_code="item", **rules) -> ProductUnit:
    product = factories.product(sku, unit_code=unit_code, precision=precision)
    product_unit = product.units.get(is_primary=True)
    for name, value in rules.items():
        setattr(product_unit, name, Decimal(value))
    product_unit.save()
    return product_unit


def message_for(product_unit, quantity) -> tuple[str, str]:
    with pytest.raises(InvalidQuantity) as error:
        check_line_quantity(product_unit, Decimal(quantity))
    return error.value.code, error.value.message


def test_a_quantity_within_every_rule_is_returned_at_the_unit_precision():
    product_unit = unit_with_rules(
        precision=2,
        unit_code="kg",
        min_quantity="0.5",
        max_quantity="100",
        quantity_increment="0.25",
    )

    assert check_line_quantity(product_unit, Decimal("1.5")) == Decimal("1.50")


def test_zero_and_negative_quantities_are_refused():
    product_unit = unit_with_rules()

    assert message_for(product_unit, "0")[1] == "Quantity must be more than 0, got 0"
    assert message_for(product_unit, "-2")[1] == "Quantity must be more than 0, got -2"


def test_more_decimals_than_the_unit_takes_are_refused():
    product_unit = unit_with_rules()

    assert message_for(product_unit, "1.5")[1] == (
        "Quantity 1.5 has too many decimals: unit 'item' takes whole numbers"
    )


def test_a_quantity_below_the_minimum_names_the_minimum():
    product_unit = unit_with_rules(min_quantity="10")

    assert message_for(product_unit, "4") == (
        "below_minimum",
        "SKU 'BOLT-6': order at least 10 item, not 4",
    )


def test_a_quantity_above_the_maximum_names_the_maximum():
    product_unit = unit_with_rules(max_quantity="50")

    assert message_for(product_unit, "51") == (
        "above_maximum",
        "SKU 'BOLT-6': order at most 50 item, not 51",
    )


def test_a_quantity_off_the_increment_names_the_nearest_quantities_allowed():
    product_unit = unit_with_rules(quantity_increment="6")

    assert message_for(product_unit, "8") == (
        "not_a_multiple",
        "SKU 'BOLT-6' is sold in multiples of 6 item: order 6 or 12, not 8",
    )


def test_the_increment_message_offers_only_quantities_within_minimum_and_maximum():
    below = unit_with_rules("CASE-A", quantity_increment="6")
    capped = unit_with_rules("CASE-B", quantity_increment="6", max_quantity="15")
    boxed = unit_with_rules("CASE-C", quantity_increment="6", min_quantity="7", max_quantity="11")

    assert message_for(below, "4")[1] == (
        "SKU 'CASE-A' is sold in multiples of 6 item: order 6, not 4"
    )
    assert message_for(capped, "13")[1] == (
        "SKU 'CASE-B' is sold in multiples of 6 item: order 12, not 13"
    )
    assert message_for(boxed, "8")[1] == "SKU 'CASE-C' is sold in multiples of 6 item, not 8"


def test_a_decimal_increment_is_checked_exactly():
    product_unit = unit_with_rules(precision=3, unit_code="kg", quantity_increment="0.25")

    assert check_line_quantity(product_unit, Decimal("0.75")) == Decimal("0.750")
    assert message_for(product_unit, "0.8")[1] == (
        "SKU 'BOLT-6' is sold in multiples of 0.25 kg: order 0.75 or 1, not 0.8"
    )


@pytest.fixture
def buyer():
    base = factories.price_list("Base")
    acme = factories.company("Acme")
    factories.assign(base, company=acme)
    product_unit = unit_with_rules(min_quantity="6", max_quantity="48", quantity_increment="6")
    factories.price(base, product_unit.product, "2.00")
    return factories.customer_user(acme, "buyer@acme.example")


def test_adding_to_a_shopping_list_applies_the_unit_rules(buyer):
    with pytest.raises(InvalidQuantity) as error:
        add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=4)

    assert error.value.message == "SKU 'BOLT-6': order at least 6 item, not 4"
    line = add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=6)
    assert line.quantity == Decimal(6)


def test_adding_to_a_line_checks_the_quantity_the_line_ends_with(buyer):
    add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=42)

    with pytest.raises(InvalidQuantity) as error:
        add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=12)

    assert error.value.message == "SKU 'BOLT-6': order at most 48 item, not 54"
    line = add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=6)
    assert line.quantity == Decimal(48)


def test_changing_a_line_quantity_applies_the_unit_rules(buyer):
    line = add_to_shopping_list(customer_user=buyer, sku="BOLT-6", quantity=12)

    with pytest.raises(InvalidQuantity) as error:
        change_line_quantity(customer_user=buyer, line_id=line.pk, quantity="20")

    assert error.value.message == (
        "SKU 'BOLT-6' is sold in multiples of 6 item: order 18 or 24, not 20"
    )
    line.refresh_from_db()
    assert line.quantity == Decimal(12)
