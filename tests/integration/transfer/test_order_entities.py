"""Imports and exports of order history: one row per order line, the order's columns repeated."""

import csv
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from comptoir.core.errors import DomainError
from comptoir.core.models import Event
from comptoir.integration.transfer.entities.orders import Orders
from comptoir.integration.transfer.runner import run_export, run_import
from comptoir.inventory.models import StockLevel, Warehouse
from comptoir.ordering.models import (
    Order,
    OrderLine,
    OrderSource,
    OrderStatusChange,
    ShoppingListLine,
    StatusChangeSource,
)
from comptoir.ordering.services import record_historical_order, reorder
from comptoir.ordering.shipments import NewShipment, ShipmentLineInput, record_shipments
from tests import factories

pytestmark = pytest.mark.django_db

COLUMNS = [column.name for column in Orders.columns]

ORDER = {
    "order_number": "ERP-1",
    "company": "C-1",
    "customer_user": "pat@example.com",
    "placed_at": "2024-05-03T14:30:00+00:00",
    "status": "closed",
    "shipping_status": "shipped",
    "currency": "USD",
    "po_number": 'PO "7781", rush',
    "payment_term": "net 30",
    "notes": "Leave it at\nthe back door",
    "billing_label": "Head office",
    "billing_name": "Accounts payable",
    "billing_street": "1 Main Street",
    "billing_city": "Springfield",
    "billing_region": "IL",
    "billing_postal_code": "62701",
    "billing_country": "US",
    "shipping_label": "札幌倉庫",
    "shipping_street": "大通り 1",
    "shipping_city": "札幌市",
    "shipping_postal_code": "060-0042",
    "shipping_country": "JP",
    "subtotal": "290.50",
    "discount_total": "0.00",
    "shipping_total": "15.00",
    "tax_total": "21.20",
    "total": "326.70",
}
LINES = [
    {"line": "1", "sku": "AB-1", "product_name": "Office chair", "unit": "item",
     "quantity": "2", "price": "125.00"},
    {"line": "2", "sku": "CD-2", "product_name": "Cable, 3 m", "unit": "item",
     "quantity": "3", "price": "12.50", "comment": "grey, not black"},
    {"line": "3", "sku": "", "product_name": "Setup — 据付", "unit": "hour",
     "quantity": "1", "price": "3.00", "ship_by": "2024-05-10"},
]  # fmt: skip
SECOND = {
    **{column: "" for column in ORDER},
    "order_number": "ERP-2",
    "company": "C-1",
    "placed_at": "2024-06-01T09:00:00+00:00",
    "status": "open",
    "shipping_status": "not_shipped",
    "currency": "USD",
    "subtotal": "12.50",
    "discount_total": "0.00",
    "shipping_total": "0.00",
    "tax_total": "0.00",
    "total": "12.50",
}
SECOND_LINE = {
    "line": "1",
    "sku": "CD-2",
    "product_name": "Cable, 3 m",
    "unit": "item",
    "quantity": "1",
    "price": "12.50",
}


def order_rows(header: dict, lines: list[dict]) -> list[dict]:
    return [{**header, **line} for line in lines]


def write(path, rows: list[dict], columns=COLUMNS):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def counts(report) -> tuple[int, int, int, int]:
    done = report.counts["orders"]
    return done.created, done.updated, done.unchanged, done.rejected


@pytest.fixture
def shop():
    """A company, its buyer, two catalog products with prices and stock."""
    company = factories.company("Müller KG", code="C-1")
    buyer = factories.customer_user(company, "pat@example.com")
    chair = factories.product("AB-1", name="Office chair")
    cable = factories.product("CD-2", name="Cable, 3 m")
    prices = factories.price_list("Default")
    factories.assign(prices, company=company)
    factories.price(prices, chair, "130.00")
    factories.price(prices, cable, "12.00")
    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    StockLevel.objects.create(product=chair, warehouse=warehouse, quantity=Decimal(5))
    return buyer


