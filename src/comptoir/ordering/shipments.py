"""Shipments the ERP sends for orders.

Each names the order's lines it carries by SKU and unit, never more than is left to ship of
them, and the order's shipping status follows (partially shipped, shipped). Lines without a SKU
(free-form ones) are not shipped through here and do not hold the status back.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from comptoir.catalog.models import normalize_sku
from comptoir.core.errors import BatchRefused, InvalidInput
from comptoir.core.events import NewEvent, record_events
from comptoir.core.quantities import plain
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, UpsertStatus, assign_changes
from comptoir.ordering.models import (
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
    ShippingStatus,
)
from comptoir.ordering.status_changes import lock_orders

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShipmentLineInput:
    """A quantity of an order line shipped, named by the line's SKU and unit."""

    sku: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class NewShipment:
    """A shipment the ERP sent: its number, the order, when, how, and what it carries."""

    order: Order
    number: str
    shipped_at: datetime
    lines: Sequence[ShipmentLineInput]
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""


def record_shipment(
    *,
    order: Order,
    number: str,
    shipped_at: datetime,
    lines: Sequence[ShipmentLineInput],
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> tuple[Shipment, UpsertStatus]:
    """Record the shipment ``number`` of ``order`` (see ``record_shipments``)."""
    shipment = NewShipment(
        order, number, shipped_at, lines, carrier, tracking_number, tracking_url
    )
    try:
        [recorded] = record_shipments(shipments=[shipment])
    except BatchRefused as refused:
        raise refused.refusals[0][1] from None
    return recorded


def record_shipments(*, shipments: Sequence[NewShipment]) -> list[tuple[Shipment, UpsertStatus]]:
    """Record ``shipments`` in their order and move their orders' shipping status along,
    each new one told as ``shipment_created``.

    A shipment sent again is unchanged; its carrier and tracking may change later (the ERP
    often knows them after the parcel leaves), its order and lines may not. All or nothing:
    ``BatchRefused`` names every shipment refused, and nothing is written.
    """
    with transaction.atomic():
        orders = lock_orders(shipment.order for shipment in shipments)
        lines_of: defaultdict[int, list[OrderLine]] = defaultdict(list)
        for line in OrderLine.objects.filter(order__in=list(orders)).order_by("id"):
            lines_of[line.order_id].append(line)
        shipped: defaultdict[int, Decimal] = defaultdict(Decimal)
        totals = (
            ShipmentLine.objects.filter(shipment__order__in=list(orders))
            .values("order_line_id")
            .annotate(total=Sum("quantity"))
            .values_list("order_line_id", "total")
        )
        for line_id, total in totals:
            shipped[line_id] = total
        numbers = [shipment.number.strip() for shipment in shipments]
        existing = {
            shipment.number: shipment
            for shipment in Shipment.objects.filter(number__in=numbers).prefetch_related(
                "lines__order_line"
            )
        }

        results: list[tuple[Shipment, UpsertStatus]] = []
        created: list[tuple[Shipment, dict[int, Decimal], str]] = []
        changed: list[tuple[Shipment, list[str]]] = []
        seen: dict[str, int] = {}
        refusals = []
        for index, wanted in enumerate(shipments):
            order = orders[wanted.order.pk]
            try:
                number, header = _checked_header(wanted)
                if number in seen:
                    raise InvalidInput(
                        _("Shipment %(shipment)s is also item %(index)s of this batch")
                        % {"shipment": number, "index": seen[number]},
                        code="shipment_twice",
                        field="number",
                    )
                seen[number] = index
                found = existing.get(number)
                if found is not None:
                    _check_same_shipment(found, order, wanted.lines)
                    fields = assign_changes(found, header)
                    changed.append((found, fields))
                    results.append((found, UPDATED if fields else UNCHANGED))
                    continue
                if order.status != OrderStatus.OPEN:
                    raise InvalidInput(
                        _("Order %(number)s is %(status)s: nothing more ships for it")
                        % {"number": order.number, "status": order.get_status_display().lower()},
                        code="order_not_open",
                        field="order",
                    )
                quantities = _allocate(order, lines_of[order.pk], shipped, wanted.lines)
            except InvalidInput as error:
                refusals.append((index, error))
                continue
            for line_id, quantity in quantities.items():
                shipped[line_id] += quantity
            order.shipping_status = _shipping_status(lines_of[order.pk], shipped)
            shipment = Shipment(order=order, number=number, **header)
            created.append((shipment, quantities, order.shipping_status))
            results.append((shipment, CREATED))
        if refusals:
            raise BatchRefused(refusals)

        Shipment.objects.bulk_create([shipment for shipment, _, _ in created])
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=quantity)
            for shipment, quantities, _ in created
            for line_id, quantity in quantities.items()
        )
        for shipment, fields in changed:
            if fields:
                shipment.save(update_fields=fields)
        Order.objects.bulk_update(
            {shipment.order_id: shipment.order for shipment, _, _ in created}.values(),
            ["shipping_status"],
        )
        lines_by_id = {line.pk: line for lines in lines_of.values() for line in lines}
        record_events(
            [
                NewEvent(
                    "shipment_created",
                    shipment.order.number,
                    _shipment_facts(shipment, quantities, lines_by_id, shipping_status),
                )
                for shipment, quantities, shipping_status in created
            ]
        )

    for shipment, quantities, shipping_status in created:
        logger.info(
            "shipment %s of order %s recorded: %s lines, order %s",
            shipment.number,
            shipment.order.number,
            len(quantities),
            shipping_status,
        )
    return results


