"""Events out to webhooks: every domain event, signed, delivered at least once, in order.

``record_event`` (core.events) writes an event to the outbox; ``queue_deliveries`` adds, in the
same transaction, one delivery per active endpoint that wants it. ``deliver_due`` (a background
task, also ``comptoir webhooks deliver``) POSTs them: per endpoint in the order the events were
recorded, so that an endpoint that fails holds back its later events until it answers again
(events of one entity never arrive out of order). A failed attempt is tried again later
(``RETRY_DELAYS``); when the last one fails the endpoint is switched off, and its deliveries
wait until staff switch it on again (``reactivate``) from the back office.

Signatures follow Standard Webhooks: the headers ``webhook-id`` (the event id, the same on
every attempt: receivers drop duplicates with it), ``webhook-timestamp`` (Unix seconds) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` keyed with
the secret's bytes).
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from comptoir.core.errors import DomainError
from comptoir.core.models import Event
from comptoir.integration.models import (
    BROKER_SCHEMES,
    ApiClient,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    validate_endpoint_url,
    validate_event_names,
    validate_url_unused,
)

logger = logging.getLogger(__name__)

# Seconds to wait before each new attempt; after the last, the endpoint is switched off.
RETRY_DELAYS = (10, 60, 300, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
TIMEOUT_SECONDS = 10
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def create_endpoint(
    *,
    url: str,
    event_names: list[str] = (),
    description: str = "",
    client: ApiClient | None = None,
) -> WebhookEndpoint:
    """A new endpoint with a new secret; the URL must be http or https, or a broker, and no
    other endpoint's; the events must be the shop's (none: all of them).
    ``client``: the integration client whose system it is, none for the shop's own."""
    url = url.strip()
    event_names = sorted({name.strip() for name in event_names if name.strip()})
    _refuse_invalid(validate_endpoint_url, url)
    _refuse_invalid(validate_event_names, event_names)
    _refuse_invalid(validate_url_unused, url)
    return WebhookEndpoint.objects.create(
        url=url,
        event_names=event_names,
        description=description.strip(),
        client=client,
        secret=new_secret(),
    )


def _refuse_invalid(validate, value) -> None:
    try:
        validate(value)
    except ValidationError as error:
        raise DomainError(error.messages[0], code=error.code) from None


def queue_deliveries(events: Sequence[Event]) -> int:
    """One pending delivery of each of ``events`` per active endpoint that wants it; call in
    the transaction that records the events. The delivery task runs after commit."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
        for event in events
        for endpoint in endpoints
        if endpoint.wants(event.name)
    )
    if deliveries:
        from comptoir.integration.tasks import deliver_webhooks

        transaction.on_commit(deliver_webhooks.enqueue)
    return len(deliveries)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header of a message (Standard Webhooks, v1)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def message_id(event: Event) -> str:
    """The event's id for receivers to drop duplicates by: the same on every attempt."""
    return f"evt_{event.pk}"


def message_of(event: Event) -> bytes:
    """The body sent for ``event``: its id (as in the ``webhook-id`` header, for receivers that
    keep bodies only, a broker's consumers), type, time and data."""
    return json.dumps(
        {
            "id": message_id(event),
            "type": event.name,
            "timestamp": event.created_at.isoformat(),
            "data": {"key": event.entity_key, **event.payload},
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()


@dataclass
class DeliveryRun:
    delivered: int = 0
    failed: int = 0
    held_back: int = 0
    switched_off: int = 0


def deliver_due(*, now: datetime | None = None) -> DeliveryRun:
    """Try every delivery that is due, per endpoint in event order; stop at an endpoint's
    first failure so that its later events keep their order."""
    now = now or timezone.now()
    run = DeliveryRun()
    endpoint_ids = (
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, endpoint__is_active=True, next_attempt_at__lte=now
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
        .order_by()
    )
    for endpoint_id in list(endpoint_ids):
        _deliver_endpoint(endpoint_id, now, run)
    return run


def _deliver_endpoint(endpoint_id: int, now: datetime, run: DeliveryRun) -> None:
    with transaction.atomic():
        # One worker per endpoint at a time: another one skips it.
        endpoint = (
            WebhookEndpoint.objects.select_for_update(skip_locked=True)
            .filter(pk=endpoint_id, is_active=True)
            .first()
        )
        if endpoint is None:
            return
        pending = list(
            endpoint.deliveries.filter(status=DeliveryStatus.PENDING)
            .select_related("event")
            .order_by("event_id")
        )
        for delivery in pending:
            if delivery.next_attempt_at > now:
                run.held_back += len(pending) - pending.index(delivery)
                return
            if not _attempt(endpoint, delivery, now):
                run.failed += 1
                if not endpoint.is_active:
                    run.switched_off += 1
                run.held_back += len(pending) - pending.index(delivery) - 1
                return
            run.delivered += 1


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> bool:
    body = message_of(delivery.event)
    delivered_id = message_id(delivery.event)
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "content-type": "application/json",
            "user-agent": "Comptoir-Webhooks/1",
            "webhook-id": delivered_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.secret, delivered_id, timestamp, body),
        },
    )
    delivery.attempts += 1
    scheme = urlsplit(endpoint.url).scheme
    if scheme in BROKER_SCHEMES:
        status, error = _publish(endpoint.url, delivery.event.name, body, request.headers)
    else:
        status, error = _post(request)
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
        delivery.save()
        return True
    delivery.last_error = error[:500]
    if delivery.attempts > len(RETRY_DELAYS):
        endpoint.is_active = False
        endpoint.disabled_reason = (
            f"switched off at {now:%Y-%m-%d %H:%M} after {delivery.attempts} failed attempts "
            f"to deliver event {delivery.event_id}: {error}"
        )[:300]
        endpoint.save(update_fields=["is_active", "disabled_reason"])
        logger.warning("Webhook endpoint %s switched off: %s", endpoint, error)
    else:
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
        _retry_at(delivery.next_attempt_at)
    delivery.save()
    return False