def test_order_history_is_recorded_without_stock_events_or_emails(tmp_path, shop):
    path = write(tmp_path / "orders.csv", order_rows(ORDER, LINES))

    report = run_import(path, entity="orders")

    assert report.problems == []
    assert counts(report) == (3, 0, 0, 0)
    order = Order.objects.get(number="ERP-1")
    assert (order.source, order.status, order.shipping_status, order.customer_user) == (
        OrderSource.IMPORT,
        "closed",
        "shipped",
        shop,
    )
    assert order.created_at == datetime(2024, 5, 3, 14, 30, tzinfo=UTC)
    assert (order.po_number, order.customer_notes) == (
        'PO "7781", rush',
        "Leave it at\nthe back door",
    )
    assert (order.subtotal, order.shipping_total, order.tax_total, order.total) == (
        Decimal("290.50"),
        Decimal("15.00"),
        Decimal("21.20"),
        Decimal("326.70"),
    )
    assert order.shipping_address.one_line() == "大通り 1, 札幌市, 060-0042, JP"
    lines = list(order.lines.order_by("id"))
    assert [(line.product and line.product.sku, line.sku, line.row_total) for line in lines] == [
        ("AB-1", "AB-1", Decimal("250.00")),
        ("CD-2", "CD-2", Decimal("37.50")),
        (None, "", Decimal("3.00")),
    ]
    assert (lines[1].comment, lines[2].free_form_product, lines[2].ship_by.isoformat()) == (
        "grey, not black",
        "Setup — 据付",
        "2024-05-10",
    )
    assert StockLevel.objects.get().quantity == Decimal(5)
    assert not Event.objects.filter(name="order_placed").exists()
    assert mail.outbox == []


def test_orders_export_as_imported_and_import_again_unchanged(tmp_path, shop):
    written = write(
        tmp_path / "orders.csv",
        order_rows(ORDER, LINES) + order_rows(SECOND, [SECOND_LINE]),
    )
    run_import(written, entity="orders")
    exported = tmp_path / "export.csv"

    count = run_export(exported, entity="orders")
    again = run_import(exported, entity="orders")

    assert count == 4
    assert exported.read_bytes().decode() == written.read_bytes().decode()
    assert again.problems == []
    assert counts(again) == (0, 0, 4, 0)


def test_the_export_command_counts_the_rows_it_writes_of_orders(tmp_path, shop):
    written = write(
        tmp_path / "orders.csv",
        order_rows(ORDER, LINES) + order_rows(SECOND, [SECOND_LINE]),
    )
    run_import(written, entity="orders")
    exported = tmp_path / "export.csv"
    out = StringIO()

    call_command("export", "--type", "orders", str(exported), stdout=out)

    assert out.getvalue() == (
        f"4 rows of orders (a row per line of each order) written to {exported}\n"
    )
    with exported.open(encoding="utf-8", newline="") as handle:
        numbers = [row["order_number"] for row in csv.DictReader(handle)]
    assert numbers == ["ERP-1", "ERP-1", "ERP-1", "ERP-2"]


def test_orders_round_trip_through_xlsx(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(ORDER, LINES)), entity="orders")
    path = tmp_path / "orders.xlsx"

    run_export(path, entity="orders")
    report = run_import(path, entity="orders")

    assert report.problems == []
    assert counts(report) == (0, 0, 3, 0)


def test_totals_left_empty_are_computed_from_the_lines(tmp_path, shop):
    header = {**ORDER, "subtotal": "", "total": "", "discount_total": "5.00"}
    path = write(tmp_path / "orders.csv", order_rows(header, LINES))

    report = run_import(path, entity="orders")

    assert report.problems == []
    order = Order.objects.get(number="ERP-1")
    # 250.00 + 37.50 + 3.00, less 5.00 discount, plus 15.00 shipping and 21.20 tax.
    assert (order.subtotal, order.total) == (Decimal("290.50"), Decimal("321.70"))


def test_a_total_that_does_not_add_up_refuses_the_order(tmp_path, shop):
    header = {**ORDER, "total": "999.99"}
    path = write(
        tmp_path / "orders.csv", order_rows(header, LINES) + order_rows(SECOND, [SECOND_LINE])
    )

    report = run_import(path, entity="orders")

    assert list(Order.objects.values_list("number", flat=True)) == ["ERP-2"]
    assert messages(report)[0] == (
        "orders.csv:2: column total: order ERP-1: the total 999.99 is not the subtotal 290.50 "
        "less discounts 0.00 plus shipping 15.00 and tax 21.20, which make 326.70; correct the "
        "figures, or leave total empty to have it computed"
    )
    assert counts(report) == (1, 0, 0, 3)


