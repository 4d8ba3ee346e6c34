"""Coupons used by several orders at the same moment: limits hold and counts are exact.

SQLite runs one write transaction at a time, so these tests need PostgreSQL to mean anything.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from comptoir.accounts.models import Address
from comptoir.ordering.models import Order
from comptoir.ordering.services import current_shopping_list, place_order
from comptoir.promotions.models import Coupon, CouponRedemption
from comptoir.promotions.services import CouponRefused, apply_coupon
from tests import factories
from tests.ordering.test_concurrency import run_together
from tests.promotions.conftest import fill_cart, order_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serializes every write transaction"
    ),
]


@pytest.fixture
def buyers():
    base = factories.price_list("Base")
    factories.price(base, factories.product("LAMP-1", name="Lamp"), "20.00")
    factories.price(base, factories.product("CHAIR-1", name="Chair"), "50.00")
    acme = factories.company("Acme")
    factories.assign(base, company=acme)
    return [factories.customer_user(acme, f"buyer{n}@acme.example") for n in range(4)]


def test_a_code_for_two_orders_is_used_by_two_of_four_orders_placed_at_once(buyers):
    promotion = factories.promotion("Launch", value=Decimal(10), requires_coupon=True)
    coupon = factories.coupon(promotion, "LAUNCH", usage_limit=2)
    for buyer in buyers:
        fill_cart(buyer, ("LAMP-1", 1))
        apply_coupon(customer_user=buyer, code="launch")
    waiting, taking = list(buyers), threading.Lock()

    def place():
        with taking:
            buyer = waiting.pop()
        return order_cart(buyer)

    results = run_together(4, place)

    placed = [result for result in results if isinstance(result, Order)]
    refused = [result for result in results if isinstance(result, CouponRefused)]
    assert (len(placed), len(refused)) == (2, 2)
    assert Coupon.objects.get(pk=coupon.pk).times_used == 2
    assert CouponRedemption.objects.count() == 2
    assert [order.discount_total for order in placed] == [Decimal("2.0000")] * 2


def test_a_code_once_per_user_is_used_once_by_two_of_their_lists_ordered_at_once(buyers):
    promotion = factories.promotion("Launch", value=Decimal(10), requires_coupon=True)
    factories.coupon(promotion, "ONCE", usage_limit_per_user=1)
    buyer = buyers[0]
    fill_cart(buyer, ("LAMP-1", 1))
    apply_coupon(customer_user=buyer, code="ONCE")
    first = current_shopping_list(customer_user=buyer)
    first.is_current = False
    first.save()
    fill_cart(buyer, ("CHAIR-1", 1))
    apply_coupon(customer_user=buyer, code="ONCE")
    second = current_shopping_list(customer_user=buyer)
    address = Address.objects.get(company=buyer.company)
    waiting, taking = [first.pk, second.pk], threading.Lock()

    def place():
        with taking:
            shopping_list_id = waiting.pop()
        return place_order(
            customer_user=buyer,
            billing_address_id=address.pk,
            shipping_address_id=address.pk,
            shopping_list_id=shopping_list_id,
        )

    results = run_together(2, place)

    placed = [result for result in results if isinstance(result, Order)]
    refused = [result for result in results if isinstance(result, CouponRefused)]
    assert (len(placed), len(refused)) == (1, 1)
    assert CouponRedemption.objects.filter(customer_user=buyer).count() == 1
