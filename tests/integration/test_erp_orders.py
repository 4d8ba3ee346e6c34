"""The ERP moves orders along: status changes, shipments with tracking, and its invoices, in
batches that are all or nothing; the buyer sees the result on the order page and in the API."""

import datetime
import json

import pytest
from django.urls import reverse

from comptoir.accounts.models import Address
from comptoir.accounts.tokens import create_token
from comptoir.core.models import Event
from comptoir.integration.clients import create_client
from comptoir.integration.models import JobStatus, TransferJob
from comptoir.ordering.models import (
    Order,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShippingStatus,
)
from comptoir.ordering.services import add_to_shopping_list, place_order
from tests import factories
from tests.api.conftest import ApiClient
from tests.backoffice.test_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp():
    scopes = ["orders:write", "shipments:write", "invoices:write"]
    return create_client(name="ERP", scopes=scopes).key


@pytest.fixture
def buyer():
    base = factories.price_list("Base")
    lamp = factories.product("LAMP-1", name="Lamp")
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    factories.price(base, lamp, "20.00")
    factories.price(base, cable, "1.25")
    acme = factories.company("Acme")
    factories.assign(base, company=acme)
    return factories.customer_user(acme, "buyer@acme.example")


@pytest.fixture
def order(buyer):
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=12)
    add_to_shopping_list(customer_user=buyer, sku="CABLE-1", quantity="2.5")
    address = Address.objects.filter(company=buyer.company).first()
    return place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )


def push(client, key, path, body, idempotency_key="call-1"):
    return client.post(
        f"/api/v1/erp/{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )


def shipment(order, number="DL-1", lines=(("LAMP-1", "item", "5"),), **fields):
    return {
        "number": number,
        "order": order.number,
        "shipped_at": "2026-03-02T14:00:00Z",
        "carrier": "DHL",
        "lines": [
            {"sku": sku, "unit": unit, "quantity": quantity} for sku, unit, quantity in lines
        ],
        **fields,
    }


# Order status.


def test_the_erp_closes_an_order_with_a_note_the_buyer_reads(client, erp, buyer, order):
    body = {"changes": [{"order": order.number, "status": "closed", "note": "Delivered."}]}

    response = push(client, erp, "order-status", body)

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    event = Event.objects.get(name="order_status_changed")
    assert (event.entity_key, event.payload) == (
        order.number,
        {
            "number": order.number,
            "company": "Acme",
            "from": "open",
            "to": "closed",
            "note": "Delivered.",
            "source": "erp",
            "changed_by": "ERP",
        },
    )
    client.force_login(buyer.user)
    page = client.get(reverse("storefront:order", args=[order.number])).content.decode()
    assert "Closed: Delivered." in page
    api = ApiClient(create_token(customer_user=buyer, name="t").key)
    detail = api.get(f"/orders/{order.number}").json()
    assert [(c["status"], c["note"]) for c in detail["status_changes"]] == [
        ("closed", "Delivered.")
    ]


def test_the_same_status_again_changes_nothing(client, erp, order):
    body = {"changes": [{"order": order.number, "status": "open"}]}

    response = push(client, erp, "order-status", body)

    assert response.json()["unchanged"] == 1
    assert not Event.objects.filter(name="order_status_changed").exists()


def test_forbidden_changes_refuse_the_whole_call_naming_each_row(client, erp, order, buyer):
    closed = Order.objects.create(
        number="OLD-1", company=buyer.company, currency="USD", subtotal=0, total=0,
        status=OrderStatus.CLOSED, created_at=order.created_at,
    )  # fmt: skip
    body = {
        "changes": [
            {"order": order.number, "status": "cancelled"},
            {"order": closed.number, "status": "open"},
            {"order": "NOPE-9", "status": "closed"},
            {"order": order.number, "status": "shipped"},
        ]
    }

    response = push(client, erp, "order-status", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "status",
            "message": "Order OLD-1 is closed and cannot become open: an open order may be "
            "closed or cancelled, a closed or cancelled one stays so",
        },
        {"index": 2, "field": "order", "message": "unknown order number 'NOPE-9'"},
        {
            "index": 3,
            "field": "status",
            "message": "'shipped' is not an order status; write one of: open, closed, cancelled",
        },
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert not OrderStatusChange.objects.exists()
    assert TransferJob.objects.get().status == JobStatus.FAILED


def test_an_order_that_has_shipped_cannot_be_cancelled(client, erp, order):
    push(client, erp, "shipments", {"shipments": [shipment(order)]})

    response = push(
        client,
        erp,
        "order-status",
        {"changes": [{"order": order.number, "status": "cancelled"}]},
        "call-2",
    )

    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "status",
            "message": f"Order {order.number} has shipped (DL-1): it cannot be cancelled; "
            "close it once the rest is settled",
        }
    ]