def test_an_order_whose_third_line_is_bad_is_refused_whole(tmp_path, shop):
    bad = [LINES[0], LINES[1], {**LINES[2], "quantity": "1,5"}]
    path = write(
        tmp_path / "orders.csv", order_rows(ORDER, bad) + order_rows(SECOND, [SECOND_LINE])
    )

    report = run_import(path, entity="orders")

    assert list(Order.objects.values_list("number", flat=True)) == ["ERP-2"]
    assert messages(report) == [
        "orders.csv:6: column quantity: '1,5' is not a number; write decimals with a point: 1.5",
        "orders.csv:2: not imported: line 6 of the same order has errors",
        "orders.csv:4: not imported: line 6 of the same order has errors",
    ]
    assert counts(report) == (1, 0, 0, 3)


def test_an_order_refused_when_saved_leaves_nothing_behind(tmp_path, shop):
    other = factories.customer_user(factories.company("Other", code="C-9"), "sam@example.com")
    header = {**ORDER, "customer_user": other.email}
    path = write(tmp_path / "orders.csv", order_rows(header, LINES))

    report = run_import(path, entity="orders")

    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert messages(report) == [
        "orders.csv:2: column customer_user: sam@example.com is a user of another company than "
        "C-1; give a user of the company that ordered, or leave it empty",
        "orders.csv:4: not imported: order ERP-1 is refused on line 2",
        "orders.csv:6: not imported: order ERP-1 is refused on line 2",
    ]


def test_the_rows_of_an_order_must_follow_each_other(tmp_path, shop):
    rows = order_rows(ORDER, LINES[:1]) + order_rows(SECOND, [SECOND_LINE])
    rows += order_rows(ORDER, LINES[1:2])
    path = write(tmp_path / "orders.csv", rows)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:5: column order_number: the rows of order ERP-1 must follow each other; its "
        "earlier rows end on line 2",
    ]
    assert list(Order.objects.get(number="ERP-1").lines.values_list("sku", flat=True)) == ["AB-1"]


def test_an_orders_columns_are_the_same_on_each_of_its_lines(tmp_path, shop):
    rows = order_rows(ORDER, LINES[:2])
    rows[1]["status"] = "open"
    path = write(tmp_path / "orders.csv", rows)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:4: column status: differs from line 2, the first of order ERP-1: an order's "
        "columns are the same on each of its lines",
        "orders.csv:2: not imported: line 4 of the same order has errors",
    ]
    assert not Order.objects.exists()


def test_bad_order_values_are_reported_with_what_to_write(tmp_path, shop):
    header = {**ORDER, "placed_at": "03/05/2024", "currency": "EURO", "status": "done"}
    line = {**LINES[0], "price": "-1", "sku": "", "product_name": ""}
    path = write(tmp_path / "orders.csv", order_rows(header, [line]))

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:2: column placed_at: '03/05/2024' is not a date and time; write it as "
        "2024-05-03T14:30:00+02:00, or as a date: 2024-05-03",
        "orders.csv:2: column status: 'done' is not one of: open, closed, cancelled",
        "orders.csv:2: column currency: 'EURO' is not a currency code: write three letters, "
        "as in USD",
        "orders.csv:2: column sku: is empty; give the line's SKU, or its product_name",
        "orders.csv:2: column price: '-1' is negative; write 0 or more",
    ]


def test_a_new_order_needs_its_company_date_currency_and_lines(tmp_path, shop):
    columns = ["order_number", "company", "status"]
    path = write(tmp_path / "orders.csv", [{"order_number": "NEW-1", "company": "C-1"}], columns)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:2: column placed_at: order NEW-1 is new: it needs its placed_at"
    ]


def test_a_file_with_lines_but_no_price_column_is_refused_before_any_row(tmp_path, shop):
    columns = ["order_number", "sku", "unit", "quantity"]
    path = write(tmp_path / "orders.csv", [{"order_number": "ERP-1", "sku": "AB-1"}], columns)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:1: the file has order lines but no price column; a file with lines has the "
        "columns sku (or product_name), unit, quantity and price"
    ]


