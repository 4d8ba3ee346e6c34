"""The quick order page: paste or upload, preview, add to a list, check out."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from comptoir.ordering.models import ShoppingList, ShoppingListLine

PASTE = "dr-100\t2\ncb-7; 1,5 ;m\nXX-1 1\nag-1 1 kg\n"


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def lines_of(shopping_list) -> list[tuple[str, str, Decimal]]:
    return sorted(
        (line.product.sku, line.unit.code, line.quantity)
        for line in ShoppingListLine.objects.filter(shopping_list=shopping_list)
    )


def cart_of(customer_user):
    return ShoppingList.objects.get(customer_user=customer_user, is_current=True)


def test_the_preview_shows_each_line_with_its_price_or_its_problem(acme_client, shop):
    response = acme_client.post(reverse("storefront:quick_order"), {"lines": PASTE})

    page = response.content.decode()
    report = response.context["report"]
    assert response.status_code == 200
    assert [(line.number, line.problem) for line in report.lines] == [
        (1, ""),
        (2, ""),
        (3, "SKU 'XX-1' not found"),
        (4, "SKU 'AG-1' is not sold in unit 'kg' (sold in: item)"),
    ]
    assert report.subtotal == Decimal("200.00") + Decimal("3.75")
    assert "SKU &#x27;XX-1&#x27; not found" in page
    assert 'formaction="/quick-order/add/"' in page
    assert not ShoppingList.objects.filter(customer_user=shop.acme_buyer).exists()


def test_the_preview_prices_for_the_buyers_company(client, shop):
    client.force_login(shop.globex_buyer.user)

    response = client.post(reverse("storefront:quick_order"), {"lines": "DR-100 1"})

    assert response.context["report"].lines[0].price.value == Decimal("80.00")


def test_adding_puts_the_good_lines_in_the_cart_and_keeps_the_others_in_the_box(acme_client, shop):
    response = acme_client.post(reverse("storefront:quick_order_add"), {"lines": PASTE})

    assert response.status_code == 200
    assert lines_of(cart_of(shop.acme_buyer)) == [
        ("CB-7", "m", Decimal("1.50")),
        ("DR-100", "item", Decimal(2)),
    ]
    assert response.context["text"] == "XX-1\t1\nag-1\t1\tkg"
    assert messages_of(response) == [
        "Added 2 lines to your cart.",
        "2 lines were not added: correct them below and add them again.",
    ]


def test_adding_clean_lines_goes_to_the_cart_or_to_checkout(acme_client, shop):
    response = acme_client.post(reverse("storefront:quick_order_add"), {"lines": "DR-100 1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:cart")
    response = acme_client.post(
        reverse("storefront:quick_order_add"), {"lines": "AG-1 3", "checkout": "1"}
    )
    assert response["Location"] == reverse("storefront:checkout")
    assert lines_of(cart_of(shop.acme_buyer)) == [
        ("AG-1", "item", Decimal(3)),
        ("DR-100", "item", Decimal(1)),
    ]


def test_adding_to_another_list_of_the_buyer(acme_client, shop):
    projects = ShoppingList.objects.create(
        customer_user=shop.acme_buyer, company=shop.acme, name="Projects", is_current=False
    )

    response = acme_client.post(
        reverse("storefront:quick_order_add"),
        {"lines": "CB-7 12.25 m", "shopping_list": str(projects.pk)},
    )

    assert response["Location"] == reverse("storefront:list", args=[projects.pk])
    assert lines_of(projects) == [("CB-7", "m", Decimal("12.25"))]


def test_adding_to_a_list_of_another_company_is_not_found(acme_client, shop):
    theirs = ShoppingList.objects.create(
        customer_user=shop.globex_buyer, company=shop.globex, name="Theirs", is_current=False
    )

    response = acme_client.post(
        reverse("storefront:quick_order_add"),
        {"lines": "DR-100 1", "shopping_list": str(theirs.pk)},
    )

    assert response.status_code == 404
    assert lines_of(theirs) == []


def test_uploading_a_csv_fills_the_box_and_previews_it(acme_client, shop):
    content = "\ufeffSKU;Quantity;Unit\r\nDR-100;1;set\r\ncb-7;2,5;m\r\n".encode()
    upload = SimpleUploadedFile("order.csv", content, content_type="text/csv")

    response = acme_client.post(reverse("storefront:quick_order"), {"lines": "", "file": upload})

    report = response.context["report"]
    assert [(line.number, line.quantity, line.unit_code) for line in report.lines] == [
        (2, Decimal(1), "set"),
        (3, Decimal("2.50"), "m"),
    ]
    assert report.lines[0].row_total == Decimal("450.00")
    assert response.context["text"] == "DR-100\t1\tset\ncb-7\t2.5\tm"


def test_uploading_an_xlsx_file_previews_it(acme_client, shop):
    workbook = Workbook()
    workbook.active.append(["sku", "qty"])
    workbook.active.append(["AG-1", 4])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("order.xlsx", content.getvalue())

    response = acme_client.post(reverse("storefront:quick_order"), {"file": upload})

    line = response.context["report"].lines[0]
    assert (line.product.sku, line.quantity, line.row_total) == ("AG-1", 4, Decimal("28.00"))


def test_an_upload_that_is_not_a_workbook_gets_a_message(acme_client, shop):
    upload = SimpleUploadedFile("order.xlsx", b"PK\x03\x04 broken")

    response = acme_client.post(reverse("storefront:quick_order"), {"file": upload})

    assert response.context["report"] is None
    assert messages_of(response)[0].startswith("The file is not an XLSX workbook")


def test_the_templates_have_the_columns_of_a_quick_order_file(acme_client, shop):
    csv_response = acme_client.get(reverse("storefront:quick_order_template_csv"))
    xlsx_response = acme_client.get(reverse("storefront:quick_order_template_xlsx"))

    assert list(csv.reader(io.StringIO(csv_response.content.decode()))) == [
        ["SKU", "Quantity", "Unit"]
    ]
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [cell.value for cell in sheet[1]] == ["SKU", "Quantity", "Unit"]


def test_the_header_links_to_quick_order(acme_client, shop):
    response = acme_client.get(reverse("storefront:home"))

    assert f'href="{reverse("storefront:quick_order")}"' in response.content.decode()


@pytest.mark.parametrize("name", ["quick_order", "quick_order_template_csv"])
def test_guests_are_sent_to_log_in(client, shop, name):
    response = client.get(reverse(f"storefront:{name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("storefront:login"))


def test_lines_past_the_limit_are_not_lost_when_adding(acme_client, shop, monkeypatch):
    import comptoir.ordering.quick_order as quick_order

    monkeypatch.setattr(quick_order, "MAX_LINES", 2)

    response = acme_client.post(
        reverse("storefront:quick_order_add"), {"lines": "DR-100 1\nDR-100 2\nCB-7 3 m\n"}
    )

    assert response.status_code == 200
    assert lines_of(cart_of(shop.acme_buyer)) == [("DR-100", "item", Decimal(3))]
    assert response.context["text"] == "CB-7\t3\tm"
    assert "Only the first 2 lines were read" in " ".join(messages_of(response))
