"""The ERP pushes stock and prices in batches, each call once whatever the retries."""

import json
from decimal import Decimal

import pytest

from comptoir.accounts.tokens import create_token
from comptoir.integration.clients import create_client
from comptoir.integration.models import IdempotentRequest
from comptoir.inventory.models import StockLevel, Warehouse
from comptoir.pricing.models import Price, PriceChange, PriceRule
from comptoir.pricing.services import save_price_rule
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp():
    return create_client(name="ERP", scopes=["stock:write", "prices:write"]).key


@pytest.fixture
def catalog():
    return [
        factories.product("0RT28"),
        factories.product("1GB82", extra_units=(("set", 0, Decimal(6), True),)),
    ]


def post(client, key, path, body, idempotency_key="call-1"):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return client.post(
        f"/api/v1/erp/{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def test_stock_levels_are_set_and_a_retry_changes_nothing(client, erp, catalog):
    body = {
        "levels": [
            {"sku": "0rt28", "warehouse": "MAIN", "quantity": "120"},
            {"sku": "1GB82 ", "warehouse": "MAIN", "quantity": 7.5},
            {"sku": "0RT28", "warehouse": "EAST", "quantity": "0"},
        ]
    }

    first = post(client, erp, "stock-levels", body)
    again = post(client, erp, "stock-levels", body)

    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert sorted(Warehouse.objects.values_list("code", flat=True)) == ["EAST", "MAIN"]
    levels = {(s.product.sku, s.warehouse.code): s.quantity for s in StockLevel.objects.all()}
    assert levels == {
        ("0RT28", "MAIN"): Decimal("120.000"),
        ("1GB82", "MAIN"): Decimal("7.500"),
        ("0RT28", "EAST"): Decimal("0.000"),
    }

    second_call = {"levels": [{"sku": "0RT28", "warehouse": "main", "quantity": "100"}]}
    response = post(client, erp, "stock-levels", second_call, idempotency_key="call-2")
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}


def test_a_batch_with_bad_rows_writes_nothing_and_lists_every_problem(client, erp, catalog):
    body = {
        "levels": [
            {"sku": "0RT28", "warehouse": "MAIN", "quantity": "1"},
            {"sku": "NOPE", "warehouse": "MAIN", "quantity": "1"},
            {"sku": "1GB82", "warehouse": "", "quantity": "1.23456"},
        ]
    }

    response = post(client, erp, "stock-levels", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 1, "field": "sku", "message": "unknown SKU 'NOPE'"},
        {"index": 2, "field": "warehouse", "message": "a warehouse code of 1 to 30 characters"},
        {"index": 2, "field": "quantity", "message": "at most 3 decimals"},
    ]
    assert not StockLevel.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_a_key_reused_for_another_call_is_refused(client, erp, catalog):
    post(
        client,
        erp,
        "stock-levels",
        {"levels": [{"sku": "0RT28", "warehouse": "A", "quantity": 1}]},
    )
    other = post(
        client,
        erp,
        "stock-levels",
        {"levels": [{"sku": "0RT28", "warehouse": "A", "quantity": 2}]},
    )
    assert other.status_code == 400
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_key_too_long_or_with_a_control_character_gets_its_own_code(client, erp, catalog):
    body = {"levels": [{"sku": "0RT28", "warehouse": "A", "quantity": 1}]}

    too_long = post(client, erp, "stock-levels", body, idempotency_key="k" * 101)
    longest = post(client, erp, "stock-levels", body, idempotency_key="k" * 100)
    control = post(client, erp, "stock-levels", body, idempotency_key="call\x01one")

    assert (too_long.status_code, too_long.json()) == (
        400,
        {
            "detail": "The Idempotency-Key header is 101 characters long; at most 100 fit: "
            "send a shorter key (a UUID is 36 characters)",
            "code": "idempotency_key_too_long",
        },
    )
    assert longest.status_code == 200
    assert (control.status_code, control.json()["code"]) == (400, "idempotency_key_invalid")
    assert StockLevel.objects.count() == 1


