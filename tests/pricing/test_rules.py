"""Price rules: formulas over lists, product values and indexes; conditions; priority;
rounding; prices entered by hand; dependency order, cycles and incremental rebuilds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.catalog.models import Brand, Product
from comptoir.pricing import rules, services
from comptoir.pricing.models import (
    MarketIndexValue,
    Price,
    PriceChange,
    PriceRule,
    PriceSource,
    RoundingDirection,
)
from comptoir.pricing.queries import price_for
from comptoir.pricing.rules import RuleError, rebuild, round_price
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Runs what services queue after commit, as the worker would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def rule(price_list, formula, name=None, **fields):
    made = PriceRule(price_list=price_list, name=name or formula[:40], formula=formula, **fields)
    categories = fields.pop("categories", None)
    return services.save_price_rule(made, categories=categories)


def prices(price_list, product):
    return {
        (p.unit.code, p.quantity.normalize()): p.value
        for p in Price.objects.filter(price_list=price_list, product=product).select_related(
            "unit"
        )
    }


@pytest.fixture
def base():
    default = factories.price_list("Default")
    product = factories.product("0RT28", extra_units=(("set", 0, Decimal(10), True),))
    factories.price(default, product, "99.99")
    factories.price(default, product, "94.99", quantity="10")
    factories.price(default, product, "89.99", quantity="20")
    factories.price(default, product, "950.00", unit_code="set")
    return default, product


def test_a_rule_over_a_list_gives_every_unit_and_tier_of_it(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")

    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')

    assert prices(wholesale, product) == {
        ("item", 1): Decimal("89.99"),  # 89.991
        ("item", 10): Decimal("85.49"),  # 85.491
        ("item", 20): Decimal("80.99"),  # 80.991
        ("set", 1): Decimal("855.00"),
    }
    stored = Price.objects.filter(price_list=wholesale).first()
    assert stored.source == PriceSource.RULE and stored.rule.name.startswith("pricelist")


def test_a_rule_can_fix_the_unit_and_the_tier(base, run_tasks):
    default, product = base
    special = factories.price_list("Special")

    run_tasks(
        rule,
        special,
        'pricelist["Default"].price * 0.8',
        unit=factories.unit("item"),
        quantity=Decimal(15),
    )

    # Default's price for 15 items is its tier from 10: 94.99.
    assert prices(special, product) == {("item", 15): Decimal("75.99")}


def test_a_price_entered_by_hand_is_never_overwritten(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")
    item = factories.unit("item")
    services.upsert_price(
        price_list=wholesale, product=product, unit=item, value=Decimal("70.00"), rebuild=False
    )

    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')
    run_tasks(rebuild, wholesale)

    manual = Price.objects.get(price_list=wholesale, product=product, unit=item, quantity=1)
    assert (manual.value, manual.source, manual.rule) == (Decimal("70.00"), "manual", None)
    assert prices(wholesale, product)[("item", 10)] == Decimal("85.49")


def test_a_computed_price_changed_by_hand_stays_and_comes_back_when_removed(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")
    item = factories.unit("item")
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')

    run_tasks(
        services.upsert_price,
        price_list=wholesale,
        product=product,
        unit=item,
        value=Decimal("50.00"),
    )
    run_tasks(rebuild, wholesale)
    assert prices(wholesale, product)[("item", 1)] == Decimal("50.00")

    manual = Price.objects.filter(price_list=wholesale, product=product, quantity=1, unit=item)
    run_tasks(services.delete_prices, manual)
    assert prices(wholesale, product)[("item", 1)] == Decimal("89.99")


def test_the_lowest_priority_number_wins_a_slot(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.5', name="Half", priority=20)
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9', name="Tenth", priority=10)

    assert prices(wholesale, product)[("item", 1)] == Decimal("89.99")

    tenth = PriceRule.objects.get(name="Tenth")
    tenth.priority = 30
    run_tasks(services.save_price_rule, tenth)
    assert prices(wholesale, product)[("item", 1)] == Decimal("50.00")  # 49.995 half-up


@pytest.mark.parametrize(
    ("value", "step", "ending", "direction", "expected"),
    [
        ("12.345", None, None, RoundingDirection.NEAREST, "12.35"),
        ("12.344", None, None, RoundingDirection.NEAREST, "12.34"),
        ("12.34", "1", "0.99", RoundingDirection.NEAREST, "11.99"),
        ("12.49", "1", "0.99", RoundingDirection.NEAREST, "12.99"),
        ("12.34", "1", "0.99", RoundingDirection.UP, "12.99"),
        ("12.99", "1", "0.99", RoundingDirection.UP, "12.99"),
        ("12.34", "1", "0.99", RoundingDirection.DOWN, "11.99"),
        ("0.50", "1", "0.99", RoundingDirection.DOWN, "0.99"),
        ("12.34", "0.05", None, RoundingDirection.NEAREST, "12.35"),
        ("12.32", "0.05", None, RoundingDirection.NEAREST, "12.30"),
        ("12.31", "0.05", None, RoundingDirection.UP, "12.35"),
        ("123", "10", "9", RoundingDirection.NEAREST, "119.00"),
        ("0", "1", "0.99", RoundingDirection.NEAREST, "0.99"),
    ],
)
def test_rounding_to_steps_and_endings(value, step, ending, direction, expected):
    assert round_price(
        Decimal(value),
        currency="USD",
        step=step and Decimal(step),
        ending=ending and Decimal(ending),
        direction=direction,
    ) == Decimal(expected)


def test_rounding_follows_the_currency_minor_unit():
    assert round_price(Decimal("1234.5"), currency="JPY") == Decimal("1235")
    assert round_price(Decimal("1.23456"), currency="KWD") == Decimal("1.235")


def test_a_rule_rounds_to_an_ending(base, run_tasks):
    default, product = base
    retail = factories.price_list("Retail")
    run_tasks(
        rule,
        retail,
        'pricelist["Default"].price * 1.3',
        round_step=Decimal(1),
        round_ending=Decimal("0.99"),
        round_direction=RoundingDirection.UP,
    )
    # 99.99 * 1.3 = 129.987 -> 129.99; 94.99 * 1.3 = 123.487 -> 123.99
    assert prices(retail, product)[("item", 1)] == Decimal("129.99")
    assert prices(retail, product)[("item", 10)] == Decimal("123.99")


def test_conditions_select_products_by_category_brand_sku_featured_and_values(run_tasks):
    default = factories.price_list("Default")
    parent = factories.category("Electrical")
    cables = factories.category("Cables", parent=parent)
    acme = Brand.objects.create(name="Acme")
    in_sub = factories.product("CU-100", category_name=None, weight_kg=Decimal("2"))
    in_sub.category = cables
    in_sub.brand = acme
    in_sub.is_featured = True
    in_sub.save()
    elsewhere = factories.product("CU-200", weight_kg=Decimal("20"))
    other_sku = factories.product("AL-100", weight_kg=Decimal("2"))
    for product in (in_sub, elsewhere, other_sku):
        factories.price(default, product, "10.00")
    target = factories.price_list("Target")

    made = PriceRule(price_list=target, name="Cables", formula='pricelist["Default"].price * 2')
    run_tasks(services.save_price_rule, made, categories=[parent], brands=[acme])
    assert set(Price.objects.filter(price_list=target).values_list("product__sku", flat=True)) == {
        "CU-100"
    }

    run_tasks(
        rule,
        target,
        'pricelist["Default"].price * 3',
        name="SKU",
        sku_pattern="cu-*",
        priority=200,
    )
    run_tasks(
        rule,
        target,
        'pricelist["Default"].price * 4',
        name="Heavy",
        condition="product.weight_kg > 10",
        priority=300,
    )
    run_tasks(rule, target, 'pricelist["Default"].price * 5', name="Featured", featured_only=True)
    assert {p.product.sku: p.value for p in Price.objects.filter(price_list=target)} == {
        "CU-100": Decimal("20.00"),
        "CU-200": Decimal("30.00"),
    }


def test_a_rule_on_product_values_and_an_index(run_tasks):
    copper = services.upsert_market_index(code="COPPER", name="Copper", unit="USD per kg")[0]
    yesterday = timezone.now() - timedelta(days=1)
    services.record_index_values(copper, [(yesterday, Decimal("8.50"))])
    cable = factories.product("CAB-1", weight_kg=Decimal("3.5"))
    cables = factories.price_list("Cables")

    run_tasks(rule, cables, 'index["COPPER"] * product.weight_kg * 1.2 + 3')
    assert prices(cables, cable) == {("item", 1): Decimal("38.70")}  # 8.5 * 3.5 * 1.2 + 3

    run_tasks(services.record_index_values, copper, [(timezone.now(), Decimal("9.00"))])
    assert prices(cables, cable) == {("item", 1): Decimal("40.80")}

    cable.weight_kg = Decimal("4")
    cable.save()
    run_tasks(rules.rebuild_lists, product_ids=[cable.pk])
    assert prices(cables, cable) == {("item", 1): Decimal("46.20")}


def test_an_index_value_for_tomorrow_changes_nothing_today(run_tasks):
    copper = services.upsert_market_index(code="COPPER")[0]
    services.record_index_values(copper, [(timezone.now() - timedelta(days=1), Decimal("8"))])
    cable = factories.product("CAB-1", weight_kg=Decimal("1"))
    cables = factories.price_list("Cables")
    run_tasks(rule, cables, 'index["COPPER"] * product.weight_kg')

    tomorrow = timezone.now() + timedelta(days=1)
    run_tasks(services.record_index_values, copper, [(tomorrow, Decimal("10"))])

    assert prices(cables, cable) == {("item", 1): Decimal("8.00")}
    assert rules.index_values(tomorrow + timedelta(hours=1))["COPPER"] == Decimal("10")


def test_a_formula_reading_the_msrp(run_tasks):
    msrp = services.upsert_price_attribute(name="MSRP")[0]
    product = factories.product("M-1")
    without = factories.product("M-2")
    item = factories.unit("item")
    services.upsert_price_attribute_value(
        attribute=msrp, product=product, unit=item, value=Decimal("200"), currency="USD"
    )
    dealer = factories.price_list("Dealer")

    run_tasks(rule, dealer, "product.msrp * 0.85")
    assert prices(dealer, product) == {("item", 1): Decimal("170.00")}
    assert prices(dealer, without) == {}
    report = rebuild(dealer)
    assert report.skipped == {"rule 'product.msrp * 0.85': no value for product.msrp": 1}
    assert report.examples["rule 'product.msrp * 0.85': no value for product.msrp"] == "M-2"


def test_a_cycle_is_refused_when_the_rule_is_saved(base):
    wholesale = factories.price_list("Wholesale")
    partner = factories.price_list("Partner")
    rule(wholesale, 'pricelist["Default"].price * 0.9')
    rule(partner, 'pricelist["Wholesale"].price * 0.9')

    closing = PriceRule(price_list=base[0], name="Loop", formula='pricelist["Partner"].price')
    with pytest.raises(RuleError) as raised:
        services.save_price_rule(closing)
    assert "Default reads Partner reads Wholesale reads Default" in raised.value.message
    assert not PriceRule.objects.filter(name="Loop").exists()

    itself = PriceRule(price_list=wholesale, name="Self", formula='pricelist["Wholesale"].price')
    with pytest.raises(RuleError, match="cannot read"):
        services.save_price_rule(itself)


def test_formula_errors_name_the_field_and_the_column(base):
    wholesale = factories.price_list("Wholesale")
    bad = PriceRule(price_list=wholesale, name="Bad", formula='pricelist["Defualt"].price * 0.9')
    with pytest.raises(RuleError) as raised:
        services.save_price_rule(bad)
    assert raised.value.message.startswith("Formula, column 11: unknown price list 'Defualt'")
    assert "did you mean 'Default'?" in raised.value.message

    bad = PriceRule(
        price_list=wholesale,
        name="Bad",
        formula="product.weight_kg",
        condition="product.weight_kg",
    )
    with pytest.raises(RuleError, match="^Condition, column 1: the condition gives a number"):
        services.save_price_rule(bad)


def test_lists_rebuild_in_dependency_order_and_only_for_the_changed_product(base, run_tasks):
    default, product = base
    other = factories.product("OTHER")
    factories.price(default, other, "10.00")
    wholesale = factories.price_list("Wholesale")
    partner = factories.price_list("Partner")
    # Saved in the reverse order of their dependency: the rebuild must still order them.
    run_tasks(rule, partner, 'pricelist["Wholesale"].price * 0.5')
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')
    assert prices(partner, product)[("item", 1)] == Decimal("45.00")  # 89.99 / 2 = 44.995
    before = PriceChange.objects.count()

    run_tasks(
        services.upsert_price,
        price_list=default,
        product=product,
        unit=factories.unit("item"),
        value=Decimal("200.00"),
    )

    assert prices(wholesale, product)[("item", 1)] == Decimal("180.00")
    assert prices(partner, product)[("item", 1)] == Decimal("90.00")
    changed = PriceChange.objects.order_by("pk")[before:]
    # The base price, then one price in each dependent list; the other product untouched.
    assert [(c.price_list.name, c.product.sku, c.value) for c in changed] == [
        ("Default", "0RT28", Decimal("200.0000")),
        ("Wholesale", "0RT28", Decimal("180.0000")),
        ("Partner", "0RT28", Decimal("90.0000")),
    ]


def test_removing_a_rule_removes_the_prices_only_it_gave(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")
    made = run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')

    run_tasks(services.delete_price_rule, made)

    assert prices(wholesale, product) == {}
    assert PriceChange.objects.filter(price_list=wholesale, value__isnull=True).count() == 4


def test_a_second_rebuild_changes_nothing(base, run_tasks):
    wholesale = factories.price_list("Wholesale")
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9')

    report = rebuild(wholesale)

    assert (report.created, report.updated, report.removed, report.unchanged) == (0, 0, 0, 4)


def test_a_product_without_a_primary_unit_price_is_reported_not_guessed(run_tasks):
    product = Product.objects.create(sku="NOUNIT", name="No unit")
    target = factories.price_list("Flat")
    run_tasks(rule, target, "12")
    assert not Price.objects.filter(price_list=target, product=product).exists()


def test_the_resolver_says_a_price_came_from_a_rule(base, run_tasks):
    default, product = base
    wholesale = factories.price_list("Wholesale")
    company = factories.company()
    factories.assign(wholesale, company=company)
    run_tasks(rule, wholesale, 'pricelist["Default"].price * 0.9', name="Wholesale -10 %")

    resolved = price_for(company=company, product=product, unit="item", quantity=Decimal(12))

    assert resolved.value == Decimal("85.49")
    assert resolved.tier.source == "rule"
    assert PriceRule.objects.get(pk=resolved.tier.rule_id).name == "Wholesale -10 %"


def test_index_values_for_a_moment_are_replaced_not_duplicated():
    copper = services.upsert_market_index(code="COPPER")[0]
    moment = timezone.now()
    services.record_index_values(copper, [(moment, Decimal("8"))])
    counts = services.record_index_values(copper, [(moment, Decimal("9"))])
    assert counts == {"updated": 1}
    assert MarketIndexValue.objects.get().value == Decimal("9")


def test_a_changed_product_has_its_computed_prices_follow(run_tasks):
    from comptoir.catalog.services import upsert_product

    copper = services.upsert_market_index(code="COPPER")[0]
    services.record_index_values(copper, [(timezone.now() - timedelta(days=1), Decimal("8"))])
    cable = factories.product("CAB-1", weight_kg=Decimal("1"))
    cables = factories.price_list("Cables")
    run_tasks(rule, cables, 'index["COPPER"] * product.weight_kg', name="By weight")
    run_tasks(rule, cables, "1000", name="Heavy", condition="product.weight_kg > 50", priority=1)
    unit = cable.primary_unit.unit

    run_tasks(upsert_product, sku="cab-1", name=cable.name, unit=unit, weight_kg=Decimal("2.5"))
    assert prices(cables, cable) == {("item", 1): Decimal("20.00")}

    run_tasks(upsert_product, sku="CAB-1", name=cable.name, unit=unit, weight_kg=Decimal("60"))
    assert prices(cables, cable) == {("item", 1): Decimal("1000.00")}
