from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from comptoir.accounts.models import Address, Company, CustomerUser, User
from comptoir.catalog.models import Category, Product, ProductUnit
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.ordering.models import Order, OrderLine
from comptoir.pricing.models import (
    Price,
    PriceAttributeValue,
    PriceList,
    PriceListAssignment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.oro]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher takes a noticeable time per user; these tests do not test it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    models = (
        Category,
        Product,
        ProductUnit,
        PriceList,
        Price,
        PriceListAssignment,
        PriceAttributeValue,
        Company,
        User,
        CustomerUser,
        Address,
        Order,
        OrderLine,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_demo_import_loads_the_catalog_with_its_categories(oro_dir):
    report = import_oro_directory(oro_dir, password="demo-password")

    assert Product.objects.count() == 63
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Architectural Floodlighting",
        "Footwear",
        "Headlamps",
        "Lighting Products",
        "Medical Uniforms",
        "Office Furniture",
        "POS Systems",
        "Patient Identification",
        "Patient Transportation Equipment",
        "Printers",
        "Retail Supplies",
    ]
    assert Category.objects.get(name="Medical Uniforms").products.count() == 11
    assert [str(problem) for problem in report.warnings if problem.column == "category"] == [
        "ProductBundle__products.csv:227: column category: 'Medical Uniform' is taken as the "
        "category 'Medical Uniforms'"
    ]
    headlamp = Product.objects.get(sku="0RT28")
    assert (headlamp.name, headlamp.brand.name, headlamp.category.name) == (
        "220 Lumen Rechargeable Headlamp",
        "ACME",
        "Headlamps",
    )
    assert headlamp.is_featured is True
    assert headlamp.information.splitlines()[1] == "220 lumen power"
    assert [
        (pu.unit.code, pu.conversion_rate, pu.is_primary, pu.is_sellable)
        for pu in headlamp.units.order_by("-is_primary")
    ] == [("item", Decimal(1), True, True), ("set", Decimal(10), False, True)]
    assert ProductUnit.objects.filter(is_primary=False).count() == 63
    assert Category.objects.get(name="Headlamps").description.startswith(
        "Find the super bright LED headlamps"
    )
    assert "<" not in Category.objects.get(name="Headlamps").description
    assert report.errors == []
    assert report.rejected == 0


def test_demo_import_loads_prices_lists_and_their_assignments(oro_dir):
    import_oro_directory(oro_dir)

    assert sorted(PriceList.objects.values_list("name", "currency")) == [
        ("Default Price List", "USD"),
        ("Partner C Custom Price List", "USD"),
        ("Wholesale Price List", "USD"),
    ]
    assignments = PriceListAssignment.objects
    assert assignments.filter(company__isnull=True, customer_group__isnull=True).count() == 2
    assert assignments.filter(customer_group__isnull=False).count() == 6
    assert assignments.filter(company__isnull=False).count() == 6
    partner_c_custom = assignments.get(
        company__name="Partner C", price_list__name="Partner C Custom Price List"
    )
    assert (partner_c_custom.sort_order, partner_c_custom.merge_allowed) == (200, False)
    assert sorted(
        Price.objects.filter(
            product__sku="0RT28", price_list__name="Wholesale Price List"
        ).values_list("unit__code", "quantity", "value")
    ) == [
        ("item", Decimal(1), Decimal("89.99")),
        ("item", Decimal(10), Decimal("85.49")),
        ("item", Decimal(20), Decimal("80.99")),
    ]
    assert not Price.objects.filter(product__sku__in=["TAG2", "TAG3"]).exists()
    assert sorted(
        PriceAttributeValue.objects.filter(product__sku="0RT28").values_list(
            "attribute__name", "unit__code", "value", "currency"
        )
    ) == [("MAP", "item", Decimal("94.99"), "USD"), ("MSRP", "item", Decimal("89.99"), "USD")]


def test_demo_import_builds_the_company_tree_with_users_roles_and_addresses(oro_dir):
    import_oro_directory(oro_dir, password="demo-password")

    company_a = Company.objects.get(name="Company A")
    assert sorted(company_a.subsidiaries.values_list("name", flat=True)) == [
        "Company A - East Division",
        "Company A - West Division",
    ]
    assert {
        company.name: (company.customer_group.name, company.payment_term.label)
        for company in Company.objects.select_related("customer_group", "payment_term")
    } == {
        "Company A": ("All Customers", "net 30"),
        "Company A - East Division": ("All Customers", "net 30"),
        "Company A - West Division": ("All Customers", "net 30"),
        "Wholesaler B": ("Wholesale Customers", "net 30"),
        "Partner C": ("Partners", "net 30"),
    }
    assert CustomerUser.objects.count() == 10
    assert sorted(
        CustomerUser.objects.filter(company__name="Wholesaler B").values_list(
            "user__email", "roles__code"
        )
    ) == [
        ("MarleneSBradley@example.com", "buyer"),
        ("NancyJSallee@example.com", "administrator"),
    ]
    assert CustomerUser.objects.filter(roles__code="administrator").count() == 5
    assert authenticate(email="brandajsanborn@example.org", password="demo-password") is not None
    addresses = Address.objects.filter(company=company_a)
    assert addresses.count() == 3
    default = addresses.get(is_default_billing=True, is_default_shipping=True)
    assert (default.street, default.city, default.region, default.name) == (
        "45600 Marion Drive",
        "Winter Haven",
        "FL",
        "Amanda Cole",
    )
    assert Address.objects.count() == 10


