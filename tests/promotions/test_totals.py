from decimal import Decimal

import pytest

from comptoir.ordering.queries import current_shopping_list_for, priced_shopping_list
from tests import factories
from tests.promotions.conftest import fill_cart, order_cart

pytestmark = pytest.mark.django_db


def cart_totals(customer_user):
    return priced_shopping_list(current_shopping_list_for(customer_user)).totals


def test_cart_without_promotions_costs_its_lines(shop):
    fill_cart(shop["buyer"], ("LAMP-1", 3), ("CABLE-1", "2.5"))

    totals = cart_totals(shop["buyer"])

    assert totals.subtotal == Decimal("63.13")
    assert totals.discount_total == Decimal(0)
    assert totals.shipping == Decimal(0)
    assert totals.total == Decimal("63.13")


def test_order_stores_the_totals_of_its_cart(shop, settings):
    settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal("15")
    factories.promotion("Lamps 10%", value=Decimal(10), products=[shop["lamp"]])
    fill_cart(shop["buyer"], ("LAMP-1", 3), ("CHAIR-1", 1))
    cart = cart_totals(shop["buyer"])

    order = order_cart(shop["buyer"])

    assert (order.subtotal, order.discount_total, order.shipping_total, order.total) == (
        Decimal("159.90"),
        Decimal("6.00"),
        Decimal("15.00"),
        Decimal("168.90"),
    )
    assert order.total == cart.total
    lamp_line = order.lines.get(sku="LAMP-1")
    assert lamp_line.discount_total == Decimal("6.00")
    assert [(row.label, row.amount) for row in order.applied_promotions.all()] == [
        ("Lamps 10%", Decimal("6.00"))
    ]
