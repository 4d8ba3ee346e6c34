"""Taxes in the totals pipeline: the cart estimates them, the order stores them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from comptoir.accounts.tokens import create_token
from comptoir.ordering.queries import (
    current_shopping_list_for,
    priced_shopping_list,
    shopping_list_totals,
)
from tests import factories
from tests.api.conftest import ApiClient
from tests.taxes.shop import fill_cart, make_tax_shop, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_tax_shop()


def cart_of(customer_user):
    return priced_shopping_list(current_shopping_list_for(customer_user))


def test_the_cart_is_taxed_for_the_companys_default_shipping_address(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"), ("VOUCHER-1", "1"))

    totals = cart_of(shop["paris_buyer"]).totals

    # 99.98 at 20 %, 29.97 at 5.5 %, 120.00 at 0 %.
    assert [(t.rate, t.base, t.amount) for t in totals.tax_lines] == [
        (Decimal(20), Decimal("99.98"), Decimal("20.00")),
        (Decimal("5.5"), Decimal("29.97"), Decimal("1.65")),
        (Decimal(0), Decimal("120.00"), Decimal("0.00")),
    ]
    assert totals.tax_total == Decimal("21.65")
    assert totals.total == Decimal("271.60")
    assert (totals.tax_address, totals.tax_estimated) == (shop["paris_office"], True)


def test_a_chosen_shipping_address_decides_the_rate(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"))

    totals = shopping_list_totals(cart_of(shop["paris_buyer"]), shipping_address=shop["ajaccio"])

    assert totals.tax_total == Decimal("10.00")
    assert totals.tax_estimated is False


def test_the_order_stores_the_tax_of_each_line_and_its_total(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))

    order = order_cart(shop["paris_buyer"], shop["ajaccio"])

    lines = {line.sku: line.tax_total for line in order.lines.all()}
    assert lines == {"DRILL-1": Decimal("10.00"), "BOOK-1": Decimal("1.65")}
    assert (order.tax_total, order.total) == (Decimal("11.65"), Decimal("141.60"))


def test_a_german_company_with_a_vat_number_orders_under_reverse_charge(shop):
    fill_cart(shop["berlin_buyer"], ("DRILL-1", "1"), ("BOOK-1", "1"))

    order = order_cart(shop["berlin_buyer"])

    assert order.tax_total == Decimal(0)
    assert order.total == Decimal("59.98")


def test_shipping_is_taxed_at_the_default_codes_rate(shop, settings):
    settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal("10.00")
    fill_cart(shop["paris_buyer"], ("BOOK-1", "1"))

    totals = cart_of(shop["paris_buyer"]).totals

    assert [(t.rate, t.base, t.amount) for t in totals.tax_lines] == [
        (Decimal("5.5"), Decimal("9.99"), Decimal("0.55")),
        (Decimal(20), Decimal("10.00"), Decimal("2.00")),
    ]
    assert totals.tax_total == Decimal("2.55")
    assert totals.total == Decimal("22.54")


def test_a_company_without_a_shipping_address_sees_no_tax_and_why(shop):
    shop["paris"].addresses.all().delete()
    fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))

    totals = cart_of(shop["paris_buyer"]).totals

    assert totals.tax_total == Decimal(0)
    assert totals.tax_notes == ("No shipping address to tax for: no tax charged",)
    assert (totals.tax_address, totals.tax_estimated) == (None, False)


def test_the_cart_page_shows_tax_per_rate_estimated_for_the_default_address(client, shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))
    client.force_login(shop["paris_buyer"].user)

    page = client.get(reverse("storefront:cart")).content.decode()

    assert "Taxes estimated for 1 Quay Street, Paris, 75001, FR" in page
    assert "TVA 20 % on 99.98 EUR" in page
    assert "TVA 5.5 % on 29.97 EUR" in page
    assert "Tax (estimated)" in page


def test_the_order_page_shows_the_tax_the_order_stores(client, shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"))
    order = order_cart(shop["paris_buyer"], shop["ajaccio"])
    client.force_login(shop["paris_buyer"].user)

    response = client.get(reverse("storefront:order", args=[order.number]))

    assert response.context["order"].tax_total == Decimal("10.00")
    assert "10.00 EUR" in response.content.decode()


def test_the_checkout_review_taxes_for_the_chosen_shipping_address(client, shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"))
    client.force_login(shop["paris_buyer"].user)
    choices = {
        "shipping_address": shop["ajaccio"].pk,
        "billing_address": shop["paris_office"].pk,
    }

    reviewed = client.post(reverse("storefront:checkout"), choices, follow=True)
    placed = client.post(reverse("storefront:checkout_review"), follow=True)

    totals = reviewed.context["priced"].totals
    assert (totals.tax_total, totals.total, totals.tax_estimated) == (
        Decimal("10.00"),
        Decimal("109.98"),
        False,
    )
    assert "TVA 10 % on 99.98 EUR" in reviewed.content.decode()
    assert placed.context["order"].total == totals.total


def api_of(customer_user) -> ApiClient:
    return ApiClient(create_token(customer_user=customer_user, name="erp").key)


@pytest.fixture
def springfield(shop):
    """An address of the Paris company where no rate applies."""
    return factories.address(
        shop["paris"], country="US", region="IL", postal_code="62701", city="Springfield"
    )


def test_the_order_stores_its_tax_per_rate_and_its_tax_notes(shop, springfield):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))
    taxed = order_cart(shop["paris_buyer"], shop["ajaccio"])
    fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))

    untaxed = order_cart(shop["paris_buyer"], springfield)

    assert [(t.label, t.rate, t.base, t.amount) for t in taxed.tax_lines.all()] == [
        ("TVA", Decimal(10), Decimal("99.98"), Decimal("10.00")),
        ("TVA", Decimal("5.5"), Decimal("29.97"), Decimal("1.65")),
    ]
    assert taxed.tax_note_list() == []
    assert list(untaxed.tax_lines.all()) == []
    assert untaxed.tax_note_list() == [
        "No tax rate for Standard goods shipped to 62701, IL, US: no tax charged"
    ]


def test_the_order_page_says_which_code_and_place_lack_a_rate(client, shop, springfield):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))
    order = order_cart(shop["paris_buyer"], springfield)
    client.force_login(shop["paris_buyer"].user)

    page = client.get(reverse("storefront:order", args=[order.number])).content.decode()

    assert (
        '<p class="hint tax-note">'
        "No tax rate for Standard goods shipped to 62701, IL, US: no tax charged</p>"
    ) in page


def test_the_order_page_shows_the_tax_per_rate(client, shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))
    order = order_cart(shop["paris_buyer"], shop["ajaccio"])
    client.force_login(shop["paris_buyer"].user)

    page = client.get(reverse("storefront:order", args=[order.number])).content.decode()

    assert "TVA 10 % on 99.98 EUR" in page
    assert "TVA 5.5 % on 29.97 EUR" in page


def test_the_order_api_returns_the_tax_per_rate_and_the_tax_notes(shop, springfield):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))
    taxed = order_cart(shop["paris_buyer"], shop["ajaccio"])
    fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))
    untaxed = order_cart(shop["paris_buyer"], springfield)
    api = api_of(shop["paris_buyer"])

    taxed_body = api.get(f"/orders/{taxed.number}").json()
    untaxed_body = api.get(f"/orders/{untaxed.number}").json()

    assert taxed_body["tax_lines"] == [
        {"label": "TVA", "rate": "10", "base": "99.98", "amount": "10.00"},
        {"label": "TVA", "rate": "5.5", "base": "29.97", "amount": "1.65"},
    ]
    assert (taxed_body["tax_total"], taxed_body["tax_notes"]) == ("11.65", [])
    assert (untaxed_body["tax_lines"], untaxed_body["tax_total"]) == ([], "0.00")
    assert untaxed_body["tax_notes"] == [
        "No tax rate for Standard goods shipped to 62701, IL, US: no tax charged"
    ]


def test_the_cart_api_returns_the_tax_per_rate_estimated_for_the_default_address(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"), ("VOUCHER-1", "1"))

    cart = api_of(shop["paris_buyer"]).get("/cart").json()

    assert cart["tax_lines"] == [
        {"label": "TVA", "rate": "20", "base": "99.98", "amount": "20.00"},
        {"label": "TVA", "rate": "5.5", "base": "29.97", "amount": "1.65"},
        {"label": "TVA", "rate": "0", "base": "120.00", "amount": "0.00"},
    ]
    assert (cart["tax_total"], cart["total"]) == ("21.65", "271.60")
    assert cart["tax_notes"] == []
    assert cart["tax_estimated_for"] == "1 Quay Street, Paris, 75001, FR"


def test_the_cart_api_says_why_no_tax_is_charged(shop):
    fill_cart(shop["berlin_buyer"], ("DRILL-1", "1"))
    shop["berlin"].vat_number = "ATU12345678"
    shop["berlin"].save(update_fields=["vat_number"])

    cart = api_of(shop["berlin_buyer"]).get("/cart").json()

    assert cart["tax_lines"] == [
        {"label": "MwSt", "rate": "19", "base": "49.99", "amount": "9.50"}
    ]
    assert cart["tax_notes"] == [
        "VAT number ATU12345678 is not a VAT number of DE: VAT is charged"
    ]
