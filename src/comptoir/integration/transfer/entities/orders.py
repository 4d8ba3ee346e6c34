"""Order history: one row per order line, the order's own columns repeated on each line.

An order is keyed by its number, and its lines by their place in it (the ``line`` column, or
the order of the rows). The rows of one order follow each other in the file; they go in, or
are refused, together. A new order is written as history (``create_historical_orders``, a
batch of orders at once) with the status the file gives: no stock is taken, nothing is
charged, no e-mail is sent. Lines are linked to the catalog by SKU, so that buyers can reorder
them.

An order the shop already has changes within the shop's rules:

- its status moves only along ``ordering.status_changes.STATUS_CHANGES``, through the service
  of the ERP's status endpoint: the change is kept in the order's history (as an import's, or
  the ERP's when it pushed the rows through its API) and told as ``order_status_changed``, and
  a status the order cannot take refuses it;
- an order imported before (the ERP's history) may have its other columns and its lines
  corrected, except the lines of an order that has shipments or invoices, which stay;
- an order placed in this shop changes only its status: rows that state the rest as it is
  count as unchanged, rows that differ are refused.

The subtotal and the total are taken from the file when it gives them. Otherwise the subtotal
is the sum of the lines (quantity times price, each rounded half-up in the currency) and the
total is the subtotal less discounts plus shipping and tax. A file without line columns changes
only the orders' own columns (their status, say) and keeps their lines and totals.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.administration.common import InvalidValue
from comptoir.accounts.models import Company, CustomerUser
from comptoir.catalog.models import Product, normalize_sku
from comptoir.core.errors import DomainError, InvalidInput
from comptoir.core.money import checked_currency, minor_units, round_money
from comptoir.core.quantities import plain
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, UpsertStatus
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.entities.accounts import (
    ADDRESS_PARTS,
    address_columns,
    company_coded,
    read_company_code,
)
from comptoir.integration.transfer.registry import register
from comptoir.integration.transfer.runner import text_rows
from comptoir.ordering.models import (
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    ShippingStatus,
    StatusChangeSource,
)
from comptoir.ordering.services import (
    AddressCopy,
    HistoricalOrder,
    HistoricalOrderLine,
    create_historical_orders,
    record_historical_order,
)
from comptoir.ordering.status_changes import STATUS_CHANGES, change_order_status

ADDRESS_KINDS = ("billing", "shipping")
# The order's text columns and their longest values (None: no limit).
HEADER_TEXT = {"po_number": 64, "payment_term": 50, "notes": None}
TOTALS = ("subtotal", "discount_total", "shipping_total", "tax_total", "total")
# Columns a file with order lines must have; a line also needs a SKU or a product name.
LINE_NEEDS = ("unit", "quantity", "price")
LINE_COLUMNS = ("line", "sku", "product_name", *LINE_NEEDS, "ship_by", "comment")
# What a new order is until the file says otherwise.
NEW_ORDER: dict[str, Any] = {
    "customer_user": None,
    "status": OrderStatus.OPEN,
    "shipping_status": ShippingStatus.NOT_SHIPPED,
    "po_number": "",
    "payment_term": "",
    "notes": "",
    "discount_total": Decimal(0),
    "shipping_total": Decimal(0),
    "tax_total": Decimal(0),
    **{f"{kind}_{part}": "" for kind in ADDRESS_KINDS for part in ADDRESS_PARTS},
}
PLACED_IN_THIS_SHOP = (OrderSource.STOREFRONT, OrderSource.API)


def _address_columns(kind: str) -> tuple[Column, ...]:
    return address_columns(
        f"{kind}_",
        helps={
            "label": f"The {kind} address as the order keeps it; every {kind}_ column empty "
            "for none, or at least a street, a city and a country.",
            "country": "Two letters (ISO 3166-1).",
        },
        examples={"street": "1 Main Street", "city": "Springfield", "country": "US"},
    )


@dataclass(frozen=True)
class LineRow:
    position: int | None
    sku: str
    product_name: str
    unit: str
    quantity: Decimal
    price: Decimal
    # The optional line columns the file has, by name.
    extra: dict[str, Any]


@dataclass(frozen=True)
class OrderRow:
    number: str
    # The typed values of the order's columns the file has; on its first row only.
    header: dict[str, Any] | None
    # None when the file has no line columns.
    line: LineRow | None


@register
class Orders(Entity):
    name = "orders"
    label = "Orders"
    key = ("order_number", "line")
    group = "order_number"
    group_label = "order"
    batch_size = 500
    # Whose change a status the rows change is, in the order's history: a file's;
    # ``ErpOrders`` records the ERP's.
    status_change_source: ClassVar[str] = StatusChangeSource.IMPORT
    columns = (
        Column(
            "order_number",
            "The order's number, on each of its lines. The rows of one order follow each "
            "other in the file; they are imported, or refused, together.",
            "ERP-100234",
            required=True,
        ),
        Column(
            "company", "The code of the company that ordered; a new order needs it.", "C-10023"
        ),
        Column(
            "customer_user",
            "The e-mail of the customer user who placed it, a user of that company; empty "
            "for none.",
            "pat@example.com",
        ),
        Column(
            "placed_at",
            "When it was placed: 2024-05-03T14:30:00+02:00, or a date (midnight); without an "
            "offset, in the shop's time zone. A new order needs it.",
            "2024-05-03T14:30:00+00:00",
        ),
        Column("status", "open, closed or cancelled; empty is open.", "closed"),
        Column(
            "shipping_status",
            "not_shipped, partially_shipped or shipped; empty is not_shipped.",
            "shipped",
        ),
        Column("currency", "Three letters (ISO 4217); a new order needs it.", "USD"),
        Column("po_number", "The buyer's purchase order number.", "PO-7781"),
        Column("payment_term", 'The payment term it was placed on: "net 30".', "net 30"),
        Column("notes", "The buyer's notes to the seller.", ""),
        *_address_columns("billing"),
        *_address_columns("shipping"),
        Column("subtotal", "The lines' total; empty: computed from the lines.", "250.00"),
        Column("discount_total", "Discounts on the order; empty is 0.", "0.00"),
        Column("shipping_total", "Shipping charged; empty is 0.", "15.00"),
        Column("tax_total", "Tax charged; empty is 0.", "21.20"),
        Column(
            "total",
            "What the buyer paid; empty: subtotal less discounts plus shipping and tax.",
            "286.20",
        ),
        Column(
            "line",
            "The line's place in the order: 1, 2, 3...; empty: the order of the rows.",
            "1",
        ),
        Column(
            "sku",
            "The product's SKU; a SKU not in the catalog is kept, but cannot be reordered. "
            "Empty for a line that is not a catalog product (give its product_name).",
            "AB-1",
        ),
        Column(
            "product_name",
            "The product as ordered; empty: the catalog's name for the SKU.",
            "Office chair",
        ),
        Column("unit", "The unit code the quantity is in.", "item"),
        Column("quantity", "More than 0, at most 3 decimals.", "2"),
        Column("price", "The unit price, at most 4 decimals.", "125.00"),
        Column("ship_by", "The date asked for the line, YYYY-MM-DD.", ""),
        Column("comment", "The buyer's note on the line.", ""),
    )
    header_columns = tuple(
        column.name
        for column in columns
        if column.name != "order_number" and column.name not in LINE_COLUMNS
    )

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        missing = [column for column in LINE_NEEDS if column not in columns]
        if not columns.intersection(("sku", "product_name")):
            missing.insert(0, "sku")
        if columns.intersection(LINE_COLUMNS) and missing:
            return (
                f"the file has order lines but no {', '.join(missing)} column; a file with "
                "lines has the columns sku (or product_name), unit, quantity and price"
            )
        return None

    def parse(self, fields: Fields, run: ImportRun) -> OrderRow:
        number = fields.text("order_number", required=True, max_length=32)
        first = run.state.get("order")
        header = None
        if first is None or first[0] != number:
            last_lines = run.state.setdefault("last_lines", {})
            if number in last_lines:
                fields.error(
                    "order_number",
                    f"the rows of order {number} must follow each other; its earlier rows end "
                    f"on line {last_lines[number]}",
                )
            header = self._header(fields)
            run.state["order"] = (number, fields.record.line, self._raw_header(fields))
            run.state["positions"] = {}
        else:
            _number, first_line, raw = first
            for column, value in self._raw_header(fields).items():
                if value != raw[column]:
                    fields.error(
                        column,
                        f"differs from line {first_line}, the first of order {number}: an "
                        "order's columns are the same on each of its lines",
                    )
        if number:
            run.state["last_lines"][number] = fields.record.line
        line = self._line(fields, run) if _has_a_line(fields) else None
        return OrderRow(number=number, header=header, line=line)

    def _raw_header(self, fields: Fields) -> dict[str, str]:
        return {
            column: fields.raw(column).strip()
            for column in self.header_columns
            if column in fields.record.values
        }

    def _header(self, fields: Fields) -> dict[str, Any]:
        present = [column for column in self.header_columns if column in fields.record.values]
        header: dict[str, Any] = {}
        for column in present:
            if column == "company":
                header[column] = read_company_code(fields, column, required=True)
            elif column == "customer_user":
                header[column] = fields.text(column, max_length=254).lower()
            elif column == "placed_at":
                header[column] = _moment(fields, column)
            elif column == "status":
                header[column] = fields.choice(column, _choices(OrderStatus), default="open")
            elif column == "shipping_status":
                header[column] = fields.choice(
                    column, _choices(ShippingStatus), default="not_shipped"
                )
            elif column == "currency":
                header[column] = _currency(fields, column)
            elif column in HEADER_TEXT:
                header[column] = fields.text(column, max_length=HEADER_TEXT[column])
            elif column in TOTALS:
                header[column] = fields.decimal(column, max_decimals=4, max_digits=19)
            else:
                part = column.split("_", 1)[1]
                header[column] = fields.text(column, max_length=ADDRESS_PARTS[part])
                if part == "country":
                    header[column] = header[column].upper()
        for kind in ADDRESS_KINDS:
            parts = {part: header.get(f"{kind}_{part}") for part in ADDRESS_PARTS}
            if any(parts.values()):
                for part in ("street", "city", "country"):
                    if f"{kind}_{part}" in header and not parts[part]:
                        fields.error(
                            f"{kind}_{part}",
                            f"is empty; the {kind} address needs a street, city and country",
                        )
        return header

    def _line(self, fields: Fields, run: ImportRun) -> LineRow:
        has = fields.record.values
        sku = fields.text("sku", max_length=64)
        product_name = fields.text("product_name", max_length=255)
        if not sku and not product_name:
            fields.error("sku", "is empty; give the line's SKU, or its product_name")
        position = fields.integer("line", minimum=1, maximum=2**31 - 1)
        if position is not None:
            fields.unique(run.state["positions"], position, "line", f"line {position}")
        extra: dict[str, Any] = {}
        if "ship_by" in has:
            extra["ship_by"] = fields.date("ship_by")
        if "comment" in has:
            extra["comment"] = fields.text("comment")
        return LineRow(
            position=position,
            sku=sku,
            product_name=product_name,
            unit=fields.text("unit", required=True, max_length=20),
            quantity=fields.decimal(
                "quantity", required=True, positive=True, max_decimals=3, max_digits=14
            )
            or Decimal(1),
            price=fields.decimal("price", required=True, max_decimals=4, max_digits=19)
            or Decimal(0),
            extra=extra,
        )

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        found = _Lookups(rows)
        # Each order the batch takes, in the file's order: its rows, what became of it, and
        # its rows whose SKU is not in the catalog. New orders are written last, together.
        taken: list[tuple[list[Row], UpsertStatus, list[Row]]] = []
        new: list[HistoricalOrder] = []
        for number, group in itertools.groupby(rows, key=lambda row: row.data.number):
            order_rows = list(group)
            not_in_catalog: list[Row] = []
            order = found.orders.get(number)
            current = None if order is None else _state_of(order)
            try:
                state = self._state(number, order_rows, current, found, not_in_catalog)
                if order is None or current is None:
                    new.append(_historical(number, state))
                    status = CREATED
                else:
                    with transaction.atomic():
                        status = self._change(order, current, state, run)
            except DomainError as error:
                run.refuse(order_rows[0], error.message, column=getattr(error, "field", None))
                for row in order_rows[1:]:
                    run.refuse(
                        row,
                        f"not imported: order {number} is refused on line {order_rows[0].line}",
                    )
            else:
                taken.append((order_rows, status, not_in_catalog))

        if new:
            create_historical_orders(orders=new)

        for order_rows, status, not_in_catalog in taken:
            for row in order_rows:
                run.done(row, status)
            for row in not_in_catalog:
                run.warn(
                    row,
                    f"SKU '{row.data.line.sku}' is not in the catalog: the line is kept, but "
                    "cannot be reordered",
                    column="sku",
                )

    def _state(
        self,
        number: str,
        rows: list[Row],
        current: dict[str, Any] | None,
        found: "_Lookups",
        not_in_catalog: list[Row],
    ) -> dict[str, Any]:
        """The order as the rows state it over ``current`` (the order as it is, None for a
        new one), checked; nothing is written."""
        first: OrderRow = rows[0].data
        header = dict(first.header or {})
        if "company" in header:
            header["company"] = found.company(header["company"])
        if "customer_user" in header:
            header["customer_user"] = found.customer_user(header["customer_user"])
        state = {**(current or NEW_ORDER), **header}
        for column in ("company", "placed_at", "currency"):
            if state.get(column) is None:
                raise InvalidValue(
                    f"order {number} is new: it needs its {column}",
                    field=column,
                    code="order_value_missing",
                )
        lines_given = any(row.data.line is not None for row in rows)
        if lines_given:
            state["lines"] = self._lines(rows, current, found, not_in_catalog)
        elif current is None:
            raise InvalidValue(
                f"order {number} is new: the file needs its lines (the columns sku, unit, "
                "quantity and price)",
                field="sku",
                code="order_lines_missing",
            )
        _check_customer_user(state, current)
        _fill_totals(state, header, lines_given=lines_given or current is None)
        _check_total(number, state)
        return state

    def _change(
        self, order: Order, current: dict[str, Any], state: dict[str, Any], run: ImportRun
    ) -> UpsertStatus:
        """Bring an order the shop has from ``current`` to ``state``: its other columns and
        lines first, then its status, by the status rules (on the order as the rows leave it)."""
        if state == current:
            return UNCHANGED
        differ = [c for c in current if c != "status" and state[c] != current[c]]
        status = UNCHANGED
        if differ:
            if order.source in PLACED_IN_THIS_SHOP:
                raise _placed_here(order.number, differ)
            if "lines" in differ:
                _check_lines_may_change(order)
            historical = replace(_historical(order.number, state), status=current["status"])
            _, header_status, lines_status = record_historical_order(**vars(historical))
            if (header_status, lines_status) != (UNCHANGED, UNCHANGED):
                status = UPDATED
        if state["status"] != current["status"]:
            _change_status(
                order, current["status"], state["status"], run, self.status_change_source
            )
            status = UPDATED
        return status

    def _lines(
        self,
        rows: list[Row],
        current: dict[str, Any] | None,
        found: "_Lookups",
        not_in_catalog: list[Row],
    ) -> list[HistoricalOrderLine]:
        """The file's lines in their order; what the file leaves out is kept from the line
        at the same place, when it is for the same product. The rows whose SKU is not in the
        catalog are added to ``not_in_catalog``."""
        before = current["lines"] if current else []
        parsed = [row.data.line for row in rows]
        for row, line in zip(rows, parsed, strict=True):
            if line is None:
                raise InvalidValue(
                    f"line {row.line} of order {row.data.number} has its line columns empty; "
                    "give its sku, unit, quantity and price, or remove the row",
                    field="sku",
                    code="order_line_empty",
                )
        order = sorted(
            range(len(rows)),
            key=lambda i: (parsed[i].position is None, parsed[i].position or 0, i),
        )
        lines = []
        for place, i in enumerate(order):
            line: LineRow = parsed[i]
            product = found.products.get(normalize_sku(line.sku)) if line.sku else None
            if line.sku and product is None:
                not_in_catalog.append(rows[i])
            made = HistoricalOrderLine(
                product=product,
                sku=product.sku if product else line.sku,
                product_name=line.product_name or (product.name if product else line.sku),
                unit_code=line.unit,
                quantity=line.quantity,
                unit_price=line.price,
                free_form_product="" if line.sku else line.product_name,
            )
            same = before[place] if place < len(before) else None
            if same is not None and (same.sku, same.unit_code) == (made.sku, made.unit_code):
                kept = {"ship_by": same.ship_by, "comment": same.comment}
                if same.unit_price == made.unit_price:
                    kept |= {
                        "price_list_name": same.price_list_name,
                        "tier_quantity": same.tier_quantity,
                    }
                made = replace(made, **kept)
            lines.append(replace(made, **line.extra))
        return lines

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        since = _since(options)
        orders = _orders_with_lines()
        if since is not None:
            orders = orders.filter(created_at__gte=since)
        for order in orders.order_by("created_at", "number").iterator(chunk_size=200):
            yield from text_rows(_rows_of(order.number, _state_of(order)))


class ErpOrders(Orders):
    """The orders the ERP pushes through its API (``POST /erp/orders``): a status their rows
    change is the ERP's, as through its status endpoint. Not registered: files are ``Orders``."""

    status_change_source = StatusChangeSource.ERP


