from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.catalog.models import Product
from comptoir.pricing.queries import price_for
from tests import factories


def test_home_lists_top_level_categories_and_featured_products(client, shop):
    response = client.get(reverse("storefront:home"))

    assert response.status_code == 200
    assert [category.name for category in response.context["categories"]] == ["Tools"]
    assert [card.product.sku for card in response.context["cards"]] == ["DR-100"]


def test_guest_sees_no_prices_and_is_asked_to_log_in(client, shop, settings):
    settings.COMPTOIR_GUEST_PRICES = False

    home = client.get(reverse("storefront:home"))
    product_page = client.get(reverse("storefront:product", args=["DR-100"]))

    for response in (home, product_page):
        assert "Log in to see your prices" in response.text
        assert "100.00" not in response.text
    assert product_page.context["unit_tiers"] == []
    assert "Add to cart" not in product_page.text


def test_guest_sees_website_prices_when_guest_prices_are_on(client, shop, settings):
    settings.COMPTOIR_GUEST_PRICES = True

    response = client.get(reverse("storefront:home"))

    assert "Log in to see your prices" not in response.text
    assert "100.00 USD" in response.text


def test_listing_shows_each_buyers_resolved_price(shop):
    acme_client, globex_client = Client(), Client()
    acme_client.force_login(shop.acme_buyer.user)
    globex_client.force_login(shop.globex_buyer.user)

    acme_card = acme_client.get(reverse("storefront:home")).context["cards"][0]
    globex_card = globex_client.get(reverse("storefront:home")).context["cards"][0]

    acme_price = price_for(company=shop.acme, product=shop.drill, unit="item", quantity=Decimal(1))
    globex_price = price_for(
        company=shop.globex, product=shop.drill, unit="item", quantity=Decimal(1)
    )
    assert (acme_card.price.value, acme_card.price.price_list_name) == (
        acme_price.value,
        acme_price.price_list_name,
    )
    assert (globex_card.price.value, globex_card.price.price_list_name) == (
        globex_price.value,
        globex_price.price_list_name,
    )
    assert (acme_card.price.value, globex_card.price.value) == (Decimal("100"), Decimal("80"))


def test_product_page_shows_the_buyers_tier_table_per_sellable_unit(acme_client, shop):
    response = acme_client.get(reverse("storefront:product", args=["DR-100"]))

    table = {
        entry.product_unit.unit.code: [(tier.quantity, tier.value) for tier in entry.tiers]
        for entry in response.context["unit_tiers"]
    }
    assert table == {
        "item": [(Decimal(1), Decimal("100")), (Decimal(10), Decimal("95"))],
        "set": [(Decimal(1), Decimal("450"))],
    }
    assert "95.00" in response.text
    assert '<option value="set">' in response.text


def test_product_page_renders_information_and_specifications_as_lines(client, shop):
    response = client.get(reverse("storefront:product", args=["DR-100"]))

    assert "<li>Voltage: 18 V</li><li>Weight: 1.6 kg</li>" in response.text
    assert "<li>Catalog page: 12</li><li>Two batteries included</li>" in response.text
    assert [crumb.name for crumb in response.context["breadcrumb"]] == ["Tools", "Drills"]


def test_product_page_finds_the_sku_ignoring_case(client, shop):
    response = client.get(reverse("storefront:product", args=["dr-100"]))

    assert response.status_code == 200
    assert response.context["product"] == shop.drill


def test_product_page_is_404_for_unknown_and_disabled_products(client, shop):
    Product.objects.filter(pk=shop.gloves.pk).update(is_enabled=False)

    unknown = client.get(reverse("storefront:product", args=["NOPE-1"]))
    disabled = client.get(reverse("storefront:product", args=["AG-1"]))

    assert (unknown.status_code, disabled.status_code) == (404, 404)


def test_category_page_lists_subcategories_and_products_below_it(client, shop):
    response = client.get(reverse("storefront:category", args=[shop.tools.slug]))

    assert [category.name for category in response.context["subcategories"]] == ["Drills"]
    assert [card.product.sku for card in response.context["cards"]] == ["CB-7", "DR-100", "AG-1"]


