"""Named shopping lists: create, rename, delete, notes, move and copy, save for later, sharing
within the company by role, and a list placed as an order."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from comptoir.accounts.models import Address, CustomerUser
from comptoir.catalog.models import Product, ProductUnit
from comptoir.core.errors import DomainError, InvalidQuantity, NotFound, PermissionDenied
from comptoir.ordering import lists
from comptoir.ordering.list_queries import editable_list_ids, visible_lists_for
from comptoir.ordering.models import ShoppingList, ShoppingListKind, ShoppingListLine
from comptoir.ordering.services import add_to_shopping_list, current_shopping_list
from tests import factories

pytestmark = pytest.mark.django_db


@dataclass
class ListShop:
    """Two companies on one price list; in Acme a buyer, a colleague buyer, an administrator
    and a viewer; in Globex a buyer."""

    lamp: Product
    cable: Product
    chair: Product
    buyer: CustomerUser
    colleague: CustomerUser
    admin: CustomerUser
    viewer: CustomerUser
    other: CustomerUser


def make_shop() -> ListShop:
    base = factories.price_list("Base")
    lamp = factories.product("LAMP-1", name="Lamp")
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    chair = factories.product("CHAIR-1", name="Chair")
    factories.price(base, lamp, "20.00")
    factories.price(base, cable, "1.25")
    factories.price(base, chair, "99.90")
    acme, globex = factories.company("Acme"), factories.company("Globex")
    factories.assign(base, company=acme)
    factories.assign(base, company=globex)
    return ListShop(
        lamp=lamp,
        cable=cable,
        chair=chair,
        buyer=factories.customer_user(acme, "buyer@acme.example"),
        colleague=factories.customer_user(acme, "colleague@acme.example"),
        admin=factories.customer_user(acme, "admin@acme.example", role="administrator"),
        viewer=factories.customer_user(acme, "viewer@acme.example", role="viewer"),
        other=factories.customer_user(globex, "buyer@globex.example"),
    )


@pytest.fixture
def shop() -> ListShop:
    return make_shop()


def named_list(customer_user, name="Workshop", kind=ShoppingListKind.SHOPPING):
    return lists.create_shopping_list(customer_user=customer_user, name=name, kind=kind)


def lines_of(shopping_list) -> list[tuple[str, Decimal, str]]:
    return [
        (line.product.sku, line.quantity, line.notes)
        for line in ShoppingListLine.objects.filter(shopping_list=shopping_list).order_by("id")
    ]


def test_a_buyer_has_several_named_lists_beside_the_cart(shop):
    cart = current_shopping_list(customer_user=shop.buyer)

    workshop = named_list(shop.buyer, " Workshop ")
    monthly = named_list(shop.buyer, "Monthly", ShoppingListKind.REQUISITION)

    assert (workshop.name, workshop.kind, workshop.is_current) == ("Workshop", "shopping", False)
    assert (monthly.kind, monthly.is_current) == ("requisition", False)
    assert [each.pk for each in visible_lists_for(shop.buyer)] == [
        cart.pk,
        monthly.pk,
        workshop.pk,
    ]


def test_two_lists_of_one_owner_cannot_share_a_name(shop):
    named_list(shop.buyer, "Workshop")

    with pytest.raises(DomainError) as error:
        named_list(shop.buyer, "WORKSHOP")

    assert error.value.message == "There is already a list named 'WORKSHOP': choose another name"
    assert named_list(shop.colleague, "Workshop").name == "Workshop"


def test_a_list_needs_a_name_and_a_known_kind(shop):
    with pytest.raises(DomainError) as blank:
        named_list(shop.buyer, "  ")
    with pytest.raises(DomainError) as kind:
        named_list(shop.buyer, "Odd", "saved_for_later")

    assert blank.value.message == "Give the list a name"
    assert kind.value.code == "invalid_kind"
    assert ShoppingList.objects.filter(customer_user=shop.buyer).count() == 0


def test_renaming_and_deleting_a_list(shop):
    workshop = named_list(shop.buyer)
    add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=2, shopping_list_id=workshop.pk
    )

    renamed = lists.rename_shopping_list(
        customer_user=shop.buyer, shopping_list_id=workshop.pk, name="Garage"
    )
    lists.delete_shopping_list(customer_user=shop.buyer, shopping_list_id=workshop.pk)

    assert renamed.name == "Garage"
    assert not ShoppingList.objects.filter(pk=workshop.pk).exists()
    assert not ShoppingListLine.objects.filter(shopping_list_id=workshop.pk).exists()


def test_the_cart_cannot_be_deleted(shop):
    cart = current_shopping_list(customer_user=shop.buyer)

    with pytest.raises(DomainError) as error:
        lists.delete_shopping_list(customer_user=shop.buyer, shopping_list_id=cart.pk)

    assert error.value.message == "The cart cannot be deleted: remove its lines instead"
    assert ShoppingList.objects.filter(pk=cart.pk).exists()


def test_another_companys_list_is_not_found(shop):
    theirs = named_list(shop.other, "Theirs")

    with pytest.raises(NotFound):
        lists.rename_shopping_list(
            customer_user=shop.admin, shopping_list_id=theirs.pk, name="Mine"
        )
    with pytest.raises(NotFound):
        lists.delete_shopping_list(customer_user=shop.admin, shopping_list_id=theirs.pk)

    assert ShoppingList.objects.get(pk=theirs.pk).name == "Theirs"


def test_colleagues_see_lists_as_far_as_their_roles_reach(shop):
    workshop = named_list(shop.buyer)

    seen = {
        who: workshop.pk in {each.pk for each in visible_lists_for(customer_user)}
        for who, customer_user in (
            ("colleague", shop.colleague),
            ("admin", shop.admin),
            ("viewer", shop.viewer),
            ("other", shop.other),
        )
    }

    assert seen == {"colleague": False, "admin": True, "viewer": True, "other": False}
    assert editable_list_ids(shop.admin, [workshop]) == {workshop.pk}
    assert editable_list_ids(shop.viewer, [workshop]) == set()


def test_a_viewer_cannot_change_a_list_it_sees(shop):
    workshop = named_list(shop.buyer)
    line = add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=2, shopping_list_id=workshop.pk
    )

    with pytest.raises(PermissionDenied):
        lists.rename_shopping_list(
            customer_user=shop.viewer, shopping_list_id=workshop.pk, name="Viewer's"
        )
    with pytest.raises(PermissionDenied):
        lists.change_line_notes(customer_user=shop.viewer, line_id=line.pk, notes="mine")

    assert ShoppingList.objects.get(pk=workshop.pk).name == "Workshop"
    assert ShoppingListLine.objects.get(pk=line.pk).notes == ""


def test_an_administrator_edits_a_colleagues_list(shop):
    workshop = named_list(shop.buyer)

    lists.add_line(
        customer_user=shop.admin,
        shopping_list_id=workshop.pk,
        sku="CHAIR-1",
        quantity=1,
        notes="for reception",
    )

    assert lines_of(workshop) == [("CHAIR-1", Decimal(1), "for reception")]


def test_a_line_keeps_a_note_and_a_blank_note_clears_it(shop):
    line = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    noted = lists.change_line_notes(customer_user=shop.buyer, line_id=line.pk, notes=" desk 4 ")
    assert noted.notes == "desk 4"
    cleared = lists.change_line_notes(customer_user=shop.buyer, line_id=line.pk, notes="")

    assert cleared.notes == ""


def test_a_note_longer_than_the_field_is_refused(shop):
    line = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    with pytest.raises(DomainError) as error:
        lists.change_line_notes(customer_user=shop.buyer, line_id=line.pk, notes="x" * 501)

    assert error.value.message == "A line note is at most 500 characters"


def test_moving_lines_merges_quantities_and_notes_into_the_target(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = named_list(shop.buyer)
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)
    lists.change_line_notes(customer_user=shop.buyer, line_id=lamp.pk, notes="office")
    cable = add_to_shopping_list(customer_user=shop.buyer, sku="CABLE-1", quantity="1.5")
    lists.add_line(
        customer_user=shop.buyer,
        shopping_list_id=workshop.pk,
        sku="LAMP-1",
        quantity=3,
        notes="workshop",
    )

    lists.transfer_lines(
        customer_user=shop.buyer,
        from_shopping_list_id=cart.pk,
        line_ids=[lamp.pk, cable.pk],
        to_shopping_list_id=workshop.pk,
        keep_source=False,
    )

    assert lines_of(cart) == []
    # The cable line moved as it was; the lamp was merged into the workshop's line.
    assert lines_of(workshop) == [
        ("CABLE-1", Decimal("1.5"), ""),
        ("LAMP-1", Decimal(5), "workshop; office"),
    ]


def test_copying_lines_leaves_the_source_as_it_was(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = named_list(shop.buyer)
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)

    lists.transfer_lines(
        customer_user=shop.buyer,
        from_shopping_list_id=cart.pk,
        line_ids=[lamp.pk],
        to_shopping_list_id=workshop.pk,
        keep_source=True,
    )

    assert lines_of(cart) == [("LAMP-1", Decimal(2), "")]
    assert lines_of(workshop) == [("LAMP-1", Decimal(2), "")]


def test_a_merge_the_quantity_rules_refuse_moves_nothing(shop):
    ProductUnit.objects.filter(product=shop.lamp).update(max_quantity=Decimal(4))
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = named_list(shop.buyer)
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=3)
    chair = add_to_shopping_list(customer_user=shop.buyer, sku="CHAIR-1", quantity=1)
    add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=2, shopping_list_id=workshop.pk
    )

    with pytest.raises(InvalidQuantity) as error:
        lists.transfer_lines(
            customer_user=shop.buyer,
            from_shopping_list_id=cart.pk,
            line_ids=[chair.pk, lamp.pk],
            to_shopping_list_id=workshop.pk,
            keep_source=False,
        )

    assert error.value.message == "SKU 'LAMP-1': order at most 4 item, not 5"
    assert lines_of(cart) == [("LAMP-1", Decimal(3), ""), ("CHAIR-1", Decimal(1), "")]
    assert lines_of(workshop) == [("LAMP-1", Decimal(2), "")]


def test_lines_must_be_on_the_source_list_and_the_target_another_list(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    workshop = named_list(shop.buyer)
    elsewhere = add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=1, shopping_list_id=workshop.pk
    )

    with pytest.raises(NotFound) as missing:
        lists.transfer_lines(
            customer_user=shop.buyer,
            from_shopping_list_id=cart.pk,
            line_ids=[elsewhere.pk],
            to_shopping_list_id=workshop.pk,
            keep_source=False,
        )
    with pytest.raises(DomainError) as same:
        lists.transfer_lines(
            customer_user=shop.buyer,
            from_shopping_list_id=workshop.pk,
            line_ids=[elsewhere.pk],
            to_shopping_list_id=workshop.pk,
            keep_source=False,
        )

    assert missing.value.message == f"Line {elsewhere.pk} is not on the list 'Shopping list'"
    assert same.value.message == "The lines are already on 'Workshop': choose another list"


def test_lines_cannot_be_moved_into_another_companys_list(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    theirs = named_list(shop.other, "Theirs")
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)

    with pytest.raises(NotFound):
        lists.transfer_lines(
            customer_user=shop.buyer,
            from_shopping_list_id=cart.pk,
            line_ids=[lamp.pk],
            to_shopping_list_id=theirs.pk,
            keep_source=False,
        )

    assert lines_of(theirs) == []


def test_saving_for_later_and_back_moves_the_line_between_cart_and_saved_list(shop):
    cart = current_shopping_list(customer_user=shop.buyer)
    lamp = add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=2)

    saved_line = lists.save_for_later(customer_user=shop.buyer, line_id=lamp.pk).line
    saved = saved_line.shopping_list
    assert (saved.kind, saved.name, lines_of(cart)) == ("saved_for_later", "Saved for later", [])
    add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)
    back = lists.move_to_cart(customer_user=shop.buyer, line_id=saved_line.pk)

    assert back.line.shopping_list_id == cart.pk
    assert back.merge_message == "LAMP-1: 2 item added to the 1 already in the cart: 3"
    assert lines_of(cart) == [("LAMP-1", Decimal(3), "")]
    assert lines_of(saved) == []


def test_only_a_line_of_ones_own_cart_is_saved_for_later(shop):
    workshop = named_list(shop.buyer)
    on_list = add_to_shopping_list(
        customer_user=shop.buyer, sku="LAMP-1", quantity=1, shopping_list_id=workshop.pk
    )
    colleagues = add_to_shopping_list(customer_user=shop.colleague, sku="LAMP-1", quantity=1)

    with pytest.raises(NotFound):
        lists.save_for_later(customer_user=shop.buyer, line_id=on_list.pk)
    with pytest.raises(NotFound):
        lists.save_for_later(customer_user=shop.admin, line_id=colleagues.pk)

    assert not ShoppingList.objects.filter(kind=ShoppingListKind.SAVED_FOR_LATER).exists()


def test_a_shopping_list_becomes_an_order_and_its_lines_leave_it(shop):
    workshop = named_list(shop.buyer)
    add_to_shopping_list(
        customer_user=shop.buyer, sku="CHAIR-1", quantity=2, shopping_list_id=workshop.pk
    )
    add_to_shopping_list(customer_user=shop.buyer, sku="LAMP-1", quantity=1)
    address = Address.objects.get(company=shop.buyer.company)

    order = lists.order_shopping_list(
        customer_user=shop.buyer,
        shopping_list_id=workshop.pk,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
        po_number="PO-7",
    )

    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("CHAIR-1", 2)]
    assert order.subtotal == Decimal("199.80")
    assert lines_of(workshop) == []
    assert lines_of(current_shopping_list(customer_user=shop.buyer)) == [
        ("LAMP-1", Decimal(1), "")
    ]


def test_a_requisition_list_is_not_ordered_directly(shop):
    monthly = named_list(shop.buyer, "Monthly", ShoppingListKind.REQUISITION)
    add_to_shopping_list(
        customer_user=shop.buyer, sku="CHAIR-1", quantity=2, shopping_list_id=monthly.pk
    )
    address = Address.objects.get(company=shop.buyer.company)

    with pytest.raises(DomainError) as error:
        lists.order_shopping_list(
            customer_user=shop.buyer,
            shopping_list_id=monthly.pk,
            billing_address_id=address.pk,
            shipping_address_id=address.pk,
        )

    assert error.value.code == "requisition_list"
    assert lines_of(monthly) == [("CHAIR-1", Decimal(2), "")]
