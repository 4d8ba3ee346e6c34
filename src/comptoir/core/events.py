"""Recording domain events in the outbox."""

import logging
from dataclasses import dataclass
from typing import Any

from comptoir.core.models import Event

logger = logging.getLogger(__name__)


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
