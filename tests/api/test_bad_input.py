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


def test_a_sku_longer_than_any_sku_is_unknown_and_quoted_short(buyer_api):
    response = buyer_api.post("/cart/lines", {"sku": "A" * 60_000, "quantity": 1})

    assert response.status_code == 404
    assert response.json() == {"detail": f"SKU '{'A' * 59}…' not found", "code": "unknown_sku"}


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        (
            "post",
            "/cart/lines",
            {"sku": "LAMP-1\x00", "quantity": 1},
            "SKU 'LAMP-1\x00' not found",
        ),
        ("get", "/products/LAMP-1%00", None, "SKU 'LAMP-1\x00' not found"),
        ("get", "/orders/CO%00", None, "No order matches number 'CO\\x00'"),
        ("post", "/orders/CO%00/reorder", None, "No order matches number 'CO\\x00'"),
        ("get", "/products?category=desk%00", None, "No category has the slug 'desk\x00'"),
    ],
)
def test_a_nul_character_in_a_key_is_not_found(buyer_api, method, path, body, expected):
    response = buyer_api.call(method, path, body)

    assert response.status_code == 404
    assert response.json()["detail"] == expected


def test_a_nul_character_in_the_po_number_is_refused_and_the_cart_kept(buyer_api):
    address_id = buyer_api.get("/addresses").json()[0]["id"]
    buyer_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 1})

    response = buyer_api.post(
        "/orders",
        {"billing_address_id": address_id, "shipping_address_id": address_id, "po_number": "P\0"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The PO number cannot hold a NUL character (\\x00): remove it",
        "code": "nul_character",
    }
    assert len(buyer_api.get("/cart").json()["lines"]) == 1


@pytest.mark.parametrize("q", ["lamp\x00", "lamp " * 5000])
def test_a_search_text_the_database_cannot_take_as_it_is_still_finds(buyer_api, q):
    response = buyer_api.get("/products", q=q)

    assert response.status_code == 200
    assert [item["sku"] for item in response.json()["items"]] == ["LAMP-1"]


def test_a_blank_search_text_lists_every_product_as_no_search_does(buyer_api):
    response = buyer_api.get("/products", q="  ")

    assert [item["sku"] for item in response.json()["items"]] == ["CABLE-1", "LAMP-1"]


@pytest.mark.parametrize("page", [3, 10**20])
def test_a_page_past_the_last_is_empty(buyer_api, page):
    response = buyer_api.get("/products", page=page)

    assert response.status_code == 200
    assert response.json() == {"count": 2, "page": page, "page_size": 24, "pages": 1, "items": []}


def test_a_body_over_the_upload_limit_is_a_json_413(buyer_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = buyer_api.post("/cart/lines", {"sku": "LAMP-1", "quantity": 1, "x": "x" * 1000})

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1000 bytes: send less in one request",
        "code": "body_too_large",
    }
    assert ShoppingListLine.objects.count() == 0