def test_category_pages_never_repeat_or_skip_products_with_equal_names(client, db, settings):
    settings.COMPTOIR_PAGE_SIZE = 2
    made = [factories.product(f"TWIN-{n}", name="Twin Widget") for n in range(5)]
    slug = made[0].category.slug

    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("storefront:category", args=[slug]), {"page": page})
        seen += [card.product.sku for card in response.context["cards"]]

    assert seen == ["TWIN-0", "TWIN-1", "TWIN-2", "TWIN-3", "TWIN-4"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["CB-7", "DR-100", "AG-1"]),
        ("sku", ["AG-1", "CB-7", "DR-100"]),
        ("newest", ["AG-1", "CB-7", "DR-100"]),
        ("price; drop table", ["CB-7", "DR-100", "AG-1"]),
    ],
)
def test_category_page_sorts_by_name_sku_or_newest(client, shop, sort, expected):
    response = client.get(reverse("storefront:category", args=[shop.tools.slug]), {"sort": sort})

    assert [card.product.sku for card in response.context["cards"]] == expected


def test_category_page_costs_the_same_queries_for_three_products_or_thirteen(acme_client, shop):
    url = reverse("storefront:category", args=[shop.tools.slug])
    with CaptureQueriesContext(connection) as three_products:
        acme_client.get(url)
    for n in range(10):
        factories.price(shop.default_list, factories.product(f"EXTRA-{n}"), "1.00")

    with CaptureQueriesContext(connection) as thirteen_products:
        response = acme_client.get(url)

    assert len(response.context["cards"]) == 13
    assert len(thirteen_products) == len(three_products)
    assert sum('"pricing_price"' in query["sql"] for query in thirteen_products) == 1


def test_unknown_category_is_404(client, shop):
    assert client.get(reverse("storefront:category", args=["no-such-thing"])).status_code == 404


def test_search_page_lists_the_exact_sku_first(client, shop):
    factories.product("CABLE-9", name="Drill Cable Reel")

    response = client.get(reverse("storefront:search"), {"q": " cable-9 "})

    assert [card.product.sku for card in response.context["cards"]] == ["CABLE-9"]
    assert response.context["query"] == "cable-9"


def test_every_catalog_page_renders_for_a_buyer(acme_client, shop):
    urls = [
        reverse("storefront:home"),
        reverse("storefront:category", args=[shop.drills.slug]),
        reverse("storefront:product", args=["CB-7"]),
        reverse("storefront:search") + "?q=drill",
        reverse("storefront:login"),
    ]

    statuses = [acme_client.get(url).status_code for url in urls]

    assert statuses == [200, 200, 200, 200, 200]


def test_header_shows_brand_company_and_cart_line_count(acme_client, shop, settings):
    settings.COMPTOIR_SHOP_NAME = "Hardware Hub"
    settings.COMPTOIR_PRIMARY_COLOR = "#aa3300"
    settings.COMPTOIR_LOGO_URL = "/static/logo.svg"
    factories.price(shop.default_list, shop.cable, "2.40", quantity="100")
    acme_client.post(reverse("storefront:cart_add"), {"sku": "CB-7", "quantity": "3", "unit": "m"})

    response = acme_client.get(reverse("storefront:home"))

    assert "Hardware Hub" in response.text
    assert "--color-primary: #aa3300;" in response.text
    assert '<img class="brand__logo" src="/static/logo.svg" alt="">' in response.text
    assert '<span class="account-nav__company">Acme</span>' in response.text
    assert 'aria-label="lines in the cart">1</span>' in response.text


def test_a_primary_colour_that_is_not_a_colour_is_not_written_into_the_page(
    client, shop, settings
):
    settings.COMPTOIR_PRIMARY_COLOR = "red; } body { display: none"

    response = client.get(reverse("storefront:home"))

    assert "--color-primary: #1f5f8b;" in response.text
