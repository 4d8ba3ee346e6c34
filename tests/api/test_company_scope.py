"""Every endpoint as two companies: another company's records answer 404, as missing ones do."""

import pytest

from comptoir.ordering.models import ShoppingListLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_records(buyer_api):
    """An order placed by the Acme buyer, then a line left in its cart."""
    address_id = buyer_api.get("/addresses").json()[0]["id"]
    buyer_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 2})
    order = buyer_api.post(
        "/orders",
        {"billing_address_id": address_id, "shipping_address_id": address_id},
    ).json()
    cart = buyer_api.post("/cart/lines", {"sku": "CABLE-1", "quantity": "3"}).json()
    return {
        "address_id": address_id,
        "order_number": order["number"],
        "shopping_list_id": cart["id"],
        "line_id": cart["lines"][0]["id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/orders/{order_number}", None),
        ("post", "/orders/{order_number}/reorder", None),
        ("get", "/shopping-lists/{shopping_list_id}", None),
        ("patch", "/cart/lines/{line_id}", {"quantity": 1}),
        ("delete", "/cart/lines/{line_id}", None),
        (
            "post",
            "/orders",
            {"billing_address_id": "{address_id}", "shipping_address_id": "{address_id}"},
        ),
    ],
)
def test_buyer_of_another_company_gets_404(other_api, acme_records, method, path, body):
    other_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 1})
    if body is not None:
        body = {key: str(value).format(**acme_records) for key, value in body.items()}
    url = path.format(**acme_records)

    response = other_api.call(method, url, body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_company_cannot_change_or_remove_a_cart_line(other_api, acme_records):
    other_api.patch(f"/cart/lines/{acme_records['line_id']}", {"quantity": 9})
    other_api.delete(f"/cart/lines/{acme_records['line_id']}")

    assert ShoppingListLine.objects.get(pk=acme_records["line_id"]).quantity == 3


def test_lists_show_only_the_callers_company(other_api, buyer_api, acme_records):
    orders = other_api.get("/orders").json()
    addresses = other_api.get("/addresses").json()
    cart = other_api.get("/cart").json()

    assert (orders["count"], orders["items"]) == (0, [])
    assert len(addresses) == 1
    assert addresses[0]["id"] != acme_records["address_id"]
    assert cart["lines"] == []
    assert buyer_api.get("/orders").json()["count"] == 1
