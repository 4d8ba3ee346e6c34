"""The bulk paths of imports: batches, keys met in earlier batches, lookups of awkward keys,
rebuilds of whole lists, and an OroCommerce directory priced and stocked by its own files."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import Product
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.transfer.bulk import Rebuilds
from comptoir.integration.transfer.entities.pricing import Prices
from comptoir.integration.transfer.entities.product_batches import find_products
from comptoir.integration.transfer.entities.products import Products
from comptoir.integration.transfer.runner import run_import
from comptoir.inventory.models import StockLevel
from comptoir.pricing.models import Price, PriceList, PriceRule
from comptoir.pricing.services import save_price_rule
from tests import factories
from tests.integration.oro_layout import PRODUCT_COLUMNS, product_row, write_csv, write_oro_dir

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def counts(report, entity: str) -> tuple[int, int, int, int]:
    done = report.counts[entity]
    return done.created, done.updated, done.unchanged, done.rejected


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two rows, so that a file of a few rows spans several."""
    monkeypatch.setattr(Products, "batch_size", 2)
    monkeypatch.setattr(Prices, "batch_size", 2)


def test_a_sku_met_in_an_earlier_batch_is_refused_as_a_duplicate(tmp_path, small_batches):
    factories.unit("item")
    text = "sku,name,unit\nA-1,First,item\nA-2,Second,item\nA-3,Third,item\na-1 ,Again,item\n"

    report = run_import(write(tmp_path, "products.csv", text), entity="products")

    assert messages(report) == ["products.csv:5: column sku: duplicates SKU 'A-1' on line 2"]
    assert Product.objects.get(sku="A-1").name == "First"
    assert counts(report, "products") == (3, 0, 0, 1)


def test_a_reset_spanning_batches_keeps_every_price_the_file_names(tmp_path, small_batches):
    default = factories.price_list("Default")
    products = [factories.product(f"P-{n}") for n in range(5)]
    for product in products:
        factories.price(default, product, "1.00")
    named = "".join(f"Default,P-{n},item,1,2\n" for n in (0, 2, 4))

    report = run_import(
        write(tmp_path, "prices.csv", "price_list,sku,unit,quantity,price\n" + named),
        entity="prices",
        options={"mode": "reset"},
    )

    assert counts(report, "prices") == (0, 3, 0, 0)
    assert sorted(Price.objects.values_list("product__sku", "value")) == [
        ("P-0", Decimal(2)),
        ("P-2", Decimal(2)),
        ("P-4", Decimal(2)),
    ]


def test_skus_with_quotes_backslashes_commas_and_braces_are_found():
    skus = ['A"1', "B\\2", "C,3", "{D}", "Ε-5"]
    for sku in skus:
        factories.product(sku)

    found = find_products([sku.upper() for sku in skus] + ["NONE"])

    assert sorted(sku for _, sku in found.values()) == sorted(skus)


def test_many_changed_products_rebuild_whole_lists(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Rebuilds, "LIMIT", 2)
    factories.unit("item")
    by_weight = factories.price_list("By weight")
    rows = "".join(f"W-{n},Weighed {n},item,{n + 1}\n" for n in range(4))
    path = write(tmp_path, "products.csv", "sku,name,unit,weight_kg\n" + rows)
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(price_list=by_weight, name="2 a kg", formula="product.weight_kg * 2")
        )

    with django_capture_on_commit_callbacks(execute=True):
        run_import(path, entity="products")

    assert sorted(Price.objects.filter(price_list=by_weight).values_list("value", flat=True)) == [
        Decimal("2.00"),
        Decimal("4.00"),
        Decimal("6.00"),
        Decimal("8.00"),
    ]


def generated_dir(directory, products: list[dict[str, str]]):
    """A directory as the catalog generator writes it: products, and their prices and stock in
    OroCommerce's price and inventory files (no price lists file)."""
    write_csv(directory / layouts.PRODUCTS.file_name, PRODUCT_COLUMNS, products)
    write_csv(
        directory / layouts.PRICES_FILE,
        ("Product SKU", "Quantity", "Unit Code", "Price", "Currency"),
        [["AB-1", "1", "item", "10.00", "USD"], ["AB-1", "100", "item", "9.00", "USD"]]
        + [["AB-2", "1", "item", "5.00", "USD"], ["AB-9", "1", "item", "1.00", "USD"]],
    )
    write_csv(
        directory / layouts.INVENTORY_FILE,
        ("SKU", "Warehouse", "Quantity", "Unit"),
        [["AB-1", "MAIN", "12", "item"], ["AB-2", "EAST", "3", "item"]],
    )
    return directory


def test_an_oro_directory_with_price_and_inventory_files_is_priced_and_stocked_by_them(tmp_path):
    generated_dir(tmp_path, [product_row("AB-1", brand_id=""), product_row("AB-2", brand_id="")])

    report = import_oro_directory(tmp_path)

    assert [str(problem) for problem in report.errors] == [
        "PricingBundle__prices.csv:5: column sku: no product has the SKU 'AB-9'; import it "
        "with the products file first"
    ]
    assert list(PriceList.objects.values_list("name", "currency")) == [
        ("Default Price List", "USD")
    ]
    assert sorted(Price.objects.values_list("product__sku", "quantity", "value")) == [
        ("AB-1", Decimal(1), Decimal("10.00")),
        ("AB-1", Decimal(100), Decimal("9.00")),
        ("AB-2", Decimal(1), Decimal("5.00")),
    ]
    assert sorted(
        StockLevel.objects.values_list("product__sku", "warehouse__code", "quantity")
    ) == [
        ("AB-1", "MAIN", Decimal(12)),
        ("AB-2", "EAST", Decimal(3)),
    ]

    again = import_oro_directory(tmp_path)

    assert {name: counts(again, name) for name in ("products", "prices", "inventory")} == {
        "products": (0, 0, 2, 0),
        "prices": (0, 0, 3, 1),
        "inventory": (0, 0, 2, 0),
    }


def test_an_oro_product_refused_for_its_computed_price_leaves_nothing_behind(
    tmp_path, django_capture_on_commit_callbacks
):
    write_oro_dir(tmp_path, [product_row("AB-1")])
    import_oro_directory(tmp_path)
    default = PriceList.objects.get(name=layouts.DEFAULT_PRICE_LIST)
    Price.objects.filter(price_list=default).delete()
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(PriceRule(price_list=default, name="flat", formula="7"))
    write_oro_dir(tmp_path, [product_row("AB-1", name="Renamed drill")])

    report = import_oro_directory(tmp_path)

    assert [str(problem) for problem in report.errors] == [
        "ProductBundle__products.csv:2: column price: this price is computed by the rule "
        "'flat' of its list: change the rule, or remove the row (an import sets prices entered "
        "by hand only)"
    ]
    assert Product.objects.get().name == "Cordless drill AB-1"
