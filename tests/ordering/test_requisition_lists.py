"""Requisition lists: standing lists of regular items, copied into the cart at today's prices,
all lines or the selected ones, while the list stays as it is."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError, NotFound
from comptoir.ordering import lists
from comptoir.ordering.models import ShoppingListKind
from comptoir.ordering.queries import priced_shopping_list
from comptoir.ordering.services import add_to_shopping_list, current_shopping_list
from comptoir.pricing.models import Price
from tests.ordering.test_lists import lines_of, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def monthly(shop):
    """The buyer's monthly requisition list: 4 lamps, 2.5 m of cable, 1 chair."""
    monthly = lists.create_shopping_list(
        customer_user=shop.buyer, name="Monthly", kind=ShoppingListKind.REQUISITION
    )
    for sku, quantity in (("LAMP-1", 4), ("CABLE-1", "2.5"), ("CHAIR-1", 1)):
        add_to_shopping_list(
            customer_user=shop.buyer, sku=sku, quantity=quantity, shopping_list_id=monthly.pk
        )
    return monthly


def test_ordering_all_lines_copies_them_into_the_cart_and_keeps_the_list(shop, monthly):
    add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    report = lists.add_list_to_cart(customer_user=shop.buyer, shopping_list_id=monthly.pk)

    cart = current_shopping_list(customer_user=shop.buyer)
    assert [line.product.sku for line in report.added] == ["LAMP-1", "CABLE-1", "CHAIR-1"]
    assert report.skipped == []
    assert lines_of(cart) == [
        ("LAMP-1", Decimal(5), ""),
        ("CABLE-1", Decimal("2.5"), ""),
        ("CHAIR-1", Decimal(1), ""),
    ]
    assert lines_of(monthly) == [
        ("LAMP-1", Decimal(4), ""),
        ("CABLE-1", Decimal("2.5"), ""),
        ("CHAIR-1", Decimal(1), ""),
    ]


def test_ordering_the_selected_lines_copies_only_those(shop, monthly):
    chair = monthly.lines.get(product__sku="CHAIR-1")

    lists.add_list_to_cart(
        customer_user=shop.buyer, shopping_list_id=monthly.pk, line_ids=[chair.pk]
    )

    assert lines_of(current_shopping_list(customer_user=shop.buyer)) == [
        ("CHAIR-1", Decimal(1), "")
    ]


def test_the_cart_is_priced_today_not_when_the_list_was_made(shop, monthly):
    Price.objects.filter(product=shop.chair).update(value=Decimal("89.00"))

    lists.add_list_to_cart(customer_user=shop.buyer, shopping_list_id=monthly.pk)

    priced = priced_shopping_list(current_shopping_list(customer_user=shop.buyer))
    assert {line.line.product.sku: line.price.value for line in priced.lines} == {
        "LAMP-1": Decimal("20.00"),
        "CABLE-1": Decimal("1.25"),
        "CHAIR-1": Decimal("89.00"),
    }


def test_a_line_that_cannot_be_ordered_is_reported_and_the_rest_added(shop, monthly):
    Product.objects.filter(pk=shop.lamp.pk).update(is_enabled=False)

    report = lists.add_list_to_cart(customer_user=shop.buyer, shopping_list_id=monthly.pk)

    assert [line.product.sku for line in report.added] == ["CABLE-1", "CHAIR-1"]
    assert [(s.line.product.sku, s.reason, s.code) for s in report.skipped] == [
        ("LAMP-1", "SKU 'LAMP-1' is no longer sold", "discontinued")
    ]
    assert lines_of(monthly)[0] == ("LAMP-1", Decimal(4), "")


def test_a_line_not_on_the_list_is_not_found(shop, monthly):
    stray = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    with pytest.raises(NotFound) as error:
        lists.add_list_to_cart(
            customer_user=shop.buyer, shopping_list_id=monthly.pk, line_ids=[stray.pk]
        )

    assert error.value.message == f"Line {stray.pk} is not on the list 'Monthly'"
    assert lines_of(current_shopping_list(customer_user=shop.buyer)) == [
        ("LAMP-1", Decimal(1), "")
    ]


def test_a_colleague_who_may_view_the_list_orders_it_into_its_own_cart(shop, monthly):
    lists.add_list_to_cart(customer_user=shop.viewer, shopping_list_id=monthly.pk)

    assert len(lines_of(current_shopping_list(customer_user=shop.viewer))) == 3
    assert not lines_of(current_shopping_list(customer_user=shop.buyer))


def test_another_companys_requisition_list_is_not_found(shop, monthly):
    with pytest.raises(NotFound):
        lists.add_list_to_cart(customer_user=shop.other, shopping_list_id=monthly.pk)


def test_the_cart_is_not_added_to_itself(shop):
    cart = current_shopping_list(customer_user=shop.buyer)

    with pytest.raises(DomainError) as error:
        lists.add_list_to_cart(customer_user=shop.buyer, shopping_list_id=cart.pk)

    assert error.value.message == "These lines are already in your cart"
