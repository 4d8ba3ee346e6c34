"""Imports and exports of units, products (by SKU) and the units products come in."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import Brand, Product, ProductUnit, Unit
from comptoir.integration.transfer.runner import run_export, run_import
from comptoir.pricing.models import Price, PriceRule
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


def exported(tmp_path, entity: str, name: str | None = None) -> str:
    path = tmp_path / (name or f"{entity}-export.csv")
    run_export(path, entity=entity)
    return path.read_bytes().decode("utf-8")


def product_rows() -> list[tuple]:
    return list(
        Product.objects.order_by("sku").values_list(
            "sku",
            "name",
            "description",
            "information",
            "specifications",
            "category__slug",
            "brand__name",
            "is_enabled",
            "is_featured",
            "is_new_arrival",
            "weight_kg",
            "tax_code__code",
            "substitute__sku",
        )
    )


def unit_rows() -> list[tuple]:
    return list(
        ProductUnit.objects.order_by("product__sku", "-is_primary", "unit__code").values_list(
            "product__sku",
            "unit__code",
            "is_primary",
            "precision",
            "conversion_rate",
            "is_sellable",
            "min_quantity",
            "max_quantity",
            "quantity_increment",
        )
    )


@pytest.fixture
def catalog():
    """The units, categories and tax code the product files name."""
    factories.unit("item")
    factories.unit("box")
    factories.unit("kg", precision=3)
    factories.category("Screws and bolts")
    factories.category("Power tools")
    factories.product_tax_code("reduced")


PRODUCTS = (
    "sku,name,description,category,brand,enabled,featured,new_arrival,unit,precision,"
    "weight_kg,tax_code,substitute\r\n"
    'FS-1,"Wood screws 4 x 40, ""zinc""","Line one\nLine two, with a comma",screws-and-bolts,'
    "Stoutridge,1,1,0,box,,1.25,reduced,fs-2\r\n"
    "FS-2,Ελληνικά 日本語,,power-tools,stoutridge,0,0,1,kg,2,,,\r\n"
)


def test_products_import_with_their_references_and_export_back_the_same_file(tmp_path, catalog):
    report = run_import(write(tmp_path, "products.csv", PRODUCTS), entity="products")

    assert messages(report) == []
    assert counts(report, "products") == (2, 0, 0, 0)
    assert counts(report, "brands") == (1, 0, 0, 0)
    assert product_rows() == [
        (
            "FS-1",
            'Wood screws 4 x 40, "zinc"',
            "Line one\nLine two, with a comma",
            "",
            "",
            "screws-and-bolts",
            "Stoutridge",
            True,
            True,
            False,
            Decimal("1.25"),
            "reduced",
            "FS-2",
        ),
        ("FS-2", "Ελληνικά 日本語", "", "", "", "power-tools", "Stoutridge", False, False, True)
        + (None, None, None),
    ]
    assert unit_rows() == [
        ("FS-1", "box", True, 0, Decimal(1), True, None, None, None),
        ("FS-2", "kg", True, 2, Decimal(1), True, None, None, None),
    ]
    assert exported(tmp_path, "products") == (
        "sku,name,description,information,specifications,category,brand,enabled,featured,"
        "new_arrival,unit,precision,weight_kg,tax_code,substitute\r\n"
        'FS-1,"Wood screws 4 x 40, ""zinc""","Line one\nLine two, with a comma",,,'
        "screws-and-bolts,Stoutridge,1,1,0,box,0,1.25,reduced,FS-2\r\n"
        "FS-2,Ελληνικά 日本語,,,,power-tools,Stoutridge,0,0,1,kg,2,,,\r\n"
    )


def test_an_export_imported_into_an_empty_catalog_gives_back_the_same_products(tmp_path, catalog):
    run_import(write(tmp_path, "products.csv", PRODUCTS), entity="products")
    before = (product_rows(), unit_rows())
    path = tmp_path / "products.xlsx"
    run_export(path, entity="products")
    Product.objects.all().delete()

    report = run_import(path, entity="products")

    assert messages(report) == []
    assert counts(report, "products") == (2, 0, 0, 0)
    assert (product_rows(), unit_rows()) == before


def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path, catalog):
    path = write(tmp_path, "products.csv", PRODUCTS)
    run_import(path, entity="products")
    stamps = list(Product.objects.order_by("sku").values_list("updated_at", flat=True))

    report = run_import(path, entity="products")

    assert counts(report, "products") == (0, 0, 2, 0)
    assert "brands" not in report.counts
    assert list(Product.objects.order_by("sku").values_list("updated_at", flat=True)) == stamps


