"""The minimal-price strategy, and price lists in effect only between their dates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.pricing.queries import price_for, price_list_chain
from tests import factories

pytestmark = pytest.mark.django_db


def pays(company, product, quantity):
    resolved = price_for(company=company, product=product, unit="item", quantity=Decimal(quantity))
    return None if resolved is None else (resolved.value, resolved.price_list_name)


@pytest.fixture
def two_lists():
    company = factories.company()
    product = factories.product("HL-1")
    first, second = factories.price_list("First"), factories.price_list("Second")
    factories.price(first, product, "10.00")
    factories.price(first, product, "6.00", quantity="5")
    factories.price(second, product, "9.00")
    factories.price(second, product, "8.00", quantity="10")
    factories.assign(first, company=company, sort_order=1)
    factories.assign(second, company=company, sort_order=2)
    return company, product


def test_merge_by_priority_takes_the_first_list_for_each_tier(two_lists):
    company, product = two_lists
    assert pays(company, product, 1) == (Decimal("10.00"), "First")
    assert pays(company, product, 10) == (Decimal("8.00"), "Second")


def test_minimal_price_takes_the_cheapest_list_at_every_quantity(two_lists, settings):
    settings.COMPTOIR_PRICE_STRATEGY = "minimal_price"
    company, product = two_lists
    assert pays(company, product, 1) == (Decimal("9.00"), "Second")
    assert pays(company, product, 4) == (Decimal("9.00"), "Second")
    assert pays(company, product, 5) == (Decimal("6.00"), "First")
    # Second's tier from 10 costs more than First's tier from 5: First's still applies.
    assert pays(company, product, 12) == (Decimal("6.00"), "First")


def test_minimal_price_at_every_quantity_from_1_to_30_is_the_lowest_list_price(
    two_lists, settings
):
    settings.COMPTOIR_PRICE_STRATEGY = "minimal_price"
    company, product = two_lists
    first = {1: Decimal("10.00"), 5: Decimal("6.00")}
    second = {1: Decimal("9.00"), 10: Decimal("8.00")}

    def at(tiers, quantity):
        return tiers[max(q for q in tiers if q <= quantity)]

    for quantity in range(1, 31):
        assert pays(company, product, quantity)[0] == min(
            at(first, quantity), at(second, quantity)
        )


def test_a_list_counts_only_between_its_dates():
    company = factories.company()
    product = factories.product("HL-1")
    now = timezone.now()
    regular = factories.price_list("Regular")
    summer = factories.price_list(
        "Summer", active_from=now + timedelta(days=10), active_until=now + timedelta(days=20)
    )
    factories.price(regular, product, "10.00")
    factories.price(summer, product, "7.00")
    factories.assign(summer, company=company, sort_order=1)
    factories.assign(regular, company=company, sort_order=2)

    assert pays(company, product, 1) == (Decimal("10.00"), "Regular")
    in_summer = [e.price_list_name for e in price_list_chain(company, at=now + timedelta(days=15))]
    assert in_summer == ["Summer", "Regular"]
    after = [e.price_list_name for e in price_list_chain(company, at=now + timedelta(days=20))]
    assert after == ["Regular"]


def test_an_unknown_strategy_stops_the_settings_with_a_message(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import comptoir.settings

    monkeypatch.setenv("COMPTOIR_PRICE_STRATEGY", "cheapest")
    with pytest.raises(ImproperlyConfigured, match="merge_by_priority or minimal_price"):
        importlib.reload(comptoir.settings)
    monkeypatch.delenv("COMPTOIR_PRICE_STRATEGY")
    importlib.reload(comptoir.settings)
