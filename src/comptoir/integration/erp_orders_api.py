"""The ERP's order endpoints: status changes, shipments and invoices of orders, in batches.

Like the other batch endpoints (``erp_api``), each call needs an ``Idempotency-Key`` and is
all or nothing: a call with a wrong row writes nothing and lists every wrong row with its
index and field. Rows are carried out in their order, so a call may name an order twice (a
shipment, then the status that follows it). The rules are the shop's own: status changes
along ``ordering.status_changes.STATUS_CHANGES``, shipments of no more than is left to ship,
invoices whose figures add up.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import BeforeValidator, ValidatorFunctionWrapHandler, WrapValidator

from comptoir.api.auth import require_scope
from comptoir.api.errors import error_responses
from comptoir.core.errors import BatchRefused
from comptoir.core.records import UNCHANGED, UPDATED, UpsertStatus
from comptoir.integration.erp_api import MAX_ROWS, BadRows, Batch, BatchOut, idempotent
from comptoir.integration.models import ApiClient, Scope
from comptoir.inventory.services import RowProblem
from comptoir.invoicing.erp_invoices import ErpInvoice, InvoiceFigures, record_erp_invoices
from comptoir.invoicing.models import PaymentStatus
from comptoir.ordering.models import Order, StatusChangeSource
from comptoir.ordering.shipments import NewShipment, ShipmentLineInput, record_shipments
from comptoir.ordering.status_changes import StatusChange, change_order_statuses

router = Router()

# Optional text an ERP may send as null: read as empty.
OptionalText = Annotated[str, BeforeValidator(lambda value: "" if value is None else value)]

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class SentWithoutZone(datetime):
    """A time sent without its time zone, with the text as sent, for the message that refuses
    it to quote."""

    sent: str


def _moment(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    """A date alone (2026-11-30) is the start of that day in the shop's time zone; a time
    without its zone is kept with the text sent, and refused by the call with that text."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and _DATE_ONLY.fullmatch(text):
        day = handler(text).date()
        return timezone.make_aware(
            datetime.combine(day, time.min), timezone.get_default_timezone()
        )
    moment = handler(value)
    if moment.tzinfo is None and text is not None:
        kept = SentWithoutZone.combine(moment.date(), moment.time())
        kept.sent = text
        return kept
    return moment


# A moment: a date and time with its zone, or a date alone (midnight in the shop's time zone).
Moment = Annotated[datetime, WrapValidator(_moment)]


class OrderStatusIn(Schema):
    order: str = Field(description="The order's number.")
    status: str = Field(description="open, closed or cancelled.")
    note: OptionalText = Field("", description="Why; shown to the buyer on the order's page.")


class OrderStatusesIn(Schema):
    changes: list[OrderStatusIn] = Field(max_length=MAX_ROWS)


class ShipmentLineIn(Schema):
    sku: str
    unit: str = Field(description="The unit the line was ordered in: its code.")
    quantity: Decimal = Field(description="At most what is left to ship of the line.")


class ShipmentIn(Schema):
    number: str = Field(description="The ERP's delivery number, unique.")
    order: str = Field(description="The order's number.")
    shipped_at: Moment = Field(
        description="With its time zone: 2026-03-02T14:00:00Z; a date alone (2026-03-02) is "
        "the start of that day in the shop's time zone."
    )
    carrier: OptionalText = ""
    tracking_number: OptionalText = ""
    tracking_url: OptionalText = Field("", description="Where the buyer follows the parcel.")
    lines: list[ShipmentLineIn]


class ShipmentsIn(Schema):
    shipments: list[ShipmentIn] = Field(max_length=MAX_ROWS)


class InvoiceIn(Schema):
    number: str = Field(description="The ERP's invoice number, up to 32 characters.")
    order: str = Field(description="The order's number.")
    issued_at: Moment = Field(
        description="With its time zone; a date alone is the start of that day in the shop's "
        "time zone."
    )
    due_at: date | None = None
    currency: str | None = Field(None, description="The order's currency if left out.")
    subtotal: Decimal = Field(description="The lines before discounts, shipping and tax.")
    discount_total: Decimal = Decimal(0)
    shipping_total: Decimal = Decimal(0)
    tax_total: Decimal
    total: Decimal = Field(description="Subtotal less discounts, plus shipping and tax.")
    status: str = Field(PaymentStatus.OPEN.value, description="open or paid.")
    paid_at: Moment | None = Field(
        None, description="When it was paid (a date alone: its start); now if left out."
    )
    document_url: OptionalText = Field("", description="The ERP's copy of the invoice (PDF).")


class InvoicesIn(Schema):
    invoices: list[InvoiceIn] = Field(max_length=MAX_ROWS)


@router.post(
    "/erp/order-status",
    response={200: BatchOut, **error_responses(400, 401, 403, 422)},
    summary="Push order status changes",
)
def push_order_status(request: HttpRequest, body: OrderStatusesIn):
    """Move orders along: an open order may be closed or cancelled (not once it has shipped);
    a closed or cancelled one stays so. The same status again changes nothing. Each change is
    told to other systems as `order_status_changed`."""
    client = require_scope(request, Scope.ORDERS_WRITE)

    def carry_out(rows: list[tuple[OrderStatusIn, Order]]) -> list[UpsertStatus]:
        made = change_order_statuses(
            changes=[
                StatusChange(order, row.status.strip().lower(), row.note) for row, order in rows
            ],
            source=StatusChangeSource.ERP,
            changed_by=client.name,
        )
        return [UNCHANGED if change is None else UPDATED for change in made]

    return _carry_out_rows(request, client, "order_status", body.changes, carry_out)


