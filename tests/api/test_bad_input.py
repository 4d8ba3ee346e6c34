"""Bad input gets a 4xx with a JSON body saying what to change, and changes nothing."""

import pytest

from comptoir.accounts.tokens import create_token, revoke_token
from comptoir.ordering.models import ShoppingListLine
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400(buyer_api):
    response = buyer_api.post("/cart/lines", raw='{"sku": "LAMP-1", "quantity": }')

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON: Expecting value: line 1 column 31 "
        "(char 30)",
        "code": "malformed_json",
    }


@pytest.mark.parametrize(
    ("line", "status", "expected"),
    [
        (
            {"sku": "NOPE-404", "quantity": 1},
            404,
            {"detail": "SKU 'NOPE-404' not found", "code": "unknown_sku"},
        ),
        (
            {"sku": "LAMP-1", "quantity": "-2"},
            422,
            {"detail": "Quantity must be more than 0, got -2", "code": "invalid_quantity"},
        ),
        (
            {"sku": "LAMP-1", "quantity": 0},
            422,
            {"detail": "Quantity must be more than 0, got 0", "code": "invalid_quantity"},
        ),
        (
            {"sku": "LAMP-1", "quantity": 1.5},
            422,
            {
                "detail": "Quantity 1.5 has too many decimals: unit 'item' takes whole numbers",
                "code": "invalid_quantity",
            },
        ),
        (
            {"sku": "CABLE-1", "quantity": "1.255"},
            422,
            {
                "detail": "Quantity 1.255 has too many decimals: unit 'm' takes at most 2 "
                "decimals",
                "code": "invalid_quantity",
            },
        ),
        (
            {"sku": "CABLE-1", "quantity": "1,5"},
            422,
            {
                "detail": "Quantity '1,5' is not a number: write decimals with a point, as in "
                "'1.5'",
                "code": "invalid_quantity",
            },
        ),
        (
            {"sku": "LAMP-1", "unit": "kg", "quantity": 1},
            422,
            {
                "detail": "SKU 'LAMP-1' is not sold in unit 'kg' (sold in: item, set)",
                "code": "unit_not_sold",
            },
        ),
        (
            {"sku": "LAMP-1", "quantity": True},
            422,
            {
                "detail": 'quantity: a quantity is a string or a number, such as "12" or 2.5',
                "code": "invalid_input",
                "errors": [
                    {
                        "field": "quantity",
                        "message": 'a quantity is a string or a number, such as "12" or 2.5',
                    }
                ],
            },
        ),
        (
            {},
            422,
            {
                "detail": "sku: this field is required; quantity: this field is required",
                "code": "invalid_input",
                "errors": [
                    {"field": "sku", "message": "this field is required"},
                    {"field": "quantity", "message": "this field is required"},
                ],
            },
        ),
    ],
)
def test_a_cart_line_that_cannot_be_added_is_refused(buyer_api, line, status, expected):
    response = buyer_api.post("/cart/lines", line)

    assert response.status_code == status
    assert response.json() == expected
    assert ShoppingListLine.objects.count() == 0


def test_an_over_precise_quantity_change_leaves_the_line_alone(buyer_api):
    line_id = buyer_api.post("/cart/lines", {"sku": "CABLE-1", "quantity": "2"}).json()["lines"][
        0
    ]["id"]

    response = buyer_api.patch(f"/cart/lines/{line_id}", {"quantity": "0.001"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_quantity"
    assert buyer_api.get("/cart").json()["lines"][0]["quantity"] == "2"


def test_ordering_an_empty_cart_is_refused(buyer_api):
    address_id = buyer_api.get("/addresses").json()[0]["id"]

    response = buyer_api.post(
        "/orders", {"billing_address_id": address_id, "shipping_address_id": address_id}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The shopping list is empty",
        "code": "empty_shopping_list",
    }


def test_an_order_without_addresses_names_the_missing_fields(buyer_api):
    response = buyer_api.post("/orders", {"po_number": "PO-1"})

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "billing_address_id: this field is required; shipping_address_id: this field is required"
    )


def test_a_bad_page_number_is_refused(buyer_api):
    response = buyer_api.get("/orders", page=0)

    assert response.status_code == 422
    assert response.json()["detail"] == "page: Input should be greater than or equal to 1"


@pytest.mark.parametrize("path", ["/me", "/cart", "/orders", "/products", "/categories"])
def test_an_unknown_token_is_refused_even_where_guests_are_welcome(shop, path):
    response = ApiClient("cpt_not-a-real-token").get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "The API token is not valid: it is unknown, revoked, or its user is inactive",
        "code": "not_authenticated",
    }


def test_a_revoked_token_is_refused(shop):
    created = create_token(customer_user=shop["buyer"])
    revoke_token(api_token=created.api_token)

    response = ApiClient(created.key).get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_token_of_an_inactive_user_is_refused(shop):
    created = create_token(customer_user=shop["buyer"])
    shop["buyer"].user.is_active = False
    shop["buyer"].user.save()

    response = ApiClient(created.key).get("/cart")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_credentials_of_another_kind_are_refused(shop):
    client = ApiClient()
    client.headers = {"Authorization": "Basic YnV5ZXI6c2VjcmV0"}

    response = client.get("/me")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send an API token as 'Authorization: Bearer TOKEN'"
        "; got another kind of credentials",
        "code": "not_authenticated",
    }


def test_a_buyer_endpoint_without_a_token_asks_for_one(guest_api):
    response = guest_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 1})

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send an API token as 'Authorization: Bearer TOKEN'",
        "code": "not_authenticated",
    }


def test_an_unknown_path_is_a_json_404(buyer_api):
    response = buyer_api.get("/invoices")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no API endpoint at /api/v1/invoices; the list is in the OpenAPI "
        "document",
        "code": "not_found",
    }


def test_a_method_an_endpoint_does_not_take_is_a_json_405(buyer_api):
    response = buyer_api.call("put", "/cart", {})

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "detail": "PUT is not allowed on /api/v1/cart; use GET",
        "code": "method_not_allowed",
    }
