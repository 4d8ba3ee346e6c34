"""Buying endpoints: the cart (the current shopping list), placing orders, history, reorder.

Handlers only read the request and call ``ordering.services`` or ``ordering.queries``; every
record is fetched through ``accounts.scoping``, so another company's cart lines, lists, orders
and addresses answer 404 exactly as missing ones do.
"""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.accounts.scoping import get_visible
from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.api.formats import Quantity, money_text, quantity_text
from comptoir.api.pagination import PageInfo, PageQuery, page_of
from comptoir.ordering.models import (
    LINE_DISCOUNT_TOTAL_HELP,
    Order,
    OrderAddress,
    OrderSource,
    OrderTaxLine,
    ShoppingList,
)
from comptoir.ordering.queries import (
    PricedShoppingList,
    current_shopping_list_for,
    order_with_lines,
    priced_shopping_list,
    visible_orders_for,
)
from comptoir.ordering.services import (
    CUSTOMER_NOTES_MAX_LENGTH,
    Received,
    ReorderReport,
    add_to_shopping_list,
    change_line_quantity,
    place_order,
    remove_line,
    reorder,
)
from comptoir.ordering.totals import TaxLine
from comptoir.pricing.queries import chain_currency, price_list_chain
from comptoir.promotions.queries import discounts_of

router = Router()


class CartLineOut(Schema):
    id: int
    sku: str
    name: str
    unit: str
    quantity: str
    unit_price: str | None = Field(description="Today's price of one unit; null if none.")
    row_total: str | None
    price_list: str | None = Field(description="The price list the price came from.")
    tier_quantity: str | None = Field(description="The quantity tier that applies.")
    problem: str | None = Field(description="Why the line cannot be ordered, if it cannot.")
    discount_total: str = Field(description=LINE_DISCOUNT_TOTAL_HELP)


class DiscountOut(Schema):
    label: str
    level: str = Field(description='"line", "order" or "shipping".')
    amount: str
    coupon_code: str = Field(description="The coupon code that unlocked it, if one did.")
    line_id: int | None = Field(None, description="The line a line promotion is on.")


class TaxLineOut(Schema):
    label: str
    rate: str = Field(description="In percent.")
    base: str = Field(description="The nets of the lines (and shipping) taxed at this rate.")
    amount: str


class CouponStatusOut(Schema):
    code: str
    applied: bool = Field(description="Whether it takes something off this cart.")
    message: str = Field(description="Why it does not, if it does not.")


class CartOut(Schema):
    id: int | None = Field(description="The shopping list's id; null for a cart never used.")
    name: str
    lines: list[CartLineOut]
    subtotal: str
    discounts: list[DiscountOut]
    discount_total: str
    shipping: str = Field(description="The shipping charge before its discount.")
    shipping_total: str = Field(description="Shipping after its discount.")
    tax_lines: list[TaxLineOut] = Field(description="The tax summed per rate.")
    tax_total: str
    tax_notes: list[str] = Field(
        description="Mentions such as reverse charge, an exemption or a missing rate."
    )
    tax_estimated_for: str | None = Field(
        description="The company's default shipping address the tax is estimated for, until "
        "an order chooses one; null when there is none."
    )
    total: str
    coupons: list[CouponStatusOut] = Field(description="The coupon codes entered.")
    currency: str
    is_orderable: bool


class CartLineIn(Schema):
    sku: str
    unit: str | None = Field(None, description="A unit code; the primary unit if left out.")
    quantity: Quantity


class QuantityIn(Schema):
    quantity: Quantity


class OrderIn(Schema):
    billing_address_id: int
    shipping_address_id: int
    po_number: str = Field("", description="The buyer's purchase order number, up to 64.")
    customer_notes: str = Field(
        "", description=f"Notes for the seller, up to {CUSTOMER_NOTES_MAX_LENGTH} characters."
    )
    shopping_list_id: int | None = Field(
        None, description="Order another of the caller's shopping lists instead of the cart."
    )


class OrderAddressOut(Schema):
    label: str
    name: str
    street: str
    street2: str
    city: str
    region: str
    postal_code: str
    country: str


class OrderLineOut(Schema):
    sku: str
    name: str
    unit: str
    quantity: str
    unit_price: str
    row_total: str
    price_list: str
    tier_quantity: str | None
    discount_total: str = Field(description=LINE_DISCOUNT_TOTAL_HELP)
    tax_total: str


