"""Reorder from any past order, imported history included: today's prices, every line that
cannot be added named with the reason, and the substitute product where the catalog names one."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from comptoir.catalog.models import Product, ProductUnit
from comptoir.ordering.list_queries import reorder_checks
from comptoir.ordering.models import Order
from comptoir.ordering.services import (
    HistoricalOrderLine,
    current_shopping_list,
    record_historical_order,
    reorder,
)
from comptoir.pricing.models import Price
from tests import factories
from tests.ordering.test_lists import lines_of, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    made = make_shop()
    made.new_lamp = factories.product("LAMP-2", name="Lamp, new model")
    factories.price(factories.price_list("Base"), made.new_lamp, "24.00")
    Product.objects.filter(pk=made.lamp.pk).update(substitute=made.new_lamp)
    return made


def imported_order(shop) -> Order:
    """An order from the ERP's history: lamps, cable, chairs and a free-form line."""
    lines = [
        HistoricalOrderLine(shop.lamp, "LAMP-1", "Lamp", "item", Decimal(3), Decimal("18.00")),
        HistoricalOrderLine(shop.cable, "CABLE-1", "Cable", "m", Decimal(10), Decimal("1.10")),
        HistoricalOrderLine(shop.chair, "CHAIR-1", "Chair", "item", Decimal(2), Decimal(90)),
        HistoricalOrderLine(
            None, "", "Installation", "item", Decimal(1), Decimal(50), free_form_product="Setup"
        ),
    ]
    order, _, _ = record_historical_order(
        number="ERP-1001",
        company=shop.buyer.company,
        customer_user=shop.buyer,
        status="closed",
        shipping_status="shipped",
        currency="USD",
        subtotal=Decimal("307.00"),
        total=Decimal("307.00"),
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
        lines=lines,
    )
    return order


def test_reordering_an_order_with_a_discontinued_product_adds_the_rest_and_names_it(shop):
    order = imported_order(shop)
    Product.objects.filter(pk=shop.lamp.pk).update(is_enabled=False)

    report = reorder(customer_user=shop.buyer, order_number=order.number)

    assert lines_of(current_shopping_list(customer_user=shop.buyer)) == [
        ("CABLE-1", Decimal(10), ""),
        ("CHAIR-1", Decimal(2), ""),
    ]
    skipped = [(line.sku or line.free_form_product, reason) for line, reason in report.skipped]
    assert skipped == [
        ("LAMP-1", "SKU 'LAMP-1' is no longer sold"),
        ("Setup", "'Setup' is not a catalog product"),
    ]
    lamp_line = order.lines.get(sku="LAMP-1")
    assert report.codes[lamp_line.pk] == "discontinued"
    assert report.substitutes == {lamp_line.pk: shop.new_lamp}


def test_a_substitute_no_longer_sold_is_not_offered(shop):
    order = imported_order(shop)
    Product.objects.filter(pk__in=[shop.lamp.pk, shop.new_lamp.pk]).update(is_enabled=False)

    report = reorder(customer_user=shop.buyer, order_number=order.number)

    assert report.substitutes == {}


def test_each_reason_a_line_cannot_be_reordered_is_named(shop):
    order = imported_order(shop)
    Product.objects.filter(pk=shop.lamp.pk).update(is_enabled=False)
    ProductUnit.objects.filter(product=shop.cable).update(is_sellable=False)
    Price.objects.filter(product=shop.chair).delete()

    checks = reorder_checks(shop.buyer, order)

    assert [(check.order_line.product_name, check.code, check.problem) for check in checks] == [
        ("Lamp", "discontinued", "SKU 'LAMP-1' is no longer sold"),
        ("Cable", "unit_not_sold", "SKU 'CABLE-1' is not sold in unit 'm' (sold in: none)"),
        ("Chair", "no_price", "SKU 'CHAIR-1' has no price for 2 item; ask your sales rep"),
        ("Installation", "not_in_catalog", "'Setup' is not a catalog product"),
    ]
    assert [check.substitute for check in checks] == [shop.new_lamp, None, None, None]
    assert checks[0].substitute_unit == "item"


def test_the_report_prices_the_lines_that_can_be_added_at_todays_prices(shop):
    order = imported_order(shop)

    checks = reorder_checks(shop.buyer, order)

    assert [check.price.value if check.price else None for check in checks] == [
        Decimal("20.00"),
        Decimal("1.25"),
        Decimal("99.90"),
        None,
    ]
    assert lines_of(current_shopping_list(customer_user=shop.buyer)) == []