@router.post(
    "/erp/shipments",
    response={200: BatchOut, **error_responses(400, 401, 403, 422)},
    summary="Push shipments",
)
def push_shipments(request: HttpRequest, body: ShipmentsIn):
    """Record what was shipped of orders, with carrier and tracking; the orders' shipping
    status follows (partially shipped, shipped) and the buyer sees the tracking on the order.
    A shipment sent again may change its carrier and tracking, not its lines."""
    client = require_scope(request, Scope.SHIPMENTS_WRITE)

    def carry_out(rows: list[tuple[ShipmentIn, Order]]) -> list[UpsertStatus]:
        recorded = record_shipments(
            shipments=[
                NewShipment(
                    order=order,
                    number=row.number,
                    shipped_at=row.shipped_at,
                    lines=[
                        ShipmentLineInput(line.sku, line.unit, line.quantity) for line in row.lines
                    ],
                    carrier=row.carrier,
                    tracking_number=row.tracking_number,
                    tracking_url=row.tracking_url,
                )
                for row, order in rows
            ]
        )
        return [status for _, status in recorded]

    return _carry_out_rows(
        request, client, "shipments", body.shipments, carry_out, times=("shipped_at",)
    )


@router.post(
    "/erp/invoices",
    response={200: BatchOut, **error_responses(400, 401, 403, 422)},
    summary="Push invoices",
)
def push_invoices(request: HttpRequest, body: InvoicesIn):
    """Record the ERP's invoices of orders (an order may have several), or bring their
    payment status, due date and document up to date; the buyer reads them with the order.
    `invoice_issued` is told for a new invoice, `invoice_paid` when one becomes paid."""
    client = require_scope(request, Scope.INVOICES_WRITE)

    def carry_out(rows: list[tuple[InvoiceIn, Order]]) -> list[UpsertStatus]:
        recorded = record_erp_invoices(
            invoices=[
                ErpInvoice(
                    order=order,
                    number=row.number,
                    issued_at=row.issued_at,
                    due_at=row.due_at,
                    figures=InvoiceFigures(
                        currency=(row.currency or order.currency).strip().upper(),
                        subtotal=row.subtotal,
                        discount_total=row.discount_total,
                        shipping_total=row.shipping_total,
                        tax_total=row.tax_total,
                        total=row.total,
                    ),
                    payment_status=row.status.strip().lower(),
                    paid_at=row.paid_at,
                    document_url=row.document_url,
                )
                for row, order in rows
            ]
        )
        return [status for _, status in recorded]

    return _carry_out_rows(
        request, client, "invoices", body.invoices, carry_out, times=("issued_at", "paid_at")
    )


def _carry_out_rows[Row: OrderStatusIn | ShipmentIn | InvoiceIn](
    request: HttpRequest,
    client: ApiClient,
    entity: str,
    rows: list[Row],
    carry_out_rows: Callable[[list[tuple[Row, Order]]], list[UpsertStatus]],
    *,
    times: tuple[str, ...] = (),
):
    """Find each row's order, then carry the rows out in one batch; a row refused (an unknown
    order, a time without its zone, a business rule) refuses the whole call."""

    def carry_out() -> Batch:
        orders = _orders_named(row.order for row in rows)
        problems = []
        found: list[tuple[Row, Order]] = []
        indexes = []
        for index, row in enumerate(rows):
            order = orders.get(row.order.strip())
            if order is None:
                number = row.order.strip()[:32]
                problems.append(RowProblem(index, "order", f"unknown order number '{number}'"))
                continue
            naive = [
                name
                for name in times
                if getattr(row, name) is not None and getattr(row, name).tzinfo is None
            ]
            for name in naive:
                moment = getattr(row, name)
                sent = getattr(moment, "sent", None) or moment.isoformat()
                problems.append(
                    RowProblem(
                        index,
                        name,
                        f"'{sent[:40]}' has no time zone: add Z or an offset, as in "
                        "2026-03-02T14:00:00Z, or send a date alone (2026-03-02)",
                    )
                )
            if not naive:
                found.append((row, order))
                indexes.append(index)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        try:
            for status in carry_out_rows(found):
                counts[status] += 1
        except BatchRefused as refused:
            problems += [
                RowProblem(indexes[place], error.field, error.message)
                for place, error in refused.refusals
            ]
        if problems:
            raise BadRows(sorted(problems, key=lambda problem: problem.index))
        return Batch(answer={**counts, "removed": 0}, counts={entity: counts})

    return idempotent(request, client, carry_out, entity=entity, rows=len(rows))


def _orders_named(numbers: Iterable[str]) -> dict[str, Order]:
    wanted = {number.strip() for number in numbers if "\x00" not in number}
    return {order.number: order for order in Order.objects.filter(number__in=wanted)}