def _orders_with_lines():
    return Order.objects.select_related(
        "company", "customer_user__user", "billing_address", "shipping_address"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id"))
    )


def _has_a_line(fields: Fields) -> bool:
    """Whether the row states a line: a row with every line column empty (or none) does not
    (an order without lines, or a file that keeps the orders' lines)."""
    return any(fields.raw(column).strip() for column in LINE_COLUMNS)


class _Lookups:
    """What a batch of rows names, found in a few queries: orders, companies, users, SKUs."""

    def __init__(self, rows: list[Row]) -> None:
        numbers = {row.data.number for row in rows}
        self.orders = {
            order.number: order for order in _orders_with_lines().filter(number__in=numbers)
        }
        headers = [row.data.header for row in rows if row.data.header]
        skus = {
            normalize_sku(row.data.line.sku)
            for row in rows
            if row.data.line is not None and row.data.line.sku
        }
        self.products = {
            normalize_sku(product.sku): product
            for product in Product.objects.annotate(upper_sku=Upper("sku")).filter(
                upper_sku__in=skus
            )
        }
        codes = {header["company"].upper() for header in headers if header.get("company")}
        self.companies: dict[str, Any] = {}
        for company in Company.objects.annotate(key=Upper("code")).filter(key__in=codes):
            self.companies[company.code.upper()] = company
        emails = {header["customer_user"] for header in headers if header.get("customer_user")}
        self.users: dict[str, CustomerUser | None] = {}
        users = CustomerUser.objects.select_related("user").annotate(key=Upper("user__email"))
        # In the order the lookup of one user takes them: the first of two that share an
        # e-mail but for its case is the same one.
        for user in users.filter(key__in={email.upper() for email in emails}):
            if user.email.lower() in emails:
                self.users.setdefault(user.email.lower(), user)

    def company(self, code: str):
        # A code the batch's query missed is looked up alone, for the message it earns.
        if code.upper() not in self.companies:
            self.companies[code.upper()] = company_coded(code, "company")
        return self.companies[code.upper()]

    def customer_user(self, email: str) -> CustomerUser | None:
        if not email:
            return None
        if email not in self.users:
            self.users[email] = (
                CustomerUser.objects.select_related("user")
                .filter(user__email__iexact=email)
                .first()
            )
        if self.users[email] is None:
            raise InvalidValue(
                f"no customer user has the e-mail '{email}'; import the user first, or leave "
                "it empty",
                field="customer_user",
                code="customer_user_unknown",
            )
        return self.users[email]


