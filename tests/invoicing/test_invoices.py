"""Issuing invoices from orders, and reading them in the storefront, the API and the back
office."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from comptoir.accounts.models import CustomerRole, User
from comptoir.accounts.tokens import create_token
from comptoir.core.errors import DomainError
from comptoir.core.models import Event
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.services import issue_invoice
from comptoir.ordering.models import Order, OrderStatus
from comptoir.ordering.services import HistoricalOrderLine, record_historical_order
from tests import factories
from tests.api.conftest import ApiClient
from tests.taxes.shop import fill_cart, make_tax_shop, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_tax_shop()


@pytest.fixture
def paris_order(shop):
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"), ("VOUCHER-1", "1"))
    return order_cart(shop["paris_buyer"])


def test_an_invoice_states_what_the_order_states_line_by_line_and_per_rate(paris_order):
    invoice = issue_invoice(order=paris_order)

    assert invoice.number == "INV000001"
    assert (invoice.company_name, invoice.vat_number) == ("Atelier Paris", "FR12345678901")
    assert invoice.shipping_address == "1 Quay Street, Paris, 75001, FR"
    assert [
        (line.sku, line.net_total, line.tax_rate, line.tax_total) for line in invoice.lines.all()
    ] == [
        ("DRILL-1", Decimal("99.98"), Decimal(20), Decimal("20.00")),
        ("BOOK-1", Decimal("29.97"), Decimal("5.5"), Decimal("1.65")),
        ("VOUCHER-1", Decimal("120.00"), Decimal(0), Decimal("0.00")),
    ]
    assert [(t.label, t.rate, t.base, t.amount) for t in invoice.tax_lines.all()] == [
        ("TVA", Decimal(20), Decimal("99.98"), Decimal("20.00")),
        ("TVA", Decimal("5.5"), Decimal("29.97"), Decimal("1.65")),
        ("TVA", Decimal(0), Decimal("120.00"), Decimal("0.00")),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        paris_order.subtotal,
        paris_order.tax_total,
        paris_order.total,
    )
    assert invoice.total == Decimal("271.60")
    event = Event.objects.get(name="invoice_issued")
    assert event.payload["order"] == paris_order.number


def test_an_order_is_invoiced_once(paris_order):
    first = issue_invoice(order=paris_order)

    again = issue_invoice(order=paris_order)

    assert again.pk == first.pk
    assert Invoice.objects.count() == 1


def test_invoice_numbers_follow_one_sequence_per_prefix(shop, settings):
    numbers = []
    for prefix in ("INV", "INV", "FA"):
        settings.COMPTOIR_INVOICE_NUMBER_PREFIX = prefix
        fill_cart(shop["paris_buyer"], ("DRILL-1", "1"))
        numbers.append(issue_invoice(order=order_cart(shop["paris_buyer"])).number)

    assert numbers == ["INV000001", "INV000002", "FA000001"]


def test_a_reverse_charge_invoice_carries_the_mention(shop):
    fill_cart(shop["berlin_buyer"], ("DRILL-1", "1"))

    invoice = issue_invoice(order=order_cart(shop["berlin_buyer"]))

    mention = "Reverse charge: VAT to be accounted for by the customer, VAT number DE123456789"
    assert invoice.tax_notes == mention
    assert invoice.lines.get().tax_note == mention
    assert [(t.label, t.amount) for t in invoice.tax_lines.all()] == [
        ("Reverse charge", Decimal("0.00"))
    ]


def test_the_invoice_uses_the_rates_in_force_when_the_order_was_placed(shop, paris_order):
    # The standard rate changes after the order: the invoice keeps the order's 20 %.
    shop["codes"]["standard"].rates.filter(country="FR", postcode="").update(
        valid_until=datetime.now(UTC).date()
    )
    factories.tax_rate("25", code="standard", label="TVA", valid_from=datetime(2999, 1, 1))
    Order.objects.filter(pk=paris_order.pk).update(created_at=datetime(2026, 1, 5, tzinfo=UTC))

    invoice = issue_invoice(order=paris_order)

    assert invoice.tax_total == Decimal("21.65")


def test_an_order_whose_lines_no_longer_give_its_total_is_not_invoiced(shop, paris_order):
    book = shop["products"]["book"]
    book.tax_code = shop["codes"]["standard"]
    book.save(update_fields=["tax_code"])

    with pytest.raises(DomainError) as error:
        issue_invoice(order=paris_order)

    assert error.value.code == "totals_differ"
    assert error.value.message == (
        f"Order {paris_order.number} cannot be invoiced as it stands: "
        "tax 21.65 on the order, 25.99 from its lines; "
        "total 271.60 on the order, 275.94 from its lines. "
        "Correct the order (or the product tax codes and tax rates) first."
    )
    assert not Invoice.objects.exists()


def test_an_imported_order_that_states_other_totals_is_not_invoiced(shop):
    drill = shop["products"]["drill"]
    order, _, _ = record_historical_order(
        number="ERP-1",
        company=shop["paris"],
        customer_user=shop["paris_buyer"],
        status=OrderStatus.CLOSED,
        shipping_status="shipped",
        currency="EUR",
        subtotal=Decimal("49.99"),
        total=Decimal("49.99"),
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
        lines=[
            HistoricalOrderLine(
                product=drill,
                sku="DRILL-1",
                product_name="Drill",
                unit_code="item",
                quantity=Decimal(1),
                unit_price=Decimal("49.99"),
            )
        ],
    )

    with pytest.raises(DomainError, match="tax 0.00 on the order, 10.00 from its lines"):
        issue_invoice(order=order)


def test_a_cancelled_order_is_not_invoiced(paris_order):
    Order.objects.filter(pk=paris_order.pk).update(status=OrderStatus.CANCELLED)

    with pytest.raises(DomainError, match="is cancelled: there is nothing to invoice"):
        issue_invoice(order=paris_order)


def test_the_customer_reads_the_invoice_through_the_api(shop, paris_order):
    invoice = issue_invoice(order=paris_order)
    api = ApiClient(create_token(customer_user=shop["paris_buyer"], name="erp").key)

    response = api.get(f"/orders/{paris_order.number}/invoices")

    assert response.status_code == 200
    [body] = response.json()
    assert body["number"] == invoice.number
    assert (body["source"], body["payment_status"], body["due_at"]) == ("shop", "", None)
    assert (body["subtotal"], body["tax_total"], body["total"]) == ("249.95", "21.65", "271.60")
    assert body["tax_lines"][1] == {
        "label": "TVA",
        "rate": "5.5",
        "base": "29.97",
        "amount": "1.65",
    }
    assert body["lines"][0]["tax_note"] == "TVA 20 % on Standard goods shipped to 75001, FR"


def test_the_api_says_when_an_order_has_no_invoice_yet(shop, paris_order):
    api = ApiClient(create_token(customer_user=shop["paris_buyer"], name="erp").key)

    response = api.get(f"/orders/{paris_order.number}/invoices")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"Order {paris_order.number} has no invoice yet",
        "code": "not_invoiced",
    }


def test_another_companys_invoice_is_not_found(shop, paris_order):
    issue_invoice(order=paris_order)
    api = ApiClient(create_token(customer_user=shop["berlin_buyer"], name="erp").key)

    response = api.get(f"/orders/{paris_order.number}/invoices")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_buyer_reads_only_the_invoices_of_their_own_orders(shop, paris_order):
    issue_invoice(order=paris_order)
    colleague = factories.customer_user(shop["paris"], "colleague@atelier.example")
    viewer = factories.customer_user(
        shop["paris"], "viewer@atelier.example", role=CustomerRole.VIEWER
    )

    as_colleague = ApiClient(create_token(customer_user=colleague, name="t").key)
    as_viewer = ApiClient(create_token(customer_user=viewer, name="t").key)

    assert as_colleague.get(f"/orders/{paris_order.number}/invoices").status_code == 404
    assert as_viewer.get(f"/orders/{paris_order.number}/invoices").status_code == 200


def test_the_order_page_links_the_invoice_page_once_issued(client, shop, paris_order):
    client.force_login(shop["paris_buyer"].user)
    order_url = reverse("storefront:order", args=[paris_order.number])
    invoice_url = reverse("storefront:invoice", args=[paris_order.number])

    before = client.get(order_url)
    issue_invoice(order=paris_order)
    after = client.get(order_url)
    page = client.get(invoice_url)

    assert invoice_url not in before.content.decode()
    assert invoice_url in after.content.decode()
    assert page.status_code == 200
    assert "INV000001" in page.content.decode()
    assert "271.60" in page.content.decode()


def test_the_invoice_page_of_an_order_not_invoiced_is_not_found(client, shop, paris_order):
    client.force_login(shop["paris_buyer"].user)

    response = client.get(reverse("storefront:invoice", args=[paris_order.number]))

    assert response.status_code == 404


def test_staff_issue_invoices_from_the_order_list(client, shop, paris_order):
    fill_cart(shop["berlin_buyer"], ("DRILL-1", "1"))
    berlin_order = order_cart(shop["berlin_buyer"])
    staff = User.objects.create_superuser("admin@seller.example", factories.PASSWORD)
    client.force_login(staff)

    response = client.post(
        reverse("admin:ordering_order_changelist"),
        {"action": "issue_invoices", "_selected_action": [paris_order.pk, berlin_order.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Invoices issued: INV000001, INV000002" in response.content.decode()
    assert Invoice.objects.get(order=paris_order).issued_by == staff


def test_an_order_line_and_its_invoice_line_state_the_same_discount(shop):
    factories.promotion("Drills", value=Decimal(5), products=[shop["products"]["drill"]])
    factories.promotion("Ten off", kind="order_percentage", value=Decimal(10))
    fill_cart(shop["paris_buyer"], ("DRILL-1", "2"), ("BOOK-1", "3"), ("VOUCHER-1", "1"))
    order = order_cart(shop["paris_buyer"])

    invoice = issue_invoice(order=order)

    # Drills: 5 % of 99.98 = 5.00 on the drill line; then 10 % of 244.95 = 24.50 shared out
    # over 94.98, 29.97 and 120.00 as 9.50, 3.00 and 12.00.
    ordered = [(line.sku, line.discount_total, line.tax_total) for line in order.lines.all()]
    invoiced = [(line.sku, line.discount_total, line.tax_total) for line in invoice.lines.all()]
    assert ordered == invoiced
    assert invoiced == [
        ("DRILL-1", Decimal("14.50"), Decimal("17.10")),
        ("BOOK-1", Decimal("3.00"), Decimal("1.48")),
        ("VOUCHER-1", Decimal("12.00"), Decimal("0.00")),
    ]
    assert [line.net_total for line in invoice.lines.all()] == [
        line.row_total - line.discount_total for line in order.lines.all()
    ]
    assert sum(line.discount_total for line in order.lines.all()) == order.discount_total
