"""The shopping list API: lists, lines and notes, move and copy, save for later, requisition
lists copied into the cart, a list placed as an order, and the reorder report's substitutes."""

from decimal import Decimal

import pytest

from comptoir.accounts.models import Address
from comptoir.accounts.tokens import create_token
from comptoir.catalog.models import Product
from comptoir.ordering import lists
from comptoir.ordering.models import ShoppingList, ShoppingListKind
from comptoir.ordering.services import add_to_shopping_list, current_shopping_list, place_order
from tests import factories
from tests.api.conftest import ApiClient
from tests.ordering.test_lists import lines_of, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


def api_for(customer_user) -> ApiClient:
    return ApiClient(create_token(customer_user=customer_user, name="test").key)


def test_creating_listing_renaming_and_deleting_lists(shop):
    api = api_for(shop.buyer)
    current_shopping_list(customer_user=shop.buyer)

    created = api.post("/shopping-lists", {"name": "Monthly", "kind": "requisition"})
    list_id = created.json()["id"]
    renamed = api.patch(f"/shopping-lists/{list_id}", {"name": "Every month"})
    listed = api.get("/shopping-lists")
    deleted = api.delete(f"/shopping-lists/{list_id}")

    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["can_edit"]) == ("requisition", True)
    assert renamed.json()["name"] == "Every month"
    assert [(each["name"], each["kind"], each["is_cart"]) for each in listed.json()] == [
        ("Shopping list", "shopping", True),
        ("Every month", "requisition", False),
    ]
    assert deleted.status_code == 204
    assert not ShoppingList.objects.filter(pk=list_id).exists()


def test_deleting_the_cart_is_refused_with_a_message(shop):
    cart = current_shopping_list(customer_user=shop.buyer)

    response = api_for(shop.buyer).delete(f"/shopping-lists/{cart.pk}")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The cart cannot be deleted: remove its lines instead",
        "code": "cart_cannot_be_deleted",
    }


def test_lines_with_notes_are_added_changed_and_removed(shop):
    api = api_for(shop.buyer)
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")

    added = api.post(
        f"/shopping-lists/{workshop.pk}/lines",
        {"sku": "cable-1", "quantity": "2.5", "unit": "m", "notes": "bench 2"},
    )
    line_id = added.json()["lines"][0]["id"]
    changed = api.patch(
        f"/shopping-lists/{workshop.pk}/lines/{line_id}", {"quantity": "4", "notes": "bench 3"}
    )
    removed = api.delete(f"/shopping-lists/{workshop.pk}/lines/{line_id}")

    assert added.status_code == 201
    line = added.json()["lines"][0]
    assert (line["sku"], line["quantity"], line["notes"], line["unit_price"]) == (
        "CABLE-1",
        "2.5",
        "bench 2",
        "1.25",
    )
    assert [(line["quantity"], line["notes"]) for line in changed.json()["lines"]] == [
        ("4", "bench 3")
    ]
    assert removed.status_code == 204
    assert lines_of(workshop) == []


def test_a_line_of_another_list_is_not_found_under_this_one(shop):
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    in_cart = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    response = api_for(shop.buyer).patch(
        f"/shopping-lists/{workshop.pk}/lines/{in_cart.pk}", {"notes": "moved?"}
    )

    assert response.status_code == 404
    assert in_cart.__class__.objects.get(pk=in_cart.pk).notes == ""


def test_moving_and_copying_lines_between_lists(shop):
    api = api_for(shop.buyer)
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)
    chair = add_to_shopping_list(customer_user=shop.buyer, sku="CHAIR-1", quantity=1)

    copied = api.post(
        f"/shopping-lists/{cart.pk}/copy-lines",
        {"line_ids": [chair.pk], "to_shopping_list_id": workshop.pk},
    )
    moved = api.post(
        f"/shopping-lists/{cart.pk}/move-lines",
        {"line_ids": [lamp.pk, chair.pk], "to_shopping_list_id": workshop.pk},
    )

    assert copied.status_code == 200
    assert [line["sku"] for line in copied.json()["lines"]] == ["CHAIR-1"]
    assert moved.json()["id"] == workshop.pk
    assert lines_of(cart) == []
    assert sorted(lines_of(workshop)) == [("CHAIR-1", Decimal(2), ""), ("LAMP-1", Decimal(2), "")]