OPEN = {**ORDER, "status": "open", "shipping_status": "not_shipped"}


def test_a_file_without_line_columns_changes_the_orders_and_keeps_their_lines(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "po_number"]
    path = write(tmp_path / "po.csv", [{"order_number": "ERP-1", "po_number": "PO-9"}], columns)

    report = run_import(path, entity="orders")

    assert counts(report) == (0, 1, 0, 0)
    order = Order.objects.get(number="ERP-1")
    assert (order.po_number, order.total, order.lines.count()) == ("PO-9", Decimal("326.70"), 3)


def test_a_status_changed_by_an_import_is_kept_in_the_orders_history_and_told(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "status"]
    path = write(
        tmp_path / "status.csv", [{"order_number": "ERP-1", "status": "cancelled"}], columns
    )

    report = run_import(path, entity="orders")

    assert (messages(report), counts(report)) == ([], (0, 1, 0, 0))
    order = Order.objects.get(number="ERP-1")
    assert (order.status, order.total, order.lines.count()) == ("cancelled", Decimal("326.70"), 3)
    change = OrderStatusChange.objects.get()
    assert (change.order, change.from_status, change.to_status, change.source) == (
        order,
        "open",
        "cancelled",
        "import",
    )
    assert (change.changed_by, change.note) == ("status.csv", "")
    event = Event.objects.get(name="order_status_changed")
    assert (event.entity_key, event.payload) == (
        "ERP-1",
        {
            "number": "ERP-1",
            "company": "Müller KG",
            "from": "open",
            "to": "cancelled",
            "note": "",
            "source": "import",
            "changed_by": "status.csv",
        },
    )


def test_a_status_changed_by_the_import_command_is_recorded_as_an_imports(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "status"]
    path = write(tmp_path / "status.csv", [{"order_number": "ERP-1", "status": "closed"}], columns)

    call_command("import", str(path), "--type", "orders", stdout=StringIO())

    change = OrderStatusChange.objects.get()
    assert (change.to_status, change.source, change.get_source_display(), change.changed_by) == (
        "closed",
        StatusChangeSource.IMPORT,
        "File import",
        "status.csv",
    )


def test_an_order_imported_again_with_its_status_keeps_no_history(tmp_path, shop):
    path = write(tmp_path / "orders.csv", order_rows(ORDER, LINES))
    run_import(path, entity="orders")

    report = run_import(path, entity="orders")

    assert counts(report) == (0, 0, 3, 0)
    assert not OrderStatusChange.objects.exists()
    assert not Event.objects.filter(name="order_status_changed").exists()


def test_a_status_the_order_cannot_take_refuses_it_and_writes_none_of_its_rows(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(ORDER, LINES)), entity="orders")
    again = {**ORDER, "status": "open", "po_number": "PO-9"}
    rows = order_rows(again, LINES[:2]) + order_rows(SECOND, [SECOND_LINE])
    path = write(tmp_path / "again.csv", rows)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "again.csv:2: column status: order ERP-1 is closed and cannot become open (allowed "
        "from closed: none); correct its status column",
        "again.csv:4: not imported: order ERP-1 is refused on line 2",
    ]
    assert counts(report) == (1, 0, 0, 2)
    order = Order.objects.get(number="ERP-1")
    assert (order.status, order.po_number, order.lines.count()) == ("closed", 'PO "7781", rush', 3)
    assert Order.objects.get(number="ERP-2").status == "open"
    assert not OrderStatusChange.objects.exists()
    assert not Event.objects.filter(name="order_status_changed").exists()


def test_an_order_shipped_by_the_same_rows_cannot_be_cancelled_by_them(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "status", "shipping_status"]
    row = {"order_number": "ERP-1", "status": "cancelled", "shipping_status": "shipped"}
    path = write(tmp_path / "cancel.csv", [row], columns)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "cancel.csv:2: column status: order ERP-1 has shipped (shipped) and cannot be "
        "cancelled; correct its status column (close the order once the rest is settled)"
    ]
    order = Order.objects.get(number="ERP-1")
    assert (order.status, order.shipping_status) == ("open", "not_shipped")
    assert not OrderStatusChange.objects.exists()


