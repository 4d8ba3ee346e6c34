"""The quick order API: preview pasted text or a file, add many lines to a list at once."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook

from comptoir.accounts.tokens import create_token
from comptoir.ordering.models import ShoppingList, ShoppingListLine
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    base = factories.price_list("Base")
    lamp = factories.product("LAMP-1", name="Lamp", extra_units=(("set", 0, Decimal(10), True),))
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    for quantity, value in (("1", "20.00"), ("10", "19.00")):
        factories.price(base, lamp, value, quantity=quantity)
    factories.price(base, cable, "1.25")
    acme, globex = factories.company("Acme"), factories.company("Globex")
    factories.assign(base, company=acme)
    factories.assign(base, company=globex)
    buyer = factories.customer_user(acme, "buyer@acme.example")
    other = factories.customer_user(globex, "buyer@globex.example")
    return {
        "buyer": buyer,
        "other": other,
        "api": ApiClient(create_token(customer_user=buyer, name="tests").key),
        "token": create_token(customer_user=buyer, name="upload").key,
    }


def test_preview_of_pasted_text_reports_each_line(shop):
    response = shop["api"].post(
        "/quick-order/preview", {"text": "lamp-1\t12\nCABLE-1;2,5;m\nLAMP-9 1\n"}
    )

    body = response.json()
    assert response.status_code == 200
    assert [
        (line["line"], line["product_sku"], line["quantity"], line["unit_price"], line["problem"])
        for line in body["lines"]
    ] == [
        (1, "LAMP-1", "12", "19.00", None),
        (2, "CABLE-1", "2.5", "1.25", None),
        (3, None, None, None, "SKU 'LAMP-9' not found; did you mean 'LAMP-1'?"),
    ]
    assert body["lines"][2]["code"] == "unknown_sku"
    assert body["lines"][2]["suggestions"] == ["LAMP-1"]
    assert (body["orderable_count"], body["problem_count"], body["subtotal"]) == (2, 1, "231.13")
    assert body["shopping_list_id"] is None
    assert not ShoppingList.objects.exists()


def test_preview_of_an_uploaded_xlsx_file(shop):
    workbook = Workbook()
    workbook.active.append(["Quantity", "SKU"])
    workbook.active.append([3, "CABLE-1"])
    content = io.BytesIO()
    workbook.save(content)
    upload = io.BytesIO(content.getvalue())
    upload.name = "order.xlsx"

    response = Client().post(
        "/api/v1/quick-order/preview",
        {"file": upload},
        headers={"Authorization": f"Bearer {shop['token']}"},
    )

    line = response.json()["lines"][0]
    assert (line["line"], line["product_sku"], line["quantity"], line["row_total"]) == (
        2,
        "CABLE-1",
        "3",
        "3.75",
    )


def test_preview_without_text_or_file_says_how_to_send_them(shop):
    response = shop["api"].post("/quick-order/preview", {"lines": []})

    assert response.status_code == 400
    assert response.json() == {
        "detail": 'Send the lines as JSON {"text": "..."} or upload a CSV or XLSX file in the '
        'multipart field "file"',
        "code": "no_lines",
    }


def test_preview_needs_a_token():
    assert ApiClient().post("/quick-order/preview", {"text": "LAMP-1 1"}).status_code == 401


def test_bulk_add_to_the_cart_adds_the_good_lines_and_reports_the_others(shop):
    response = shop["api"].post(
        "/cart/lines/bulk",
        {
            "lines": [
                {"sku": "lamp-1", "quantity": 4},
                {"sku": "CABLE-1", "quantity": "1.5", "unit": "M"},
                {"sku": "LAMP-1", "quantity": "1,5"},
                {"sku": "LAMP-1", "quantity": 6, "unit": "item"},
            ]
        },
    )

    body = response.json()
    assert response.status_code == 200
    assert [(line["line"], line["added"], line["problem"]) for line in body["lines"]] == [
        (1, True, None),
        (2, True, None),
        (3, False, "Quantity '1,5' is not a number: write decimals with a point, as in '1.5'"),
        (4, False, None),
    ]
    assert body["lines"][0]["merged_lines"] == [4]
    assert body["lines"][3]["merged_into"] == 1
    cart = ShoppingList.objects.get(customer_user=shop["buyer"], is_current=True)
    assert body["shopping_list_id"] == cart.pk
    assert sorted(
        (line.product.sku, line.quantity) for line in ShoppingListLine.objects.all()
    ) == [("CABLE-1", Decimal("1.50")), ("LAMP-1", Decimal(10))]


def test_bulk_add_to_a_named_list(shop):
    projects = ShoppingList.objects.create(
        customer_user=shop["buyer"], company=shop["buyer"].company, name="P", is_current=False
    )

    response = shop["api"].post(
        f"/shopping-lists/{projects.pk}/lines/bulk", {"lines": [{"sku": "LAMP-1", "quantity": 2}]}
    )

    assert response.status_code == 200
    assert response.json()["shopping_list_id"] == projects.pk
    assert projects.lines.get().quantity == Decimal(2)


def test_bulk_add_to_a_list_of_another_company_is_not_found(shop):
    theirs = ShoppingList.objects.create(
        customer_user=shop["other"], company=shop["other"].company, name="T", is_current=False
    )

    response = shop["api"].post(
        f"/shopping-lists/{theirs.pk}/lines/bulk", {"lines": [{"sku": "LAMP-1", "quantity": 2}]}
    )

    assert response.status_code == 404
    assert theirs.lines.count() == 0


@pytest.mark.parametrize("quantity", ["1e28", "1e400", "999999999999999999999999999999", "٣"])
def test_quantities_no_one_orders_get_a_message_not_an_error(shop, quantity):
    response = shop["api"].post("/quick-order/preview", {"text": f"LAMP-1 {quantity}"})

    assert response.status_code == 200
    line = response.json()["lines"][0]
    assert line["code"] == "invalid_quantity"
    assert "Quantity" in line["problem"]


def test_each_line_is_checked_before_lines_of_a_product_are_added_up(shop):
    response = shop["api"].post(
        "/cart/lines/bulk",
        {"lines": [{"sku": "LAMP-1", "quantity": "5"}, {"sku": "LAMP-1", "quantity": "-3"}]},
    )

    lines = response.json()["lines"]
    assert [(line["line"], line["added"], line["code"]) for line in lines] == [
        (1, True, None),
        (2, False, "invalid_quantity"),
    ]
    assert ShoppingListLine.objects.get().quantity == Decimal(5)


def test_line_ids_beyond_any_database_id_are_refused_with_a_message(shop):
    cart = shop["api"].post("/cart/lines", {"sku": "LAMP-1", "quantity": "1"}).json()
    response = shop["api"].post(
        f"/shopping-lists/{cart['id']}/add-to-cart", {"line_ids": [99999999999999999999999]}
    )
    assert response.status_code in (400, 404, 422)