def test_saving_for_later_and_moving_back_to_the_cart(shop):
    api = api_for(shop.buyer)
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)

    saved = api.post(f"/cart/lines/{lamp.pk}/save-for-later")
    saved_line_id = saved.json()["lines"][0]["id"]
    back = api.post(f"/saved-for-later/lines/{saved_line_id}/move-to-cart")

    assert (saved.json()["kind"], saved.json()["name"]) == ("saved_for_later", "Saved for later")
    assert back.json()["is_cart"] is True
    assert [line["sku"] for line in back.json()["lines"]] == ["LAMP-1"]


def test_requisition_list_order_all_and_selected(shop):
    api = api_for(shop.buyer)
    monthly = lists.create_shopping_list(
        customer_user=shop.buyer, name="Monthly", kind=ShoppingListKind.REQUISITION
    )
    lamp = add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=4, shopping_list_id=monthly.pk
    )
    add_to_shopping_list(
        customer_user=shop.buyer, sku="CHAIR-1", quantity=1, shopping_list_id=monthly.pk
    )
    Product.objects.filter(pk=shop.chair.pk).update(is_enabled=False)

    selected = api.post(f"/shopping-lists/{monthly.pk}/add-to-cart", {"line_ids": [lamp.pk]})
    everything = api.post(f"/shopping-lists/{monthly.pk}/add-to-cart", {})

    assert [line["quantity"] for line in selected.json()["cart"]["lines"]] == ["4"]
    body = everything.json()
    assert [line["quantity"] for line in body["cart"]["lines"]] == ["8"]
    assert [(s["sku"], s["code"]) for s in body["skipped"]] == [("CHAIR-1", "discontinued")]
    assert len(lines_of(monthly)) == 2


def test_a_shopping_list_is_placed_as_an_order(shop):
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    add_to_shopping_list(
        customer_user=shop.buyer, sku="CHAIR-1", quantity=2, shopping_list_id=workshop.pk
    )
    address = Address.objects.get(company=shop.buyer.company)

    response = api_for(shop.buyer).post(
        f"/shopping-lists/{workshop.pk}/order",
        {"billing_address_id": address.pk, "shipping_address_id": address.pk, "po_number": "P1"},
    )

    assert response.status_code == 201
    assert (response.json()["source"], response.json()["subtotal"]) == ("api", "199.80")
    assert [line["sku"] for line in response.json()["lines"]] == ["CHAIR-1"]
    assert lines_of(workshop) == []


def test_another_companys_list_is_404_and_a_viewer_cannot_edit(shop):
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=1, shopping_list_id=workshop.pk
    )
    other, viewer = api_for(shop.other), api_for(shop.viewer)

    assert other.get(f"/shopping-lists/{workshop.pk}").status_code == 404
    assert other.patch(f"/shopping-lists/{workshop.pk}", {"name": "X"}).status_code == 404
    assert other.delete(f"/shopping-lists/{workshop.pk}").status_code == 404
    seen = viewer.get(f"/shopping-lists/{workshop.pk}")
    assert (seen.status_code, seen.json()["can_edit"]) == (200, False)
    refused = viewer.patch(f"/shopping-lists/{workshop.pk}", {"name": "Viewer's"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert viewer.delete(f"/shopping-lists/{workshop.pk}").status_code == 403
    assert ShoppingList.objects.get(pk=workshop.pk).name == "Workshop"


def test_reorder_names_the_substitute_of_a_discontinued_product(shop):
    new_lamp = factories.product("LAMP-2", name="Lamp, new model")
    factories.price(factories.price_list("Base"), new_lamp, "24.00")
    Product.objects.filter(pk=shop.lamp.pk).update(substitute=new_lamp)
    address = Address.objects.get(company=shop.buyer.company)
    add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)
    add_to_shopping_list(customer_user=shop.buyer, sku="CHAIR-1", quantity=1)
    order = place_order(
        customer_user=shop.buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )
    Product.objects.filter(pk=shop.lamp.pk).update(is_enabled=False)

    response = api_for(shop.buyer).post(f"/orders/{order.number}/reorder")

    body = response.json()
    assert [line["sku"] for line in body["added"]] == ["CHAIR-1"]
    assert [(s["sku"], s["code"], s["substitute_sku"]) for s in body["skipped"]] == [
        ("LAMP-1", "discontinued", "LAMP-2")
    ]
