from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.accounts.models import Address, Company, CustomerUser
from comptoir.catalog.models import Category, Product
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.ordering.models import Order, OrderLine
from comptoir.ordering.services import add_to_shopping_list, place_order
from comptoir.pricing.models import Price
from tests.integration.oro_layout import PRODUCT_COLUMNS, product_row, write_csv, write_oro_dir

pytestmark = pytest.mark.django_db

PRODUCTS = layouts.PRODUCTS.file_name
USERS = layouts.CUSTOMER_USERS.file_name
ORDERS = layouts.ORDERS.file_name
ORDER_LINES = layouts.ORDER_LINES.file_name


def errors_of(report) -> list[str]:
    return [str(problem) for problem in report.errors]


def test_unknown_column_is_reported_with_file_line_and_column_and_nothing_is_imported(tmp_path):
    write_oro_dir(tmp_path, [])
    write_csv(
        tmp_path / PRODUCTS, (*PRODUCT_COLUMNS, "colour"), [[*product_row("AB-1").values(), "red"]]
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:1: column colour: unknown column; expected columns: "
        + ", ".join(PRODUCT_COLUMNS)
    ]
    assert Product.objects.count() == 0


def test_sku_differing_only_by_case_is_rejected_and_the_first_is_imported(tmp_path):
    write_oro_dir(
        tmp_path,
        [product_row("AB-1", name="First drill"), product_row("ab-1", name="Second drill")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [f"{PRODUCTS}:3: column sku: duplicates SKU 'AB-1' on line 2"]
    assert list(Product.objects.values_list("sku", "name")) == [("AB-1", "First drill")]
    assert report.counts["products"].rejected == 1


def test_sku_differing_only_by_a_trailing_space_is_rejected(tmp_path):
    write_oro_dir(
        tmp_path,
        [product_row("AB-1", name="First drill"), product_row("AB-1 ", name="Second drill")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [f"{PRODUCTS}:3: column sku: duplicates SKU 'AB-1' on line 2"]
    assert list(Product.objects.values_list("sku", "name")) == [("AB-1", "First drill")]


def test_price_with_a_decimal_comma_rejects_its_row_and_keeps_the_others(tmp_path):
    write_oro_dir(
        tmp_path,
        [product_row("AB-1"), product_row("AB-2", price="12,50"), product_row("AB-3")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:3: column price: '12,50' is not a number; write decimals with a point: 12.50"
    ]
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["AB-1", "AB-3"]
    assert not Price.objects.filter(product__sku="AB-2").exists()


def test_row_with_several_bad_values_reports_each_of_them(tmp_path):
    write_oro_dir(
        tmp_path,
        [product_row("AB-1", price="-1", unit="box", featured="yes", brand_id="7")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:2: column price: '-1' is negative; write 0 or more",
        f"{PRODUCTS}:2: column unit: unknown unit 'box'; known units: "
        "each, hour, item, kg, piece, set",
        f"{PRODUCTS}:2: column featured: 'yes' is not 0 or 1; write 1 for yes and 0 for no",
        f"{PRODUCTS}:2: column brand_id: no brand number 7: ProductBundle__brands.csv has 1 "
        "imported brands, numbered by row from 1",
    ]
    assert Product.objects.count() == 0


def test_empty_sku_is_rejected(tmp_path):
    write_oro_dir(tmp_path, [product_row("  ")])

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [f"{PRODUCTS}:2: column sku: is empty"]
    assert Product.objects.count() == 0


def test_line_with_the_wrong_number_of_fields_is_rejected_with_its_line(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1"), ["AB-2", "Saw", "Cuts."], product_row("AB-3")])

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:3: 3 fields, expected 17 (" + ", ".join(PRODUCT_COLUMNS) + ")"
    ]
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["AB-1", "AB-3"]


def test_quote_never_closed_is_reported_on_its_line_and_earlier_rows_are_imported(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    with (tmp_path / PRODUCTS).open("a", encoding="utf-8", newline="") as handle:
        handle.write('AB-2,"Saw with an open quote,Cuts.\nAB-3,Hammer,Hits.\n')

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:3: a quoted field that starts here is never closed (the file ends on line "
        "4); close the quote, or double a quote inside a field"
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-1"]


def test_byte_order_mark_and_quoted_newlines_import_right(tmp_path):
    write_oro_dir(
        tmp_path,
        [
            product_row("AB-1", information="Line one\nLine two\nLine three"),
            product_row("AB-2", price="12,5"),
        ],
        bom=True,
    )

    report = import_oro_directory(tmp_path)

    product = Product.objects.get(sku="AB-1")
    assert product.information == "Line one\nLine two\nLine three"
    assert product.category.name == "Drills"
    assert errors_of(report) == [
        f"{PRODUCTS}:5: column price: '12,5' is not a number; write decimals with a point: 12.5"
    ]
    assert sorted(
        Price.objects.filter(product=product).values_list("price_list__name", "quantity", "value")
    ) == [
        ("Default Price List", Decimal(1), Decimal("10.00")),
        ("Default Price List", Decimal(10), Decimal("9.50")),
        ("Default Price List", Decimal(20), Decimal("9.00")),
        ("Partner C Custom Price List", Decimal(1), Decimal("8.00")),
        ("Partner C Custom Price List", Decimal(10), Decimal("7.60")),
        ("Partner C Custom Price List", Decimal(20), Decimal("7.20")),
        ("Wholesale Price List", Decimal(1), Decimal("9.00")),
        ("Wholesale Price List", Decimal(10), Decimal("8.55")),
        ("Wholesale Price List", Decimal(20), Decimal("8.10")),
    ]


def test_category_spellings_differing_by_case_space_or_plural_are_one_category(tmp_path):
    write_oro_dir(
        tmp_path,
        [
            product_row("AB-1", category="Power Drill"),
            product_row("AB-2", category="power  drills"),
            product_row("AB-3", category="Power Drills"),
        ],
    )

    report = import_oro_directory(tmp_path)

    assert list(Category.objects.values_list("name", flat=True)) == ["power drills"]
    assert Category.objects.get().products.count() == 3
    assert [str(problem) for problem in report.warnings if problem.column == "category"] == [
        f"{PRODUCTS}:2: column category: 'Power Drill' is taken as the category 'power drills'",
        f"{PRODUCTS}:4: column category: 'Power Drills' is taken as the category 'power drills'",
    ]


def test_command_exits_with_status_1_and_lists_the_errors_when_a_row_is_rejected(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1"), product_row("AB-2", price="12,50")])
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import", "oro", str(tmp_path), stdout=out)

    assert raised.value.returncode == 1
    assert str(raised.value) == "1 record rejected, 1 error: see the list above"
    output = out.getvalue()
    assert "Errors (1)" in output
    assert (
        f"{PRODUCTS}:3: column price: '12,50' is not a number; write decimals with a point: 12.50"
    ) in output
    assert Product.objects.filter(sku="AB-1").exists()


def test_command_refuses_a_directory_without_oro_files(tmp_path):
    with pytest.raises(CommandError, match="holds none of the OroCommerce demo files"):
        call_command("import", "oro", str(tmp_path), stdout=StringIO())


def test_command_refuses_an_unknown_payment_term(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])

    with pytest.raises(CommandError, match="Payment term 'net 45' does not exist"):
        call_command("import", "oro", str(tmp_path), payment_term="net 45", stdout=StringIO())

    assert Product.objects.count() == 0


def user_row(email: str, company: str = "Acme Tools", **values: str) -> dict[str, str]:
    row = {
        "customer": company,
        "email": email,
        "firstName": "Pat",
        "lastName": "Lee",
        "role": "Buyer",
        "street": "1 Main Street",
        "city": "Springfield",
        "state": "IL",
        "zipCode": "62701",
        "country": "US",
        "types": "billing,shipping",
        "defaultTypes": "billing,shipping",
    }
    row.update(values)
    return row


def order_row(number: str) -> dict[str, str]:
    return {
        "identifier": number,
        "internalStatus": "closed",
        "shippingStatus": "shipped",
        "subtotal": "20.00",
        "total": "21.50",
        "currency": "USD",
        "poNumber": f"PO-{number}",
    }


def test_e_mail_differing_only_by_case_is_rejected_and_the_first_user_imported(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    write_csv(
        tmp_path / USERS,
        layouts.CUSTOMER_USERS.columns,
        [user_row("pat@example.org"), user_row("PAT@example.org", firstName="Sam")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{USERS}:3: column email: duplicates e-mail 'PAT@example.org' on line 2"
    ]
    assert list(CustomerUser.objects.values_list("user__email", "user__first_name")) == [
        ("pat@example.org", "Pat")
    ]


def test_default_address_type_missing_from_the_types_rejects_the_user_row(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    write_csv(
        tmp_path / USERS,
        layouts.CUSTOMER_USERS.columns,
        [user_row("pat@example.org", types="shipping", defaultTypes="billing")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{USERS}:2: column defaultTypes: 'billing' is a default but not in types"
    ]
    assert not CustomerUser.objects.exists()
    assert not Address.objects.exists()


def test_subsidiary_name_makes_its_parent_company(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    write_csv(
        tmp_path / USERS,
        layouts.CUSTOMER_USERS.columns,
        [user_row("pat@example.org", company="Acme Tools - North")],
    )

    import_oro_directory(tmp_path)

    assert list(Company.objects.values_list("name", "parent__name")) == [
        ("Acme Tools", None),
        ("Acme Tools - North", "Acme Tools"),
    ]


def test_order_lines_apart_from_the_rest_of_their_order_are_rejected(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1"), product_row("AB-2")])
    write_csv(tmp_path / USERS, layouts.CUSTOMER_USERS.columns, [user_row("pat@example.org")])
    write_csv(
        tmp_path / layouts.WEBSITE_ASSIGNMENTS.file_name,
        layouts.WEBSITE_ASSIGNMENTS.columns,
        [["Default Price List", "100", "1"]],
    )
    write_csv(tmp_path / ORDERS, layouts.ORDERS.columns, [order_row("SO-1"), order_row("SO-2")])
    write_csv(
        tmp_path / ORDER_LINES,
        layouts.ORDER_LINES.columns,
        [
            ["SO-1", "AB-1", "item", "", "2016-05-01", ""],
            ["SO-2", "ZZ-9", "item", "", "", ""],
            ["SO-1", "ab-2", "item", "", "", ""],
            ["SO-9", "AB-2", "item", "", "", ""],
        ],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{ORDER_LINES}:4: column orderIdentifier: the lines of order 'SO-1' must follow each "
        "other; its lines before ended on line 2",
        f"{ORDER_LINES}:5: column orderIdentifier: order 'SO-9' is not among the accepted rows "
        f"of {ORDERS}",
    ]
    assert list(
        OrderLine.objects.order_by("order__number").values_list(
            "order__number", "sku", "quantity", "unit_price"
        )
    ) == [("SO-1", "AB-1", Decimal(1), Decimal("10.00")), ("SO-2", "ZZ-9", Decimal(1), Decimal(0))]
    assert Order.objects.get(number="SO-1").total == Decimal("21.50")
    assert report.counts["order lines"].rejected == 2
    assert (
        f"{ORDER_LINES}:3: column productSku: SKU 'ZZ-9' is not in the catalog: "
        "the line is priced 0"
    ) in [str(problem) for problem in report.warnings]


def test_price_too_large_for_its_column_is_rejected_and_the_other_rows_read_back(tmp_path):
    write_oro_dir(
        tmp_path,
        [product_row("AB-1"), product_row("AB-2", price="1" + "0" * 15), product_row("AB-3")],
    )

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:3: column price: '1000000000000000' is too large: at most 15 digits "
        "before the point"
    ]
    default_prices = Price.objects.filter(price_list__name="Default Price List", quantity=1)
    assert sorted(default_prices.values_list("product__sku", "value")) == [
        ("AB-1", Decimal("10.00")),
        ("AB-3", Decimal("10.00")),
    ]


def test_order_total_too_large_for_its_column_is_rejected(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    write_csv(tmp_path / USERS, layouts.CUSTOMER_USERS.columns, [user_row("pat@example.org")])
    huge = {**order_row("SO-2"), "total": "99999999999999999999"}
    write_csv(tmp_path / ORDERS, layouts.ORDERS.columns, [order_row("SO-1"), huge])

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{ORDERS}:3: column total: '99999999999999999999' is too large: at most 15 digits "
        "before the point"
    ]
    assert list(Order.objects.values_list("number", "total")) == [("SO-1", Decimal("21.50"))]


def test_nul_character_in_a_text_is_rejected_with_its_column_on_every_database(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1", name="Drill\x00"), product_row("AB-2")])

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS}:2: column name: holds a NUL character (\\x00), which cannot be stored; "
        "remove it"
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-2"]


def test_historical_order_with_the_number_of_an_order_placed_in_the_shop_is_rejected(tmp_path):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    write_csv(tmp_path / USERS, layouts.CUSTOMER_USERS.columns, [user_row("pat@example.org")])
    write_csv(
        tmp_path / layouts.WEBSITE_ASSIGNMENTS.file_name,
        layouts.WEBSITE_ASSIGNMENTS.columns,
        [["Default Price List", "100", "1"]],
    )
    import_oro_directory(tmp_path)
    buyer = CustomerUser.objects.get()
    address = Address.objects.get(company=buyer.company)
    add_to_shopping_list(customer_user=buyer, sku="AB-1", quantity=3)
    placed = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )
    write_csv(tmp_path / ORDERS, layouts.ORDERS.columns, [order_row(placed.number)])

    report = import_oro_directory(tmp_path)

    assert errors_of(report) == [
        f"{ORDERS}:2: Order number '{placed.number}' belongs to an order placed in this shop; "
        "give the historical order another number"
    ]
    kept = Order.objects.get()
    assert (kept.source, kept.total, kept.lines.get().quantity) == (
        "storefront",
        Decimal("30.00"),
        Decimal(3),
    )