def test_a_partial_file_sets_only_the_columns_it_has(tmp_path, catalog):
    run_import(write(tmp_path, "products.csv", PRODUCTS), entity="products")
    before = {row[0]: row for row in product_rows()}

    report = run_import(
        write(tmp_path, "featured.csv", "SKU;Featured\nfs-1;0\nFS-2;1\n"), entity="products"
    )

    assert counts(report, "products") == (0, 2, 0, 0)
    after = {row[0]: row for row in product_rows()}
    assert after["FS-1"] == before["FS-1"][:8] + (False,) + before["FS-1"][9:]
    assert after["FS-2"] == before["FS-2"][:8] + (True,) + before["FS-2"][9:]
    assert unit_rows()[0][:4] == ("FS-1", "box", True, 0)


def test_a_csv_with_a_byte_order_mark_and_semicolons_imports(tmp_path, catalog):
    text = 'sku;name;unit;weight_kg\r\nFS-9;"Hex bolts; M10";item;0.5\r\n'
    path = write(tmp_path, "products.csv", text, encoding="utf-8-sig")

    report = run_import(path, entity="products")

    assert messages(report) == []
    assert Product.objects.get(sku="FS-9").name == "Hex bolts; M10"
    assert Product.objects.get(sku="FS-9").weight_kg == Decimal("0.5")


def test_bad_rows_are_reported_by_line_and_column_and_nothing_of_them_is_written(
    tmp_path, catalog
):
    text = (
        "sku,name,category,brand,featured,unit,weight_kg,tax_code,substitute\n"
        "OK-1,Fine,,,0,item,,,\n"
        "BAD-1,Unknown category,nails,New Brand,0,item,,,\n"
        "BAD-2,Unknown unit,,New Brand,0,crate,,,\n"
        'BAD-3,Bad values,,,yes,item,"1,5",,\n'
        "BAD-4,,,,0,item,,,\n"
        "BAD-5,No unit,,,0,,,,\n"
        "ok-1,Same SKU,,,0,item,,,\n"
        "BAD-6,Unknown tax,,,0,item,,zero,\n"
        "BAD-7,Itself,,,0,item,,,bad-7\n"
    )

    report = run_import(write(tmp_path, "products.csv", text), entity="products")

    assert messages(report) == [
        "products.csv:5: column featured: 'yes' is not 0 or 1; write 1 for yes and 0 for no",
        "products.csv:5: column weight_kg: '1,5' is not a number; write decimals with a "
        "point: 1.5",
        "products.csv:6: column name: is empty",
        "products.csv:10: column substitute: names the product itself; write another SKU, or "
        "leave it empty",
        "products.csv:3: column category: no category has the slug 'nails'; write the slug of "
        "a category in the catalog (import the categories first), or leave it empty",
        "products.csv:4: column unit: unknown unit 'crate'; write one of: box, item, kg",
        "products.csv:9: column tax_code: no tax code is 'zero'; write one of: reduced, or "
        "leave it empty for the default",
        "products.csv:7: column unit: a new product needs its unit: write the code of the unit "
        "it is sold in",
        "products.csv:8: column sku: duplicates SKU 'OK-1' on line 2",
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["OK-1"]
    assert not Brand.objects.exists()
    assert counts(report, "products") == (1, 0, 0, 8)


def test_all_or_nothing_imports_nothing_when_a_row_is_refused(tmp_path, catalog):
    text = "sku,name,unit\nFS-1,Fine,item\nFS-2,Wrong,crate\n"

    report = run_import(
        write(tmp_path, "products.csv", text), entity="products", all_or_nothing=True
    )

    assert not Product.objects.exists()
    assert messages(report)[-1] == (
        "products.csv: nothing was imported: the file is imported all or nothing and has "
        "errors; correct them and import it again"
    )


def test_validate_only_reports_what_would_change_and_writes_nothing(tmp_path, catalog):
    report = run_import(
        write(tmp_path, "products.csv", PRODUCTS), entity="products", validate_only=True
    )

    assert counts(report, "products") == (2, 0, 0, 0)
    assert not Product.objects.exists()
    assert not Brand.objects.exists()


def test_a_substitute_named_nowhere_is_left_out_with_a_warning(tmp_path, catalog):
    text = "sku,name,unit,substitute\nFS-1,Screws,item,FS-404\n"

    report = run_import(write(tmp_path, "products.csv", text), entity="products")

    assert messages(report) == [
        "products.csv:2: column substitute: no product has the SKU 'FS-404', in the catalog or "
        "in the file: the product was imported without a substitute; correct the SKU and "
        "import the row again"
    ]
    assert Product.objects.get().substitute is None


def test_a_new_unit_becomes_primary_and_rule_prices_follow_a_changed_weight(
    tmp_path, catalog, django_capture_on_commit_callbacks
):
    run_import(
        write(tmp_path, "p.csv", "sku,name,unit,weight_kg\nFS-1,Screws,item,2\n"),
        entity="products",
    )
    by_weight = factories.price_list("By weight")
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(price_list=by_weight, name="5 a kg", formula="product.weight_kg * 5")
        )
    assert Price.objects.get(price_list=by_weight).value == Decimal("10.00")

    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(
            write(tmp_path, "p2.csv", "sku,unit,precision,weight_kg\nFS-1,kg,3,3\n"),
            entity="products",
        )

    assert counts(report, "products") == (0, 1, 0, 0)
    assert unit_rows() == [("FS-1", "kg", True, 3, Decimal(1), True, None, None, None)]
    price = Price.objects.get(price_list=by_weight)
    assert (price.unit.code, price.value) == ("kg", Decimal("15.00"))