def _state_of(order: Order) -> dict[str, Any]:
    """An order as the columns of its rows say it, in typed values."""
    state: dict[str, Any] = {
        "company": order.company,
        "customer_user": order.customer_user,
        "placed_at": order.created_at,
        "status": order.status,
        "shipping_status": order.shipping_status,
        "currency": order.currency,
        "po_number": order.po_number,
        "payment_term": order.payment_term,
        "notes": order.customer_notes,
        **{total: getattr(order, total) for total in TOTALS},
        "lines": [
            HistoricalOrderLine(
                product=line.product,
                sku=line.sku,
                product_name=line.product_name,
                unit_code=line.unit_code,
                quantity=line.quantity,
                unit_price=line.unit_price,
                price_list_name=line.price_list_name,
                tier_quantity=line.tier_quantity,
                free_form_product=line.free_form_product,
                ship_by=line.ship_by,
                comment=line.comment,
            )
            for line in order.lines.all()
        ],
    }
    for kind in ADDRESS_KINDS:
        address = getattr(order, f"{kind}_address")
        for part in ADDRESS_PARTS:
            state[f"{kind}_{part}"] = getattr(address, part) if address else ""
    return state


def _rows_of(number: str, state: dict[str, Any]) -> Iterator[dict[str, object]]:
    currency = state["currency"]
    header: dict[str, object] = {
        "order_number": number,
        "company": state["company"].code,
        "customer_user": state["customer_user"].email if state["customer_user"] else "",
        "placed_at": timezone.localtime(state["placed_at"]).isoformat(),
        **{
            column: state[column]
            for column in ("status", "shipping_status", "currency", "po_number", "payment_term")
        },
        "notes": state["notes"],
        **{
            f"{kind}_{part}": state[f"{kind}_{part}"]
            for kind in ADDRESS_KINDS
            for part in ADDRESS_PARTS
        },
        **{total: _money(state[total], currency) for total in TOTALS},
    }
    if not state["lines"]:
        yield header
    for place, line in enumerate(state["lines"], start=1):
        yield {
            **header,
            "line": place,
            "sku": line.sku,
            "product_name": line.product_name,
            "unit": line.unit_code,
            "quantity": plain(line.quantity),
            "price": _money(line.unit_price, currency),
            "ship_by": line.ship_by.isoformat() if line.ship_by else "",
            "comment": line.comment,
        }


