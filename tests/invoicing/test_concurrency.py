"""Issuing invoices at the same moment: one invoice per order, numbers without gaps.

SQLite runs one write transaction at a time, so these tests need PostgreSQL to mean anything.
"""

import pytest
from django.db import connection

from comptoir.invoicing.models import Invoice
from comptoir.invoicing.services import issue_invoice
from tests.ordering.test_concurrency import run_together
from tests.taxes.shop import fill_cart, make_tax_shop, order_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serializes every write transaction"
    ),
]


@pytest.fixture
def orders():
    shop = make_tax_shop()
    placed = []
    for _ in range(3):
        fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))
        placed.append(order_cart(shop["paris_buyer"]))
    return placed


def test_issuing_one_orders_invoice_twice_at_once_makes_one_invoice(orders):
    results = run_together(2, lambda: issue_invoice(order=orders[0]))

    assert [type(result).__name__ for result in results] == ["Invoice", "Invoice"]
    assert results[0].pk == results[1].pk
    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV000001"]


def test_invoices_issued_at_once_take_consecutive_numbers(orders):
    pending = list(orders)

    results = run_together(3, lambda: issue_invoice(order=pending.pop()))

    assert sorted(result.number for result in results) == ["INV000001", "INV000002", "INV000003"]