def test_units_import_and_export(tmp_path):
    factories.unit("item")
    text = "code,label,precision\nm,metre,2\nITEM,piece,\n"

    report = run_import(write(tmp_path, "units.csv", text), entity="units")

    assert counts(report, "units") == (1, 1, 0, 0)
    assert list(Unit.objects.values_list("code", "label", "default_precision")) == [
        ("item", "piece", 0),
        ("m", "metre", 2),
    ]
    assert exported(tmp_path, "units") == "code,label,precision\r\nitem,piece,0\r\nm,metre,2\r\n"


UNITS = (
    "sku,unit,precision,conversion_rate,sellable,min_quantity,max_quantity,quantity_increment\n"
    "FS-1,box,0,1,1,2,,\n"
    "FS-1,kg,,0.125,0,,100,0.5\n"
    "FS-2,item,0,12,1,,,12\n"
)


@pytest.fixture
def products(catalog):
    factories.product("FS-1", unit_code="box", category_name=None)
    factories.product("FS-2", unit_code="kg", precision=3, category_name=None)


def test_product_units_import_with_the_primary_unit_row_and_export_back(tmp_path, products):
    report = run_import(write(tmp_path, "units.csv", UNITS), entity="product_units")

    assert messages(report) == []
    assert counts(report, "product_units") == (2, 1, 0, 0)
    assert unit_rows() == [
        ("FS-1", "box", True, 0, Decimal(1), True, Decimal(2), None, None),
        ("FS-1", "kg", False, 3, Decimal("0.125"), False, None, Decimal(100), Decimal("0.5")),
        ("FS-2", "kg", True, 3, Decimal(1), True, None, None, None),
        ("FS-2", "item", False, 0, Decimal(12), True, None, None, Decimal(12)),
    ]
    assert exported(tmp_path, "product_units") == (
        "sku,unit,precision,conversion_rate,sellable,min_quantity,max_quantity,"
        "quantity_increment\r\n"
        "FS-1,box,0,1,1,2,,\r\n"
        "FS-1,kg,3,0.125,0,,100,0.5\r\n"
        "FS-2,kg,3,1,1,,,\r\n"
        "FS-2,item,0,12,1,,,12\r\n"
    )
    again = run_import(tmp_path / "product_units-export.csv", entity="product_units")
    assert counts(again, "product_units") == (0, 0, 4, 0)


def test_product_units_refused_rows_say_what_to_write(tmp_path, products):
    text = (
        "sku,unit,conversion_rate,min_quantity,max_quantity\n"
        "FS-9,box,2,,\n"
        "FS-1,crate,2,,\n"
        "FS-1,box,6,,\n"
        "FS-1,item,,,\n"
        "FS-2,item,10,5,1\n"
        "FS-2,item,10,,\n"
        "fs-2,ITEM,20,,\n"
    )

    report = run_import(write(tmp_path, "units.csv", text), entity="product_units")

    assert messages(report) == [
        "units.csv:2: column sku: no product has the SKU 'FS-9'; import it with the products "
        "file first",
        "units.csv:3: column unit: unknown unit 'crate'; write one of: box, item, kg",
        "units.csv:4: column conversion_rate: 'box' is the primary unit of SKU 'FS-1': its rate "
        "is 1; write 1, or change the product's unit in the products file first",
        "units.csv:5: column conversion_rate: is empty; write how many primary units of SKU "
        "'FS-1' one 'item' holds",
        "units.csv:6: column max_quantity: the minimum quantity 5 is more than the maximum 1; "
        "write a maximum at least as large as the minimum",
        "units.csv:8: column unit: duplicates line 7, which sets the same unit of the same SKU; "
        "keep one of the two rows",
    ]
    assert list(ProductUnit.objects.filter(is_primary=False).values_list("conversion_rate")) == [
        (Decimal(10),)
    ]


def test_a_partial_product_units_file_keeps_the_other_values(tmp_path, products):
    run_import(write(tmp_path, "units.csv", UNITS), entity="product_units")

    report = run_import(
        write(tmp_path, "min.csv", "sku,unit,min_quantity\nFS-1,kg,8\n"), entity="product_units"
    )

    assert counts(report, "product_units") == (0, 1, 0, 0)
    assert unit_rows()[1] == (
        "FS-1",
        "kg",
        False,
        3,
        Decimal("0.125"),
        False,
        Decimal(8),
        Decimal(100),
        Decimal("0.5"),
    )