def _money(amount: Decimal, currency: str) -> str:
    """``amount`` with the currency's decimals at least, and more only where it has them."""
    value = plain(amount)
    decimals = minor_units(currency)
    if -value.as_tuple().exponent < decimals:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-decimals))
    return format(value, "f")


def _check_customer_user(state: dict[str, Any], current: dict[str, Any] | None) -> None:
    member = state["customer_user"]
    if member is None or (current is not None and current["customer_user"] == member):
        return
    if member.company_id != state["company"].pk:
        raise InvalidValue(
            f"{member.email} is a user of another company than {state['company'].code}; "
            "give a user of the company that ordered, or leave it empty",
            field="customer_user",
            code="customer_user_other_company",
        )


def _fill_totals(state: dict[str, Any], header: dict[str, Any], *, lines_given: bool) -> None:
    """Compute the subtotal and total the file leaves empty, or leaves out with new lines."""
    currency = state["currency"]
    for column in ("discount_total", "shipping_total", "tax_total"):
        if state[column] is None:
            state[column] = Decimal(0)
    if header.get("subtotal") is None and ("subtotal" in header or lines_given):
        state["subtotal"] = sum(
            (round_money(line.unit_price * line.quantity, currency) for line in state["lines"]),
            Decimal(0),
        )
    if header.get("total") is None and ("total" in header or lines_given):
        state["total"] = (
            state["subtotal"]
            - state["discount_total"]
            + state["shipping_total"]
            + state["tax_total"]
        )


