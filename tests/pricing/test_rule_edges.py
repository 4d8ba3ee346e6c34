"""Edges found trying the price engine: patterns, renames, broken rules, values that do not
fit, and bad requests that must get a message rather than an error page."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from comptoir.accounts.tokens import create_token
from comptoir.core.errors import DomainError
from comptoir.integration.clients import create_client
from comptoir.pricing import services
from comptoir.pricing.models import MarketIndexValue, Price, PriceRule
from comptoir.pricing.rules import RuleError, rebuild
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def rule(price_list, formula, name=None, **fields):
    return services.save_price_rule(
        PriceRule(price_list=price_list, name=name or formula[:40], formula=formula, **fields)
    )


def skus(price_list):
    return sorted(
        Price.objects.filter(price_list=price_list).values_list("product__sku", flat=True)
    )


@pytest.fixture
def base():
    default = factories.price_list("Default")
    for sku in ("AB-180", "CD-280", "EF-300"):
        factories.price(default, factories.product(sku), "10.00")
    return default


def test_sku_patterns_with_several_wildcards(base, run_tasks):
    target = factories.price_list("Target")
    run_tasks(rule, target, 'pricelist["Default"].price', sku_pattern="*8*")
    assert skus(target) == ["AB-180", "CD-280"]
    run_tasks(rule, target, 'pricelist["Default"].price', name="Two", sku_pattern="?b-1?0")
    assert skus(target) == ["AB-180", "CD-280"]


def test_renaming_a_list_rewrites_the_rules_reading_it(base, run_tasks):
    target = factories.price_list("Target")
    made = run_tasks(rule, target, "pricelist['Default'].price * 2", name="Double")

    base.name = "Base"
    run_tasks(services.save_price_list, base)

    made.refresh_from_db()
    assert made.formula == 'pricelist["Base"].price * 2'
    report = rebuild(target)
    assert (report.unchanged, report.removed) == (3, 0)


def test_a_rule_broken_by_a_removed_index_keeps_its_prices_and_says_so(run_tasks):
    copper = services.upsert_market_index(code="COPPER")[0]
    services.record_index_values(copper, [(timezone.now() - timedelta(days=1), Decimal("8"))])
    product = factories.product("CAB-1")
    target = factories.price_list("Cables")
    run_tasks(rule, target, 'index["COPPER"] * 2', name="Copper")

    copper.delete()
    report = rebuild(target)

    assert Price.objects.get(price_list=target, product=product).value == Decimal("16.00")
    assert report.removed == 0
    assert "rule 'Copper' is skipped: column 7: unknown index 'COPPER'" in report.summary()
    assert "the prices it gave are kept: fix its formula" in report.summary()


def test_changing_the_case_of_an_index_code_keeps_its_rules(run_tasks):
    services.upsert_market_index(code="COPPER", name="Copper", unit="USD per kg")
    target = factories.price_list("Cables")
    made = run_tasks(rule, target, 'index["COPPER"] * 2', name="Copper")

    index, status = services.upsert_market_index(code="Copper")

    made.refresh_from_db()
    assert (index.code, index.name, index.unit) == ("Copper", "Copper", "USD per kg")
    assert made.formula == 'index["Copper"] * 2'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("99999999999999999999"), "too large: at most 13 digits before the point"),
        (Decimal("1e300"), "too large"),
        (Decimal("1.1234567"), "more than 6 decimals"),
    ],
)
def test_index_values_that_do_not_fit_are_refused(value, message):
    copper = services.upsert_market_index(code="COPPER")[0]
    with pytest.raises(DomainError, match=message):
        services.record_index_values(copper, [(timezone.now(), value)])
    assert not MarketIndexValue.objects.exists()


def test_the_api_refuses_an_index_value_too_large(client):
    services.upsert_market_index(code="COPPER")
    key = create_client(name="ERP", scopes=["indexes:write"]).key
    response = client.post(
        "/api/v1/indexes/COPPER/values",
        {"values": [{"effective_at": "2026-12-05T00:00:00Z", "value": 1e300}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "index_value_invalid"


def test_a_condition_cannot_read_prices(base):
    target = factories.price_list("Target")
    with pytest.raises(RuleError, match="^Condition: a condition compares product values"):
        rule(target, "product.weight_kg", condition='pricelist["Default"].price > 5')


def test_formulas_may_span_lines(base, run_tasks):
    target = factories.price_list("Target")
    run_tasks(rule, target, 'pricelist["Default"].price\n  * 3')
    assert Price.objects.filter(price_list=target, value=Decimal("30.00")).count() == 3


def test_a_rule_rounding_past_the_largest_price_is_reported_not_written(base):
    target = factories.price_list("Target")
    rule(target, "999999999999999.5", round_step=Decimal(1000), round_direction="up")
    report = rebuild(target)
    assert report.created == 0
    assert "gives a price too large to keep" in report.summary()


def test_only_slots_left_to_a_rule_count_as_not_priced_by_it(base):
    target = factories.price_list("Target")
    rule(target, 'pricelist["Default"].price', name="First", priority=1)
    rule(target, "product.weight_kg * 2", name="Second", priority=2)
    rule(target, "5", name="Third", condition="product.weight_kg > 1", priority=3)
    report = rebuild(target)
    assert report.created == 3
    assert not report.skipped


@pytest.fixture
def buyer(base):
    company = factories.company("Acme")
    factories.assign(base)
    return factories.customer_user(company)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"quantity": "99999999999999999999999999"}, 422, "invalid_quantity"),
        ({"quantity": "1e40"}, 422, "invalid_quantity"),
        ({"quantity": "-1"}, 422, "invalid_quantity"),
        ({"quantity": "0"}, 422, "invalid_quantity"),
        ({"quantity": "1.5"}, 422, "invalid_quantity"),
        ({"unit": "it\x00em"}, 404, "unit_not_sold"),
    ],
)
def test_explain_checks_the_quantity_as_the_cart_does(client, buyer, query, status, code):
    token = create_token(customer_user=buyer).key
    response = client.get(
        "/api/v1/prices/explain",
        {"sku": "AB-180", **query},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_history_at_moments_out_of_range_is_refused(client, buyer, moment):
    token = create_token(customer_user=buyer).key
    response = client.get(
        "/api/v1/prices/history",
        {"sku": "AB-180", "at": moment},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "moment_out_of_range"


def test_prices_only_for_units_the_product_comes_in(base):
    product = factories.product("GH-1")
    with pytest.raises(DomainError, match="does not come in the unit 'kg'"):
        services.upsert_price(
            price_list=base, product=product, unit=factories.unit("kg", 3), value=Decimal(1)
        )
    price = Price(price_list=base, product=product, unit=factories.unit("kg", 3), value=Decimal(1))
    with pytest.raises(ValidationError, match="does not come in this unit"):
        price.full_clean()


def test_a_product_weight_cannot_be_negative():
    product = factories.product("GH-2", weight_kg=Decimal("-3"))
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        product.full_clean()


def test_rebuild_due_does_not_take_a_list(base):
    with pytest.raises(CommandError, match="leave out --list"):
        call_command("pricing", "rebuild", "--due", "--list", "Default", stdout=StringIO())


def test_bad_index_codes_and_missing_files_get_messages(tmp_path):
    with pytest.raises(CommandError, match="not an index code"):
        call_command("pricing", "index", "create", "bad code!")
    with pytest.raises(CommandError, match="No file at"):
        call_command("pricing", "index", "import", str(tmp_path / "missing.csv"))
