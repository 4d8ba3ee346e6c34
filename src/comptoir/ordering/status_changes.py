"""The seller's side of an order once placed: its status changes.

An order's status moves along ``STATUS_CHANGES`` only: an open order is closed once fulfilled
and invoiced, or cancelled before anything ships; a closed or cancelled order stays so. Each
change is kept with its note (the buyer reads it on the order's page) and told to other
systems as ``order_status_changed`` in its transaction, whoever made it: staff in the back
office or the ERP. Shipments are in ``ordering.shipments``.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BatchRefused, InvalidInput
from comptoir.core.events import NewEvent, record_events
from comptoir.ordering.models import (
    Order,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShippingStatus,
)

logger = logging.getLogger(__name__)

# The statuses an order may move to from each status.
STATUS_CHANGES: dict[str, tuple[str, ...]] = {
    OrderStatus.OPEN: (OrderStatus.CLOSED, OrderStatus.CANCELLED),
    OrderStatus.CLOSED: (),
    OrderStatus.CANCELLED: (),
}
NOTE_MAX_LENGTH = 2000


def lock_orders(orders: Iterable[Order]) -> dict[int, Order]:
    """``orders`` read again under a row lock, in primary-key order, by primary key; call in
    a transaction."""
    ids = sorted({order.pk for order in orders})
    locked = Order.objects.select_for_update(of=("self",)).select_related("company")
    return {order.pk: order for order in locked.filter(pk__in=ids).order_by("pk")}


def check_status_change(order: Order, status: str, *, has_shipped: bool | None = None) -> None:
    """Refuse a move of ``order`` to ``status`` that ``STATUS_CHANGES`` does not allow, or a
    cancellation of an order that has begun to ship: it has shipments (``has_shipped``, read
    if None) or a shipping status other than not shipped."""
    if status not in STATUS_CHANGES:
        raise InvalidInput(
            _("'%(status)s' is not an order status; write one of: %(statuses)s")
            % {"status": status, "statuses": ", ".join(STATUS_CHANGES)},
            code="unknown_status",
            field="status",
        )
    if status != order.status and status not in STATUS_CHANGES[order.status]:
        raise InvalidInput(
            _(
                "Order %(number)s is %(status)s and cannot become %(wanted)s: an open order "
                "may be closed or cancelled, a closed or cancelled one stays so"
            )
            % {
                "number": order.number,
                "status": order.get_status_display().lower(),
                "wanted": OrderStatus(status).label.lower(),
            },
            code="status_change_forbidden",
            field="status",
        )
    if has_shipped is None:
        has_shipped = order.shipments.exists()
    # An order imported as shipped has its shipping status without shipments of its own.
    has_shipped = has_shipped or order.shipping_status != ShippingStatus.NOT_SHIPPED
    if status == OrderStatus.CANCELLED and has_shipped:
        shipments = ", ".join(order.shipments.values_list("number", flat=True))
        shipments = shipments or order.get_shipping_status_display().lower()
        raise InvalidInput(
            _(
                "Order %(number)s has shipped (%(shipments)s): it cannot be cancelled; close "
                "it once the rest is settled"
            )
            % {"number": order.number, "shipments": shipments},
            code="order_shipped",
            field="status",
        )


@dataclass(frozen=True)
class StatusChange:
    """An order to move to ``status``, with the note that tells the buyer why."""

    order: Order
    status: str
    note: str = ""


def change_order_status(
    *, order: Order, status: str, source: str, changed_by: str, note: str = ""
) -> OrderStatusChange | None:
    """Move ``order`` to ``status``, keeping the change with its ``note``; None when the
    order already has that status (nothing is written, no event)."""
    try:
        [change] = change_order_statuses(
            changes=[StatusChange(order, status, note)], source=source, changed_by=changed_by
        )
    except BatchRefused as refused:
        raise refused.refusals[0][1] from None
    return change


def change_order_statuses(
    *, changes: Sequence[StatusChange], source: str, changed_by: str
) -> list[OrderStatusChange | None]:
    """Carry out ``changes`` in their order (an order may be named twice), each kept with its
    note and told as ``order_status_changed``; None for an order that already has the status.

    All or nothing: ``BatchRefused`` names every change refused, and nothing is written.
    """
    with transaction.atomic():
        orders = lock_orders(change.order for change in changes)
        shipped = set(
            Shipment.objects.filter(order__in=list(orders)).values_list("order_id", flat=True)
        )
        now = timezone.now()
        made: list[OrderStatusChange | None] = []
        refusals = []
        for index, change in enumerate(changes):
            order = orders[change.order.pk]
            try:
                note = _checked_note(change.note)
                if order.status == change.status:
                    made.append(None)
                    continue
                check_status_change(order, change.status, has_shipped=order.pk in shipped)
            except InvalidInput as error:
                refusals.append((index, error))
                continue
            made.append(
                OrderStatusChange(
                    order=order,
                    from_status=order.status,
                    to_status=change.status,
                    note=note,
                    source=source,
                    changed_by=changed_by,
                    changed_at=now,
                )
            )
            order.status = change.status
        if refusals:
            raise BatchRefused(refusals)

        written = [change for change in made if change is not None]
        OrderStatusChange.objects.bulk_create(written)
        Order.objects.bulk_update({c.order.pk: c.order for c in written}.values(), ["status"])
        record_events(
            [
                NewEvent(
                    "order_status_changed",
                    change.order.number,
                    {
                        "number": change.order.number,
                        "company": change.order.company.name,
                        "from": change.from_status,
                        "to": change.to_status,
                        "note": change.note,
                        "source": source,
                        "changed_by": changed_by,
                    },
                )
                for change in written
            ]
        )

    for change in written:
        logger.info(
            "order %s %s by %s (from %s)",
            change.order.number,
            change.to_status,
            changed_by,
            change.from_status,
        )
    return made


def _checked_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH or "\x00" in note:
        raise InvalidInput(
            _("A note has at most %(limit)s characters, none of them NUL")
            % {"limit": NOTE_MAX_LENGTH},
            code="note_invalid",
            field="note",
        )
    return note