def test_a_status_and_other_columns_change_together_with_one_history_entry(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "status", "shipping_status", "po_number"]
    row = {
        "order_number": "ERP-1",
        "status": "closed",
        "shipping_status": "shipped",
        "po_number": "PO-9",
    }

    report = run_import(write(tmp_path / "close.csv", [row], columns), entity="orders")

    assert (messages(report), counts(report)) == ([], (0, 1, 0, 0))
    order = Order.objects.get(number="ERP-1")
    assert (order.status, order.shipping_status, order.po_number) == ("closed", "shipped", "PO-9")
    assert list(OrderStatusChange.objects.values_list("from_status", "to_status")) == [
        ("open", "closed")
    ]


def test_validating_a_status_change_writes_no_history(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    columns = ["order_number", "status"]
    path = write(tmp_path / "status.csv", [{"order_number": "ERP-1", "status": "closed"}], columns)

    report = run_import(path, entity="orders", validate_only=True)

    assert counts(report) == (0, 1, 0, 0)
    assert Order.objects.get(number="ERP-1").status == "open"
    assert not OrderStatusChange.objects.exists()
    assert not Event.objects.filter(name="order_status_changed").exists()


def test_the_lines_of_an_order_with_shipments_stay_as_they_are(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(OPEN, LINES)), entity="orders")
    order = Order.objects.get(number="ERP-1")
    record_shipments(
        shipments=[
            NewShipment(
                order=order,
                number="DL-1",
                shipped_at=datetime(2024, 5, 4, tzinfo=UTC),
                lines=[ShipmentLineInput("AB-1", "item", Decimal(1))],
            )
        ]
    )
    rows = order_rows({**OPEN, "shipping_status": "partially_shipped"}, LINES)
    same = write(tmp_path / "same.csv", rows)
    rows[0]["quantity"] = "4"
    changed = write(tmp_path / "changed.csv", rows)

    refused = run_import(changed, entity="orders")
    taken = run_import(same, entity="orders")

    assert messages(refused) == [
        "changed.csv:2: order ERP-1 has shipments or invoices (DL-1) that tell of its lines, "
        "and its lines stay as they are; give its lines as the order has them, or leave the "
        "line columns out",
        "changed.csv:4: not imported: order ERP-1 is refused on line 2",
        "changed.csv:6: not imported: order ERP-1 is refused on line 2",
    ]
    assert (messages(taken), counts(taken)) == ([], (0, 0, 3, 0))
    assert [line.quantity for line in order.lines.order_by("id")] == [
        Decimal(2),
        Decimal(3),
        Decimal(1),
    ]


def test_refused_status_changes_are_told_in_the_words_of_the_other_order_messages(tmp_path, shop):
    """Each message of an orders file starts as the others do: "order NUMBER ..."."""
    run_import(
        write(
            tmp_path / "orders.csv", order_rows(OPEN, LINES) + order_rows(SECOND, [SECOND_LINE])
        ),
        entity="orders",
    )
    run_import(
        write(
            tmp_path / "close.csv",
            [{"order_number": "ERP-2", "status": "closed"}],
            ["order_number", "status"],
        ),
        entity="orders",
    )
    record_shipments(
        shipments=[
            NewShipment(
                order=Order.objects.get(number="ERP-1"),
                number="DL-1",
                shipped_at=datetime(2024, 5, 4, tzinfo=UTC),
                lines=[ShipmentLineInput("AB-1", "item", Decimal(1))],
            )
        ]
    )
    rows = [
        {"order_number": "ERP-1", "status": "cancelled"},
        {"order_number": "ERP-2", "status": "open"},
    ]
    path = write(tmp_path / "status.csv", rows, ["order_number", "status"])

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "status.csv:2: column status: order ERP-1 has shipped (DL-1) and cannot be cancelled; "
        "correct its status column (close the order once the rest is settled)",
        "status.csv:3: column status: order ERP-2 is closed and cannot become open (allowed "
        "from closed: none); correct its status column",
    ]
    assert not OrderStatusChange.objects.filter(order__number="ERP-1").exists()


