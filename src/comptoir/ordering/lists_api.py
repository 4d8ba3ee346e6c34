"""Shopping list endpoints: named lists, their lines and notes, move and copy, save for later,
requisition lists copied into the cart, and a list placed as an order.

Handlers read the request and call ``ordering.lists``; every record is fetched through
``accounts.scoping``, so another company's list answers 404 exactly as a missing one does, and
a change to a list the caller may only view answers 403, naming the list and its owner.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from comptoir.accounts.models import Action
from comptoir.accounts.scoping import get_visible
from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.api.formats import Quantity, quantity_text
from comptoir.ordering import lists
from comptoir.ordering.api import (
    CartLineOut,
    CartOut,
    MergedOut,
    OrderDetailOut,
    cart_out,
    merged_out,
    order_detail_out,
)
from comptoir.ordering.list_queries import editable_list_ids, visible_lists_for
from comptoir.ordering.models import (
    OrderSource,
    ShoppingList,
    ShoppingListKind,
    ShoppingListLine,
)
from comptoir.ordering.queries import order_with_lines, priced_shopping_list
from comptoir.ordering.services import (
    CUSTOMER_NOTES_MAX_LENGTH,
    change_line_quantity,
    remove_line,
)

router = Router()

KIND_HELP = '"shopping", "requisition" or "saved_for_later".'


class ShoppingListSummaryOut(Schema):
    id: int
    name: str
    kind: str = Field(description=KIND_HELP)
    is_cart: bool = Field(description="Whether this is its owner's cart (its default list).")
    owner: str = Field(description="The e-mail of the customer user whose list it is.")
    line_count: int
    can_edit: bool = Field(description="False for a colleague's list the caller may only view.")
    updated_at: datetime


class ListLineOut(CartLineOut):
    notes: str


class ShoppingListOut(CartOut):
    lines: list[ListLineOut]
    kind: str = Field(description=KIND_HELP)
    is_cart: bool
    owner: str
    can_edit: bool


class ShoppingListIn(Schema):
    name: str = Field(description=f"Up to {lists.NAME_MAX_LENGTH} characters.")
    kind: str = Field(ShoppingListKind.SHOPPING, description='"shopping" or "requisition".')


class RenameIn(Schema):
    name: str


class ListLineIn(Schema):
    sku: str
    unit: str | None = Field(None, description="A unit code; the primary unit if left out.")
    quantity: Quantity
    notes: str = Field("", description=f"Up to {lists.NOTES_MAX_LENGTH} characters.")


class ListLineChangeIn(Schema):
    quantity: Quantity | None = None
    notes: str | None = Field(None, description="A blank note clears it.")


class TransferIn(Schema):
    line_ids: list[int]
    to_shopping_list_id: int = Field(
        description="The list receiving the lines; a product and unit it has already is merged."
    )


class SelectedLinesIn(Schema):
    line_ids: list[int] | None = Field(
        None, description="The lines to add; every line of the list if left out."
    )


class SkippedListLineOut(Schema):
    line_id: int
    sku: str
    unit: str
    quantity: str
    reason: str
    code: str


class CartFillOut(Schema):
    shopping_list_id: int = Field(description="The list the lines were copied from; unchanged.")
    added_line_ids: list[int] = Field(description="The cart lines that received them.")
    merged: list[MergedOut] = Field(
        description="Lines whose quantity was added to a cart line that was already there."
    )
    skipped: list[SkippedListLineOut]
    cart: CartOut


def shopping_list_out(customer_user, shopping_list: ShoppingList) -> dict:
    priced = priced_shopping_list(shopping_list)
    body = cart_out(priced)
    notes = {priced_line.line.pk: priced_line.line.notes for priced_line in priced.lines}
    for line in body["lines"]:
        line["notes"] = notes[line["id"]]
    return {
        **body,
        "kind": shopping_list.kind,
        "is_cart": shopping_list.is_current,
        "owner": shopping_list.customer_user.email,
        "can_edit": shopping_list.pk in editable_list_ids(customer_user, [shopping_list]),
    }


def visible_list(customer_user, shopping_list_id: int) -> ShoppingList:
    return get_visible(
        customer_user,
        ShoppingList.objects.select_related("company", "customer_user__user"),
        pk=shopping_list_id,
    )


def visible_line(customer_user, shopping_list_id: int, line_id: int) -> ShoppingListLine:
    """A line of the list, found as the caller may view it; changing it checks more."""
    return get_visible(
        customer_user,
        ShoppingListLine.objects,
        Action.VIEW,
        pk=line_id,
        shopping_list_id=shopping_list_id,
    )


@router.get(
    "/shopping-lists", response={200: list[ShoppingListSummaryOut], **error_responses(401)}
)
def list_shopping_lists(request: HttpRequest):
    """The caller's lists (its cart first), then its colleagues' as far as its roles reach."""
    customer_user = acting_customer_user(request)
    shown = list(visible_lists_for(customer_user))
    editable = editable_list_ids(customer_user, shown)
    return [
        {
            "id": shopping_list.pk,
            "name": shopping_list.name,
            "kind": shopping_list.kind,
            "is_cart": shopping_list.is_current,
            "owner": shopping_list.customer_user.email,
            "line_count": shopping_list.line_count,
            "can_edit": shopping_list.pk in editable,
            "updated_at": shopping_list.updated_at,
        }
        for shopping_list in shown
    ]


@router.post(
    "/shopping-lists", response={201: ShoppingListOut, **error_responses(400, 401, 403, 422)}
)
def create_shopping_list(request: HttpRequest, payload: ShoppingListIn):
    """Create a named shopping list or requisition list."""
    customer_user = acting_customer_user(request)
    shopping_list = lists.create_shopping_list(
        customer_user=customer_user, name=payload.name, kind=payload.kind
    )
    return Status(201, shopping_list_out(customer_user, shopping_list))


@router.get(
    "/shopping-lists/{int:shopping_list_id}",
    response={200: ShoppingListOut, **error_responses(401, 404)},
)
def get_shopping_list(request: HttpRequest, shopping_list_id: int):
    """One list the caller may see, priced like the cart, with each line's note."""
    customer_user = acting_customer_user(request)
    return shopping_list_out(customer_user, visible_list(customer_user, shopping_list_id))


