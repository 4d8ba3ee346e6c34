"""Catalog endpoints: the category tree, product lists, search, pages and product detail."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db


def test_categories_come_as_a_tree_each_parent_before_its_children(guest_api, shop):
    factories.category("Floor lamps", parent=shop["lighting"])

    response = guest_api.get("/categories")

    assert response.status_code == 200
    assert [(item["name"], item["slug"], item["parent"]) for item in response.json()] == [
        ("Lighting", "lighting", None),
        ("Desk lamps", "desk-lamps", shop["lighting"].pk),
        ("Floor lamps", "floor-lamps", shop["lighting"].pk),
        ("Tools", "tools", None),
    ]


def test_a_category_filter_includes_its_subcategories(guest_api, shop):
    factories.product("BULB-1", name="Bulb", category_name="Lighting")

    response = guest_api.get("/products", category="lighting")

    assert [item["sku"] for item in response.json()["items"]] == ["BULB-1", "LAMP-1"]


def test_an_unknown_category_is_a_404(guest_api, shop):
    response = guest_api.get("/products", category="garden")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No category has the slug 'garden'",
        "code": "unknown_category",
    }


def test_search_puts_the_exact_sku_first(guest_api, shop):
    factories.product("LAMPSHADE-9", name="Shade for CABLE-1 lamps")

    response = guest_api.get("/products", q="cable-1")

    assert [item["sku"] for item in response.json()["items"]] == ["CABLE-1", "LAMPSHADE-9"]


def test_pages_are_stable_and_do_not_overlap(guest_api, shop):
    for _ in range(3):
        factories.product(name="Same name")

    first = guest_api.get("/products", page=1, page_size=2).json()
    second = guest_api.get("/products", page=2, page_size=2).json()
    third = guest_api.get("/products", page=3, page_size=2).json()

    skus = [item["sku"] for page in (first, second, third) for item in page["items"]]
    assert (first["count"], first["pages"], first["page_size"]) == (5, 3, 2)
    assert skus[:2] == ["CABLE-1", "LAMP-1"]
    assert len(set(skus)) == 5


def test_guests_see_no_prices_by_default(guest_api, shop):
    listing = guest_api.get("/products").json()
    detail = guest_api.get("/products/LAMP-1").json()

    assert [item["prices"] for item in listing["items"]] == [None, None]
    assert detail["prices"] is None


def test_guests_see_the_website_prices_when_the_shop_allows_it(guest_api, shop, settings):
    settings.COMPTOIR_GUEST_PRICES = True
    website = factories.price_list("Website")
    factories.assign(website)
    factories.price(website, shop["cable"], "1.4000")

    response = guest_api.get("/products/CABLE-1")

    assert response.json()["prices"] == [
        {"unit": "m", "quantity": "1", "value": "1.40", "currency": "USD"}
    ]


def test_a_price_keeps_decimals_beyond_the_currency_ones(buyer_api, shop):
    screw = factories.product("SCREW-1", name="Screw")
    factories.price(factories.price_list("Base"), screw, "0.0125", quantity="1000")

    response = buyer_api.get("/products/screw-1")

    assert response.json()["prices"] == [
        {"unit": "item", "quantity": "1000", "value": "0.0125", "currency": "USD"}
    ]


def test_product_detail_ignores_case_and_spaces_and_lists_units(buyer_api, shop):
    response = buyer_api.get("/products/%20lamp-1%20")

    body = response.json()
    assert response.status_code == 200
    assert (body["sku"], body["name"], body["description"]) == (
        "LAMP-1",
        "Desk lamp",
        "A steel desk lamp",
    )
    assert body["category"] == {"slug": "desk-lamps", "name": "Desk lamps"}
    assert body["units"] == [
        {
            "code": "item",
            "precision": 0,
            "conversion_rate": "1",
            "sellable": True,
            "primary": True,
        },
        {
            "code": "set",
            "precision": 0,
            "conversion_rate": "10",
            "sellable": True,
            "primary": False,
        },
    ]


def test_prices_of_a_unit_no_longer_sold_are_left_out(buyer_api, shop):
    box = factories.product("BOX-1", extra_units=(("pallet", 0, Decimal(40), False),))
    base = factories.price_list("Base")
    factories.price(base, box, "3.00")
    factories.price(base, box, "100.00", unit_code="pallet")

    response = buyer_api.get("/products/BOX-1")

    assert response.json()["prices"] == [
        {"unit": "item", "quantity": "1", "value": "3.00", "currency": "USD"}
    ]


def test_an_unknown_or_disabled_sku_is_a_404(guest_api, shop):
    shop["cable"].is_enabled = False
    shop["cable"].save()

    unknown = guest_api.get("/products/NOPE-1")
    disabled = guest_api.get("/products/CABLE-1")

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "SKU 'NOPE-1' not found", "code": "unknown_sku"},
    )
    assert (disabled.status_code, disabled.json()) == (
        404,
        {"detail": "SKU 'CABLE-1' is no longer sold", "code": "discontinued"},
    )


def test_me_names_the_user_company_roles_and_payment_term(buyer_api, shop):
    response = buyer_api.get("/me")

    assert response.json() == {
        "user": {
            "email": "buyer@acme.example",
            "first_name": "Pat",
            "last_name": shop["buyer"].user.last_name,
        },
        "company": {
            "id": shop["buyer"].company_id,
            "name": "Acme",
            "parent": None,
            "payment_term": {"label": "net 30", "days": 30},
        },
        "roles": ["buyer"],
    }


def test_a_page_of_products_costs_as_many_queries_for_many_products_as_for_few(buyer_api, shop):
    base = factories.price_list("Base")
    # The first call records the token's use; later ones within the minute do not.
    buyer_api.get("/me")

    with CaptureQueriesContext(connection) as few:
        buyer_api.get("/products")
    for _ in range(8):
        factories.price(base, factories.product(category_name="Lighting"), "5.00")
    with CaptureQueriesContext(connection) as many:
        response = buyer_api.get("/products")

    assert response.json()["count"] == 10
    assert len(many) == len(few)
