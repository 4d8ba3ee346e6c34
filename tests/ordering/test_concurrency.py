"""Buying at the same moment from two requests: rows are locked, nothing is lost or doubled.

SQLite runs one write transaction at a time, so these tests need PostgreSQL to mean anything.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from comptoir.accounts.models import Address
from comptoir.core.errors import DomainError
from comptoir.ordering.models import Order, ShoppingListLine
from comptoir.ordering.services import add_to_shopping_list, place_order
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serializes every write transaction"
    ),
]


@pytest.fixture
def buyer():
    base = factories.price_list("Base")
    factories.price(base, factories.product("LAMP-1", name="Lamp"), "20.00")
    factories.price(base, factories.product("CHAIR-1", name="Chair"), "50.00")
    acme = factories.company("Acme")
    factories.assign(base, company=acme)
    return factories.customer_user(acme, "buyer@acme.example")


def run_together(count: int, action) -> list[object]:
    """Run ``action`` in ``count`` threads released at the same moment; what each returned or
    raised, in thread order."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the test looks at what each thread met
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_adding_one_product_from_several_requests_at_once_makes_one_line_with_all(buyer):
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)
    add = lambda: add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=2)  # noqa: E731

    results = run_together(4, add)

    assert [type(result).__name__ for result in results] == ["ShoppingListLine"] * 4
    assert list(ShoppingListLine.objects.values_list("product__sku", "quantity")) == [
        ("CHAIR-1", Decimal(1)),
        ("LAMP-1", Decimal(8)),
    ]


def test_placing_the_cart_twice_at_once_makes_one_order_and_a_clear_refusal(buyer):
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=3)
    address = Address.objects.get(company=buyer.company)
    place = lambda: place_order(  # noqa: E731
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )

    results = run_together(2, place)

    orders = [result for result in results if isinstance(result, Order)]
    refusals = [result.code for result in results if isinstance(result, DomainError)]
    assert (len(orders), refusals) == (1, ["empty_shopping_list"])
    assert list(Order.objects.values_list("number", "total")) == [("CO000001", Decimal("60.0000"))]
    assert ShoppingListLine.objects.count() == 0
