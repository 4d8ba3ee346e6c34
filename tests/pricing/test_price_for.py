"""The merge-by-priority chain: company, then group, then website; lowest sort order first."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from comptoir.accounts.models import CustomerGroup
from comptoir.pricing.models import PriceList
from comptoir.pricing.queries import price_for, price_list_chain, tiers_for
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return factories.product("HL-1", extra_units=(("set", 0, Decimal(10), True),))


def pays(company, product, quantity, unit="item"):
    resolved = price_for(company=company, product=product, unit=unit, quantity=Decimal(quantity))
    return None if resolved is None else (resolved.value, resolved.price_list_name)


def test_lowest_sort_order_of_the_company_wins(product):
    company = factories.company()
    base, special = factories.price_list("Base"), factories.price_list("Special")
    factories.price(base, product, "10.00")
    factories.price(special, product, "8.00")
    factories.assign(base, company=company, sort_order=200)
    factories.assign(special, company=company, sort_order=100)

    assert pays(company, product, 1) == (Decimal("8.00"), "Special")


def test_company_lists_come_before_group_and_website_lists(product):
    group = CustomerGroup.objects.create(name="Wholesale")
    company = factories.company(customer_group=group)
    own, grouped, website = (factories.price_list(n) for n in ("Own", "Grouped", "Website"))
    for price_list, value in ((own, "7.00"), (grouped, "6.00"), (website, "5.00")):
        factories.price(price_list, product, value)
    factories.assign(website, sort_order=1)
    factories.assign(grouped, group=group, sort_order=1)
    factories.assign(own, company=company, sort_order=500)

    assert pays(company, product, 1) == (Decimal("7.00"), "Own")
    assert [entry.level for entry in price_list_chain(company)] == ["company", "group", "website"]


def test_merge_fills_only_empty_tiers(product):
    company = factories.company()
    first, second = factories.price_list("First"), factories.price_list("Second")
    factories.price(first, product, "9.00")
    factories.price(first, product, "8.00", quantity="2")
    factories.price(second, product, "8.50")
    factories.price(second, product, "7.00", quantity="4")
    factories.assign(first, company=company, sort_order=1)
    factories.assign(second, company=company, sort_order=2)

    tiers = tiers_for(company, [product])[product.pk]

    assert [(t.quantity, t.value, t.price_list_name) for t in tiers] == [
        (Decimal(1), Decimal("9.00"), "First"),
        (Decimal(2), Decimal("8.00"), "First"),
        (Decimal(4), Decimal("7.00"), "Second"),
    ]


def test_list_without_merge_is_ignored_when_a_higher_list_priced_the_product(product):
    company = factories.company()
    first, exclusive = factories.price_list("First"), factories.price_list("Exclusive")
    factories.price(first, product, "9.00")
    factories.price(exclusive, product, "1.00")
    factories.price(exclusive, product, "0.50", quantity="100")
    factories.assign(first, company=company, sort_order=1)
    factories.assign(exclusive, company=company, sort_order=2, merge_allowed=False)

    assert pays(company, product, 100) == (Decimal("9.00"), "First")


def test_list_without_merge_that_comes_first_closes_the_product_to_later_lists(product):
    company = factories.company()
    exclusive, later = factories.price_list("Exclusive"), factories.price_list("Later")
    factories.price(exclusive, product, "5.00")
    factories.price(later, product, "4.00", quantity="10")
    factories.assign(exclusive, company=company, sort_order=1, merge_allowed=False)
    factories.assign(later, company=company, sort_order=2)

    assert pays(company, product, 10) == (Decimal("5.00"), "Exclusive")


def test_highest_tier_not_above_the_quantity_applies(product):
    company = factories.company()
    base = factories.price_list("Base")
    for quantity, value in (("1", "10.00"), ("10", "9.50"), ("20", "9.00")):
        factories.price(base, product, value, quantity=quantity)
    factories.assign(base, company=company)

    assert pays(company, product, 9) == (Decimal("10.00"), "Base")
    assert pays(company, product, 10) == (Decimal("9.50"), "Base")
    assert pays(company, product, 12) == (Decimal("9.50"), "Base")
    assert pays(company, product, 25) == (Decimal("9.00"), "Base")


def test_each_unit_has_its_own_tiers(product):
    company = factories.company()
    base = factories.price_list("Base")
    factories.price(base, product, "10.00")
    factories.price(base, product, "95.00", unit_code="set")
    factories.assign(base, company=company)

    assert pays(company, product, 1, unit="set") == (Decimal("95.00"), "Base")
    assert pays(company, product, 1, unit="box") is None


def test_inactive_list_is_left_out(product):
    company = factories.company()
    retired, current = factories.price_list("Retired"), factories.price_list("Current")
    retired.is_active = False
    retired.save()
    factories.price(retired, product, "1.00")
    factories.price(current, product, "10.00")
    factories.assign(retired, company=company, sort_order=1)
    factories.assign(current, company=company, sort_order=2)

    assert pays(company, product, 1) == (Decimal("10.00"), "Current")


def test_guest_gets_the_website_chain(product):
    website = factories.price_list("Website")
    factories.price(website, product, "12.00")
    factories.assign(website)

    assert pays(None, product, 1) == (Decimal("12.00"), "Website")


def test_explanation_names_the_list_tier_and_chain(product):
    company = factories.company()
    base = factories.price_list("Base")
    factories.price(base, product, "9.50", quantity="10")
    factories.assign(base, company=company, sort_order=100)

    resolved = price_for(company=company, product=product, unit="item", quantity=Decimal(12))

    assert resolved.explain() == (
        "HL-1 x 12 item: 9.5000 USD from Base, tier from 10; chain: Base (company, sort 100)"
    )


def test_chain_is_read_in_one_query_however_many_lists_it_holds(django_assert_num_queries):
    group = CustomerGroup.objects.create(name="Wholesale")
    company = factories.company(customer_group=group)
    for number in range(3):
        factories.assign(factories.price_list(f"Own {number}"), company=company)
        factories.assign(factories.price_list(f"Grouped {number}"), group=group)
        factories.assign(factories.price_list(f"Website {number}"))

    with django_assert_num_queries(1):
        chain = price_list_chain(company)

    assert [entry.level for entry in chain] == ["company"] * 3 + ["group"] * 3 + ["website"] * 3


def test_price_list_with_an_unknown_currency_is_refused_by_the_form_validation():
    price_list = PriceList(name="Odd", currency="ZZZ")

    with pytest.raises(ValidationError) as error:
        price_list.full_clean()

    assert error.value.message_dict == {"currency": ["'ZZZ' is not an ISO 4217 currency code"]}
