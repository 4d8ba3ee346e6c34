"""A buyer's whole journey through the API with a token: find, price, cart, order, reorder."""

import pytest

pytestmark = pytest.mark.django_db


def test_buyer_orders_and_reorders_through_the_api(buyer_api, settings):
    settings.COMPTOIR_ORDER_NUMBER_PREFIX = "API"

    found = buyer_api.get("/products", q="lamp-1").json()
    product = buyer_api.get(f"/products/{found['items'][0]['sku'].lower()}").json()
    added = buyer_api.post("/cart/lines", {"sku": "lamp-1", "quantity": "12"})
    cart = buyer_api.get("/cart").json()
    addresses = buyer_api.get("/addresses").json()
    placed = buyer_api.post(
        "/orders",
        {
            "billing_address_id": addresses[0]["id"],
            "shipping_address_id": addresses[0]["id"],
            "po_number": "PO-7731",
            "customer_notes": "Deliver to the loading dock",
        },
    )
    history = buyer_api.get("/orders").json()
    order = buyer_api.get("/orders/API000001").json()
    reordered = buyer_api.post("/orders/API000001/reorder")
    cart_again = buyer_api.get("/cart").json()

    assert found["count"] == 1
    assert product["prices"] == [
        {"unit": "item", "quantity": "1", "value": "20.00", "currency": "USD"},
        {"unit": "item", "quantity": "10", "value": "19.00", "currency": "USD"},
        {"unit": "item", "quantity": "20", "value": "18.50", "currency": "USD"},
        {"unit": "set", "quantity": "1", "value": "180.00", "currency": "USD"},
    ]
    assert added.status_code == 201
    assert [
        (line["sku"], line["quantity"], line["unit_price"], line["row_total"])
        for line in cart["lines"]
    ] == [("LAMP-1", "12", "19.00", "228.00")]
    assert (cart["lines"][0]["price_list"], cart["lines"][0]["tier_quantity"]) == ("Base", "10")
    assert (cart["subtotal"], cart["currency"]) == ("228.00", "USD")
    assert [address["label"] for address in addresses] == ["Head office"]
    assert placed.status_code == 201
    assert placed.json()["number"] == "API000001"
    assert (placed.json()["source"], placed.json()["po_number"]) == ("api", "PO-7731")
    assert [(item["number"], item["status"], item["total"]) for item in history["items"]] == [
        ("API000001", "open", "228.00")
    ]
    assert order["payment_term"] == "net 30"
    assert order["customer_notes"] == "Deliver to the loading dock"
    assert order["shipping_address"]["street"] == addresses[0]["street"]
    assert order["lines"] == [
        {
            "sku": "LAMP-1",
            "name": "Desk lamp",
            "unit": "item",
            "quantity": "12",
            "unit_price": "19.00",
            "row_total": "228.00",
            "price_list": "Base",
            "tier_quantity": "10",
            "discount_total": "0.00",
            "tax_total": "0.00",
        }
    ]
    assert reordered.status_code == 200
    assert [(line["sku"], line["quantity_in_cart"]) for line in reordered.json()["added"]] == [
        ("LAMP-1", "12")
    ]
    assert reordered.json()["skipped"] == []
    assert [(line["sku"], line["quantity"]) for line in cart_again["lines"]] == [("LAMP-1", "12")]
    assert cart_again["subtotal"] == "228.00"


def test_placing_an_order_empties_the_cart(buyer_api, shop):
    buyer_api.post("/cart/lines", {"sku": "CABLE-1", "quantity": 2.5})
    address_id = buyer_api.get("/addresses").json()[0]["id"]

    buyer_api.post(
        "/orders", {"billing_address_id": address_id, "shipping_address_id": address_id}
    )

    cart = buyer_api.get("/cart").json()
    assert (cart["lines"], cart["subtotal"], cart["is_orderable"]) == ([], "0.00", False)


def test_a_cart_never_used_is_empty_in_the_company_currency(buyer_api):
    response = buyer_api.get("/cart")

    assert response.json() == {
        "id": None,
        "name": "Shopping list",
        "lines": [],
        "subtotal": "0.00",
        "discounts": [],
        "discount_total": "0.00",
        "shipping": "0.00",
        "shipping_total": "0.00",
        "tax_lines": [],
        "tax_total": "0.00",
        "tax_notes": [],
        "tax_estimated_for": None,
        "total": "0.00",
        "coupons": [],
        "currency": "USD",
        "is_orderable": False,
    }


def test_changing_and_removing_cart_lines(buyer_api):
    line_id = buyer_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 5}).json()["lines"][0][
        "id"
    ]

    changed = buyer_api.patch(f"/cart/lines/{line_id}", {"quantity": "20"})
    removed = buyer_api.delete(f"/cart/lines/{line_id}")

    assert changed.status_code == 200
    assert [(line["quantity"], line["unit_price"]) for line in changed.json()["lines"]] == [
        ("20", "18.50")
    ]
    assert (removed.status_code, removed.content) == (204, b"")
    assert buyer_api.get("/cart").json()["lines"] == []


def test_reorder_reports_lines_it_cannot_add(buyer_api, shop):
    buyer_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 3})
    buyer_api.post("/cart/lines", {"sku": "CABLE-1", "quantity": "4.25"})
    address_id = buyer_api.get("/addresses").json()[0]["id"]
    number = buyer_api.post(
        "/orders", {"billing_address_id": address_id, "shipping_address_id": address_id}
    ).json()["number"]
    shop["cable"].is_enabled = False
    shop["cable"].save()

    report = buyer_api.post(f"/orders/{number}/reorder").json()

    assert [line["sku"] for line in report["added"]] == ["LAMP-1"]
    assert report["skipped"] == [
        {
            "sku": "CABLE-1",
            "name": "Cable",
            "unit": "m",
            "quantity": "4.25",
            "reason": "SKU 'CABLE-1' is no longer sold",
            "code": "discontinued",
            "substitute_sku": None,
        }
    ]
    assert [line["sku"] for line in report["cart"]["lines"]] == ["LAMP-1"]
