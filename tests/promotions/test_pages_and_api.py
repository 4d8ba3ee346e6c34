"""Coupons and discounts in the storefront (cart, checkout, order pages) and in the API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.models import Address
from comptoir.accounts.tokens import create_token
from comptoir.promotions.models import AppliedCoupon, PromotionKind
from tests import factories
from tests.api.conftest import ApiClient
from tests.promotions.conftest import fill_cart, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome(shop, settings):
    """A flat shipping rate, free over lighting, and a 10 % coupon WELCOME10."""
    settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal("8.00")
    factories.promotion(
        "Free shipping on lighting",
        kind=PromotionKind.FREE_SHIPPING,
        categories=[shop["lighting"]],
    )
    promotion = factories.promotion("Welcome 10 %", value=Decimal(10), requires_coupon=True)
    return factories.coupon(promotion, "WELCOME10")


@pytest.fixture
def buyer_client(client, shop):
    client.force_login(shop["buyer"].user)
    return client


@pytest.fixture
def buyer_api(shop):
    return ApiClient(create_token(customer_user=shop["buyer"], name="tests").key)


def test_a_coupon_entered_on_the_cart_page_shows_its_discount_and_the_total(
    buyer_client, shop, welcome
):
    fill_cart(shop["buyer"], ("CHAIR-1", 1))

    entered = buyer_client.post(reverse("storefront:cart_coupon_add"), {"code": " welcome10"})
    page = buyer_client.get(reverse("storefront:cart"))

    assert entered.status_code == 302
    assert "Coupon WELCOME10 entered." in [str(m) for m in page.context["messages"]]
    assert "Welcome 10 % on CHAIR-1" in page.text
    assert "−9.99 USD" in page.text
    assert '<td class="number lines__shipping">8.00 USD</td>' in page.text
    assert '<td class="number lines__total">97.91 USD</td>' in page.text
    assert reverse("storefront:cart_coupon_remove", args=["WELCOME10"]) in page.text


def test_an_unknown_coupon_on_the_cart_page_says_why(buyer_client, shop, welcome):
    fill_cart(shop["buyer"], ("CHAIR-1", 1))

    buyer_client.post(reverse("storefront:cart_coupon_add"), {"code": "WELCOME11"})
    page = buyer_client.get(reverse("storefront:cart"))

    assert [str(m) for m in page.context["messages"]] == [
        "No coupon has the code 'WELCOME11': check how it is written."
    ]
    assert not AppliedCoupon.objects.exists()


def test_the_remove_button_takes_the_coupon_off(buyer_client, shop, welcome):
    fill_cart(shop["buyer"], ("CHAIR-1", 1))
    buyer_client.post(reverse("storefront:cart_coupon_add"), {"code": "WELCOME10"})

    removed = buyer_client.post(reverse("storefront:cart_coupon_remove", args=["WELCOME10"]))
    page = buyer_client.get(reverse("storefront:cart"))

    assert removed.status_code == 302
    assert not AppliedCoupon.objects.exists()
    assert '<td class="number lines__total">107.90 USD</td>' in page.text


def test_checkout_and_order_pages_show_discounts_shipping_and_total(buyer_client, shop, welcome):
    fill_cart(shop["buyer"], ("CHAIR-1", 1), ("LAMP-1", 1))
    buyer_client.post(reverse("storefront:cart_coupon_add"), {"code": "WELCOME10"})
    address = Address.objects.filter(company=shop["acme"]).first()

    checkout = buyer_client.get(reverse("storefront:checkout"))
    buyer_client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk},
    )
    review = buyer_client.get(reverse("storefront:checkout_review"))
    placed = buyer_client.post(reverse("storefront:checkout_review"))
    order_page = buyer_client.get(placed["Location"])

    # 119.90 less 10 % (9.99 + 2.00); shipping is free with a lamp in the cart.
    assert "Discounts 11.99 USD · shipping 0.00 USD · total 107.91 USD" in checkout.text
    assert '<td class="number lines__total">107.91 USD</td>' in review.text
    assert "Free shipping on lighting" in review.text
    assert "Welcome 10 %" in order_page.text
    assert "−11.99 USD" in order_page.text
    assert "−8.00 USD" in order_page.text
    assert '<td class="number order-total">107.91 USD</td>' in order_page.text


def test_the_cart_page_makes_as_many_queries_for_many_lines_as_for_one(
    buyer_client, shop, welcome
):
    factories.promotion("Lighting deal", value=5, categories=[shop["lighting"]])
    factories.promotion("Lamps 2 for 1", kind="buy_x_get_y", buy_quantity=1, get_quantity=1)
    fill_cart(shop["buyer"], ("LAMP-1", 2))
    buyer_client.post(reverse("storefront:cart_coupon_add"), {"code": "WELCOME10"})
    with CaptureQueriesContext(connection) as one_line:
        buyer_client.get(reverse("storefront:cart"))
    extra = [factories.product(name=f"Extra {n}") for n in range(6)]
    base = factories.price_list("Base")
    for product in extra:
        factories.price(base, product, "3.00")
    fill_cart(shop["buyer"], ("BULB-1", 3), ("CHAIR-1", 1), *((p.sku, 2) for p in extra))

    with CaptureQueriesContext(connection) as many_lines:
        buyer_client.get(reverse("storefront:cart"))

    assert len(many_lines) == len(one_line)


def test_coupons_through_the_api(buyer_api, shop, welcome):
    fill_cart(shop["buyer"], ("CHAIR-1", 1))

    added = buyer_api.post("/cart/coupons", {"code": "welcome10 "})
    refused = buyer_api.post("/cart/coupons", {"code": "NOPE"})
    removed = buyer_api.delete("/cart/coupons/welcome10")
    again = buyer_api.delete("/cart/coupons/WELCOME10")

    assert added.status_code == 201
    cart = added.json()
    assert [
        (d["label"], d["level"], d["amount"], d["coupon_code"]) for d in cart["discounts"]
    ] == [("Welcome 10 %", "line", "9.99", "WELCOME10")]
    assert (cart["subtotal"], cart["discount_total"], cart["shipping"], cart["total"]) == (
        "99.90",
        "9.99",
        "8.00",
        "97.91",
    )
    assert cart["coupons"] == [{"code": "WELCOME10", "applied": True, "message": ""}]
    assert cart["lines"][0]["discount_total"] == "9.99"
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "No coupon has the code 'NOPE': check how it is written.",
        "code": "coupon_refused",
    }
    assert removed.status_code == 200
    assert removed.json()["coupons"] == []
    assert again.status_code == 404


def test_the_order_api_returns_discounts_shipping_and_totals(buyer_api, shop, welcome):
    fill_cart(shop["buyer"], ("CHAIR-1", 1), ("BULB-1", 2))
    buyer_api.post("/cart/coupons", {"code": "WELCOME10"})
    number = order_cart(shop["buyer"]).number

    order = buyer_api.get(f"/orders/{number}").json()

    assert (
        order["subtotal"],
        order["discount_total"],
        order["shipping_total"],
        order["tax_total"],
        order["total"],
    ) == ("104.90", "10.49", "0.00", "0.00", "94.41")
    assert order["discounts"] == [
        {"label": "Welcome 10 %", "level": "line", "amount": "10.49", "coupon_code": "WELCOME10"},
        {
            "label": "Free shipping on lighting",
            "level": "shipping",
            "amount": "8.00",
            "coupon_code": "",
        },
    ]
    assert [(line["sku"], line["discount_total"]) for line in order["lines"]] == [
        ("CHAIR-1", "9.99"),
        ("BULB-1", "0.50"),
    ]