def _shipment_facts(
    shipment: Shipment,
    quantities: dict[int, Decimal],
    lines_by_id: dict[int, OrderLine],
    shipping_status: str,
) -> dict:
    return {
        "number": shipment.number,
        "order": shipment.order.number,
        "company": shipment.order.company.name,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": shipment.shipped_at,
        "lines": [
            {
                "sku": lines_by_id[line_id].sku,
                "unit": lines_by_id[line_id].unit_code,
                "quantity": plain(quantity),
            }
            for line_id, quantity in quantities.items()
        ],
        "shipping_status": shipping_status,
    }


def _checked_header(shipment: NewShipment) -> tuple[str, dict]:
    number = shipment.number.strip()
    header = {
        "carrier": shipment.carrier.strip(),
        "tracking_number": shipment.tracking_number.strip(),
        "tracking_url": shipment.tracking_url.strip(),
        "shipped_at": shipment.shipped_at,
    }
    limits = {"number": 64, "carrier": 100, "tracking_number": 100, "tracking_url": 500}
    values = {"number": number, **header}
    if not number:
        raise InvalidInput(
            _("A shipment needs its number"), code="shipment_number_missing", field="number"
        )
    for name, limit in limits.items():
        if len(values[name]) > limit or "\x00" in values[name]:
            raise InvalidInput(
                _("%(field)s has at most %(limit)s characters, none of them NUL")
                % {"field": name, "limit": limit},
                code="too_long",
                field=name,
            )
    if header["tracking_url"]:
        try:
            URLValidator(schemes=["http", "https"])(header["tracking_url"])
        except ValidationError:
            raise InvalidInput(
                _("'%(url)s' is not an http or https address, as in %(example)s")
                % {
                    "url": header["tracking_url"][:100],
                    "example": "https://tracking.example.com/1Z999",
                },
                code="tracking_url_invalid",
                field="tracking_url",
            ) from None
    return number, header