def _check_total(number: str, state: dict[str, Any]) -> None:
    """Refuse a total that is not the subtotal less discounts plus shipping and tax."""
    expected = (
        state["subtotal"] - state["discount_total"] + state["shipping_total"] + state["tax_total"]
    )
    if state["total"] != expected:
        raise InvalidValue(
            f"order {number}: the total {state['total']} is not the subtotal "
            f"{state['subtotal']} less discounts {state['discount_total']} plus shipping "
            f"{state['shipping_total']} and tax {state['tax_total']}, which make {expected}; "
            "correct the figures, or leave total empty to have it computed",
            field="total",
            code="order_total_mismatch",
        )


def _placed_here(number: str, differ: list[str]) -> DomainError:
    """The refusal of a change to an order placed in this shop, naming the columns (all but
    the status) in which the file differs from it."""
    message = (
        f"order {number} was placed in this shop, and an import changes only its status; the "
        f"file differs in {', '.join('its lines' if c == 'lines' else c for c in differ)}"
    )
    if differ[0] == "lines":
        return DomainError(message, code="order_placed_here")
    return InvalidValue(message, field=differ[0], code="order_placed_here")


def _check_lines_may_change(order: Order) -> None:
    """Refuse new lines for an order that has shipments or invoices: they tell of its lines."""
    shipments = list(order.shipments.order_by("number").values_list("number", flat=True))
    invoices = list(order.invoices.order_by("number").values_list("number", flat=True))
    if shipments or invoices:
        raise DomainError(
            _(
                "order %(number)s has shipments or invoices (%(records)s) that tell of its "
                "lines, and its lines stay as they are; give its lines as the order has them, "
                "or leave the line columns out"
            )
            % {"number": order.number, "records": ", ".join(shipments + invoices)},
            code="order_lines_kept",
        )