class OrderDiscountOut(Schema):
    label: str
    level: str = Field(description='"line", "order" or "shipping".')
    amount: str
    coupon_code: str


class OrderOut(Schema):
    number: str
    status: str
    shipping_status: str
    source: str
    po_number: str
    currency: str
    subtotal: str
    discount_total: str
    shipping_total: str
    tax_total: str
    total: str
    placed_by: str | None = Field(description="The e-mail of the customer user who placed it.")
    created_at: datetime


class ShipmentLineOut(Schema):
    sku: str
    unit: str
    quantity: str


class ShipmentOut(Schema):
    number: str
    shipped_at: datetime
    carrier: str
    tracking_number: str
    tracking_url: str
    lines: list[ShipmentLineOut]


class StatusChangeOut(Schema):
    status: str = Field(description="The status the order moved to.")
    note: str
    changed_at: datetime


class OrderDetailOut(OrderOut):
    payment_term: str = Field(description='The payment term when placed: "net 30".')
    customer_notes: str
    billing_address: OrderAddressOut | None
    shipping_address: OrderAddressOut | None
    lines: list[OrderLineOut]
    discounts: list[OrderDiscountOut] = Field(description="What each promotion took off.")
    tax_lines: list[TaxLineOut] = Field(description="The tax summed per rate.")
    tax_notes: list[str] = Field(
        description="Mentions such as reverse charge, an exemption or a missing rate."
    )
    shipments: list[ShipmentOut] = Field(description="What the seller shipped, with tracking.")
    status_changes: list[StatusChangeOut] = Field(
        description="The order's status changes, oldest first, with the seller's note."
    )


class OrderPage(PageInfo):
    items: list[OrderOut]


class ReorderAddedOut(Schema):
    line_id: int = Field(description="The cart line the order line went into.")
    sku: str
    name: str
    unit: str
    quantity_in_cart: str


class ReorderSkippedOut(Schema):
    sku: str
    name: str
    unit: str
    quantity: str
    reason: str
    code: str = Field(description='Why, for programs: "discontinued", "unit_not_sold", ...')
    substitute_sku: str | None = Field(
        description="The product the catalog offers instead, if it names one still sold."
    )


class MergedOut(Schema):
    line_id: int = Field(description="The line that was already there.")
    sku: str
    unit: str
    added: str = Field(description="The quantity added to it.")
    already: str = Field(description="What it held before.")
    total: str = Field(description="What it holds now.")
    message: str = Field(description='As "LAMP-1: 5 item added to the 3 already in the cart: 8".')


class ReorderOut(Schema):
    order: str
    added: list[ReorderAddedOut]
    merged: list[MergedOut] = Field(
        description="Order lines whose quantity was added to a cart line already there."
    )
    skipped: list[ReorderSkippedOut]
    cart: CartOut


@router.get("/cart", response={200: CartOut, **error_responses(401)})
def get_cart(request: HttpRequest):
    """The caller's cart priced at today's prices for its company."""
    customer_user = acting_customer_user(request)
    shopping_list = current_shopping_list_for(customer_user)
    if shopping_list is None:
        return empty_cart_out(chain_currency(price_list_chain(customer_user.company)))
    return cart_out(priced_shopping_list(shopping_list))


@router.post("/cart/lines", response={201: CartOut, **error_responses(401, 404, 422)})
def add_cart_line(request: HttpRequest, payload: CartLineIn):
    """Add a quantity of a product to the cart; the same product and unit add up on one line."""
    line = add_to_shopping_list(
        customer_user=acting_customer_user(request),
        sku=payload.sku,
        unit_code=payload.unit,
        quantity=payload.quantity,
    )
    return Status(201, cart_out(priced_shopping_list(line.shopping_list)))


@router.patch("/cart/lines/{line_id}", response={200: CartOut, **error_responses(401, 404, 422)})
def change_cart_line(request: HttpRequest, line_id: int, payload: QuantityIn):
    """Set the quantity of a line; the answer is the shopping list the line belongs to."""
    line = change_line_quantity(
        customer_user=acting_customer_user(request), line_id=line_id, quantity=payload.quantity
    )
    return cart_out(priced_shopping_list(line.shopping_list))


@router.delete("/cart/lines/{line_id}", response={204: None, **error_responses(401, 404)})
def delete_cart_line(request: HttpRequest, line_id: int):
    """Remove a line from its shopping list."""
    remove_line(customer_user=acting_customer_user(request), line_id=line_id)
    return Status(204, None)