def test_optional_texts_sent_as_null_are_read_as_empty(client, erp, order):
    response = push(
        client,
        erp,
        "shipments",
        {"shipments": [shipment(order, carrier=None, tracking_number=None, tracking_url=None)]},
    )
    assert response.status_code == 200, response.json()

    response = push(
        client,
        erp,
        "order-status",
        {"changes": [{"order": order.number, "status": "closed", "note": None}]},
        "call-2",
    )

    assert response.status_code == 200, response.json()
    assert Shipment.objects.get(number="DL-1").carrier == ""
    assert OrderStatusChange.objects.get(order=order).note == ""


def test_an_order_imported_as_partially_shipped_cannot_be_cancelled(client, erp, order):
    Order.objects.filter(pk=order.pk).update(shipping_status=ShippingStatus.PARTIALLY_SHIPPED)

    response = push(
        client,
        erp,
        "order-status",
        {"changes": [{"order": order.number, "status": "cancelled"}]},
    )

    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "status",
            "message": f"Order {order.number} has shipped (partially shipped): it cannot be "
            "cancelled; close it once the rest is settled",
        }
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_staff_change_the_status_in_the_back_office_through_the_same_rules(client, order):
    staff = factories.User.objects.create_superuser("admin@seller.example", factories.PASSWORD)
    client.force_login(staff)
    url = reverse("admin:ordering_order_change", args=[order.pk])

    data = change_form_data(client.get(url))

    response = client.post(url, {**data, "status": "cancelled", "status_note": "Asked by phone."})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    event = Event.objects.get(name="order_status_changed")
    assert (event.payload["source"], event.payload["changed_by"], event.payload["note"]) == (
        "back_office",
        "admin@seller.example",
        "Asked by phone.",
    )
    again = client.post(url, {**data, "status": "open"})
    assert again.status_code == 200
    assert "cannot become open" in again.content.decode()
    assert Event.objects.filter(name="order_status_changed").count() == 1


# Shipments.


def test_shipments_move_the_shipping_status_and_the_buyer_follows_the_tracking(
    client, erp, buyer, order
):
    first = shipment(order, tracking_number="1Z999", tracking_url="https://track.example/1Z999")
    rest = shipment(order, "DL-2", (("lamp-1", "ITEM", "7"), ("CABLE-1", "m", "2.5")))

    partly = push(client, erp, "shipments", {"shipments": [first]})
    order.refresh_from_db()
    partly_status = order.shipping_status
    whole = push(client, erp, "shipments", {"shipments": [rest]}, "call-2")
    order.refresh_from_db()

    assert partly.json()["created"] == 1
    assert partly_status == ShippingStatus.PARTIALLY_SHIPPED
    assert whole.json()["created"] == 1
    assert order.shipping_status == ShippingStatus.SHIPPED
    events = Event.objects.filter(name="shipment_created").order_by("id")
    assert [e.payload["shipping_status"] for e in events] == ["partially_shipped", "shipped"]
    assert events[0].payload["lines"] == [{"sku": "LAMP-1", "unit": "item", "quantity": "5"}]
    assert events[0].payload["tracking_url"] == "https://track.example/1Z999"
    client.force_login(buyer.user)
    page = client.get(reverse("storefront:order", args=[order.number])).content.decode()
    assert '<a class="shipment-tracking" href="https://track.example/1Z999"' in page
    assert "7 item LAMP-1; 2.5 m CABLE-1" in page
    api = ApiClient(create_token(customer_user=buyer, name="t").key)
    shipments = api.get(f"/orders/{order.number}").json()["shipments"]
    assert [(s["number"], s["tracking_number"], s["lines"]) for s in shipments] == [
        ("DL-1", "1Z999", [{"sku": "LAMP-1", "unit": "item", "quantity": "5"}]),
        (
            "DL-2",
            "",
            [
                {"sku": "LAMP-1", "unit": "item", "quantity": "7"},
                {"sku": "CABLE-1", "unit": "m", "quantity": "2.5"},
            ],
        ),
    ]


def test_a_shipment_cannot_carry_more_than_is_left_or_what_was_not_ordered(client, erp, order):
    push(client, erp, "shipments", {"shipments": [shipment(order)]})
    body = {
        "shipments": [
            shipment(order, "DL-2", (("LAMP-1", "item", "8"),)),
            shipment(order, "DL-3", (("LAMP-1", "set", "1"),)),
            shipment(order, "DL-4", (("CABLE-1", "m", "0"),)),
        ]
    }

    response = push(client, erp, "shipments", body, "call-2")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "lines.0.quantity",
            "message": f"8 item of SKU LAMP-1 is more than is left to ship on order "
            f"{order.number}: 7 (12 ordered, 5 shipped before)",
        },
        {
            "index": 1,
            "field": "lines.0.sku",
            "message": f"Order {order.number} has no line of SKU 'LAMP-1' in unit 'set' "
            "(its lines: LAMP-1 item, CABLE-1 m)",
        },
        {
            "index": 2,
            "field": "lines.0.quantity",
            "message": "'0' is not a quantity: more than 0, at most 3 decimals",
        },
    ]
    assert list(Shipment.objects.values_list("number", flat=True)) == ["DL-1"]