def test_lines_given_again_without_their_comment_or_date_keep_them(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(ORDER, LINES)), entity="orders")
    columns = ["order_number", "sku", "product_name", "unit", "quantity", "price"]
    rows = [{key: row[key] for key in columns} for row in order_rows(ORDER, LINES)]
    rows[0]["quantity"] = "4"

    report = run_import(write(tmp_path / "lines.csv", rows, columns), entity="orders")

    assert messages(report) == []
    assert counts(report) == (0, 3, 0, 0)
    order = Order.objects.get(number="ERP-1")
    lines = list(order.lines.order_by("id"))
    assert [line.quantity for line in lines] == [Decimal(4), Decimal(3), Decimal(1)]
    assert (lines[1].comment, lines[2].ship_by.isoformat()) == ("grey, not black", "2024-05-10")
    # No subtotal column with new lines: the subtotal and total follow the lines.
    assert (order.subtotal, order.total) == (Decimal("540.50"), Decimal("576.70"))


def test_a_sku_not_in_the_catalog_is_kept_with_a_warning(tmp_path, shop):
    line = {**SECOND_LINE, "sku": "OLD-9", "product_name": ""}
    path = write(tmp_path / "orders.csv", order_rows(SECOND, [line]))

    report = run_import(path, entity="orders")

    assert [(p.severity, p.column, p.message) for p in report.problems] == [
        ("warning", "sku", "SKU 'OLD-9' is not in the catalog: the line is kept, but cannot be "
         "reordered"),
    ]  # fmt: skip
    line = OrderLine.objects.get()
    assert (line.product, line.sku, line.product_name) == (None, "OLD-9", "OLD-9")


def test_reorder_from_imported_history_fills_the_cart_at_todays_prices(tmp_path, shop):
    run_import(write(tmp_path / "orders.csv", order_rows(ORDER, LINES)), entity="orders")

    report = reorder(customer_user=shop, order_number="ERP-1")

    cart = ShoppingListLine.objects.filter(shopping_list=report.shopping_list)
    assert sorted((line.product.sku, line.quantity) for line in cart) == [
        ("AB-1", Decimal(2)),
        ("CD-2", Decimal(3)),
    ]
    assert [line.free_form_product for line, _reason in report.skipped] == ["Setup — 据付"]


def placed_here(buyer, number: str = "S000001") -> Order:
    order = Order.objects.create(
        number=number,
        company=buyer.company,
        customer_user=buyer,
        placed_by=buyer.user,
        source=OrderSource.STOREFRONT,
        currency="USD",
        subtotal=Decimal("260"),
        total=Decimal("260"),
        created_at=datetime(2024, 7, 1, 8, 15, 30, 123456, tzinfo=UTC),
    )
    OrderLine.objects.create(
        order=order,
        product=factories.product("EF-3", name="Desk"),
        sku="EF-3",
        product_name="Desk",
        unit_code="item",
        quantity=Decimal(2),
        unit_price=Decimal(130),
        row_total=Decimal(260),
        price_list_name="Default",
        tier_quantity=Decimal(1),
    )
    return order


def test_an_order_placed_in_this_shop_imports_back_unchanged_and_is_not_changed(tmp_path, shop):
    placed_here(shop)
    exported = tmp_path / "export.csv"
    run_export(exported, entity="orders")
    text = exported.read_bytes().decode()
    changed = tmp_path / "changed.csv"
    changed.write_bytes(text.replace(",open,", ",cancelled,").replace(",2,", ",3,").encode())

    same = run_import(exported, entity="orders")
    refused = run_import(changed, entity="orders")

    assert "2024-07-01T08:15:30.123456+00:00" in text
    assert counts(same) == (0, 0, 1, 0)
    assert messages(refused) == [
        "changed.csv:2: order S000001 was placed in this shop, and an import changes only its "
        "status; the file differs in its lines"
    ]
    order = Order.objects.get()
    assert (order.status, order.lines.get().quantity) == ("open", Decimal(2))
    assert not OrderStatusChange.objects.exists()


