"""The account, pricing and order-history upserts the imports and the demo loader write with."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from comptoir.accounts.models import Address, CustomerGroup, User
from comptoir.accounts.services import (
    upsert_address,
    upsert_company,
    upsert_customer_user,
)
from comptoir.core.errors import DomainError
from comptoir.ordering.models import OrderLine
from comptoir.ordering.services import AddressCopy, HistoricalOrderLine, record_historical_order
from comptoir.pricing.models import Price
from comptoir.pricing.services import (
    upsert_price_list_assignment,
    upsert_tier_prices,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_new_customer_user_without_password_gets_an_unusable_one():
    company = factories.company()

    customer_user, status = upsert_customer_user(email="Pat@Example.org", company=company)

    assert status == "created"
    assert customer_user.user.email == "Pat@example.org"
    assert customer_user.user.has_usable_password() is False
    assert [role.code for role in customer_user.roles.all()] == ["buyer"]


def test_same_password_again_is_no_change_and_a_new_one_is():
    company = factories.company()
    upsert_customer_user(email="pat@example.org", company=company, password="first-secret")

    _, same = upsert_customer_user(
        email="pat@example.org", company=company, password="first-secret"
    )
    _, changed = upsert_customer_user(
        email="pat@example.org", company=company, password="second-secret"
    )

    assert (same, changed) == ("unchanged", "updated")
    assert User.objects.get().check_password("second-secret") is True


def test_roles_are_replaced_by_the_ones_given():
    company = factories.company()
    upsert_customer_user(email="pat@example.org", company=company, role_codes=["buyer"])

    customer_user, status = upsert_customer_user(
        email="pat@example.org", company=company, role_codes=["administrator"]
    )

    assert status == "updated"
    assert [role.code for role in customer_user.roles.all()] == ["administrator"]


def test_unknown_role_is_refused():
    with pytest.raises(DomainError, match="Unknown role 'owner'"):
        upsert_customer_user(
            email="pat@example.org", company=factories.company(), role_codes=["owner"]
        )


def test_staff_login_cannot_become_a_customer_user():
    User.objects.create_user("staff@example.org", "secret-password", is_staff=True)

    with pytest.raises(DomainError, match="'Staff@example.org' is a staff login"):
        upsert_customer_user(email="Staff@example.org", company=factories.company())


def test_address_at_the_same_place_is_updated_and_a_default_moves_to_it():
    company = factories.company(with_address=False)
    head_office, _ = upsert_address(
        company=company,
        street="1 Main Street",
        city="Springfield",
        country="US",
        is_default_billing=True,
    )
    upsert_address(company=company, street="9 Dock Road", city="Springfield", country="us")

    dock, status = upsert_address(
        company=company,
        street="9 DOCK ROAD",
        city="springfield",
        country="US",
        is_default_billing=True,
    )

    assert status == "updated"
    assert Address.objects.filter(company=company).count() == 2
    assert list(
        Address.objects.filter(is_default_billing=True).values_list("street", flat=True)
    ) == ["9 DOCK ROAD"]
    head_office.refresh_from_db()
    assert head_office.is_default_billing is False


def test_company_cannot_be_its_own_subsidiary():
    parent, _ = upsert_company(name="Company A")
    child, _ = upsert_company(name="Company A - East", parent=parent)

    with pytest.raises(DomainError, match="cannot be a subsidiary of 'Company A - East'"):
        upsert_company(name="Company A", parent=child)


def test_assignment_to_both_a_company_and_a_group_is_refused():
    group = CustomerGroup.objects.create(name="Wholesale Customers")
    company = factories.company(customer_group=group)

    with pytest.raises(DomainError, match="a company or to a customer group, not both"):
        upsert_price_list_assignment(
            price_list=factories.price_list(), company=company, customer_group=group
        )


def test_same_assignment_again_is_unchanged_and_a_new_sort_order_updates_it():
    price_list = factories.price_list()
    upsert_price_list_assignment(price_list=price_list, sort_order=100)

    _, same = upsert_price_list_assignment(price_list=price_list, sort_order=100)
    assignment, changed = upsert_price_list_assignment(price_list=price_list, sort_order=50)

    assert (same, changed) == ("unchanged", "updated")
    assert (assignment.company, assignment.customer_group, assignment.sort_order) == (
        None,
        None,
        50,
    )


def test_tier_prices_are_created_then_only_the_changed_one_is_updated():
    product = factories.product("AB-1")
    price_list = factories.price_list()
    unit = product.units.get().unit
    tiers = {Decimal(1): Decimal("10.00"), Decimal(10): Decimal("9.50")}
    upsert_tier_prices(price_list=price_list, product=product, unit=unit, tiers=tiers)

    statuses = upsert_tier_prices(
        price_list=price_list,
        product=product,
        unit=unit,
        tiers={Decimal(1): Decimal("10.0000"), Decimal(10): Decimal("9.40")},
    )

    assert [status for _, status in statuses] == ["unchanged", "updated"]
    assert sorted(Price.objects.values_list("quantity", "value")) == [
        (Decimal(1), Decimal("10.00")),
        (Decimal(10), Decimal("9.40")),
    ]


def record(lines, *, company=None, **changes):
    values = {
        "number": "FR1",
        "company": company or factories.company(name="Company A"),
        "customer_user": None,
        "status": "closed",
        "shipping_status": "shipped",
        "currency": "USD",
        "subtotal": Decimal("100.00"),
        "total": Decimal("108.00"),
        "created_at": datetime(2016, 1, 4, 9, tzinfo=UTC),
        "lines": lines,
        "billing_address": AddressCopy(street="1 Main Street", city="Rochester", country="US"),
    }
    return record_historical_order(**{**values, **changes})


def line(sku: str, unit_price: str, *, product=None) -> HistoricalOrderLine:
    return HistoricalOrderLine(
        product=product,
        sku=sku,
        product_name=f"Product {sku}",
        unit_code="item",
        quantity=Decimal(3),
        unit_price=Decimal(unit_price),
        ship_by=date(2016, 5, 1),
    )


def test_historical_order_keeps_its_stated_totals_and_prices_each_line():
    order, order_status, lines_status = record([line("AB-1", "10.005")])

    assert (order_status, lines_status) == ("created", "created")
    assert (order.subtotal, order.total, order.source) == (
        Decimal("100.00"),
        Decimal("108.00"),
        "import",
    )
    assert list(order.lines.values_list("sku", "quantity", "row_total")) == [
        ("AB-1", Decimal(3), Decimal("30.02"))
    ]


def test_historical_order_recorded_again_keeps_its_lines():
    order, _, _ = record([line("AB-1", "10.00"), line("AB-2", "4.00")])
    line_ids = list(order.lines.values_list("id", flat=True))

    _, order_status, lines_status = record(
        [line("AB-1", "10.00"), line("AB-2", "4.00")], company=order.company
    )

    assert (order_status, lines_status) == ("unchanged", "unchanged")
    assert list(OrderLine.objects.values_list("id", flat=True)) == line_ids


def test_historical_order_with_a_changed_line_gets_its_lines_replaced():
    order, _, _ = record([line("AB-1", "10.00"), line("AB-2", "4.00")])

    _, order_status, lines_status = record(
        [line("AB-1", "10.00"), line("AB-2", "4.50")], company=order.company
    )

    assert (order_status, lines_status) == ("unchanged", "updated")
    assert list(OrderLine.objects.order_by("id").values_list("sku", "unit_price")) == [
        ("AB-1", Decimal("10.00")),
        ("AB-2", Decimal("4.50")),
    ]


def test_historical_order_with_a_changed_address_is_updated_in_place():
    order, _, _ = record([line("AB-1", "10.00")])
    address_id = order.billing_address_id

    changed, order_status, lines_status = record(
        [line("AB-1", "10.00")],
        company=order.company,
        billing_address=AddressCopy(
            street="1 Main Street", city="Rochester", region="NY", country="US"
        ),
    )

    assert (order_status, lines_status) == ("updated", "unchanged")
    assert (changed.billing_address_id, changed.billing_address.region) == (address_id, "NY")