def test_a_call_without_a_key_or_scope_is_refused(client, erp, catalog):
    body = {"levels": [{"sku": "0RT28", "warehouse": "A", "quantity": 1}]}
    assert post(client, erp, "stock-levels", body, idempotency_key="").json()["code"] == (
        "idempotency_key_missing"
    )
    reader = create_client(name="BI", scopes=["prices:explain"]).key
    assert post(client, reader, "stock-levels", body).status_code == 403
    buyer = factories.customer_user(factories.company())
    token = create_token(customer_user=buyer).key
    assert post(client, token, "stock-levels", body).status_code == 403
    assert not StockLevel.objects.exists()


def test_prices_pushed_are_entered_by_hand_and_dependent_lists_follow(
    client, erp, catalog, django_capture_on_commit_callbacks
):
    default = factories.price_list("Default")
    wholesale = factories.price_list("Wholesale")
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(
                price_list=wholesale, name="-10 %", formula='pricelist["Default"].price * 0.9'
            )
        )
    body = {
        "price_list": "default",
        "prices": [
            {"sku": "0RT28", "value": "99.99"},
            {"sku": "0RT28", "quantity": "10", "value": "94.99"},
            {"sku": "1GB82", "unit": "set", "value": "60"},
        ],
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, erp, "prices", body)

    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert set(Price.objects.filter(price_list=default).values_list("source", flat=True)) == {
        "manual"
    }
    computed = {
        (p.product.sku, p.unit.code, p.quantity.normalize()): p.value
        for p in Price.objects.filter(price_list=wholesale)
    }
    assert computed == {
        ("0RT28", "item", Decimal(1)): Decimal("89.99"),
        ("0RT28", "item", Decimal(10)): Decimal("85.49"),
        ("1GB82", "set", Decimal(1)): Decimal("54.00"),
    }

    reset = {"price_list": "Default", "mode": "reset_and_add", "prices": [body["prices"][0]]}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, erp, "prices", reset, idempotency_key="call-2")
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 1}
    assert Price.objects.filter(price_list=default, product__sku="0RT28").count() == 1
    assert PriceChange.objects.filter(price_list=default, value__isnull=True).count() == 1


def test_bad_prices_are_listed_by_row(client, erp, catalog):
    factories.price_list("Default")
    body = {
        "price_list": "Default",
        "prices": [
            {"sku": "0RT28", "unit": "kg", "value": "1"},
            {"sku": "0RT28", "value": "-1"},
            {"sku": "0RT28", "value": "1.123456"},
        ],
    }
    response = post(client, erp, "prices", body)
    assert response.status_code == 422
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "unit"),
        (1, "value"),
        (2, "value"),
    ]
    unknown = post(client, erp, "prices", {**body, "price_list": "Nope"}, idempotency_key="x")
    assert unknown.json()["code"] == "unknown_price_list"


def test_the_quick_order_preview_says_what_is_in_stock(client, erp, catalog):
    from comptoir.ordering.quick_order import preview_quick_order
    from comptoir.ordering.quick_order_reading import read_text

    default = factories.price_list("Default")
    factories.assign(default)
    for product in catalog:
        factories.price(default, product, "10.00")
    factories.price(default, catalog[1], "55.00", unit_code="set")
    post(
        client,
        erp,
        "stock-levels",
        {
            "levels": [
                {"sku": "0RT28", "warehouse": "MAIN", "quantity": "5"},
                {"sku": "0RT28", "warehouse": "EAST", "quantity": "3"},
                {"sku": "1GB82", "warehouse": "MAIN", "quantity": "10"},
            ]
        },
    )
    buyer = factories.customer_user(factories.company())

    report = preview_quick_order(customer_user=buyer, entered=read_text("0RT28 8\n1GB82 2 set\n"))

    assert [(line.in_stock, line.availability) for line in report.lines] == [
        (Decimal("8.000"), "In stock"),
        (Decimal("10.000"), "Only 10 in stock: the rest will ship when it comes in"),
    ]