def test_an_order_placed_in_this_shop_takes_a_status_change_by_the_rules(tmp_path, shop):
    placed_here(shop)
    exported = tmp_path / "export.csv"
    run_export(exported, entity="orders")
    text = exported.read_bytes().decode()
    closed = tmp_path / "closed.csv"
    closed.write_bytes(text.replace(",open,", ",closed,").encode())

    taken = run_import(closed, entity="orders")
    refused = run_import(exported, entity="orders")

    assert (messages(taken), counts(taken)) == ([], (0, 1, 0, 0))
    assert messages(refused) == [
        "export.csv:2: column status: order S000001 is closed and cannot become open (allowed "
        "from closed: none); correct its status column"
    ]
    assert Order.objects.get().status == "closed"
    change = OrderStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "open",
        "closed",
        "closed.csv",
    )
    assert Event.objects.filter(name="order_status_changed").count() == 1


def test_export_since_a_date_writes_only_the_orders_placed_since(tmp_path, shop):
    write(tmp_path / "orders.csv", order_rows(ORDER, LINES) + order_rows(SECOND, [SECOND_LINE]))
    run_import(tmp_path / "orders.csv", entity="orders")
    placed_here(shop)
    path = tmp_path / "since.csv"

    count = run_export(path, entity="orders", options={"since": "2024-06-01"})

    with path.open(encoding="utf-8", newline="") as handle:
        numbers = [row["order_number"] for row in csv.DictReader(handle)]
    assert (count, numbers) == (2, ["ERP-2", "S000001"])
    assert run_export(path, entity="orders", options={"since": "2024-07-01T08:15:31+00:00"}) == 0


def test_export_refuses_a_since_that_is_not_a_date(tmp_path):
    with pytest.raises(DomainError, match="since='last week' is not a date; write since="):
        run_export(tmp_path / "orders.csv", entity="orders", options={"since": "last week"})
    with pytest.raises(DomainError, match="'until' is not an option of orders exports"):
        run_export(tmp_path / "orders.csv", entity="orders", options={"until": "2024-01-01"})


def test_validate_only_writes_no_order(tmp_path, shop):
    path = write(tmp_path / "orders.csv", order_rows(ORDER, LINES))

    report = run_import(path, entity="orders", validate_only=True)

    assert counts(report) == (3, 0, 0, 0)
    assert not Order.objects.exists()


def test_an_unknown_company_or_customer_user_refuses_the_order(tmp_path, shop):
    rows = order_rows({**ORDER, "company": "C-404"}, LINES[:1])
    rows += order_rows({**SECOND, "customer_user": "nobody@example.com"}, [SECOND_LINE])
    path = write(tmp_path / "orders.csv", rows)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:2: column company: no company has the code 'C-404'; import the company "
        "first, or correct the code",
        "orders.csv:4: column customer_user: no customer user has the e-mail "
        "'nobody@example.com'; import the user first, or leave it empty",
    ]
    assert not Order.objects.exists()


def test_an_order_without_lines_exports_one_row_that_imports_back_unchanged(tmp_path, shop):
    record_historical_order(
        number="OLD-1",
        company=shop.company,
        customer_user=None,
        status="closed",
        shipping_status="shipped",
        currency="EUR",
        subtotal=Decimal("99.90"),
        total=Decimal("99.90"),
        created_at=datetime(2019, 1, 2, tzinfo=UTC),
        lines=[],
    )
    exported = tmp_path / "export.csv"

    run_export(exported, entity="orders")
    report = run_import(exported, entity="orders")

    assert report.problems == []
    assert counts(report) == (0, 0, 1, 0)
    assert Order.objects.get().total == Decimal("99.90")


def test_a_row_with_empty_line_columns_among_lines_refuses_its_order(tmp_path, shop):
    rows = order_rows(ORDER, [LINES[0], {column: "" for column in LINES[0]}])
    path = write(tmp_path / "orders.csv", rows)

    report = run_import(path, entity="orders")

    assert messages(report) == [
        "orders.csv:2: column sku: line 4 of order ERP-1 has its line columns empty; give its "
        "sku, unit, quantity and price, or remove the row",
        "orders.csv:4: not imported: order ERP-1 is refused on line 2",
    ]
    assert not Order.objects.exists()
