"""A buyer gets 404 for another company's orders, shopping lists and cart lines, everywhere."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import Address
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingListLine


@pytest.fixture
def acme_records(shop):
    """An Acme order and an Acme cart line, and a Globex buyer logged in to look at them."""
    address = Address.objects.get(company=shop.acme)
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="DR-100", quantity="2")
    order = services.place_order(
        customer_user=shop.acme_buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
    )
    line = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="CB-7", quantity="3")
    globex = Client()
    globex.force_login(shop.globex_buyer.user)
    return globex, order, line


@pytest.mark.parametrize(
    ("method", "url_name", "record", "data"),
    [
        ("get", "storefront:order", "order", {}),
        ("get", "storefront:order_confirmation", "order", {}),
        ("post", "storefront:reorder", "order", {}),
        ("get", "storefront:shopping_list", "shopping_list", {}),
        ("post", "storefront:cart_line_quantity", "line", {"quantity": "1"}),
        ("post", "storefront:cart_line_remove", "line", {}),
    ],
)
def test_another_companys_records_are_404(acme_records, method, url_name, record, data):
    globex, order, line = acme_records
    key = {"order": order.number, "shopping_list": line.shopping_list_id, "line": line.pk}[record]

    response = getattr(globex, method)(reverse(url_name, args=[key]), data)

    assert response.status_code == 404


def test_another_companys_records_are_unchanged_after_the_attempts(acme_records, shop):
    globex, order, line = acme_records

    globex.post(reverse("storefront:cart_line_quantity", args=[line.pk]), {"quantity": "9"})
    globex.post(reverse("storefront:cart_line_remove", args=[line.pk]))
    globex.post(reverse("storefront:reorder", args=[order.number]))

    assert ShoppingListLine.objects.get(pk=line.pk).quantity == Decimal(3)
    assert not ShoppingListLine.objects.filter(
        shopping_list__customer_user=shop.globex_buyer
    ).exists()


def test_order_history_and_cart_show_only_the_buyers_own_company(acme_records):
    globex, _order, _line = acme_records

    orders = globex.get(reverse("storefront:orders"))
    cart = globex.get(reverse("storefront:cart"))

    assert list(orders.context["page"]) == []
    assert cart.context["priced"] is None
    assert "Copper Cable" not in cart.text


def test_checkout_refuses_another_companys_address(acme_records, shop):
    globex, _order, _line = acme_records
    services.add_to_shopping_list(customer_user=shop.globex_buyer, sku="AG-1", quantity="1")
    acme_address = Address.objects.get(company=shop.acme)

    response = globex.post(
        reverse("storefront:checkout"),
        {"shipping_address": acme_address.pk, "billing_address": acme_address.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "shipping_address": [
            "Select a valid choice. That choice is not one of the available choices."
        ],
        "billing_address": [
            "Select a valid choice. That choice is not one of the available choices."
        ],
    }
    assert acme_address.street not in response.text
    assert Order.objects.filter(company=shop.globex).count() == 0
