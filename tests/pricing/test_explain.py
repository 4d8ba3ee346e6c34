"""Why this price: the API, the command and integration clients; the same numbers the cart has."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from comptoir.accounts.tokens import create_token
from comptoir.integration.clients import create_client
from comptoir.ordering.queries import priced_shopping_list, shopping_list_totals
from comptoir.ordering.services import add_to_shopping_list
from comptoir.pricing import services
from comptoir.pricing.models import PriceRule
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(django_capture_on_commit_callbacks):
    default = factories.price_list("Default")
    wholesale = factories.price_list("Wholesale")
    product = factories.product("0RT28")
    factories.price(default, product, "99.99")
    factories.price(default, product, "94.99", quantity="10")
    company = factories.company("Wholesaler B", with_address=False)
    factories.address(company, country="FR", postal_code="75002", is_default_shipping=True)
    factories.assign(wholesale, company=company, sort_order=1)
    factories.assign(default)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_price_rule(
            PriceRule(
                price_list=wholesale,
                name="Wholesale -10 %",
                formula='pricelist["Default"].price * 0.9',
            )
        )
    factories.product_tax_code("standard", is_default=True)
    factories.tax_rate("20", country="FR", code="standard", label="VAT")
    factories.promotion("Spring", label="Spring -5 %", value=Decimal(5), products=[product])
    buyer = factories.customer_user(company)
    return product, company, buyer


def explain(client, token, **query):
    return client.get(
        "/api/v1/prices/explain", query, headers={"Authorization": f"Bearer {token}"}
    )


def test_a_buyer_gets_the_whole_story_of_its_price(client, shop):
    product, company, buyer = shop
    token = create_token(customer_user=buyer).key

    response = explain(client, token, sku="0rt28", quantity="12")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["unit_price"] == "85.49"
    assert body["price_list"] == "Wholesale" and body["tier_quantity"] == "10"
    assert [
        (entry["price_list"], entry["level"], entry["gave_the_price"]) for entry in body["lists"]
    ] == [
        ("Wholesale", "company", True),
        ("Default", "website", False),
    ]
    assert body["lists"][0]["tiers"] == [
        {"quantity": "1", "value": "89.99", "source": "rule"},
        {"quantity": "10", "value": "85.49", "source": "rule"},
    ]
    assert body["rule"] == {
        "name": "Wholesale -10 %",
        "formula": 'pricelist["Default"].price * 0.9',
        "priority": 100,
        "inputs": {'pricelist["Default"].price': "94.99"},
        "result": "85.491",
        "rounding": "half-up to the currency's minor unit",
        "rounded": "85.49",
        "up_to_date": True,
        "problem": "",
    }
    assert body["row_total"] == "1025.88"
    assert body["discounts"] == [{"label": "Spring -5 %", "amount": "51.29", "level": "line"}]
    assert body["net"] == "974.59"
    assert [(t["label"], t["amount"]) for t in body["taxes"]] == [("VAT", "194.92")]
    assert body["total"] == "1169.51"


def test_the_explanation_has_the_numbers_of_the_cart(client, shop):
    product, company, buyer = shop
    shopping_list = add_to_shopping_list(
        customer_user=buyer, sku="0RT28", quantity="12"
    ).shopping_list
    cart = shopping_list_totals(priced_shopping_list(shopping_list))

    body = explain(
        client, create_token(customer_user=buyer).key, sku="0RT28", quantity="12"
    ).json()

    assert body["unit_price"] == str(cart.lines[0].unit_price.normalize())
    assert Decimal(body["net"]) == cart.net
    assert Decimal(body["total"]) == cart.net + cart.tax_total


def test_a_buyer_cannot_ask_for_another_company(client, shop):
    product, company, buyer = shop
    factories.company("Partner C")
    token = create_token(customer_user=buyer).key

    response = explain(client, token, sku="0RT28", company="Partner C")

    assert response.status_code == 403
    assert response.json()["code"] == "other_company"


def test_an_integration_client_names_the_company(client, shop):
    product, company, buyer = shop
    key = create_client(name="ERP", scopes=["prices:explain"]).key

    body = explain(client, key, sku="0RT28", company="wholesaler b").json()
    assert (body["company"], body["unit_price"]) == ("Wholesaler B", "89.99")

    missing = explain(client, key, sku="0RT28")
    assert (missing.status_code, missing.json()["code"]) == (400, "company_required")
    unknown = explain(client, key, sku="0RT28", company="Nobody")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_company")


def test_a_client_without_the_scope_is_refused(client, shop):
    key = create_client(name="PIM", scopes=["indexes:write"]).key
    response = explain(client, key, sku="0RT28", company="Wholesaler B")
    assert response.status_code == 403
    assert "prices:explain" in response.json()["detail"]


def test_a_client_cannot_act_as_a_customer_user(client, shop):
    key = create_client(name="ERP", scopes=["prices:explain"]).key
    response = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert response.json()["code"] == "customer_user_only"


def test_bad_requests_say_what_to_fix(client, shop):
    product, company, buyer = shop
    token = create_token(customer_user=buyer).key
    assert explain(client, token, sku="NOPE").json()["code"] == "unknown_sku"
    unit = explain(client, token, sku="0RT28", unit="kg")
    assert (unit.status_code, unit.json()["code"]) == (404, "unit_not_sold")
    quantity = explain(client, token, sku="0RT28", quantity="1,5")
    assert quantity.status_code == 422


def test_without_a_token_the_explanation_is_refused(client, shop):
    assert client.get("/api/v1/prices/explain", {"sku": "0RT28"}).status_code == 401


def test_the_command_explains_a_price(shop):
    out = StringIO()
    call_command(
        "pricing", "explain", "0RT28", "--company", "Wholesaler B", "--quantity", "12", stdout=out
    )
    text = out.getvalue()
    assert "0RT28 x 12 item for Wholesaler B: 85.49 USD from Wholesale, tier from 10" in text
    assert "computed by the rule 'Wholesale -10 %'" in text
    assert 'pricelist["Default"].price = 94.99' in text
    assert "promotion Spring -5 %: -51.29" in text