@router.patch(
    "/shopping-lists/{int:shopping_list_id}",
    response={200: ShoppingListOut, **error_responses(400, 401, 403, 404, 422)},
)
def rename_shopping_list(request: HttpRequest, shopping_list_id: int, payload: RenameIn):
    """Rename a list."""
    customer_user = acting_customer_user(request)
    shopping_list = lists.rename_shopping_list(
        customer_user=customer_user, shopping_list_id=shopping_list_id, name=payload.name
    )
    return shopping_list_out(customer_user, shopping_list)


@router.delete(
    "/shopping-lists/{int:shopping_list_id}",
    response={204: None, **error_responses(400, 401, 403, 404)},
)
def delete_shopping_list(request: HttpRequest, shopping_list_id: int):
    """Delete a list and its lines; the cart cannot be deleted (400)."""
    lists.delete_shopping_list(
        customer_user=acting_customer_user(request), shopping_list_id=shopping_list_id
    )
    return Status(204, None)


@router.post(
    "/shopping-lists/{int:shopping_list_id}/lines",
    response={201: ShoppingListOut, **error_responses(400, 401, 403, 404, 422)},
)
def add_shopping_list_line(request: HttpRequest, shopping_list_id: int, payload: ListLineIn):
    """Add a product to a list; the same product and unit add up on one line."""
    customer_user = acting_customer_user(request)
    line = lists.add_line(
        customer_user=customer_user,
        shopping_list_id=shopping_list_id,
        sku=payload.sku,
        unit_code=payload.unit,
        quantity=payload.quantity,
        notes=payload.notes,
    )
    return Status(
        201, shopping_list_out(customer_user, visible_list(customer_user, line.shopping_list_id))
    )


@router.patch(
    "/shopping-lists/{int:shopping_list_id}/lines/{int:line_id}",
    response={200: ShoppingListOut, **error_responses(400, 401, 403, 404, 422)},
)
def change_shopping_list_line(
    request: HttpRequest, shopping_list_id: int, line_id: int, payload: ListLineChangeIn
):
    """Change a line's quantity, its note, or both."""
    customer_user = acting_customer_user(request)
    line = visible_line(customer_user, shopping_list_id, line_id)
    if payload.quantity is not None:
        change_line_quantity(
            customer_user=customer_user, line_id=line.pk, quantity=payload.quantity
        )
    if payload.notes is not None:
        lists.change_line_notes(customer_user=customer_user, line_id=line.pk, notes=payload.notes)
    return shopping_list_out(customer_user, visible_list(customer_user, shopping_list_id))


@router.delete(
    "/shopping-lists/{int:shopping_list_id}/lines/{int:line_id}",
    response={204: None, **error_responses(401, 404)},
)
def delete_shopping_list_line(request: HttpRequest, shopping_list_id: int, line_id: int):
    """Take a line off a list."""
    customer_user = acting_customer_user(request)
    line = visible_line(customer_user, shopping_list_id, line_id)
    remove_line(customer_user=customer_user, line_id=line.pk)
    return Status(204, None)