def test_demo_import_records_the_order_history_with_the_totals_of_the_file(oro_dir):
    report = import_oro_directory(oro_dir)

    assert Order.objects.count() == 12
    assert OrderLine.objects.count() == 49
    assert set(Order.objects.values_list("customer_user__user__email", "company__name")) == {
        ("AmandaRCole@example.org", "Company A")
    }
    order = Order.objects.get(number="FR1012401")
    assert (order.subtotal, order.total, order.currency) == (
        Decimal("15535.88"),
        Decimal("15535.88"),
        "USD",
    )
    assert (order.po_number, order.payment_term, order.customer_notes) == (
        "CV032342USDD",
        "net 30",
        "Please, call before delivery",
    )
    assert (order.status, order.shipping_status, order.source) == ("open", "not_shipped", "import")
    assert order.created_at == datetime(2016, 1, 4, 9, 0, tzinfo=UTC)
    assert order.billing_address.one_line() == "1215 Caldwell Road, Rochester, NY, 14608, US"
    assert order.shipping_address.label == "Shipping Address 01"
    assert [
        (line.sku, line.unit_code, line.quantity, line.unit_price, line.row_total, line.ship_by)
        for line in order.lines.order_by("id")
    ] == [
        ("4HC51", "piece", Decimal(1), Decimal("30.99"), Decimal("30.99"), date(2016, 5, 1)),
        ("2JV62", "set", Decimal(1), Decimal("35.99"), Decimal("35.99"), date(2016, 5, 1)),
        ("3YB32", "piece", Decimal(1), Decimal("10.99"), Decimal("10.99"), None),
    ]
    shipped = Order.objects.get(number="FR1012405")
    assert (shipped.status, shipped.shipping_status, shipped.currency) == (
        "closed",
        "shipped",
        "EUR",
    )
    assert Order.objects.get(number="FR1012409").subtotal == Decimal("7200.99")
    unpriced = OrderLine.objects.get(order__number="FR1012402", sku="1GB82")
    assert (unpriced.unit_code, unpriced.unit_price) == ("piece", Decimal(0))
    assert (
        "OrderBundle__order-line-items.csv:6: column productSku: no price list of Company A "
        "prices SKU '1GB82' in 'piece': the line is priced 0"
    ) in [str(problem) for problem in report.warnings]


def test_importing_the_demo_again_changes_nothing(oro_dir):
    import_oro_directory(oro_dir, password="demo-password")
    counts_after_first = row_counts()
    order_line_ids = list(OrderLine.objects.order_by("id").values_list("id", flat=True))

    report = import_oro_directory(oro_dir, password="demo-password")

    assert row_counts() == counts_after_first
    assert list(OrderLine.objects.order_by("id").values_list("id", flat=True)) == order_line_ids
    assert report.changed == 0
    assert {entity: counts.unchanged for entity, counts in report.counts.items()} == {
        "units": 6,
        "brands": 2,
        "categories": 11,
        "price lists": 3,
        "price attributes": 2,
        "products": 63,
        "prices": 183,
        "price attribute values": 120,
        "additional units": 63,
        "price rules": 2,
        "computed prices": 366,
        "customer groups": 3,
        "payment terms": 4,
        "companies": 5,
        "customer users": 10,
        "addresses": 10,
        "price list assignments": 14,
        "orders": 12,
        "order lines": 49,
    }


def test_import_without_password_gives_new_users_an_unusable_password(oro_dir):
    import_oro_directory(oro_dir)

    assert (
        not User.objects.filter(customer_user__isnull=False)
        .exclude(password__startswith="!")
        .exists()
    )


def test_import_command_prints_the_summary_and_the_warnings(oro_dir):
    out = StringIO()

    call_command("import", "oro", str(oro_dir), password="demo-password", stdout=out)

    output = out.getvalue()
    assert "Import summary" in output
    assert "│ products               │      63 │       0 │         0 │        0 │" in output
    assert "Warnings (8)" in output
    assert "ProductBundle__products.csv:227: column category:" in output
