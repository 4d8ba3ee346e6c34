"""Imports and exports of price lists (by name) and of the prices entered by hand on them."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from comptoir.core.models import Event
from comptoir.integration.transfer.runner import run_export, run_import
from comptoir.pricing.models import Price, PriceChange, PriceList, PriceRule, PriceSource
from comptoir.pricing.services import save_price_rule
from tests import factories

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str, *, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def counts(report, entity: str) -> tuple[int, int, int, int]:
    done = report.counts[entity]
    return done.created, done.updated, done.unchanged, done.rejected


def exported(tmp_path, entity: str, **options) -> str:
    path = tmp_path / f"{entity}-export.csv"
    run_export(path, entity=entity, options=options)
    return path.read_bytes().decode("utf-8")


def list_rows() -> list[tuple]:
    return list(
        PriceList.objects.order_by("name").values_list(
            "name", "currency", "is_active", "active_from", "active_until"
        )
    )


def price_rows(price_list: str | None = None) -> list[tuple]:
    prices = Price.objects.all()
    if price_list:
        prices = prices.filter(price_list__name=price_list)
    return sorted(
        prices.values_list(
            "price_list__name", "product__sku", "unit__code", "quantity", "value", "source"
        )
    )


PRICE_LISTS = (
    "name,currency,active,active_from,active_until\n"
    "Wholesale,eur,1,2025-01-01,2025-07-01T08:30+02:00\n"
    '"Partner ""C"", Nord",JPY,0,,\n'
    "Ελληνικά,,,,\n"
)


def test_price_lists_import_with_their_schedule_and_export_back(tmp_path):
    report = run_import(write(tmp_path, "lists.csv", PRICE_LISTS), entity="price_lists")

    assert messages(report) == []
    assert counts(report, "price_lists") == (3, 0, 0, 0)
    assert list_rows() == [
        ('Partner "C", Nord', "JPY", False, None, None),
        (
            "Wholesale",
            "EUR",
            True,
            datetime(2025, 1, 1, tzinfo=UTC),
            datetime(2025, 7, 1, 8, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("Ελληνικά", "USD", True, None, None),
    ]
    assert exported(tmp_path, "price_lists") == (
        "name,currency,active,active_from,active_until\r\n"
        '"Partner ""C"", Nord",JPY,0,,\r\n'
        "Wholesale,EUR,1,2025-01-01T00:00:00+00:00,2025-07-01T06:30:00+00:00\r\n"
        "Ελληνικά,USD,1,,\r\n"
    )
    again = run_import(tmp_path / "price_lists-export.csv", entity="price_lists")
    assert counts(again, "price_lists") == (0, 0, 3, 0)


def test_price_list_rows_with_bad_values_say_what_to_write(tmp_path):
    factories.price(factories.price_list("Default", "USD"), factories.product("FS-1"), "9.50")
    text = (
        "name,currency,active_from,active_until\n"
        "Euro,EURO,,\n"
        "Late,USD,2025-02-01,2025-01-01\n"
        "Someday,USD,next week,\n"
        "default,EUR,,\n"
        "euro,EUR,,\n"
    )

    report = run_import(write(tmp_path, "lists.csv", text), entity="price_lists")

    assert messages(report) == [
        "lists.csv:2: column currency: 'EURO' is not a currency code: write three letters, as "
        "in USD",
        "lists.csv:3: column active_until: '2025-01-01' is not after active_from; write a later "
        "moment, or leave it empty",
        "lists.csv:4: column active_from: 'next week' is not a date; write it as YYYY-MM-DD, or "
        "YYYY-MM-DDTHH:MM with an optional offset (2025-01-31T08:00+01:00)",
        "lists.csv:6: column name: duplicates price list 'euro' on line 2",
        "lists.csv:5: column currency: 'Default' holds prices in USD: its currency stays; write "
        "USD, or put the EUR prices in a new list",
    ]
    assert list_rows() == [("Default", "USD", True, None, None)]


def test_a_partial_price_lists_file_keeps_the_other_values(tmp_path):
    run_import(write(tmp_path, "lists.csv", PRICE_LISTS), entity="price_lists")

    report = run_import(
        write(tmp_path, "off.csv", "name,active\nWHOLESALE,0\n"), entity="price_lists"
    )

    assert counts(report, "price_lists") == (0, 1, 0, 0)
    assert list_rows()[1][:3] == ("Wholesale", "EUR", False)
    assert list_rows()[1][3] == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def catalog():
    """Two products (one also sold by the box of 12), and the Default and Wholesale lists."""
    factories.product("FS-1", unit_code="item", extra_units=(("box", 0, Decimal(12), True),))
    factories.product("FS-2", unit_code="kg", precision=3)
    factories.price_list("Default", "USD")
    factories.price_list("Wholesale", "USD")


PRICES = (
    "price_list,sku,unit,quantity,price,currency\n"
    "Default,FS-1,item,1,10.50,USD\n"
    "Default,fs-1,,10,9.5,\n"
    "Default,FS-1,box,1,110,USD\n"
    "Wholesale,FS-2,kg,0.5,4.1234,USD\n"
)


def test_prices_import_into_their_lists_with_their_history_and_export_back(tmp_path, catalog):
    report = run_import(write(tmp_path, "prices.csv", PRICES), entity="prices")

    assert messages(report) == []
    assert counts(report, "prices") == (4, 0, 0, 0)
    assert price_rows() == [
        ("Default", "FS-1", "box", Decimal(1), Decimal(110), "manual"),
        ("Default", "FS-1", "item", Decimal(1), Decimal("10.50"), "manual"),
        ("Default", "FS-1", "item", Decimal(10), Decimal("9.50"), "manual"),
        ("Wholesale", "FS-2", "kg", Decimal("0.5"), Decimal("4.1234"), "manual"),
    ]
    assert PriceChange.objects.count() == 4
    assert sorted(
        (event.entity_key, event.payload["count"])
        for event in Event.objects.filter(name="price_changed")
    ) == [("Default", 3), ("Wholesale", 1)]
    assert exported(tmp_path, "prices") == (
        "price_list,sku,unit,quantity,price,currency\r\n"
        "Default,FS-1,box,1,110,USD\r\n"
        "Default,FS-1,item,1,10.5,USD\r\n"
        "Default,FS-1,item,10,9.5,USD\r\n"
        "Wholesale,FS-2,kg,0.5,4.1234,USD\r\n"
    )
    again = run_import(tmp_path / "prices-export.csv", entity="prices")
    assert counts(again, "prices") == (0, 0, 4, 0)
    assert PriceChange.objects.count() == 4


def test_the_price_file_of_orocommerce_imports_unchanged_into_the_list_named_by_option(
    tmp_path, catalog
):
    text = "Product SKU,Quantity,Unit Code,Price,Currency\r\nFS-1,1,item,10.50,USD\r\n"
    path = write(tmp_path, "PricingBundle__prices.csv", text, encoding="utf-8-sig")

    refused = run_import(path, entity="prices")
    report = run_import(path, entity="prices", options={"price_list": "wholesale"})

    assert messages(refused) == [
        "PricingBundle__prices.csv:1: the file has no price_list column: add one, or name the "
        "list of every price with the option price_list (--option price_list=NAME)"
    ]
    assert messages(report) == []
    assert price_rows() == [("Wholesale", "FS-1", "item", Decimal(1), Decimal("10.50"), "manual")]


def test_price_rows_that_cannot_be_imported_say_what_to_write(tmp_path, catalog):
    text = (
        "price_list;sku;unit;quantity;price;currency\n"
        "Default;FS-1;item;1;10;USD\n"
        "Retail;FS-1;item;1;10;USD\n"
        "Default;FS-1;item;5;10;EUR\n"
        "Default;FS-9;item;1;10;USD\n"
        "Default;FS-2;item;1;10;USD\n"
        "Default;fs-1;ITEM;1.000;11;USD\n"
        "Default;FS-1;item;2;12,50;USD\n"
        "Default;FS-1;item;-1;-3;USD\n"
    )

    report = run_import(write(tmp_path, "prices.csv", text), entity="prices")

    assert messages(report) == [
        "prices.csv:8: column price: '12,50' is not a number; write decimals with a point: 12.50",
        "prices.csv:9: column quantity: '-1' is negative; write 0 or more",
        "prices.csv:9: column price: '-3' is negative; write 0 or more",
        "prices.csv:3: column price_list: no price list is named 'Retail'; write the name of "
        "one (Default, Wholesale), or import it with the price_lists file first",
        "prices.csv:4: column currency: 'EUR' is not the currency of 'Default' (USD); write the "
        "price in USD, or import it into a list in EUR",
        "prices.csv:5: column sku: no product has the SKU 'FS-9'; import it with the products "
        "file first",
        "prices.csv:6: column unit: SKU 'FS-2' does not come in 'item'; write one of its units "
        "(kg), or add the unit in the product units file first",
        "prices.csv:7: column sku: duplicates line 2, which prices the same SKU in the same "
        "unit from the same quantity on the same list; keep one of the two rows",
    ]
    assert price_rows() == [("Default", "FS-1", "item", Decimal(1), Decimal(10), "manual")]


def test_a_price_a_rule_computes_is_not_imported_into(
    tmp_path, catalog, django_capture_on_commit_callbacks
):
    default = PriceList.objects.get(name="Default")
    wholesale = PriceList.objects.get(name="Wholesale")
    factories.price(default, factories.product("FS-3"), "20.00")
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(
                price_list=wholesale, name="-10 %", formula='pricelist["Default"].price * 0.9'
            )
        )
    text = "price_list,sku,unit,quantity,price\nWholesale,FS-3,item,1,15\n"

    report = run_import(write(tmp_path, "prices.csv", text), entity="prices")

    assert messages(report) == [
        "prices.csv:2: column price: this price is computed by the rule '-10 %' of its list: "
        "change the rule, or remove the row (an import sets prices entered by hand only)"
    ]
    assert Price.objects.get(price_list=wholesale).value == Decimal("18.00")


def test_changed_prices_are_computed_again_in_the_lists_that_read_them(
    tmp_path, catalog, django_capture_on_commit_callbacks
):
    wholesale = PriceList.objects.get(name="Wholesale")
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(
                price_list=wholesale, name="-10 %", formula='pricelist["Default"].price * 0.9'
            )
        )
    text = "price_list,sku,unit,quantity,price\nDefault,FS-1,item,1,20\n"

    with django_capture_on_commit_callbacks(execute=True):
        run_import(write(tmp_path, "prices.csv", text), entity="prices")

    computed = Price.objects.get(price_list=wholesale)
    assert (computed.value, computed.source) == (Decimal("18.00"), PriceSource.RULE)


@pytest.fixture
def priced(tmp_path, catalog):
    run_import(write(tmp_path, "prices.csv", PRICES), entity="prices")


ONE_PRICE = "price_list,sku,unit,quantity,price\nDefault,FS-1,item,1,11\n"


def test_replace_sets_the_prices_named_and_keeps_the_others(tmp_path, priced):
    report = run_import(write(tmp_path, "one.csv", ONE_PRICE), entity="prices")

    assert counts(report, "prices") == (0, 1, 0, 0)
    assert price_rows("Default") == [
        ("Default", "FS-1", "box", Decimal(1), Decimal(110), "manual"),
        ("Default", "FS-1", "item", Decimal(1), Decimal(11), "manual"),
        ("Default", "FS-1", "item", Decimal(10), Decimal("9.50"), "manual"),
    ]


def test_reset_removes_the_prices_of_the_lists_named_that_the_file_does_not_name(tmp_path, priced):
    report = run_import(
        write(tmp_path, "one.csv", ONE_PRICE), entity="prices", options={"mode": "reset"}
    )

    assert counts(report, "prices") == (0, 1, 0, 0)
    assert messages(report) == [
        "one.csv: mode reset: 2 prices of 'Default' that the file does not name were removed"
    ]
    assert price_rows("Default") == [
        ("Default", "FS-1", "item", Decimal(1), Decimal(11), "manual")
    ]
    assert price_rows("Wholesale") == [
        ("Wholesale", "FS-2", "kg", Decimal("0.5"), Decimal("4.1234"), "manual")
    ]
    assert sorted(
        PriceChange.objects.filter(value__isnull=True).values_list("quantity", "unit__code")
    ) == [(Decimal(1), "box"), (Decimal(10), "item")]


def test_reset_removes_nothing_when_a_row_is_refused(tmp_path, priced):
    text = ONE_PRICE + "Default,FS-1,item,5,oops\n"

    report = run_import(
        write(tmp_path, "one.csv", text), entity="prices", options={"mode": "reset"}
    )

    assert messages(report) == [
        "one.csv:3: column price: 'oops' is not a number",
        "one.csv: mode reset: Default kept the prices the file does not name, as some rows were "
        "refused; correct them and import the file again",
    ]
    assert len(price_rows("Default")) == 3


def test_a_reset_that_fails_all_or_nothing_loses_nothing(tmp_path, priced):
    before = price_rows()
    text = ONE_PRICE + "Default,FS-9,item,1,5\n"

    run_import(
        write(tmp_path, "one.csv", text),
        entity="prices",
        options={"mode": "reset"},
        all_or_nothing=True,
    )

    assert price_rows() == before


def test_validate_only_counts_what_a_reset_would_do_and_writes_nothing(tmp_path, priced):
    before = price_rows()

    report = run_import(
        write(tmp_path, "one.csv", ONE_PRICE),
        entity="prices",
        options={"mode": "reset"},
        validate_only=True,
    )

    assert counts(report, "prices") == (0, 1, 0, 0)
    assert "2 prices of 'Default' that the file does not name were removed" in messages(report)[0]
    assert price_rows() == before


def test_prices_export_to_xlsx_and_import_back_into_an_emptied_list(tmp_path, priced):
    before = price_rows()
    path = tmp_path / "prices.xlsx"
    run_export(path, entity="prices", options={"price_list": "default"})
    Price.objects.filter(price_list__name="Default").delete()

    report = run_import(path, entity="prices")

    assert counts(report, "prices") == (3, 0, 0, 0)
    assert price_rows() == before


def test_an_unknown_mode_is_refused_before_the_file_is_read(tmp_path, catalog):
    with pytest.raises(Exception, match="'add' is not a value of the option mode"):
        run_import(write(tmp_path, "p.csv", ONE_PRICE), entity="prices", options={"mode": "add"})
