"""Invoices the ERP issues for orders: several per order if it likes, with due dates and a
payment status it keeps up to date; buyers read them where they read the shop's invoices."""

import datetime
import json

import pytest
from django.urls import reverse

from comptoir.accounts.tokens import create_token
from comptoir.core.errors import DomainError
from comptoir.core.models import Event
from comptoir.integration.clients import create_client
from comptoir.invoicing.models import Invoice, InvoiceSource, PaymentStatus
from comptoir.invoicing.services import issue_invoice
from tests.api.conftest import ApiClient
from tests.taxes.shop import fill_cart, make_tax_shop, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_tax_shop()


@pytest.fixture
def paris_order(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"))
    return order_cart(shop["paris_buyer"])


@pytest.fixture
def erp():
    return create_client(name="ERP", scopes=["invoices:write"]).key


def push(client, key, invoices, idempotency_key="call-1"):
    return client.post(
        "/api/v1/erp/invoices",
        json.dumps({"invoices": invoices}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )


def erp_invoice(order, number="F-2026-001", **fields):
    return {
        "number": number,
        "order": order.number,
        "issued_at": "2026-03-02T09:00:00+01:00",
        "due_at": "2026-04-01",
        "subtotal": "100.00",
        "tax_total": "20.00",
        "total": "120.00",
        "document_url": "https://erp.example/invoices/F-2026-001.pdf",
        **fields,
    }


def test_erp_invoices_are_recorded_then_paid_and_each_step_is_told(client, erp, paris_order):
    issued = push(client, erp, [erp_invoice(paris_order)])
    paid = push(client, erp, [erp_invoice(paris_order, status="paid")], "call-2")
    again = push(client, erp, [erp_invoice(paris_order, status="paid")], "call-3")

    assert issued.json()["created"] == 1
    assert paid.json()["updated"] == 1
    assert again.json()["unchanged"] == 1
    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.payment_status, invoice.currency) == (
        InvoiceSource.ERP,
        PaymentStatus.PAID,
        "EUR",
    )
    assert invoice.paid_at is not None
    assert (invoice.company_name, invoice.lines.count()) == ("Atelier Paris", 0)
    events = Event.objects.filter(name__startswith="invoice_").order_by("id")
    assert [(e.name, e.entity_key) for e in events] == [
        ("invoice_issued", "F-2026-001"),
        ("invoice_paid", "F-2026-001"),
    ]
    assert events[0].payload == {
        "number": "F-2026-001",
        "order": paris_order.number,
        "company": "Atelier Paris",
        "total": "120.00",
        "currency": "EUR",
        "source": "erp",
        "due_at": "2026-04-01",
        "payment_status": "open",
    }


def test_the_buyer_reads_every_erp_invoice_of_an_order(client, erp, shop, paris_order):
    second = erp_invoice(paris_order, "F-2026-002", subtotal="50", tax_total="10", total="60")
    push(client, erp, [erp_invoice(paris_order), second])
    client.force_login(shop["paris_buyer"].user)

    order_page = client.get(reverse("storefront:order", args=[paris_order.number]))
    invoices_page = client.get(reverse("storefront:invoice", args=[paris_order.number]))
    api = ApiClient(create_token(customer_user=shop["paris_buyer"], name="t").key)
    listed = api.get(f"/orders/{paris_order.number}/invoices").json()

    text = order_page.content.decode()
    assert "Invoice F-2026-001</a>" in text and "Invoice F-2026-002</a>" in text
    assert 'href="https://erp.example/invoices/F-2026-001.pdf"' in text
    page = invoices_page.content.decode()
    assert f"Invoices of order {paris_order.number}" in page
    assert page.count('class="number invoice-total"') == 2
    assert [
        (i["number"], i["source"], i["total"], i["due_at"], i["payment_status"]) for i in listed
    ] == [
        ("F-2026-001", "erp", "120.00", "2026-04-01", "open"),
        ("F-2026-002", "erp", "60.00", "2026-04-01", "open"),
    ]


def test_bad_invoices_refuse_the_call_naming_each_row_and_field(client, erp, paris_order):
    invoices = [
        erp_invoice(paris_order, total="121.00"),
        erp_invoice(paris_order, "F-2", currency="USD"),
        erp_invoice(paris_order, "F-3", due_at="2026-03-01"),
        erp_invoice(paris_order, "F-4", status="late"),
        erp_invoice(paris_order, "F-5", document_url="ftp://erp.example/f5"),
        erp_invoice(paris_order, "F-6", tax_total="-20", total="80"),
    ]

    response = push(client, erp, invoices)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "total",
            "message": "The total 121.00 is not subtotal 100.00 less discounts 0 plus "
            "shipping 0 and tax 20.00, which make 120.00",
        },
        {
            "index": 1,
            "field": "currency",
            "message": f"Order {paris_order.number} is in EUR, not USD",
        },
        {
            "index": 2,
            "field": "due_at",
            "message": "The due date 2026-03-01 is before the invoice date 2026-03-02",
        },
        {
            "index": 3,
            "field": "status",
            "message": "'late' is not a payment status; write open or paid",
        },
        {
            "index": 4,
            "field": "document_url",
            "message": "'ftp://erp.example/f5' is not an http or https address of at most 500 "
            "characters",
        },
        {
            "index": 5,
            "field": "tax_total",
            "message": "'-20' is not an amount: 0 or more, at most 4 decimals",
        },
    ]
    assert not Invoice.objects.exists()


def test_an_issued_invoices_figures_do_not_change(client, erp, paris_order):
    push(client, erp, [erp_invoice(paris_order)])

    response = push(client, erp, [erp_invoice(paris_order, subtotal="90", total="110")], "call-2")

    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "subtotal",
            "message": "Invoice F-2026-001 was issued with other figures (subtotal, total); an "
            "invoice's date and figures do not change: only its payment status, due date and "
            "document do",
        }
    ]


def test_an_order_is_invoiced_by_the_shop_or_by_the_erp_never_both(client, erp, shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))
    by_shop = order_cart(shop["paris_buyer"])
    fill_cart(shop["paris_buyer"], ("BOOK-1", "1"))
    by_erp = order_cart(shop["paris_buyer"])
    shop_invoice = issue_invoice(order=by_shop)

    refused = push(client, erp, [erp_invoice(by_shop), erp_invoice(by_erp, "F-9")])
    push(client, erp, [erp_invoice(by_erp, "F-9")], "call-2")

    assert refused.json()["errors"] == [
        {
            "index": 0,
            "field": "order",
            "message": f"Order {by_shop.number} was invoiced by the shop ({shop_invoice.number}): "
            "the ERP does not invoice it as well",
        }
    ]
    with pytest.raises(DomainError, match=r"is invoiced by the ERP \(F-9\)"):
        issue_invoice(order=by_erp)


def test_an_invoice_dated_by_day_is_issued_at_its_start_and_a_time_needs_its_zone(
    client, erp, paris_order, settings
):
    settings.TIME_ZONE = "Europe/Paris"

    refused = push(
        client, erp, [erp_invoice(paris_order, status="paid", paid_at="2026-03-05 10:30")]
    )
    issued = push(client, erp, [erp_invoice(paris_order, issued_at="2026-03-02")], "call-2")

    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        (
            "paid_at",
            "'2026-03-05 10:30' has no time zone: add Z or an offset, as in "
            "2026-03-02T14:00:00Z, or send a date alone (2026-03-02)",
        )
    ]
    assert issued.status_code == 200, issued.json()
    assert Invoice.objects.get().issued_at == datetime.datetime(
        2026, 3, 1, 23, 0, tzinfo=datetime.UTC
    )
