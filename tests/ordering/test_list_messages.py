"""What a buyer is told about its lists: a colleague's list it may only view is read-only, the
"Saved for later" list is neither renamed nor ordered, a merged quantity says what was there,
missing lines are named in good grammar, and an order call with a misspelt field is refused."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from comptoir.accounts.models import AccessLevel, Action, CustomerRole, Resource, RolePermission
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from comptoir.ordering import lists
from comptoir.ordering.models import ShoppingList, ShoppingListLine
from comptoir.ordering.services import (
    HistoricalOrderLine,
    add_to_shopping_list,
    change_line_quantity,
    current_shopping_list,
    record_historical_order,
    reorder,
)
from tests import factories
from tests.ordering.test_lists import lines_of, make_shop
from tests.ordering.test_lists_api import api_for

pytestmark = pytest.mark.django_db

READ_ONLY = (
    "The list 'Workshop' of buyer@acme.example is read-only to you: your role lets you view "
    "it, not change it"
)


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def lead(shop):
    """A colleague of the buyer who sees every list of the company and changes only its own."""
    role = CustomerRole.objects.create(company=shop.buyer.company, code="lead", name="Lead")
    grants = {
        Action.VIEW: AccessLevel.COMPANY,
        Action.CREATE: AccessLevel.OWN,
        Action.EDIT: AccessLevel.OWN,
        Action.DELETE: AccessLevel.OWN,
        Action.PLACE_ORDER: AccessLevel.OWN,
    }
    for action, level in grants.items():
        RolePermission.objects.create(
            role=role, resource=Resource.SHOPPING_LISTS, action=action, access_level=level
        )
    RolePermission.objects.create(
        role=role,
        resource=Resource.ORDERS,
        action=Action.PLACE_ORDER,
        access_level=AccessLevel.OWN,
    )
    RolePermission.objects.create(
        role=role,
        resource=Resource.ADDRESSES,
        action=Action.VIEW,
        access_level=AccessLevel.COMPANY,
    )
    lead = factories.customer_user(shop.buyer.company, "lead@acme.example")
    lead.roles.set([role])
    return lead


@pytest.fixture
def workshop(shop) -> ShoppingList:
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=2, shopping_list_id=workshop.pk
    )
    return workshop


def test_a_colleague_who_may_only_view_a_list_is_told_it_is_read_only(shop, lead, workshop):
    line = workshop.lines.get()

    with pytest.raises(PermissionDenied) as renaming:
        lists.rename_shopping_list(
            customer_user=lead, shopping_list_id=workshop.pk, name="Mine now"
        )
    with pytest.raises(PermissionDenied) as changing:
        change_line_quantity(customer_user=lead, line_id=line.pk, quantity=5)
    with pytest.raises(PermissionDenied) as adding:
        add_to_shopping_list(
            customer_user=lead, sku="CHAIR-1", quantity=1, shopping_list_id=workshop.pk
        )

    assert {renaming.value.message, changing.value.message, adding.value.message} == {READ_ONLY}
    assert renaming.value.code == "read_only"
    assert lines_of(workshop) == [("LAMP-1", Decimal(2), "")]
    assert ShoppingList.objects.get(pk=workshop.pk).name == "Workshop"


def test_the_api_answers_a_read_only_list_with_403_and_its_name_and_owner(shop, lead, workshop):
    api = api_for(lead)
    line = workshop.lines.get()
    address = shop.buyer.company.addresses.get()

    renamed = api.patch(f"/shopping-lists/{workshop.pk}", {"name": "Mine now"})
    changed = api.patch(f"/shopping-lists/{workshop.pk}/lines/{line.pk}", {"quantity": "5"})
    ordered = api.post(
        f"/shopping-lists/{workshop.pk}/order",
        {"billing_address_id": address.pk, "shipping_address_id": address.pk},
    )
    cart = current_shopping_list(customer_user=shop.buyer)
    removed = api.delete(f"/cart/lines/{add_cart_line(shop).pk}")

    assert renamed.status_code == changed.status_code == ordered.status_code == 403
    assert renamed.json() == {"detail": READ_ONLY, "code": "read_only"}
    assert changed.json() == ordered.json() == renamed.json()
    assert (removed.status_code, removed.json()["detail"]) == (
        403,
        "The cart of buyer@acme.example is read-only to you: your role lets you view it, not "
        "change it",
    )
    assert cart.lines.count() == 1


def add_cart_line(shop) -> ShoppingListLine:
    return add_to_shopping_list(customer_user=shop.buyer, sku="CHAIR-1", quantity=1)


def test_another_companys_list_stays_not_found(shop, workshop):
    with pytest.raises(NotFound) as error:
        lists.rename_shopping_list(
            customer_user=shop.other, shopping_list_id=workshop.pk, name="Theirs"
        )

    assert error.value.message == f"No shopping list matches pk {workshop.pk}"


def test_the_list_page_tells_a_read_only_colleague_what_it_may_not_do(shop, lead, workshop):
    client = Client()
    client.force_login(lead.user)

    response = client.post(
        reverse("storefront:list_rename", args=[workshop.pk]), {"name": "Mine now"}, follow=True
    )

    assert [message.message for message in get_messages(response.wsgi_request)] == [READ_ONLY]
    assert response.context["editable"] is False


def saved_list(shop) -> ShoppingList:
    line = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)
    return lists.save_for_later(customer_user=shop.buyer, line_id=line.pk).line.shopping_list


def test_the_saved_for_later_list_keeps_its_name(shop):
    saved = saved_list(shop)

    with pytest.raises(DomainError) as error:
        lists.rename_shopping_list(
            customer_user=shop.buyer, shopping_list_id=saved.pk, name="Someday"
        )
    api = api_for(shop.buyer).patch(f"/shopping-lists/{saved.pk}", {"name": "Someday"})

    assert (error.value.code, error.value.message) == (
        "saved_for_later",
        'The "Saved for later" list keeps its name: to keep lines under a name of your own, '
        "create a list and move them there",
    )
    assert (api.status_code, api.json()["code"]) == (400, "saved_for_later")
    assert ShoppingList.objects.get(pk=saved.pk).name == "Saved for later"


def test_the_saved_for_later_list_is_not_ordered_directly(shop):
    saved = saved_list(shop)
    address = shop.buyer.company.addresses.get()
    order = {"billing_address_id": address.pk, "shipping_address_id": address.pk}

    with pytest.raises(DomainError) as error:
        lists.order_shopping_list(customer_user=shop.buyer, shopping_list_id=saved.pk, **order)
    listed = api_for(shop.buyer).post(f"/shopping-lists/{saved.pk}/order", order)
    as_cart = api_for(shop.buyer).post("/orders", {**order, "shopping_list_id": saved.pk})

    assert error.value.message == (
        "Lines saved for later are not ordered from there: move them back to the cart, then "
        "check out the cart"
    )
    assert (
        listed.json()
        == as_cart.json()
        == {"detail": error.value.message, "code": error.value.code}
    )
    assert lines_of(saved) == [("LAMP-1", Decimal(2), "")]


def test_moving_into_a_line_already_there_says_what_it_held_and_the_total(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = lists.create_shopping_list(customer_user=shop.buyer, name="Workshop")
    add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=3, shopping_list_id=workshop.pk
    )
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=5)
    chair = add_to_shopping_list(customer_user=shop.buyer, sku="CHAIR-1", quantity=1)

    received = lists.transfer_lines(
        customer_user=shop.buyer,
        from_shopping_list_id=cart.pk,
        line_ids=[lamp.pk, chair.pk],
        to_shopping_list_id=workshop.pk,
        keep_source=False,
    )

    assert [(each.line.product.sku, each.merged) for each in received] == [
        ("LAMP-1", True),
        ("CHAIR-1", False),
    ]
    assert received[0].merge_message == "LAMP-1: 5 item added to the 3 already on the list: 8"


def test_reorder_says_what_the_cart_held_where_it_adds_to_a_line(shop):
    add_to_shopping_list(customer_user=shop.buyer, sku="CABLE-1", quantity="1.5")
    order, _, _ = record_historical_order(
        number="ERP-7",
        company=shop.buyer.company,
        customer_user=shop.buyer,
        status="closed",
        shipping_status="shipped",
        currency="USD",
        subtotal=Decimal(10),
        total=Decimal(10),
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
        lines=[
            HistoricalOrderLine(shop.cable, "CABLE-1", "Cable", "m", Decimal(10), Decimal(1)),
            HistoricalOrderLine(shop.chair, "CHAIR-1", "Chair", "item", Decimal(1), Decimal(90)),
        ],
    )

    report = reorder(customer_user=shop.buyer, order_number=order.number)
    api = api_for(shop.buyer).post(f"/orders/{order.number}/reorder").json()
    client = Client()
    client.force_login(shop.buyer.user)
    page = client.post(reverse("storefront:reorder", args=[order.number]), follow=True)

    assert [each.merge_message for each in report.merged] == [
        "CABLE-1: 10 m added to the 1.5 already in the cart: 11.5"
    ]
    assert api["merged"] == [
        {
            "line_id": report.merged[0].line.pk,
            "sku": "CABLE-1",
            "unit": "m",
            "added": "10",
            "already": "11.5",
            "total": "21.5",
            "message": "CABLE-1: 10 m added to the 11.5 already in the cart: 21.5",
        },
        {
            "line_id": api["added"][1]["line_id"],
            "sku": "CHAIR-1",
            "unit": "item",
            "added": "1",
            "already": "1",
            "total": "2",
            "message": "CHAIR-1: 1 item added to the 1 already in the cart: 2",
        },
    ]
    assert "CHAIR-1: 1 item added to the 2 already in the cart: 3" in [
        message.message for message in get_messages(page.wsgi_request)
    ]


def test_lines_missing_from_a_list_are_named_in_one_sentence(shop, workshop):
    cart = current_shopping_list(customer_user=shop.buyer)

    def refusal(line_ids) -> str:
        with pytest.raises(NotFound) as error:
            lists.transfer_lines(
                customer_user=shop.buyer,
                from_shopping_list_id=workshop.pk,
                line_ids=line_ids,
                to_shopping_list_id=cart.pk,
                keep_source=True,
            )
        return error.value.message

    assert refusal([90001]) == "Line 90001 is not on the list 'Workshop'"
    assert refusal([90001, 90002]) == "Lines 90001 and 90002 are not on the list 'Workshop'"
    assert refusal([90003, 90001, 90002]) == (
        "Lines 90001, 90002 and 90003 are not on the list 'Workshop'"
    )
    with translation.override("fr"):
        assert refusal([90001, 90002]) == (
            "Les lignes 90001 et 90002 ne sont pas sur la liste «\u00a0Workshop\u00a0»"
        )


def test_ordering_a_list_with_a_field_the_call_does_not_take_is_refused(shop, workshop):
    address = shop.buyer.company.addresses.get()

    response = api_for(shop.buyer).post(
        f"/shopping-lists/{workshop.pk}/order",
        {"billing_address_id": address.pk, "shipping_address_id": address.pk, "po_numbr": "77"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "po_numbr: this call takes no such field: remove it (the OpenAPI document "
        "lists them)",
        "code": "invalid_input",
        "errors": [
            {
                "field": "po_numbr",
                "message": "this call takes no such field: remove it (the OpenAPI document "
                "lists them)",
            }
        ],
    }
    assert lines_of(workshop) == [("LAMP-1", Decimal(2), "")]
