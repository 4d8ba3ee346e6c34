"""Recording domain events in the outbox."""

import logging
from dataclasses import dataclass
from typing import Any

from comptoir.core.models import Event

logger = logging.getLogger(__name__)

# Every event the shop records; a webhook endpoint receives all of them or those it names.
EVENT_NAMES = (
    "order_placed",  # a buyer placed an order: storefront, API or quick order
    "order_status_changed",  # by the back office, the ERP or an import, with its note
    "shipment_created",  # the ERP recorded a shipment of an order
    "invoice_issued",  # issued by the shop for an order, or sent by the ERP
    "invoice_paid",  # the ERP told that an invoice is paid
    "company_created",  # a company made in the back office, by the ERP or an import
    "import_finished",  # an import job ended, with its counts
    "price_changed",  # prices of a list written by hand, by the ERP, an import or a rule
)


@dataclass(frozen=True)
class NewEvent:
    """An event to record: its name, the business key it is about, and its data."""

    name: str
    entity_key: str
    payload: dict[str, Any]


def record_event(name: str, *, entity_key: str, payload: dict[str, Any]) -> Event:
    """Write ``name`` to the outbox, with its deliveries to the webhooks that want it; call
    inside the transaction of the change it records."""
    [event] = record_events([NewEvent(name, entity_key, payload)])
    return event


def record_events(events: list[NewEvent]) -> list[Event]:
    """Write ``events`` to the outbox in their order, with their deliveries, in a few queries
    (a batch of the ERP's records thousands); call inside the transaction of the changes."""
    from comptoir.integration.webhooks import queue_deliveries

    recorded = Event.objects.bulk_create(
        Event(name=event.name, entity_key=event.entity_key, payload=event.payload)
        for event in events
    )
    queue_deliveries(recorded)
    for event in recorded:
        logger.info("event %s recorded for %s", event.name, event.entity_key)
    return recorded