def test_a_shipment_sent_again_takes_its_tracking_but_keeps_its_lines(client, erp, order):
    push(client, erp, "shipments", {"shipments": [shipment(order)]})

    tracked = push(
        client,
        erp,
        "shipments",
        {"shipments": [shipment(order, tracking_number="1Z1")]},
        "call-2",
    )
    other_lines = push(
        client,
        erp,
        "shipments",
        {"shipments": [shipment(order, lines=(("LAMP-1", "item", "6"),))]},
        "call-3",
    )

    assert tracked.json()["updated"] == 1
    assert Shipment.objects.get().tracking_number == "1Z1"
    assert other_lines.json()["errors"][0]["field"] == "lines"
    assert Event.objects.filter(name="shipment_created").count() == 1


def test_a_cancelled_order_does_not_ship_and_a_time_needs_its_zone(client, erp, order):
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)

    response = push(
        client,
        erp,
        "shipments",
        {"shipments": [shipment(order), shipment(order, "DL-2", shipped_at="2026-03-02T14:00")]},
    )

    assert [(e["index"], e["field"], e["message"]) for e in response.json()["errors"]] == [
        (0, "order", f"Order {order.number} is cancelled: nothing more ships for it"),
        (
            1,
            "shipped_at",
            "'2026-03-02T14:00' has no time zone: add Z or an offset, as in "
            "2026-03-02T14:00:00Z, or send a date alone (2026-03-02)",
        ),
    ]


def test_a_date_alone_ships_at_the_start_of_that_day_in_the_shops_time_zone(
    client, erp, order, settings
):
    settings.TIME_ZONE = "Europe/Paris"

    response = push(
        client, erp, "shipments", {"shipments": [shipment(order, shipped_at="2026-11-30")]}
    )

    assert response.status_code == 200, response.json()
    shipped_at = Shipment.objects.get().shipped_at
    assert shipped_at.astimezone(datetime.UTC) == datetime.datetime(
        2026, 11, 29, 23, 0, tzinfo=datetime.UTC
    )


def test_each_endpoint_needs_its_scope(client, order):
    stock_only = create_client(name="Stock", scopes=["stock:write"]).key

    for path, body in (
        ("order-status", {"changes": []}),
        ("shipments", {"shipments": []}),
        ("invoices", {"invoices": []}),
    ):
        response = push(client, stock_only, path, body)
        assert response.status_code == 403, path


def test_rows_of_one_call_are_carried_out_in_their_order(client, erp, order):
    body = {
        "shipments": [
            shipment(order),
            shipment(order, "DL-2", (("LAMP-1", "item", "7"), ("CABLE-1", "m", "2.5"))),
            shipment(order, "DL-2"),
        ]
    }

    refused = push(client, erp, "shipments", body)
    body["shipments"].pop()
    shipped = push(client, erp, "shipments", body, "call-2")

    assert refused.json()["errors"] == [
        {
            "index": 2,
            "field": "number",
            "message": "Shipment DL-2 is also item 1 of this batch",
        }
    ]
    assert shipped.json()["created"] == 2
    events = Event.objects.filter(name="shipment_created").order_by("id")
    assert [(e.payload["number"], e.payload["shipping_status"]) for e in events] == [
        ("DL-1", "partially_shipped"),
        ("DL-2", "shipped"),
    ]
    order.refresh_from_db()
    assert order.shipping_status == ShippingStatus.SHIPPED


# Orders pushed as rows of the orders entity.


def test_a_status_pushed_with_the_orders_rows_follows_the_same_rules(client, erp, order):
    rows = [{"order_number": order.number, "status": "closed"}]

    response = push(client, erp, "orders", {"rows": rows})

    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    change = OrderStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.source, change.changed_by) == (
        "open",
        "closed",
        "erp",
        "orders from ERP",
    )
    event = Event.objects.get(name="order_status_changed")
    assert (event.entity_key, event.payload["from"], event.payload["to"]) == (
        order.number,
        "open",
        "closed",
    )


def test_orders_rows_with_a_forbidden_status_write_nothing(client, erp, order, buyer):
    Order.objects.create(
        number="OLD-1", company=buyer.company, currency="USD", subtotal=0, total=0,
        status=OrderStatus.CLOSED, created_at=order.created_at, source="import",
    )  # fmt: skip
    rows = [
        {"order_number": order.number, "status": "cancelled"},
        {"order_number": "OLD-1", "status": "open"},
    ]

    response = push(client, erp, "orders", {"rows": rows})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "status",
            "message": "order OLD-1 is closed and cannot become open (allowed from closed: "
            "none); correct its status column",
        }
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert not OrderStatusChange.objects.exists()
    assert not Event.objects.filter(name="order_status_changed").exists()