@router.post("/orders", response={201: OrderDetailOut, **error_responses(401, 404, 422)})
def create_order(request: HttpRequest, payload: OrderIn):
    """Order the cart on the company's payment term; the cart is emptied."""
    order = place_order(
        customer_user=acting_customer_user(request),
        billing_address_id=payload.billing_address_id,
        shipping_address_id=payload.shipping_address_id,
        po_number=payload.po_number,
        customer_notes=payload.customer_notes,
        shopping_list_id=payload.shopping_list_id,
        source=OrderSource.API,
    )
    return Status(201, order_detail_out(order_with_lines(order)))


@router.get("/orders", response={200: OrderPage, **error_responses(401, 422)})
def list_orders(request: HttpRequest, pages: Query[PageQuery]):
    """The company's orders, newest first."""
    orders, info = page_of(visible_orders_for(acting_customer_user(request)), pages)
    return {**info, "items": [order_out(order) for order in orders]}


@router.get("/orders/{number}", response={200: OrderDetailOut, **error_responses(401, 404)})
def get_order(request: HttpRequest, number: str):
    """One of the company's orders by its number, with lines and addresses."""
    order = get_visible(acting_customer_user(request), Order.objects, number=number.strip())
    return order_detail_out(order_with_lines(order))


@router.post("/orders/{number}/reorder", response={200: ReorderOut, **error_responses(401, 404)})
def reorder_order(request: HttpRequest, number: str):
    """Put a past order's lines in the cart at today's prices; say which could not be added."""
    report = reorder(customer_user=acting_customer_user(request), order_number=number.strip())
    return reorder_out(number.strip(), report)


def cart_out(priced: PricedShoppingList) -> dict:
    shopping_list, totals, currency = priced.shopping_list, priced.totals, priced.currency
    line_discounts = {line.key: line.discount_total for line in totals.lines}
    return {
        "id": shopping_list.pk,
        "name": shopping_list.name,
        "lines": [
            {
                "id": priced_line.line.pk,
                "sku": priced_line.line.product.sku,
                "name": priced_line.line.product.name,
                "unit": priced_line.line.unit.code,
                "quantity": quantity_text(priced_line.line.quantity),
                "unit_price": (
                    money_text(priced_line.price.value, priced_line.price.currency)
                    if priced_line.price
                    else None
                ),
                "row_total": (
                    money_text(priced_line.row_total, priced.currency)
                    if priced_line.row_total is not None
                    else None
                ),
                "price_list": priced_line.price.price_list_name if priced_line.price else None,
                "tier_quantity": (
                    quantity_text(priced_line.price.tier.quantity) if priced_line.price else None
                ),
                "problem": priced_line.problem or None,
                "discount_total": money_text(
                    line_discounts.get(priced_line.line.pk, Decimal(0)), currency
                ),
            }
            for priced_line in priced.lines
        ],
        "subtotal": money_text(totals.subtotal, currency),
        "discounts": [
            {
                "label": discount.label,
                "level": discount.level,
                "amount": money_text(discount.amount, currency),
                "coupon_code": discount.coupon_code,
                "line_id": discount.line_key,
            }
            for discount in totals.discounts
        ],
        "discount_total": money_text(totals.discount_total, currency),
        "shipping": money_text(totals.shipping, currency),
        "shipping_total": money_text(totals.shipping_total, currency),
        "tax_lines": [tax_line_out(tax_line, currency) for tax_line in totals.tax_lines],
        "tax_total": money_text(totals.tax_total, currency),
        "tax_notes": list(totals.tax_notes),
        "tax_estimated_for": totals.tax_address.one_line() if totals.tax_estimated else None,
        "total": money_text(totals.total, currency),
        "coupons": [
            {"code": status.code, "applied": status.applied, "message": status.message}
            for status in totals.coupons
        ],
        "currency": currency,
        "is_orderable": priced.is_orderable,
    }


def empty_cart_out(currency: str) -> dict:
    return {
        "id": None,
        "name": ShoppingList._meta.get_field("name").default,
        "lines": [],
        "subtotal": money_text(Decimal(0), currency),
        "discounts": [],
        "discount_total": money_text(Decimal(0), currency),
        "shipping": money_text(Decimal(0), currency),
        "shipping_total": money_text(Decimal(0), currency),
        "tax_lines": [],
        "tax_total": money_text(Decimal(0), currency),
        "tax_notes": [],
        "tax_estimated_for": None,
        "total": money_text(Decimal(0), currency),
        "coupons": [],
        "currency": currency,
        "is_orderable": False,
    }


