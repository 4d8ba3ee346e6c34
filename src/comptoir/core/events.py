"""Recording domain events in the outbox."""

import logging
from typing import Any

from comptoir.core.models import Event

logger = logging.getLogger(__name__)


def record_event(name: str, *, entity_key: str, payload: dict[str, Any]) -> Event:
    """Write ``name`` to the outbox, with its deliveries to the webhooks that want it; call
    inside the transaction of the change it records."""
    from comptoir.integration.webhooks import queue_deliveries

    event = Event.objects.create(name=name, entity_key=entity_key, payload=payload)
    queue_deliveries(event)
    logger.info("event %s recorded for %s", name, entity_key)
    return event