def _check_same_shipment(
    shipment: Shipment, order: Order, lines: Sequence[ShipmentLineInput]
) -> None:
    """Refuse a shipment sent again for another order or with other lines."""
    if shipment.order_id != order.pk:
        raise InvalidInput(
            _("Shipment %(shipment)s belongs to order %(order)s")
            % {"shipment": shipment.number, "order": shipment.order.number},
            code="shipment_of_another_order",
            field="order",
        )
    kept: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in shipment.lines.all():
        kept[line.order_line.sku.upper(), line.order_line.unit_code.lower()] += line.quantity
    sent: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        sent[normalize_sku(line.sku).upper(), line.unit.strip().lower()] += line.quantity
    if kept != sent:
        raise InvalidInput(
            _(
                "Shipment %(shipment)s was recorded with other lines; the lines of a "
                "shipment do not change: send the difference as a new shipment"
            )
            % {"shipment": shipment.number},
            code="shipment_lines_differ",
            field="lines",
        )


def _allocate(
    order: Order,
    order_lines: list[OrderLine],
    shipped: defaultdict[int, Decimal],
    lines: Sequence[ShipmentLineInput],
) -> dict[int, Decimal]:
    """The quantity of each order line the shipment's ``lines`` carry: a SKU and unit ordered
    on several lines fills them in order."""
    if not lines:
        raise InvalidInput(
            _("A shipment carries at least one line"), code="shipment_empty", field="lines"
        )
    left = {line.pk: line.quantity - shipped[line.pk] for line in order_lines}
    quantities: dict[int, Decimal] = {}
    for index, wanted in enumerate(lines):
        field = f"lines.{index}"
        sku, unit = normalize_sku(wanted.sku).upper(), wanted.unit.strip().lower()
        matching = [
            line
            for line in order_lines
            if line.sku and line.sku.upper() == sku and line.unit_code.lower() == unit
        ]
        if not matching:
            ordered = ", ".join(f"{line.sku} {line.unit_code}" for line in order_lines if line.sku)
            raise InvalidInput(
                _("Order %(order)s has no line of SKU '%(sku)s' in unit '%(unit)s' (%(lines)s)")
                % {
                    "order": order.number,
                    "sku": wanted.sku.strip()[:64],
                    "unit": wanted.unit.strip()[:20],
                    "lines": _("its lines: %(lines)s") % {"lines": ordered}
                    if ordered
                    else _("it has no line with a SKU"),
                },
                code="not_on_order",
                field=f"{field}.sku",
            )
        quantity = wanted.quantity
        if not quantity.is_finite() or quantity <= 0 or -plain(quantity).as_tuple().exponent > 3:
            raise InvalidInput(
                _("'%(quantity)s' is not a quantity: more than 0, at most 3 decimals")
                % {"quantity": quantity},
                code="quantity_invalid",
                field=f"{field}.quantity",
            )
        remaining = sum((left[line.pk] for line in matching), Decimal(0))
        if quantity > remaining:
            ordered = sum((line.quantity for line in matching), Decimal(0))
            raise InvalidInput(
                _(
                    "%(quantity)s %(unit)s of SKU %(sku)s is more than is left to ship on "
                    "order %(order)s: %(left)s (%(ordered)s ordered, %(shipped)s shipped "
                    "before)"
                )
                % {
                    "quantity": plain(quantity),
                    "unit": matching[0].unit_code,
                    "sku": matching[0].sku,
                    "order": order.number,
                    "left": plain(remaining),
                    "ordered": plain(ordered),
                    "shipped": plain(ordered - remaining),
                },
                code="more_than_left",
                field=f"{field}.quantity",
            )
        for line in matching:
            taken = min(left[line.pk], quantity)
            if taken > 0:
                left[line.pk] -= taken
                quantities[line.pk] = quantities.get(line.pk, Decimal(0)) + taken
                quantity -= taken
    return quantities


def _shipping_status(order_lines: list[OrderLine], shipped: dict[int, Decimal]) -> str:
    tracked = [line for line in order_lines if line.sku]
    if tracked and all(shipped.get(line.pk, 0) >= line.quantity for line in tracked):
        return ShippingStatus.SHIPPED
    if any(shipped.get(line.pk, 0) > 0 for line in tracked):
        return ShippingStatus.PARTIALLY_SHIPPED
    return ShippingStatus.NOT_SHIPPED
