"""Webhooks to a real receiver on 127.0.0.1 that refuses deliveries for a while, then recovers:
every event arrives, in order, signed as Standard Webhooks says."""

import base64
import hashlib
import hmac
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comptoir.core.errors import DomainError
from comptoir.core.events import record_event
from comptoir.integration.clients import create_client
from comptoir.integration.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from comptoir.integration.webhooks import RETRY_DELAYS, create_endpoint, deliver_due, reactivate

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 answering 503 to the first ``refusals`` requests."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals = refusals
        self.received: list[dict] = []
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.refused < receiver.refusals:
                    receiver.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.received.append({"headers": headers, "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def start(refusals=0):
        made.append(Receiver(refusals))
        return made[-1]

    yield start
    for server in made:
        server.close()


def verified(secret: str, message: dict) -> bool:
    """The check a receiver makes, written from the Standard Webhooks specification."""
    headers = message["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + message["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(signature.removeprefix("v1,"), expected)
        for signature in headers["webhook-signature"].split()
    )


def test_a_receiver_that_refuses_for_a_while_gets_every_event_in_order(
    receiver, django_capture_on_commit_callbacks
):
    server = receiver(refusals=3)
    endpoint = create_endpoint(url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        for number in ("CO1", "CO2"):
            record_event("order_placed", entity_key=number, payload={"number": number})
            record_event("order_status_changed", entity_key=number, payload={"status": "shipped"})

    # The first attempt (run at commit) failed: everything waits behind the first event.
    assert server.received == []
    now = timezone.now()
    for _ in range(3):
        now += timedelta(seconds=RETRY_DELAYS[-1])
        deliver_due(now=now)

    bodies = [json.loads(message["body"]) for message in server.received]
    assert [(body["type"], body["data"]["key"]) for body in bodies] == [
        ("order_placed", "CO1"),
        ("order_status_changed", "CO1"),
        ("order_placed", "CO2"),
        ("order_status_changed", "CO2"),
    ]
    assert all(verified(endpoint.secret, message) for message in server.received)
    ids = [message["headers"]["webhook-id"] for message in server.received]
    assert len(set(ids)) == 4
    assert not WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()


def test_an_endpoint_failing_every_attempt_is_switched_off_and_replays_when_back(
    receiver, django_capture_on_commit_callbacks
):
    server = receiver(refusals=len(RETRY_DELAYS) + 1)
    endpoint = create_endpoint(url=server.url, event_names=["order_placed"])
    with django_capture_on_commit_callbacks(execute=True):
        record_event("order_placed", entity_key="CO1", payload={})
        record_event("invoice_issued", entity_key="INV1", payload={})  # not wanted
    now = timezone.now()
    for _ in RETRY_DELAYS:
        now += timedelta(seconds=RETRY_DELAYS[-1])
        deliver_due(now=now)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "after 9 failed attempts" in endpoint.disabled_reason
    assert "answered 503" in endpoint.disabled_reason

    with django_capture_on_commit_callbacks(execute=True):
        reactivate(endpoint)
    assert [json.loads(m["body"])["data"]["key"] for m in server.received] == ["CO1"]


def test_a_signature_made_with_another_secret_does_not_verify(receiver):
    server = receiver()
    endpoint = create_endpoint(url=server.url)
    record_event("order_placed", entity_key="CO1", payload={})
    deliver_due()
    other = create_endpoint(url=server.url + "/other")
    assert verified(endpoint.secret, server.received[0])
    assert not verified(other.secret, server.received[0])


def test_an_unreachable_endpoint_says_why(receiver):
    server = receiver()
    url = server.url
    server.close()
    create_endpoint(url=url)
    record_event("order_placed", entity_key="CO1", payload={})

    run = deliver_due()

    assert (run.delivered, run.failed) == (0, 1)
    assert WebhookDelivery.objects.get().last_error.startswith("could not connect")


def test_endpoints_need_an_http_url():
    with pytest.raises(DomainError, match="is not an endpoint: give an http or https URL"):
        create_endpoint(url="ftp://example.com/hooks")


def test_the_command_adds_lists_and_delivers(receiver):
    server = receiver()
    out = StringIO()
    call_command("webhooks", "add", server.url, "--event", "order_placed", stdout=out)
    assert out.getvalue().startswith("whsec_")
    record_event("order_placed", entity_key="CO1", payload={})
    out = StringIO()
    call_command("webhooks", "list", stdout=out)
    endpoint = WebhookEndpoint.objects.get()
    assert (
        out.getvalue() == f"{endpoint.pk}\t{server.url}\torder_placed\tactive\t1 waiting\tshop\n"
    )
    out = StringIO()
    call_command("webhooks", "deliver", stdout=out)
    assert out.getvalue().startswith("1 delivered, 0 failed")


def test_events_arrive_on_rabbitmq_in_order_and_signed():
    import pika

    exchange = f"comptoir.test.{uuid.uuid4().hex}"
    connection = pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/"))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key="order.#")
    channel.queue_bind(queue, exchange, routing_key="order_placed")
    try:
        endpoint = create_endpoint(
            url=f"amqp://guest:guest@127.0.0.1:5672/?exchange={exchange}",
            event_names=["order_placed"],
        )
        for number in ("CO1", "CO2", "CO3"):
            record_event("order_placed", entity_key=number, payload={"number": number})

        assert deliver_due().delivered == 3

        received = []
        for _ in range(3):
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            assert method is not None, "a message is missing"
            received.append((properties, body))
        assert [json.loads(body)["data"]["key"] for _, body in received] == ["CO1", "CO2", "CO3"]
        for properties, body in received:
            message = {"headers": properties.headers, "body": body}
            assert properties.message_id == properties.headers["webhook-id"]
            assert verified(endpoint.secret, message)
    finally:
        channel.exchange_delete(exchange)
        connection.close()


def test_events_arrive_on_a_redis_stream_in_order_and_signed():
    import redis

    stream = f"comptoir-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        endpoint = create_endpoint(url=f"redis://127.0.0.1:6379/0?stream={stream}")
        record_event("order_placed", entity_key="CO1", payload={})
        record_event("invoice_issued", entity_key="INV1", payload={})

        assert deliver_due().delivered == 2

        entries = client.xrange(stream)
        fields = [{k.decode(): v for k, v in entry.items()} for _, entry in entries]
        assert [f["type"] for f in fields] == [b"order_placed", b"invoice_issued"]
        for field in fields:
            headers = {k: v.decode() for k, v in field.items() if k.startswith("webhook-")}
            assert verified(endpoint.secret, {"headers": headers, "body": field["body"]})
    finally:
        client.delete(stream)
        client.close()


def test_a_broker_that_cannot_be_reached_is_a_failed_attempt():
    create_endpoint(url="redis://127.0.0.1:1/0?stream=nowhere")
    record_event("order_placed", entity_key="CO1", payload={})
    run = deliver_due()
    assert (run.delivered, run.failed) == (0, 1)
    assert WebhookDelivery.objects.get().last_error.startswith("the broker refused")


def test_the_command_ties_an_endpoint_to_an_integration_client(receiver):
    server = receiver()
    create_client(name="ERP", scopes=["products:write"])
    create_endpoint(url=server.url + "/shop")

    call_command("webhooks", "add", server.url, "--client", "erp", stdout=StringIO())
    out = StringIO()
    call_command("webhooks", "list", stdout=out)

    erp = WebhookEndpoint.objects.get(url=server.url)
    shop = WebhookEndpoint.objects.get(url=server.url + "/shop")
    assert erp.client.name == "ERP"
    assert out.getvalue().splitlines() == [
        f"{erp.pk}\t{server.url}\tall events\tactive\t0 waiting\tERP",
        f"{shop.pk}\t{server.url}/shop\tall events\tactive\t0 waiting\tshop",
    ]


def test_the_list_shows_each_endpoints_id_events_and_whether_it_is_on(receiver):
    server = receiver()
    both = create_endpoint(url=server.url, event_names=["order_placed", "invoice_paid"])
    off = create_endpoint(url=server.url + "/off")
    WebhookEndpoint.objects.filter(pk=off.pk).update(
        is_active=False, disabled_reason="HTTP 503 after 9 attempts"
    )

    out = StringIO()
    call_command("webhooks", "list", stdout=out)

    assert out.getvalue().splitlines() == [
        f"{both.pk}\t{server.url}\tinvoice_paid,order_placed\tactive\t0 waiting\tshop",
        f"{off.pk}\t{server.url}/off\tall events\tOFF (HTTP 503 after 9 attempts)\t"
        "0 waiting\tshop",
    ]


def test_an_event_the_shop_does_not_record_is_refused_with_the_events_it_does(receiver):
    server = receiver()

    with pytest.raises(CommandError) as refused:
        call_command(
            "webhooks", "add", server.url, "--event", "order_placed", "--event", "order_shipped"
        )

    assert str(refused.value) == (
        "Unknown event 'order_shipped': the events are order_placed, order_status_changed, "
        "shipment_created, invoice_issued, invoice_paid, company_created, import_finished, "
        "price_changed (none: all of them)"
    )
    assert not WebhookEndpoint.objects.exists()


def test_a_second_endpoint_with_the_same_url_is_refused_naming_the_first(receiver):
    server = receiver()
    first = create_endpoint(url=server.url, event_names=["order_placed"])

    with pytest.raises(CommandError) as refused:
        call_command("webhooks", "add", f" {server.url} ", "--event", "invoice_paid")

    assert str(refused.value) == (
        f"Endpoint {first.pk} already has the URL {server.url}: each event would go out to it "
        f"twice. Change the events of endpoint {first.pk} in the back office instead, or give "
        "another URL"
    )
    assert list(WebhookEndpoint.objects.values_list("pk", "event_names")) == [
        (first.pk, ["order_placed"])
    ]


def test_an_endpoint_for_an_unknown_client_is_refused(receiver):
    server = receiver()

    with pytest.raises(CommandError, match="No integration client is named 'ERP'"):
        call_command("webhooks", "add", server.url, "--client", "ERP", stdout=StringIO())

    assert not WebhookEndpoint.objects.exists()


def test_the_back_office_ties_an_endpoint_to_a_client_and_lists_it(client, receiver):
    from django.urls import reverse

    from comptoir.accounts.models import User
    from tests import factories

    server = receiver()
    erp = create_client(name="ERP", scopes=["products:write"]).client
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))

    client.post(
        reverse("admin:integration_webhookendpoint_add"),
        {"url": server.url, "description": "ERP orders", "client": erp.pk, "event_names": "[]"},
    )
    listed = client.get(reverse("admin:integration_webhookendpoint_changelist"))

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.client, endpoint.secret.startswith("whsec_")) == (erp, True)
    assert '<td class="field-client nowrap">ERP</td>' in listed.content.decode()


