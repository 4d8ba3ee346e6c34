"""The ``price_changed`` event: what other systems are told when prices change.

Prices set by hand, by the ERP API or by an import are told price by price: one event per
price list and per ``PRICES_PER_EVENT`` changes of one write, each change with its SKU, unit,
tier quantity and new value (null: the price was removed). A write that changes more than
``PRICES_PER_WRITE`` prices of a list (a batch of a whole price file) is told as a rule
rebuild is: once per list, with the number of prices changed and the SKUs of their products,
or no SKUs when more than ``SKUS_PER_EVENT`` products changed. A catalog's first import sets
millions of prices, which as detailed events would swamp every receiver; a receiver reads the
list again when it needs the values.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from comptoir.catalog.models import Product, Unit
from comptoir.core.events import NewEvent, record_event, record_events
from comptoir.core.quantities import plain
from comptoir.pricing.models import PriceList, PriceSource

PRICES_PER_EVENT = 500
PRICES_PER_WRITE = 10 * PRICES_PER_EVENT
SKUS_PER_EVENT = 500


class ChangedPrice(Protocol):
    """A price as written: a ``Price``, or a row an import wrote in bulk."""

    price_list_id: int
    product_id: int
    unit_id: int
    quantity: Decimal
    value: Decimal


def record_prices_changed(prices: Iterable[ChangedPrice], *, removed: bool = False) -> int:
    """Record ``price_changed`` for prices written by hand (or removed); call in the
    transaction that writes them. Returns the number of events recorded."""
    by_list: dict[int, list[ChangedPrice]] = {}
    for price in prices:
        by_list.setdefault(price.price_list_id, []).append(price)
    if not by_list:
        return 0
    lists = PriceList.objects.in_bulk(list(by_list))
    detailed = {
        list_id: changed
        for list_id, changed in by_list.items()
        if len(changed) <= PRICES_PER_WRITE
    }
    product_ids = {price.product_id for changed in detailed.values() for price in changed}
    for changed in by_list.values():
        if len(changed) > PRICES_PER_WRITE:
            told = {price.product_id for price in changed}
            if len(told) <= SKUS_PER_EVENT:
                product_ids |= told
    skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    units = dict(Unit.objects.values_list("pk", "code"))
    events = []
    for list_id, changed in sorted(by_list.items()):
        price_list = lists[list_id]
        if list_id not in detailed:
            events.append(_summary(price_list, changed, skus))
            continue
        for start in range(0, len(changed), PRICES_PER_EVENT):
            part = changed[start : start + PRICES_PER_EVENT]
            payload = {
                "price_list": price_list.name,
                "currency": price_list.currency,
                "source": PriceSource.MANUAL.value,
                "count": len(part),
                "prices": [
                    {
                        "sku": skus.get(price.product_id, ""),
                        "unit": units.get(price.unit_id, ""),
                        "quantity": plain(price.quantity),
                        "value": None if removed else plain(price.value),
                    }
                    for price in part
                ],
            }
            events.append(NewEvent("price_changed", price_list.name, payload))
    return len(record_events(events))


def _summary(price_list: PriceList, changed: list[ChangedPrice], skus: dict[int, str]) -> NewEvent:
    """One event for a large write: its count, and the SKUs when few products changed."""
    return _summary_event(price_list, len(changed), {price.product_id for price in changed}, skus)


def _summary_event(
    price_list: PriceList, count: int, product_ids: set[int] | None, skus: dict[int, str]
) -> NewEvent:
    told = None
    if product_ids is not None and len(product_ids) <= SKUS_PER_EVENT:
        told = sorted(skus[pk] for pk in product_ids if pk in skus)
    payload = {
        "price_list": price_list.name,
        "currency": price_list.currency,
        "source": PriceSource.MANUAL.value,
        "count": count,
        "skus": told,
    }
    return NewEvent("price_changed", price_list.name, payload)


def record_large_price_write(list_id: int, count: int, product_ids: set[int] | None) -> None:
    """Record the one ``price_changed`` event of a write of ``count`` (more than
    ``PRICES_PER_WRITE``) prices set by hand on a list, of the products ``product_ids`` (None:
    too many to name)."""
    skus = {}
    if product_ids is not None and len(product_ids) <= SKUS_PER_EVENT:
        skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    price_list = PriceList.objects.get(pk=list_id)
    record_events([_summary_event(price_list, count, product_ids, skus)])


def record_rebuild_changed(
    price_list: PriceList, *, changed: int, product_ids: Sequence[int] | None
) -> None:
    """Record ``price_changed`` for a rule rebuild of ``price_list`` that changed ``changed``
    prices, of the products ``product_ids`` (None: more than ``SKUS_PER_EVENT`` of them)."""
    skus = None
    if product_ids is not None:
        skus = sorted(Product.objects.filter(pk__in=product_ids).values_list("sku", flat=True))
    record_event(
        "price_changed",
        entity_key=price_list.name,
        payload={
            "price_list": price_list.name,
            "currency": price_list.currency,
            "source": PriceSource.RULE.value,
            "count": changed,
            "skus": skus,
        },
    )
