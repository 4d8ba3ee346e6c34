"""The OpenAPI document and the docs page."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

# Every request reads the storefront access mode.
pytestmark = pytest.mark.django_db


def test_openapi_document_is_3_1_and_lists_every_endpoint():
    response = Client().get("/api/v1/openapi.json")

    document = response.json()
    operations = {
        (method.upper(), path) for path, methods in document["paths"].items() for method in methods
    }
    assert document["openapi"] == "3.1.0"
    assert operations == {
        ("GET", "/api/v1/categories"),
        ("GET", "/api/v1/products"),
        ("GET", "/api/v1/products/{sku}"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/prices/explain"),
        ("GET", "/api/v1/prices/history"),
        ("GET", "/api/v1/indexes"),
        ("POST", "/api/v1/indexes/{code}/values"),
        ("POST", "/api/v1/erp/stock-levels"),
        ("POST", "/api/v1/erp/prices"),
        ("POST", "/api/v1/erp/order-status"),
        ("POST", "/api/v1/erp/shipments"),
        ("POST", "/api/v1/erp/invoices"),
        ("POST", "/api/v1/erp/{entity}"),
        ("GET", "/api/v1/addresses"),
        ("GET", "/api/v1/cart"),
        ("POST", "/api/v1/cart/lines"),
        ("PATCH", "/api/v1/cart/lines/{line_id}"),
        ("DELETE", "/api/v1/cart/lines/{line_id}"),
        ("POST", "/api/v1/cart/lines/bulk"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/lines/bulk"),
        ("POST", "/api/v1/quick-order/preview"),
        ("POST", "/api/v1/cart/coupons"),
        ("DELETE", "/api/v1/cart/coupons/{code}"),
        ("GET", "/api/v1/shopping-lists"),
        ("POST", "/api/v1/shopping-lists"),
        ("GET", "/api/v1/shopping-lists/{shopping_list_id}"),
        ("PATCH", "/api/v1/shopping-lists/{shopping_list_id}"),
        ("DELETE", "/api/v1/shopping-lists/{shopping_list_id}"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/lines"),
        ("PATCH", "/api/v1/shopping-lists/{shopping_list_id}/lines/{line_id}"),
        ("DELETE", "/api/v1/shopping-lists/{shopping_list_id}/lines/{line_id}"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/move-lines"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/copy-lines"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/add-to-cart"),
        ("POST", "/api/v1/shopping-lists/{shopping_list_id}/order"),
        ("POST", "/api/v1/cart/lines/{line_id}/save-for-later"),
        ("POST", "/api/v1/saved-for-later/lines/{line_id}/move-to-cart"),
        ("POST", "/api/v1/orders"),
        ("GET", "/api/v1/orders"),
        ("GET", "/api/v1/orders/{number}"),
        ("POST", "/api/v1/orders/{number}/reorder"),
        ("GET", "/api/v1/orders/{number}/invoices"),
        ("GET", "/api/v1/company/users"),
        ("GET", "/api/v1/company/users/{customer_user_id}"),
        ("PATCH", "/api/v1/company/users/{customer_user_id}"),
        ("POST", "/api/v1/company/users/{customer_user_id}/disable"),
        ("POST", "/api/v1/company/users/{customer_user_id}/enable"),
        ("GET", "/api/v1/company/roles"),
        ("POST", "/api/v1/company/roles"),
        ("GET", "/api/v1/company/roles/{role_id}"),
        ("PATCH", "/api/v1/company/roles/{role_id}"),
        ("DELETE", "/api/v1/company/roles/{role_id}"),
        ("GET", "/api/v1/company/departments"),
        ("POST", "/api/v1/company/departments"),
        ("GET", "/api/v1/company/departments/{department_id}"),
        ("PATCH", "/api/v1/company/departments/{department_id}"),
        ("DELETE", "/api/v1/company/departments/{department_id}"),
        ("POST", "/api/v1/company/addresses"),
        ("PATCH", "/api/v1/company/addresses/{address_id}"),
        ("DELETE", "/api/v1/company/addresses/{address_id}"),
        ("GET", "/api/v1/company/audit-log"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{prefix}"),
        ("GET", "/api/v1/company/invitations"),
        ("POST", "/api/v1/company/invitations"),
        ("DELETE", "/api/v1/company/invitations/{invitation_id}"),
        ("POST", "/api/v1/company/invitations/{invitation_id}/resend"),
    }


def test_openapi_document_says_which_endpoints_guests_may_call():
    document = Client().get("/api/v1/openapi.json").json()

    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    assert document["paths"]["/api/v1/products"]["get"]["security"] == [{"TokenAuth": []}, {}]
    assert document["paths"]["/api/v1/cart"]["get"]["security"] == [{"TokenAuth": []}]


def test_docs_page_answers_and_loads_its_assets_from_the_shop_itself():
    response = Client().get("/api/v1/docs")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in page
    assert "cdn." not in page
    assert finders.find("ninja/swagger-ui-bundle.js") is not None