@router.post(
    "/shopping-lists/{int:shopping_list_id}/move-lines",
    response={200: ShoppingListOut, **error_responses(400, 401, 403, 404, 422)},
)
def move_shopping_list_lines(request: HttpRequest, shopping_list_id: int, payload: TransferIn):
    """Move lines to another list; the answer is the list that received them."""
    return transfer(request, shopping_list_id, payload, keep_source=False)


@router.post(
    "/shopping-lists/{int:shopping_list_id}/copy-lines",
    response={200: ShoppingListOut, **error_responses(400, 401, 403, 404, 422)},
)
def copy_shopping_list_lines(request: HttpRequest, shopping_list_id: int, payload: TransferIn):
    """Copy lines to another list; the answer is the list that received them."""
    return transfer(request, shopping_list_id, payload, keep_source=True)


def transfer(request: HttpRequest, shopping_list_id: int, payload: TransferIn, *, keep_source):
    customer_user = acting_customer_user(request)
    lists.transfer_lines(
        customer_user=customer_user,
        from_shopping_list_id=shopping_list_id,
        line_ids=payload.line_ids,
        to_shopping_list_id=payload.to_shopping_list_id,
        keep_source=keep_source,
    )
    return shopping_list_out(
        customer_user, visible_list(customer_user, payload.to_shopping_list_id)
    )


@router.post(
    "/cart/lines/{int:line_id}/save-for-later",
    response={200: ShoppingListOut, **error_responses(401, 403, 404, 422)},
)
def save_cart_line_for_later(request: HttpRequest, line_id: int):
    """Move a line of the caller's cart to its "Saved for later" list, which is the answer."""
    customer_user = acting_customer_user(request)
    received = lists.save_for_later(customer_user=customer_user, line_id=line_id)
    return shopping_list_out(
        customer_user, visible_list(customer_user, received.line.shopping_list_id)
    )


@router.post(
    "/saved-for-later/lines/{int:line_id}/move-to-cart",
    response={200: ShoppingListOut, **error_responses(401, 403, 404, 422)},
)
def move_saved_line_to_cart(request: HttpRequest, line_id: int):
    """Move a line saved for later back into the caller's cart, which is the answer."""
    customer_user = acting_customer_user(request)
    received = lists.move_to_cart(customer_user=customer_user, line_id=line_id)
    return shopping_list_out(
        customer_user, visible_list(customer_user, received.line.shopping_list_id)
    )


@router.post(
    "/shopping-lists/{int:shopping_list_id}/add-to-cart",
    response={200: CartFillOut, **error_responses(400, 401, 404)},
)
def add_shopping_list_to_cart(
    request: HttpRequest, shopping_list_id: int, payload: SelectedLinesIn
):
    """Copy a list's lines (all, or the selected ones) into the cart at today's prices; this
    is how a requisition list is ordered. The list stays as it is; lines that cannot be added
    are reported with the reason."""
    report = lists.add_list_to_cart(
        customer_user=acting_customer_user(request),
        shopping_list_id=shopping_list_id,
        line_ids=payload.line_ids,
    )
    return {
        "shopping_list_id": report.source.pk,
        "added_line_ids": [line.pk for line in report.added],
        "merged": [merged_out(received) for received in report.merged],
        "skipped": [
            {
                "line_id": skipped.line.pk,
                "sku": skipped.line.product.sku,
                "unit": skipped.line.unit.code,
                "quantity": quantity_text(skipped.line.quantity),
                "reason": skipped.reason,
                "code": skipped.code,
            }
            for skipped in report.skipped
        ],
        "cart": cart_out(priced_shopping_list(report.cart)),
    }


class ListOrderIn(Schema):
    # A misspelt field (``po_numbr``) would otherwise be dropped and the order placed without it.
    model_config = ConfigDict(extra="forbid")

    billing_address_id: int
    shipping_address_id: int
    po_number: str = Field("", description="The buyer's purchase order number, up to 64.")
    customer_notes: str = Field(
        "", description=f"Notes for the seller, up to {CUSTOMER_NOTES_MAX_LENGTH} characters."
    )


@router.post(
    "/shopping-lists/{int:shopping_list_id}/order",
    response={201: OrderDetailOut, **error_responses(400, 401, 403, 404, 422)},
)
def order_shopping_list(request: HttpRequest, shopping_list_id: int, payload: ListOrderIn):
    """Order a shopping list's lines; the ordered lines leave the list."""
    order = lists.order_shopping_list(
        customer_user=acting_customer_user(request),
        shopping_list_id=shopping_list_id,
        billing_address_id=payload.billing_address_id,
        shipping_address_id=payload.shipping_address_id,
        po_number=payload.po_number,
        customer_notes=payload.customer_notes,
        source=OrderSource.API,
    )
    return Status(201, order_detail_out(order_with_lines(order)))
