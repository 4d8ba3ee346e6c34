"""The order history step of the OroCommerce import.

Like OroCommerce's demo loader, every order goes to the first user of the users file and that
user's company. The orders file is read first and its accepted rows kept (one small header
each); the lines file, the long one, then streams: the lines of an order follow each other in
it, and each order is recorded with its lines as soon as they end. The lines carry no
quantity and no price: each is for ``DEFAULT_LINE_QUANTITY`` of its unit, priced by the
company's price lists at import time (0, with a warning, when they do not price it). The order
keeps the subtotal and total its row states.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product, normalize_sku
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.oro import layouts
from comptoir.integration.oro.catalog import read_unit
from comptoir.integration.oro.run import OroImport, Outcomes
from comptoir.integration.report import Problem
from comptoir.ordering.services import AddressCopy, HistoricalOrderLine, record_historical_order
from comptoir.pricing.queries import price_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderRow:
    record: Record
    number: str
    status: str
    shipping_status: str
    currency: str
    subtotal: Decimal
    total: Decimal
    po_number: str
    payment_term: str
    customer_notes: str
    billing_address: AddressCopy | None
    shipping_address: AddressCopy | None

    @property
    def created_at(self) -> datetime:
        first = datetime.fromisoformat(layouts.FIRST_ORDER_DATE)
        return first + timedelta(days=self.record.number - 1)


@dataclass(frozen=True)
class LineRow:
    record: Record
    order_number: str
    sku: str
    unit_code: str
    free_form_product: str
    ship_by: date | None
    comment: str


def import_orders(run: OroImport) -> None:
    """Orders from the orders file, each recorded with its lines from the lines file."""
    orders = _read_orders(run)
    if orders and run.order_owner is None:
        run.report.file_error(
            "orders",
            Problem(
                file=layouts.ORDERS.file_name,
                line=None,
                message=f"no order is imported: {layouts.CUSTOMER_USERS.file_name} gave no "
                "customer user to place them",
            ),
        )
        run.report.entity("orders").rejected += len(orders)
        return

    recorded: dict[str, int] = {}
    group: list[LineRow] = []
    for line in _read_lines(run, orders, recorded):
        if group and group[0].order_number != line.order_number:
            _record(run, orders[group[0].order_number], group)
            recorded[group[0].order_number] = group[-1].record.line
            group = []
        group.append(line)
    if group:
        _record(run, orders[group[0].order_number], group)
        recorded[group[0].order_number] = group[-1].record.line
    for number, order in orders.items():
        if number not in recorded:
            _record(run, order, [])


def _read_orders(run: OroImport) -> dict[str, OrderRow]:
    orders: dict[str, OrderRow] = {}
    seen: dict[str, int] = {}
    for record in run.records(layouts.ORDERS, "orders"):
        fields = Fields(record)
        number = fields.text("identifier", required=True, max_length=32)
        fields.unique(seen, number, "identifier", f"order '{number}'")
        currency = fields.text("currency", required=True).upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            fields.error("currency", f"'{currency}' is not a three-letter currency code")
        row = OrderRow(
            record=record,
            number=number,
            status=fields.choice("internalStatus", layouts.ORDER_STATUSES, default="open"),
            shipping_status=fields.choice(
                "shippingStatus", layouts.SHIPPING_STATUSES, default="not_shipped"
            ),
            currency=currency,
            subtotal=fields.decimal("subtotal", required=True, max_decimals=4, max_digits=19)
            or Decimal(0),
            total=fields.decimal("total", required=True, max_decimals=4, max_digits=19)
            or Decimal(0),
            po_number=fields.text("poNumber", max_length=64),
            payment_term=fields.text("paymentTerm", max_length=50),
            customer_notes=fields.text("customerNotes"),
            billing_address=_address(fields, "billingAddress"),
            shipping_address=_address(fields, "shippingAddress"),
        )
        if fields.problems:
            run.reject("orders", fields.problems)
            continue
        orders[number] = row
    return orders


def _address(fields: Fields, prefix: str) -> AddressCopy | None:
    """The address of the columns starting with ``prefix``; None if they are all empty."""
    values = {
        part: fields.text(f"{prefix}{part}", max_length=length)
        for part, length in (
            ("Label", 100),
            ("Street", 200),
            ("City", 100),
            ("Region", 100),
            ("PostalCode", 20),
            ("Country", 2),
        )
    }
    if not any(values.values()):
        return None
    for part in ("Street", "City", "Country"):
        if not values[part]:
            fields.error(f"{prefix}{part}", "is empty; an address needs a street, city, country")
    country = values["Country"].upper()
    # Regions are written as ISO 3166-2 codes ("US-NY"); the address book keeps "NY".
    region = values["Region"].removeprefix(f"{country}-") if country else values["Region"]
    return AddressCopy(
        label=values["Label"],
        street=values["Street"],
        city=values["City"],
        region=region,
        postal_code=values["PostalCode"],
        country=country,
    )


def _read_lines(run: OroImport, orders: dict[str, OrderRow], recorded: dict[str, int]):
    for record in run.records(layouts.ORDER_LINES, "order lines"):
        fields = Fields(record)
        number = fields.text("orderIdentifier", required=True)
        sku = fields.text("productSku", max_length=64)
        free_form = fields.text("freeFormProduct", max_length=255)
        if number and number not in orders:
            fields.error(
                "orderIdentifier",
                f"order '{number}' is not among the accepted rows of {layouts.ORDERS.file_name}",
            )
        elif number in recorded:
            fields.error(
                "orderIdentifier",
                f"the lines of order '{number}' must follow each other; "
                f"its lines before ended on line {recorded[number]}",
            )
        if not sku and not free_form:
            fields.error("productSku", "is empty; give a SKU or a freeFormProduct")
        unit = read_unit(run, fields, "productUnitCode", required=bool(sku))
        line = LineRow(
            record=record,
            order_number=number,
            sku=sku,
            unit_code=unit.code if unit else fields.text("productUnitCode"),
            free_form_product="" if sku else free_form,
            ship_by=fields.date("shipBy"),
            comment=fields.text("comment"),
        )
        if fields.problems:
            run.reject("order lines", fields.problems)
            continue
        yield line


def _record(run: OroImport, order: OrderRow, lines: list[LineRow]) -> None:
    owner = run.order_owner
    assert owner is not None
    priced = [_priced_line(run, owner.company, line) for line in lines]
    other_currencies = sorted({currency for _, currency in priced} - {"", order.currency})
    if other_currencies:
        run.report.warn(
            _warning(
                order.record,
                "currency",
                f"order '{order.number}' is in {order.currency} but {owner.company.name} is "
                f"priced in {', '.join(other_currencies)}: its lines keep those prices",
            )
        )

    def write() -> Outcomes:
        _, order_status, lines_status = record_historical_order(
            number=order.number,
            company=owner.company,
            customer_user=owner,
            status=order.status,
            shipping_status=order.shipping_status,
            currency=order.currency,
            subtotal=order.subtotal,
            total=order.total,
            created_at=order.created_at,
            lines=[line for line, _ in priced],
            po_number=order.po_number,
            customer_notes=order.customer_notes,
            payment_term=order.payment_term,
            billing_address=order.billing_address,
            shipping_address=order.shipping_address,
        )
        return [("orders", order_status)] + [("order lines", lines_status)] * len(lines)

    if not run.save_row("orders", order.record, write):
        run.report.entity("order lines").rejected += len(lines)


def _priced_line(
    run: OroImport, company: Company, line: LineRow
) -> tuple[HistoricalOrderLine, str]:
    """The line priced for ``company``, and the currency of that price ("" if unpriced)."""
    quantity = layouts.DEFAULT_LINE_QUANTITY
    if not line.sku:
        free_form = HistoricalOrderLine(
            product=None,
            sku="",
            product_name=line.free_form_product,
            unit_code=line.unit_code,
            quantity=quantity,
            unit_price=Decimal(0),
            free_form_product=line.free_form_product,
            ship_by=line.ship_by,
            comment=line.comment,
        )
        return free_form, ""

    product = Product.objects.filter(sku__iexact=normalize_sku(line.sku)).first()
    price = None
    if product is not None:
        price = price_for(company=company, product=product, unit=line.unit_code, quantity=quantity)
    if price is None:
        reason = (
            f"SKU '{line.sku}' is not in the catalog"
            if product is None
            else f"no price list of {company.name} prices SKU '{line.sku}' in '{line.unit_code}'"
        )
        run.report.warn(_warning(line.record, "productSku", f"{reason}: the line is priced 0"))
    historical = HistoricalOrderLine(
        product=product,
        sku=product.sku if product else line.sku,
        product_name=product.name if product else line.sku,
        unit_code=line.unit_code,
        quantity=quantity,
        unit_price=price.value if price else Decimal(0),
        price_list_name=price.price_list_name if price else "",
        tier_quantity=price.tier.quantity if price else None,
        ship_by=line.ship_by,
        comment=line.comment,
    )
    return historical, price.currency if price else ""


def _warning(record: Record, column: str, message: str) -> Problem:
    return Problem(
        file=record.file_name,
        line=record.line,
        column=column,
        message=message,
        severity="warning",
    )