def _change_status(
    order: Order, status: str, wanted: str, run: ImportRun, source: StatusChangeSource
) -> None:
    """Move ``order`` from ``status`` to ``wanted`` as the ERP's status endpoint does: by the
    same rules, kept in its history and told as ``order_status_changed``. The change is
    ``source``'s (an import, or the ERP pushing rows), made by the file (or the call) it came
    in."""
    try:
        change_order_status(
            order=order,
            status=wanted,
            source=source,
            changed_by=run.file_name[:150],
        )
    except InvalidInput as error:
        if error.code == "order_shipped":
            raise _shipped_cannot_be_cancelled(order, error.code) from None
        if error.code != "status_change_forbidden":
            raise
        allowed = STATUS_CHANGES[status]
        raise InvalidInput(
            _(
                "order %(number)s is %(status)s and cannot become %(wanted)s (allowed from "
                "%(status)s: %(allowed)s); correct its status column"
            )
            % {
                "number": order.number,
                "status": status,
                "wanted": wanted,
                "allowed": ", ".join(allowed) if allowed else _("none"),
            },
            code=error.code,
            field="status",
        ) from None


def _shipped_cannot_be_cancelled(order: Order, code: str) -> InvalidInput:
    """The status service's refusal to cancel a shipped order, worded as the other messages
    of an import are (the service's is a sentence for the back office and the API)."""
    shipments = ", ".join(order.shipments.order_by("number").values_list("number", flat=True))
    if not shipments:
        shipping_status = Order.objects.values_list("shipping_status", flat=True).get(pk=order.pk)
        shipments = ShippingStatus(shipping_status).label.lower()
    return InvalidInput(
        _(
            "order %(number)s has shipped (%(shipments)s) and cannot be cancelled; correct its "
            "status column (close the order once the rest is settled)"
        )
        % {"number": order.number, "shipments": shipments},
        code=code,
        field="status",
    )