def test_the_back_office_refuses_an_unknown_event_and_a_url_already_taken(client, receiver):
    from django.urls import reverse

    from comptoir.accounts.models import User
    from tests import factories

    server = receiver()
    first = create_endpoint(url=server.url)
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))

    unknown = client.post(
        reverse("admin:integration_webhookendpoint_add"),
        {"url": server.url + "/erp", "event_names": '["order_shipped"]'},
    )
    taken = client.post(
        reverse("admin:integration_webhookendpoint_add"),
        {"url": server.url, "event_names": "[]"},
    )
    changed = client.post(
        reverse("admin:integration_webhookendpoint_change", args=[first.pk]),
        {"url": server.url, "event_names": '["order_placed"]'},
    )

    assert unknown.context["adminform"].form.errors["event_names"] == [
        "Unknown event 'order_shipped': the events are order_placed, order_status_changed, "
        "shipment_created, invoice_issued, invoice_paid, company_created, import_finished, "
        "price_changed (none: all of them)"
    ]
    assert (
        taken.context["adminform"]
        .form.errors["url"][0]
        .startswith(f"Endpoint {first.pk} already has the URL {server.url}: ")
    )
    assert changed.status_code == 302
    assert list(WebhookEndpoint.objects.values_list("url", "event_names")) == [
        (server.url, ["order_placed"])
    ]
