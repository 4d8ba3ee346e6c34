"""Shopping list pages: the index, a list with notes and move/copy controls, save for later,
requisition lists added to the cart, a list ordered, and the reorder report's substitutes."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import Address
from comptoir.catalog.models import Product
from comptoir.ordering import lists, services
from comptoir.ordering.models import Order, ShoppingList, ShoppingListKind, ShoppingListLine
from tests import factories

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def lines_of(shopping_list) -> list[tuple[str, Decimal, str]]:
    return [
        (line.product.sku, line.quantity, line.notes)
        for line in ShoppingListLine.objects.filter(shopping_list=shopping_list).order_by("id")
    ]


def client_for(customer_user) -> Client:
    client = Client()
    client.force_login(customer_user.user)
    return client


def test_lists_page_shows_own_lists_and_creates_one(acme_client, shop):
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="DR-100", quantity=1)

    created = acme_client.post(
        reverse("storefront:list_create"), {"name": "Monthly", "kind": "requisition"}, follow=True
    )
    index = acme_client.get(reverse("storefront:lists"))

    monthly = ShoppingList.objects.get(name="Monthly")
    assert created.redirect_chain == [(reverse("storefront:list", args=[monthly.pk]), 302)]
    assert messages_of(created) == ["List 'Monthly' created."]
    assert monthly.kind == ShoppingListKind.REQUISITION
    assert [(each.name, each.is_current) for each in index.context["own"]] == [
        ("Shopping list", True),
        ("Monthly", False),
    ]
    assert index.context["shared"] == []
    assert reverse("storefront:lists") in index.content.decode()


def test_list_page_shows_lines_with_notes_and_prices(acme_client, shop):
    workshop = lists.create_shopping_list(customer_user=shop.acme_buyer, name="Workshop")

    acme_client.post(
        reverse("storefront:list_line_add", args=[workshop.pk]),
        {"sku": "cb-7", "quantity": "2.5", "unit": "m", "notes": "bench 2"},
    )
    response = acme_client.get(reverse("storefront:list", args=[workshop.pk]))

    priced = response.context["priced"]
    assert [(pl.line.product.sku, pl.row_total, pl.line.notes) for pl in priced.lines] == [
        ("CB-7", Decimal("6.25"), "bench 2")
    ]
    assert response.context["editable"] is True
    assert 'value="bench 2"' in response.content.decode()


def test_a_note_is_saved_from_the_list_page(acme_client, shop):
    line = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="AG-1", quantity=3)

    response = acme_client.post(
        reverse("storefront:list_line_notes", args=[line.pk]), {"notes": "for the site"}
    )

    assert response.status_code == 302
    assert ShoppingListLine.objects.get(pk=line.pk).notes == "for the site"


def test_ticked_lines_are_moved_and_copied_to_another_list(acme_client, shop):
    cart = services.current_shopping_list(customer_user=shop.acme_buyer)
    workshop = lists.create_shopping_list(customer_user=shop.acme_buyer, name="Workshop")
    drill = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="DR-100", quantity=2)
    gloves = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="AG-1", quantity=5)
    transfer = reverse("storefront:list_lines_transfer", args=[cart.pk])

    copied = acme_client.post(
        transfer, {"mode": "copy", "to": workshop.pk, "line": [gloves.pk]}, follow=True
    )
    moved = acme_client.post(
        transfer, {"mode": "move", "to": workshop.pk, "line": [drill.pk, gloves.pk]}, follow=True
    )

    assert messages_of(copied) == ["1 line copied."]
    # The gloves copied first were on the list already: the move says what it added up to.
    assert messages_of(moved) == [
        "2 lines moved.",
        "AG-1: 5 item added to the 5 already on the list: 10",
    ]
    assert lines_of(cart) == []
    assert sorted(lines_of(workshop)) == [("AG-1", Decimal(10), ""), ("DR-100", Decimal(2), "")]


def test_save_for_later_and_back(acme_client, shop):
    line = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="AG-1", quantity=3)
    cart_page = acme_client.get(reverse("storefront:cart"))

    saved = acme_client.post(
        reverse("storefront:cart_line_save_for_later", args=[line.pk]), follow=True
    )
    saved_list = ShoppingList.objects.get(kind=ShoppingListKind.SAVED_FOR_LATER)
    page = acme_client.get(reverse("storefront:list", args=[saved_list.pk]))
    back = acme_client.post(reverse("storefront:list_move_to_cart", args=[line.pk]), follow=True)

    save_url = reverse("storefront:cart_line_save_for_later", args=[line.pk])
    assert save_url in cart_page.content.decode()
    assert messages_of(saved) == ["AG-1 saved for later."]
    assert reverse("storefront:list_move_to_cart", args=[line.pk]) in page.content.decode()
    assert messages_of(back) == ["AG-1 moved to your cart."]
    assert back.redirect_chain == [(reverse("storefront:cart"), 302)]
    assert lines_of(saved_list) == []


def test_requisition_list_adds_all_or_ticked_lines_to_the_cart(acme_client, shop):
    monthly = lists.create_shopping_list(
        customer_user=shop.acme_buyer, name="Monthly", kind=ShoppingListKind.REQUISITION
    )
    gloves = services.add_to_shopping_list(
        customer_user=shop.acme_buyer, sku="AG-1", quantity=10, shopping_list_id=monthly.pk
    )
    services.add_to_shopping_list(
        customer_user=shop.acme_buyer, sku="DR-100", quantity=1, shopping_list_id=monthly.pk
    )
    Product.objects.filter(pk=shop.drill.pk).update(is_enabled=False)
    add_to_cart = reverse("storefront:list_add_to_cart", args=[monthly.pk])

    ticked = acme_client.post(add_to_cart, {"line": [gloves.pk]}, follow=True)
    everything = acme_client.post(add_to_cart, {"all": "1"}, follow=True)

    assert messages_of(ticked) == ["1 line added to your cart at today's prices."]
    assert messages_of(everything) == [
        "1 line added to your cart at today's prices.",
        "AG-1: 10 item added to the 10 already in the cart: 20",
        "Not added: 1 item of DR-100: SKU 'DR-100' is no longer sold",
    ]
    cart = services.current_shopping_list(customer_user=shop.acme_buyer)
    assert lines_of(cart) == [("AG-1", Decimal(20), "")]
    assert len(lines_of(monthly)) == 2


def test_a_shopping_list_is_ordered_from_its_page(acme_client, shop):
    workshop = lists.create_shopping_list(customer_user=shop.acme_buyer, name="Workshop")
    services.add_to_shopping_list(
        customer_user=shop.acme_buyer, sku="AG-1", quantity=2, shopping_list_id=workshop.pk
    )
    address = Address.objects.get(company=shop.acme)

    response = acme_client.post(
        reverse("storefront:list_order", args=[workshop.pk]),
        {"shipping_address": address.pk, "billing_address": address.pk, "po_number": "PO-9"},
    )

    order = Order.objects.get(po_number="PO-9")
    assert response["Location"] == reverse("storefront:order_confirmation", args=[order.number])
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("AG-1", 2)]
    assert lines_of(workshop) == []


def test_another_companys_list_is_404(globex_client, shop):
    workshop = lists.create_shopping_list(customer_user=shop.acme_buyer, name="Workshop")

    shown = globex_client.get(reverse("storefront:list", args=[workshop.pk]))
    renamed = globex_client.post(
        reverse("storefront:list_rename", args=[workshop.pk]), {"name": "Ours"}
    )

    assert (shown.status_code, renamed.status_code) == (404, 404)
    assert ShoppingList.objects.get(pk=workshop.pk).name == "Workshop"


def test_a_viewer_sees_a_colleagues_list_read_only(shop):
    viewer = factories.customer_user(shop.acme, "viewer@acme.example", role="viewer")
    workshop = lists.create_shopping_list(customer_user=shop.acme_buyer, name="Workshop")
    services.add_to_shopping_list(
        customer_user=shop.acme_buyer, sku="AG-1", quantity=2, shopping_list_id=workshop.pk
    )
    client = client_for(viewer)

    index = client.get(reverse("storefront:lists"))
    page = client.get(reverse("storefront:list", args=[workshop.pk]))
    renamed = client.post(
        reverse("storefront:list_rename", args=[workshop.pk]), {"name": "Viewer's"}, follow=True
    )

    assert [each.pk for each in index.context["shared"]] == [workshop.pk]
    assert page.context["editable"] is False
    assert 'name="notes"' not in page.content.decode()
    assert messages_of(renamed) == [
        "Your role does not allow you to edit shopping lists; ask your company's administrator"
    ]
    assert ShoppingList.objects.get(pk=workshop.pk).name == "Workshop"


def test_reorder_report_offers_the_substitute_of_a_discontinued_product(acme_client, shop):
    new_gloves = factories.product("AG-2", name="Work Gloves, new")
    factories.price(shop.default_list, new_gloves, "7.50")
    Product.objects.filter(pk=shop.gloves.pk).update(substitute=new_gloves)
    address = Address.objects.get(company=shop.acme)
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="AG-1", quantity=4)
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="CB-7", quantity=2)
    order = services.place_order(
        customer_user=shop.acme_buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
    )
    Product.objects.filter(pk=shop.gloves.pk).update(is_enabled=False)
    report_url = reverse("storefront:reorder_report", args=[order.number])

    reordered = acme_client.post(reverse("storefront:reorder", args=[order.number]))
    report = acme_client.get(report_url)
    added = acme_client.post(
        reverse("storefront:cart_add"),
        {"sku": "AG-2", "quantity": "4", "unit": "item", "next": report_url},
    )

    assert reordered["Location"] == report_url
    checks = report.context["checks"]
    assert [(c.order_line.sku, c.code, c.substitute) for c in checks] == [
        ("AG-1", "discontinued", new_gloves),
        ("CB-7", "", None),
    ]
    assert "Add substitute" in report.content.decode()
    assert added["Location"] == report_url
    cart = services.current_shopping_list(customer_user=shop.acme_buyer)
    assert lines_of(cart) == [("CB-7", Decimal(2), ""), ("AG-2", Decimal(4), "")]
