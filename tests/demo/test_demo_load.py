from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from comptoir.accounts.models import Company, CustomerUser, User
from comptoir.catalog.models import Category, Product, ProductUnit
from comptoir.core.models import Event
from comptoir.demo import data
from comptoir.demo.loader import load_demo
from comptoir.ordering.models import Order, OrderLine
from comptoir.pricing.models import Price, PriceList, PriceListAssignment
from comptoir.pricing.queries import price_for

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def buyer_of(company_name: str) -> CustomerUser:
    return CustomerUser.objects.select_related("company").get(
        company__name=company_name, roles__code="buyer"
    )


def test_demo_load_makes_the_distributor_catalog_companies_and_history():
    output = run_demo("load")

    assert Product.objects.count() == 36
    assert Category.objects.filter(parent__isnull=True).count() == 6
    assert Category.objects.filter(parent__isnull=False).count() == 12
    assert ProductUnit.objects.filter(is_primary=False).count() == 21
    assert Company.objects.count() == 4
    assert list(Company.objects.get(name=data.HARBOR).subsidiaries.values_list("name")) == [
        (data.HARBOR_NORTH,)
    ]
    assert CustomerUser.objects.count() == 8
    assert PriceList.objects.count() == 6
    assert PriceListAssignment.objects.count() == 7
    assert Price.objects.count() == 539
    assert Order.objects.count() == 5
    assert OrderLine.objects.count() == 16
    assert "Demo data loaded: 678 records created or updated." in output


def test_demo_load_tells_each_price_list_once_of_its_prices():
    load_demo()

    events = Event.objects.filter(name="price_changed").order_by("id")

    assert [event.entity_key for event in events] == [
        price_list.name for price_list in data.PRICE_LISTS
    ]
    assert sum(event.payload["count"] for event in events) == Price.objects.count() == 539
    for event in events:
        assert (
            event.payload["count"]
            == Price.objects.filter(price_list__name=event.entity_key).count()
        )


def test_demo_load_twice_changes_nothing():
    load_demo()
    products_before = dict(Product.objects.values_list("sku", "updated_at"))
    passwords_before = dict(User.objects.values_list("email", "password"))
    line_ids_before = list(OrderLine.objects.order_by("id").values_list("id", flat=True))

    summary = load_demo()
    output = run_demo("load")

    assert summary.changed == 0
    assert summary.count("products", "unchanged") == 36
    assert summary.count("prices", "unchanged") == 539
    assert dict(Product.objects.values_list("sku", "updated_at")) == products_before
    assert dict(User.objects.values_list("email", "password")) == passwords_before
    assert list(OrderLine.objects.order_by("id").values_list("id", flat=True)) == line_ids_before
    assert "Demo data already in place: nothing changed." in output


def test_buyer_of_each_demo_company_gets_its_own_price():
    load_demo()
    paper = Product.objects.get(sku="OF-3101")

    prices = {
        name: price_for(
            company=buyer_of(name).company, product=paper, unit="item", quantity=Decimal(1)
        )
        for name in (data.HARBOR, data.HARBOR_NORTH, data.BLUEBIRD, data.CEDAR_VALLEY)
    }

    assert {name: (price.value, price.price_list_name) for name, price in prices.items()} == {
        data.HARBOR: (Decimal("5.95"), "Harbor Manufacturing contract"),
        data.HARBOR_NORTH: (Decimal("5.95"), "Harbor Manufacturing contract"),
        data.BLUEBIRD: (Decimal("5.63"), "Resellers"),
        data.CEDAR_VALLEY: (Decimal("5.44"), "Cedar Valley schools"),
    }
    assert price_for(company=None, product=paper, unit="item", quantity=Decimal(1)).value == (
        Decimal("6.40")
    )


def test_demo_tiers_lower_the_price_from_10_and_50_units():
    load_demo()
    paper = Product.objects.get(sku="OF-3101")
    company = buyer_of(data.BLUEBIRD).company

    values = [
        price_for(company=company, product=paper, unit="item", quantity=Decimal(q)).value
        for q in (9, 10, 49, 50)
    ]

    assert values == [Decimal("5.63"), Decimal("5.35"), Decimal("5.35"), Decimal("5.07")]


def test_demo_kg_products_take_three_decimals():
    load_demo()

    grease = ProductUnit.objects.get(product__sku="MT-5101", is_primary=True)

    assert (grease.unit.code, grease.precision) == ("kg", 3)


@pytest.mark.argon2
def test_demo_logins_work_with_the_printed_password():
    output = run_demo("load")

    buyer = authenticate(username="buyer@bluebird-office.example", password=data.DEMO_PASSWORD)
    staff = authenticate(username=data.STAFF_EMAIL, password=data.DEMO_PASSWORD)

    assert f"password '{data.DEMO_PASSWORD}'" in output
    assert buyer.customer_user.company.name == data.BLUEBIRD
    assert (staff.is_staff, staff.is_superuser) == (True, True)
    assert buyer.password.startswith("argon2$")


def test_demo_history_keeps_the_totals_of_its_lines():
    load_demo()

    order = Order.objects.get(number="DEMO-1003")

    assert order.company.name == data.BLUEBIRD
    assert order.po_number == "BB-7781"
    assert order.payment_term == "net 45"
    assert order.total == Decimal("1441.41")
    assert order.total == sum(line.row_total for line in order.lines.all())
    assert order.shipping_address.city == "Linden Springs"


def test_demo_serve_prints_the_urls_and_logins_then_runs_the_server(monkeypatch):
    started = []
    monkeypatch.setattr(
        "comptoir.demo.management.commands.demo.call_command",
        lambda *args, **kwargs: started.append((args, kwargs)),
    )

    output = run_demo("serve", "--host", "127.0.0.1", "--port", "8123")

    assert "Storefront:   http://127.0.0.1:8123/" in output
    assert "API docs:     http://127.0.0.1:8123/api/v1/docs" in output
    assert "Back office:  http://127.0.0.1:8123/admin/" in output
    assert "buyer@harbor-mfg.example" in output
    assert started == [(("runserver", "127.0.0.1:8123"), {"use_reloader": False})]