def _retry_at(moment: datetime) -> None:
    """Have the worker come back at ``moment``, where the task backend can wait; elsewhere
    ``comptoir webhooks deliver`` run from a scheduler tries again."""
    from comptoir.integration.tasks import deliver_webhooks

    if deliver_webhooks.get_backend().supports_defer:
        transaction.on_commit(lambda: deliver_webhooks.using(run_after=moment).enqueue())


def _post(request: urllib.request.Request) -> tuple[int | None, str]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as failure:
        return failure.code, f"answered {failure.code} {failure.reason}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        return None, f"could not connect: {getattr(failure, 'reason', failure)}"


def _publish(url: str, event_name: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """Publish to a broker; 200 when it took the message (RabbitMQ with publisher confirms)."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    # urllib's Request capitalizes header names; brokers get them as the HTTP ones are sent.
    signed = {key.lower(): value for key, value in headers.items()}
    try:
        if parts.scheme.startswith("amqp"):
            import pika

            broker = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
            exchange = options.get("exchange", "comptoir.events")
            parameters = pika.URLParameters(broker)
            parameters.socket_timeout = TIMEOUT_SECONDS
            connection = pika.BlockingConnection(parameters)
            try:
                channel = connection.channel()
                channel.confirm_delivery()
                channel.exchange_declare(exchange, exchange_type="topic", durable=True)
                channel.basic_publish(
                    exchange,
                    routing_key=event_name,
                    body=body,
                    properties=pika.BasicProperties(
                        content_type="application/json",
                        delivery_mode=2,
                        message_id=signed["webhook-id"],
                        headers=signed,
                    ),
                    mandatory=False,
                )
            finally:
                connection.close()
        else:
            import redis

            client = redis.Redis.from_url(
                urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
                socket_timeout=TIMEOUT_SECONDS,
            )
            try:
                client.xadd(
                    options.get("stream", "comptoir-events"),
                    {"type": event_name, "body": body, **signed},
                )
            finally:
                client.close()
    except Exception as failure:  # any broker error is a failed attempt, told to staff
        return None, f"the broker refused: {failure.__class__.__name__}: {failure}"
    return 200, ""


def reactivate(endpoint: WebhookEndpoint) -> int:
    """Switch ``endpoint`` on again: its waiting deliveries are tried at once, in order."""
    with transaction.atomic():
        endpoint.is_active = True
        endpoint.disabled_reason = ""
        endpoint.save(update_fields=["is_active", "disabled_reason"])
        count = endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            attempts=0, next_attempt_at=timezone.now()
        )
        from comptoir.integration.tasks import deliver_webhooks

        transaction.on_commit(deliver_webhooks.enqueue)
    return count


def replay(deliveries) -> int:
    """Deliver these again (a receiver lost them): they go back in the queue, in order."""
    with transaction.atomic():
        count = deliveries.update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        from comptoir.integration.tasks import deliver_webhooks

        transaction.on_commit(deliver_webhooks.enqueue)
    return count