def order_out(order: Order) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "shipping_status": order.shipping_status,
        "source": order.source,
        "po_number": order.po_number,
        "currency": order.currency,
        "subtotal": money_text(order.subtotal, order.currency),
        "discount_total": money_text(order.discount_total, order.currency),
        "shipping_total": money_text(order.shipping_total, order.currency),
        "tax_total": money_text(order.tax_total, order.currency),
        "total": money_text(order.total, order.currency),
        "placed_by": order.customer_user.email if order.customer_user else None,
        "created_at": order.created_at,
    }


def address_out(address: OrderAddress | None) -> dict | None:
    if address is None:
        return None
    fields = ["label", "name", "street", "street2", "city", "region", "postal_code", "country"]
    return {name: getattr(address, name) for name in fields}


def order_detail_out(order: Order) -> dict:
    return {
        **order_out(order),
        "payment_term": order.payment_term,
        "customer_notes": order.customer_notes,
        "billing_address": address_out(order.billing_address),
        "shipping_address": address_out(order.shipping_address),
        "lines": [
            {
                "sku": line.sku,
                "name": line.product_name or line.free_form_product,
                "unit": line.unit_code,
                "quantity": quantity_text(line.quantity),
                "unit_price": money_text(line.unit_price, order.currency),
                "row_total": money_text(line.row_total, order.currency),
                "price_list": line.price_list_name,
                "tier_quantity": (
                    quantity_text(line.tier_quantity) if line.tier_quantity is not None else None
                ),
                "discount_total": money_text(line.discount_total, order.currency),
                "tax_total": money_text(line.tax_total, order.currency),
            }
            for line in order.lines.all()
        ],
        "discounts": [
            {
                "label": discount.label,
                "level": discount.level,
                "amount": money_text(discount.amount, order.currency),
                "coupon_code": discount.coupon_code,
            }
            for discount in discounts_of(order)
        ],
        "tax_lines": [
            tax_line_out(tax_line, order.currency) for tax_line in order.tax_lines.all()
        ],
        "tax_notes": order.tax_note_list(),
        "shipments": [
            {
                "number": shipment.number,
                "shipped_at": shipment.shipped_at,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "tracking_url": shipment.tracking_url,
                "lines": [
                    {
                        "sku": line.order_line.sku,
                        "unit": line.order_line.unit_code,
                        "quantity": quantity_text(line.quantity),
                    }
                    for line in shipment.lines.all()
                ],
            }
            for shipment in order.shipments.all()
        ],
        "status_changes": [
            {"status": change.to_status, "note": change.note, "changed_at": change.changed_at}
            for change in order.status_changes.all()
        ],
    }


def tax_line_out(tax_line: TaxLine | OrderTaxLine, currency: str) -> dict:
    return {
        "label": tax_line.label,
        "rate": quantity_text(tax_line.rate),
        "base": money_text(tax_line.base, currency),
        "amount": money_text(tax_line.amount, currency),
    }


def merged_out(received: Received) -> dict:
    return {
        "line_id": received.line.pk,
        "sku": received.line.product.sku,
        "unit": received.line.unit.code,
        "added": quantity_text(received.added),
        "already": quantity_text(received.already),
        "total": quantity_text(received.line.quantity),
        "message": received.merge_message,
    }


def reorder_out(number: str, report: ReorderReport) -> dict:
    return {
        "order": number,
        "added": [
            {
                "line_id": line.pk,
                "sku": line.product.sku,
                "name": line.product.name,
                "unit": line.unit.code,
                "quantity_in_cart": quantity_text(line.quantity),
            }
            for line in report.added
        ],
        "merged": [merged_out(received) for received in report.merged],
        "skipped": [
            {
                "sku": order_line.sku,
                "name": order_line.product_name or order_line.free_form_product,
                "unit": order_line.unit_code,
                "quantity": quantity_text(order_line.quantity),
                "reason": reason,
                "code": report.codes.get(order_line.pk, ""),
                "substitute_sku": (
                    report.substitutes[order_line.pk].sku
                    if order_line.pk in report.substitutes
                    else None
                ),
            }
            for order_line, reason in report.skipped
        ],
        "cart": cart_out(priced_shopping_list(report.shopping_list)),
    }