def _historical(number: str, state: dict[str, Any]) -> HistoricalOrder:
    return HistoricalOrder(
        number=number,
        company=state["company"],
        customer_user=state["customer_user"],
        status=state["status"],
        shipping_status=state["shipping_status"],
        currency=state["currency"],
        subtotal=state["subtotal"],
        discount_total=state["discount_total"],
        shipping_total=state["shipping_total"],
        tax_total=state["tax_total"],
        total=state["total"],
        created_at=state["placed_at"],
        lines=state["lines"],
        po_number=state["po_number"],
        customer_notes=state["notes"],
        payment_term=state["payment_term"],
        billing_address=_address(state, "billing"),
        shipping_address=_address(state, "shipping"),
    )


def _address(state: dict[str, Any], kind: str) -> AddressCopy | None:
    parts = {part: state[f"{kind}_{part}"] for part in ADDRESS_PARTS}
    return AddressCopy(**parts) if any(parts.values()) else None


def _choices(choices) -> dict[str, str]:
    return {value: value for value in choices.values}


def _currency(fields: Fields, column: str) -> str | None:
    text = fields.text(column, required=True)
    if not text:
        return None
    try:
        return checked_currency(text)
    except DomainError as error:
        fields.error(column, error.message)
        return None


def _moment(fields: Fields, column: str) -> datetime | None:
    text = fields.text(column, required=True)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fields.error(
            column,
            f"'{text}' is not a date and time; write it as 2024-05-03T14:30:00+02:00, or as "
            "a date: 2024-05-03",
        )
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _since(options: dict[str, str]) -> datetime | None:
    unknown = sorted(set(options) - {"since"})
    if unknown:
        raise DomainError(
            f"'{unknown[0]}' is not an option of orders exports (options: since)",
            code="unknown_option",
        )
    text = options.get("since", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"since='{text}' is not a date; write since=2024-05-03, or a date and time as in "
            "since=2024-05-03T14:30:00+00:00",
            code="invalid_option",
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
