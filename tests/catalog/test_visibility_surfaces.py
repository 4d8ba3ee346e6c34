"""Two companies see two catalogs, on every surface that reads it: storefront pages, search,
the API, quick order, the cart and checkout, shopping lists and reorder.

Acme has a contract category of its own (hidden from everyone else) and does not see the
chair; Globex, like guests, sees the chair and not the contract category.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import Company, CustomerUser
from comptoir.accounts.tokens import create_token
from comptoir.catalog.models import Product
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility, Visibility
from comptoir.core.errors import NotOrderable
from comptoir.ordering.list_queries import reorder_checks
from comptoir.ordering.models import Order
from comptoir.ordering.queries import priced_shopping_list
from comptoir.ordering.quick_order import preview_quick_order
from comptoir.ordering.quick_order_reading import read_text
from comptoir.ordering.services import (
    HistoricalOrderLine,
    add_to_shopping_list,
    current_shopping_list,
    place_order,
    record_historical_order,
    reorder,
)
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

ACME_SEES = ["LAMP-1", "PIPE-1"]
GLOBEX_SEES = ["CHAIR-1", "LAMP-1"]


@dataclass
class Catalog:
    lamp: Product
    pipe: Product
    chair: Product
    acme: Company
    acme_buyer: CustomerUser
    globex: Company
    globex_buyer: CustomerUser


@pytest.fixture
def catalog() -> Catalog:
    factories.category("Lighting")
    contract = factories.category("Contract")
    lamp = factories.product("LAMP-1", name="Desk lamp", category_name="Lighting")
    pipe = factories.product("PIPE-1", name="Steel pipe", category_name="Contract")
    chair = factories.product("CHAIR-1", name="Desk chair", category_name="Lighting")
    Product.objects.update(is_featured=True)
    base = factories.price_list("Base")
    factories.assign(base)
    for product, value in ((lamp, "20.00"), (pipe, "5.00"), (chair, "99.00")):
        factories.price(base, product, value)
    acme, globex = factories.company("Acme"), factories.company("Globex")
    CategoryVisibility.objects.create(category=contract, visibility=Visibility.HIDDEN)
    CategoryVisibility.objects.create(
        category=contract, company=acme, visibility=Visibility.VISIBLE
    )
    ProductVisibility.objects.create(product=chair, company=acme, visibility=Visibility.HIDDEN)
    return Catalog(
        lamp=lamp,
        pipe=pipe,
        chair=chair,
        acme=acme,
        acme_buyer=factories.customer_user(acme, "buyer@acme.example"),
        globex=globex,
        globex_buyer=factories.customer_user(globex, "buyer@globex.example"),
    )


def logged_in(customer_user: CustomerUser) -> Client:
    client = Client()
    client.force_login(customer_user.user)
    return client


def api_for(customer_user: CustomerUser) -> ApiClient:
    return ApiClient(create_token(customer_user=customer_user, name="tests").key)


def card_skus(response) -> list[str]:
    return sorted(card.product.sku for card in response.context["cards"])


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def test_the_home_page_shows_each_company_its_own_categories_and_products(catalog):
    acme = logged_in(catalog.acme_buyer).get("/")
    globex = logged_in(catalog.globex_buyer).get("/")
    guest = Client().get("/")

    assert card_skus(acme) == ACME_SEES
    assert card_skus(globex) == card_skus(guest) == GLOBEX_SEES
    assert [category.name for category in acme.context["categories"]] == ["Contract", "Lighting"]
    assert [category.name for category in globex.context["categories"]] == ["Lighting"]


def test_a_category_page_lists_what_the_company_sees_and_a_hidden_one_is_not_found(catalog):
    acme, globex = logged_in(catalog.acme_buyer), logged_in(catalog.globex_buyer)

    assert card_skus(acme.get("/c/lighting/")) == ["LAMP-1"]
    assert card_skus(globex.get("/c/lighting/")) == ["CHAIR-1", "LAMP-1"]
    assert card_skus(acme.get("/c/contract/")) == ["PIPE-1"]
    assert globex.get("/c/contract/").status_code == 404


def test_a_product_page_of_a_hidden_product_is_not_found(catalog):
    acme, globex = logged_in(catalog.acme_buyer), logged_in(catalog.globex_buyer)

    statuses = {
        sku: (acme.get(f"/p/{sku}/").status_code, globex.get(f"/p/{sku}/").status_code)
        for sku in ("LAMP-1", "PIPE-1", "CHAIR-1")
    }

    assert statuses == {"LAMP-1": (200, 200), "PIPE-1": (200, 404), "CHAIR-1": (404, 200)}


def test_search_finds_only_what_the_company_sees(catalog):
    acme = logged_in(catalog.acme_buyer).get("/search/", {"q": "e"})
    globex = logged_in(catalog.globex_buyer).get("/search/", {"q": "e"})
    exact = logged_in(catalog.globex_buyer).get("/search/", {"q": "PIPE-1"})

    assert card_skus(acme) == ACME_SEES
    assert card_skus(globex) == GLOBEX_SEES
    assert card_skus(exact) == []


def test_the_api_lists_searches_and_shows_what_the_caller_sees(catalog):
    acme, globex, guest = api_for(catalog.acme_buyer), api_for(catalog.globex_buyer), ApiClient()

    def listed(api, **params) -> list[str]:
        return sorted(item["sku"] for item in api.get("/products", **params).json()["items"])

    assert listed(acme) == ACME_SEES
    assert listed(globex) == listed(guest) == GLOBEX_SEES
    assert listed(acme, q="desk") == ["LAMP-1"]
    assert listed(globex, q="desk") == ["CHAIR-1", "LAMP-1"]
    assert listed(acme, category="contract") == ["PIPE-1"]
    assert globex.get("/products", category="contract").status_code == 404
    assert [c["slug"] for c in acme.get("/categories").json()] == ["contract", "lighting"]
    assert [c["slug"] for c in globex.get("/categories").json()] == ["lighting"]
    assert acme.get("/products/PIPE-1").status_code == 200
    refused = globex.get("/products/PIPE-1")
    assert (refused.status_code, refused.json()) == (
        404,
        {"detail": "SKU 'PIPE-1' is not visible to Globex", "code": "hidden"},
    )
    assert guest.get("/products/PIPE-1").json() == {
        "detail": "SKU 'PIPE-1' is not in the public catalog: log in to see your company's",
        "code": "hidden",
    }


def test_the_quick_order_preview_says_a_product_is_not_visible_to_the_company(catalog):
    report = preview_quick_order(
        customer_user=catalog.globex_buyer, entered=read_text("LAMP-1 1\npipe-1 2\nPIPE-2 1")
    )

    assert [(line.code, line.problem) for line in report.lines] == [
        ("", ""),
        ("hidden", "SKU 'PIPE-1' is not visible to Globex"),
        # A hidden SKU is never offered as the one meant.
        ("unknown_sku", "SKU 'PIPE-2' not found"),
    ]
    acme_report = preview_quick_order(
        customer_user=catalog.acme_buyer, entered=read_text("PIPE-1 2\nPIPE-2 1")
    )
    assert [line.problem for line in acme_report.lines] == [
        "",
        "SKU 'PIPE-2' not found; did you mean 'PIPE-1'?",
    ]


def test_the_quick_order_api_and_page_report_the_hidden_line(catalog):
    api = api_for(catalog.globex_buyer).post("/quick-order/preview", {"text": "PIPE-1 1"})
    page = logged_in(catalog.globex_buyer).post(
        reverse("storefront:quick_order"), {"lines": "PIPE-1 1\nLAMP-1 1"}
    )

    assert [(line["code"], line["problem"]) for line in api.json()["lines"]] == [
        ("hidden", "SKU 'PIPE-1' is not visible to Globex")
    ]
    assert [line.code for line in page.context["report"].lines] == ["hidden", ""]
    assert "SKU &#x27;PIPE-1&#x27; is not visible to Globex" in page.content.decode()


def test_a_hidden_product_cannot_be_added_to_the_cart(catalog):
    with pytest.raises(NotOrderable) as error:
        add_to_shopping_list(customer_user=catalog.globex_buyer, sku="PIPE-1", quantity=1)
    page = logged_in(catalog.globex_buyer).post(
        reverse("storefront:cart_add"), {"sku": "PIPE-1", "quantity": "1", "unit": "item"}
    )
    api = api_for(catalog.globex_buyer).post("/cart/lines", {"sku": "PIPE-1", "quantity": 1})

    assert (error.value.code, error.value.message) == (
        "hidden",
        "SKU 'PIPE-1' is not visible to Globex",
    )
    assert messages_of(page) == ["SKU 'PIPE-1' is not visible to Globex"]
    assert (api.status_code, api.json()["code"]) == (422, "hidden")
    assert not current_shopping_list(customer_user=catalog.globex_buyer).lines.exists()


def test_a_line_whose_product_became_hidden_is_reported_and_stops_checkout(catalog):
    buyer = catalog.globex_buyer
    CategoryVisibility.objects.filter(company=None).delete()
    add_to_shopping_list(customer_user=buyer, sku="PIPE-1", quantity=2)
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=1)
    ProductVisibility.objects.create(
        product=catalog.pipe, company=catalog.globex, visibility=Visibility.HIDDEN
    )
    address = catalog.globex.addresses.get()

    priced = priced_shopping_list(current_shopping_list(customer_user=buyer))
    with pytest.raises(NotOrderable) as error:
        place_order(
            customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
        )
    checkout = logged_in(buyer).get(reverse("storefront:checkout"))
    api = api_for(buyer).get("/cart").json()

    assert [(pl.line.product.sku, pl.problem) for pl in priced.lines] == [
        ("PIPE-1", "this product is not visible to Globex"),
        ("LAMP-1", ""),
    ]
    assert error.value.message == (
        "Some lines cannot be ordered: PIPE-1: this product is not visible to Globex"
    )
    assert checkout.status_code == 302
    assert messages_of(checkout) == [error.value.message]
    assert [line["problem"] for line in api["lines"]] == [
        "this product is not visible to Globex",
        None,
    ]


def test_a_shopping_list_flags_a_hidden_line_on_its_page(catalog):
    buyer = catalog.acme_buyer
    add_to_shopping_list(customer_user=buyer, sku="PIPE-1", quantity=1)
    cart = current_shopping_list(customer_user=buyer)
    CategoryVisibility.objects.filter(company=catalog.acme).delete()

    page = logged_in(buyer).get(reverse("storefront:list", args=[cart.pk]))

    assert [pl.problem for pl in page.context["priced"].lines] == [
        "this product is not visible to Acme"
    ]
    assert "this product is not visible to Acme" in page.content.decode()


def order_of(customer_user: CustomerUser, *products: Product) -> Order:
    order, _, _ = record_historical_order(
        number=f"ERP-{customer_user.company.name}",
        company=customer_user.company,
        customer_user=customer_user,
        status="closed",
        shipping_status="shipped",
        currency="USD",
        subtotal=Decimal(10),
        total=Decimal(10),
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
        lines=[
            HistoricalOrderLine(product, product.sku, product.name, "item", Decimal(1), Decimal(5))
            for product in products
        ],
    )
    return order


def test_reorder_adds_what_the_company_sees_and_names_the_hidden_line(catalog):
    order = order_of(catalog.globex_buyer, catalog.lamp, catalog.pipe)

    checks = reorder_checks(catalog.globex_buyer, order)
    report = reorder(customer_user=catalog.globex_buyer, order_number=order.number)
    api = api_for(catalog.globex_buyer).post(f"/orders/{order.number}/reorder")

    assert [(check.code, check.problem) for check in checks] == [
        ("", ""),
        ("hidden", "SKU 'PIPE-1' is not visible to Globex"),
    ]
    assert [line.product.sku for line in report.added] == ["LAMP-1"]
    assert [(line.sku, reason) for line, reason in report.skipped] == [
        ("PIPE-1", "SKU 'PIPE-1' is not visible to Globex")
    ]
    assert [(item["sku"], item["code"]) for item in api.json()["skipped"]] == [
        ("PIPE-1", "hidden")
    ]


def test_reorder_offers_a_substitute_only_if_the_company_sees_it(catalog):
    Product.objects.filter(pk=catalog.lamp.pk).update(is_enabled=False, substitute=catalog.pipe)
    order = order_of(catalog.globex_buyer, catalog.lamp)
    acme_order = order_of(catalog.acme_buyer, catalog.lamp)

    globex_report = reorder(customer_user=catalog.globex_buyer, order_number=order.number)
    acme_report = reorder(customer_user=catalog.acme_buyer, order_number=acme_order.number)

    assert globex_report.substitutes == {}
    assert [product.sku for product in acme_report.substitutes.values()] == ["PIPE-1"]
