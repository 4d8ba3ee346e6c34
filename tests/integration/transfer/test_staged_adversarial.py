"""Files an integrator gets wrong, imported row by row and staged (``transfer.staging``): the
staged path must write, count and report exactly what the row-by-row path does; a few cases
also check what both paths do with values that once read wrong."""

from decimal import Decimal

import pytest
from django.db import connection

from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.transfer.entities import price_staging, product_staging
from comptoir.integration.transfer.files import TableWriter
from comptoir.integration.transfer.runner import run_import
from tests import factories
from tests.integration.oro_layout import product_row, write_csv, write_oro_dir
from tests.integration.transfer.test_staged_imports import (
    both_ways,
    prices_state,
    products_state,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="files are staged on PostgreSQL only"
    ),
]

PRICE_COLUMNS = ["price_list", "sku", "unit", "quantity", "price", "currency"]
DUPLICATE = (
    "column sku: duplicates line {}, which prices the same SKU in the same unit from the same "
    "quantity on the same list; keep one of the two rows"
)


@pytest.fixture
def catalog():
    """FS-1 (item, and box of 12), FS-2 (kg), FS-I, a SKU of 64 characters and FS-3 priced
    3.00 on Default (USD); a Euro list (EUR)."""
    factories.product("FS-1", unit_code="item", extra_units=(("box", 0, Decimal(12), True),))
    factories.product("FS-2", unit_code="kg", precision=3)
    factories.product("FS-I", unit_code="item")
    factories.product("L" * 64, unit_code="item")
    default = factories.price_list("Default", "USD")
    factories.price_list("Euro", "EUR")
    factories.price(default, factories.product("FS-3", unit_code="item"), "3.00")


def import_prices(path, **options):
    return lambda: run_import(path, entity="prices", **options)


UNUSUAL_PRICES = [
    # SKUs padded with exotic spaces, in another case, in a unicode case form, at the limit.
    ["Default", "\u00a0FS-1\u3000", "item", "1", "10", "USD"],
    ["default ", "fs-1", "Box", "١٢", "12", "USD"],
    ["DEFAULT", "FS-1", "ITEM", " 2 ", " 11.5 ", " usd"],
    ["Default", "fs-ı", "item", "1", "4", "USD"],
    ["Default", "l" * 64, "", "", "64", ""],
    ["Default", " " + "L" * 64 + " ", "item", "2", "64.5", ""],
    ["Default", "L" * 65, "item", "1", "1", ""],
    # Numbers with a sign, a lone point or an exponent, and at the limits of their columns.
    ["Default", "FS-1", "item", "+5", "13", "USD"],
    ["Default", "FS-1", "item", "6", "+14", "USD"],
    ["Default", "FS-1", "item", "7", ".5", "USD"],
    ["Default", "FS-1", "item", "8", "5.", "USD"],
    ["Default", "FS-1", "item", "9", "1e3", "USD"],
    ["Default", "FS-1", "item", "10.", "1", "USD"],
    ["Default", "FS-1", "item", ".25", "1", "USD"],
    ["Default", "FS-2", "kg", "0", "0", "USD"],
    ["Default", "FS-2", "KG", "00000000001", "000000000000001.0000", "USD"],
    ["Default", "FS-2", "kg", "2.5000", "1", "USD"],
    ["Default", "FS-2", "kg", "3", "1.00001", "USD"],
    ["Default", "FS-2", "kg", "100000000000", "1", "USD"],
    ["Default", "FS-2", "kg", "4", "1000000000000000", "USD"],
    # One price in four forms that read the same: the first is written, the others refused.
    ["Default", "FS-2", "kg", "5", "1", "USD"],
    ["Default", "fs-2", "KG", " 5", "2", "USD"],
    ["Default", "FS-2", "kg", "5.000", "3", "USD"],
    ["Default", "FS-2", "kg", "05", "4", "USD"],
    # Units, lists and currencies that do not fit, quoted newlines, backslashes and a NUL.
    ["Default", "FS-2", "item", "6", "1", "USD"],
    ["Default", "FS-2", "kg", "7", "1", "EUR"],
    ["Euro", "FS-2", "kg", "7", "1", "eur"],
    ["Default\tB", "FS-2", "kg", "8", "1", "USD"],
    ["Default", "FS-2", "k\\g", "9", "1", "USD"],
    ["Default", "FS\\2", "kg", "10", "1", "USD"],
    ["Default", "FS-2", "kg", "11", "1\n2", "USD"],
    ["Default", "FS-2", "kg", "12", "-1", "USD"],
    ["Default", "FS-2", "kg", "13", "1", "US\x00D"],
    # The price already there, unchanged.
    ["Default", "FS-3", "", "1", "3.0000", ""],
]


@pytest.mark.parametrize("all_or_nothing", [False, True])
def test_a_price_file_in_unusual_forms_is_staged_as_it_is_imported_row_by_row(
    tmp_path, monkeypatch, catalog, all_or_nothing
):
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, UNUSUAL_PRICES)

    rows, staged, in_sql = both_ways(
        monkeypatch, import_prices(path, all_or_nothing=all_or_nothing), prices_state
    )

    assert staged == rows
    # Only plain records of products that no record in an unusual form names are written in
    # SQL: the others go row by row with that record, in the file's order.
    assert in_sql == 3
    assert rows["counts"]["prices"] == (17, 0, 1, 16)
    assert f"prices.csv:23: {DUPLICATE.format(22)}" in rows["problems"]
    assert f"prices.csv:25: {DUPLICATE.format(22)}" in rows["problems"]
    assert (
        "prices.csv:35: column currency: holds a NUL character (\\x00), which cannot be "
        "stored; remove it" in rows["problems"]
    )
    if all_or_nothing:
        assert rows["state"]["prices"] == [
            ("Default", "FS-3", "item", Decimal(1), Decimal(3), "manual")
        ]


@pytest.mark.parametrize(
    "options",
    [{}, {"all_or_nothing": True}, {"validate_only": True}],
    ids=["plain", "all_or_nothing", "validate_only"],
)
def test_a_reset_written_partly_in_sql_removes_only_what_the_file_does_not_name(
    tmp_path, monkeypatch, catalog, options
):
    path = write_csv(
        tmp_path / "prices.csv",
        PRICE_COLUMNS,
        [
            ["Default", "\u00a0FS-1", "item", "1", "4", "USD"],
            ["Default", "FS-1", "item", "2", "+3", "USD"],
            ["Default", "FS-1", "box", "1", "40", "USD"],
            ["Default", "FS-2", "", "", "7", ""],
        ],
    )

    rows, staged, in_sql = both_ways(
        monkeypatch, import_prices(path, options={"mode": "reset"}, **options), prices_state
    )

    assert staged == rows
    # FS-2's: FS-1's prices go row by row with the one whose SKU holds a no-break space.
    assert in_sql == 1
    assert rows["counts"]["prices"] == (4, 0, 0, 0)
    assert rows["problems"] == [
        "prices.csv: mode reset: 1 prices of 'Default' that the file does not name were removed"
    ]
    if not options.get("validate_only"):
        assert [price[1:5] for price in rows["state"]["prices"]] == [
            ("FS-1", "box", Decimal(1), Decimal(40)),
            ("FS-1", "item", Decimal(1), Decimal(4)),
            ("FS-1", "item", Decimal(2), Decimal(3)),
            ("FS-2", "kg", Decimal(1), Decimal(7)),
        ]


@pytest.mark.parametrize("kind", ["xlsx", "csv with semicolons and a byte-order mark"])
def test_a_staged_workbook_or_semicolon_file_writes_what_rows_do(
    tmp_path, monkeypatch, catalog, kind
):
    prices = [
        ["Default", " FS-1 ", "item", "1", "4", "USD"],
        ["Default", "fs-1", "box", "1.000", "40", "usd"],
        ["Default", "FS-2", "", "", "7", ""],
        ["Default", "FS-2", "kg", "1", "7,5", ""],
        ["Default", "FS-2", "kg", "2", "+7.5", ""],
    ]
    if kind == "xlsx":
        path = tmp_path / "prices.xlsx"
        with TableWriter(path, PRICE_COLUMNS) as writer:
            for price in prices:
                writer.write(dict(zip(PRICE_COLUMNS, price, strict=True)))
    else:
        path = tmp_path / "prices.csv"
        lines = [PRICE_COLUMNS, *([f'"{value}"' for value in price] for price in prices)]
        text = "".join(";".join(line) + "\r\n" for line in lines)
        path.write_bytes(text.encode("utf-8-sig"))

    rows, staged, in_sql = both_ways(monkeypatch, import_prices(path), prices_state)

    assert staged == rows
    assert in_sql == 2
    assert rows["counts"]["prices"] == (4, 0, 0, 1)
    assert rows["problems"] == [
        f"{path.name}:5: column price: '7,5' is not a number; write decimals with a point: 7.5"
    ]


def test_prices_of_more_units_than_staging_resolves_all_go_row_by_row(
    tmp_path, monkeypatch, catalog
):
    """Past ``MAX_DISTINCT`` list names or units, SQL resolves nothing: rows do it all."""
    monkeypatch.setattr(price_staging, "MAX_DISTINCT", 1)
    path = write_csv(
        tmp_path / "prices.csv",
        PRICE_COLUMNS,
        [
            ["Default", "FS-1", "item", "1", "4", "USD"],
            ["Default", "FS-1", "box", "1", "40", "USD"],
        ],
    )

    rows, staged, in_sql = both_ways(monkeypatch, import_prices(path), prices_state)

    assert staged == rows
    assert in_sql == 0
    assert rows["counts"]["prices"] == (2, 0, 0, 0)


@pytest.mark.parametrize(
    "first",
    [
        ["Default", "\u00a0FS-1", "item", "1", "4", "USD"],
        ["Default", "FS-1", "item", "1.0000", "4", "USD"],
        ["Default", "FS-1", "item", "1", "+4", "USD"],
        ["Default", "fs-ı", "item", "1", "4", "USD"],
    ],
    ids=["no-break space", "four decimals", "sign", "dotless i"],
)
def test_a_price_named_again_in_plain_form_is_refused_on_the_later_line(
    tmp_path, monkeypatch, catalog, first
):
    sku = "FS-I" if "ı" in first[1] else "FS-1"
    path = write_csv(
        tmp_path / "prices.csv",
        PRICE_COLUMNS,
        [first, ["Default", sku, "item", "1", "5", "USD"]],
    )

    rows, staged, _ = both_ways(monkeypatch, import_prices(path), prices_state)

    assert rows["problems"] == [f"prices.csv:3: {DUPLICATE.format(2)}"]
    assert staged == rows


def test_a_record_with_a_nul_keeps_its_other_values_as_they_are(tmp_path, monkeypatch, catalog):
    path = write_csv(
        tmp_path / "prices.csv",
        PRICE_COLUMNS,
        [["Default", "FS-\ufffe1", "item", "1", "4\x00", "USD"]],
    )

    rows, staged, _ = both_ways(monkeypatch, import_prices(path), prices_state)

    assert rows["problems"] == ["prices.csv:2: column price: '4\x00' is not a number"]
    assert staged == rows


def test_a_quantity_of_spaces_is_read_as_an_empty_one(tmp_path, monkeypatch, catalog):
    blank = write_csv(
        tmp_path / "blank.csv", PRICE_COLUMNS, [["Default", "FS-1", "item", " ", "4", "USD"]]
    )
    empty = write_csv(
        tmp_path / "empty.csv", PRICE_COLUMNS, [["Default", "FS-1", "item", "", "4", "USD"]]
    )

    expected, _, _ = both_ways(monkeypatch, import_prices(empty), prices_state)
    rows, staged, _ = both_ways(monkeypatch, import_prices(blank), prices_state)

    assert staged == rows
    assert rows["state"] == expected["state"]


def test_a_price_of_a_sku_with_a_sharp_s_is_written(tmp_path, monkeypatch):
    factories.product("FS-ß", unit_code="item")
    factories.price_list("Default", "USD")
    path = write_csv(
        tmp_path / "prices.csv", PRICE_COLUMNS, [["Default", "FS-ß", "item", "1", "4", "USD"]]
    )

    rows, staged, _ = both_ways(monkeypatch, import_prices(path), prices_state)

    assert staged == rows
    assert rows["problems"] == []
    assert [price[1:5] for price in rows["state"]["prices"]] == [
        ("FS-ß", "item", Decimal(1), Decimal(4))
    ]


def orocommerce_dir(tmp_path, products):
    """A directory priced by its own price file, so that its products file is staged."""
    directory = write_oro_dir(tmp_path, products)
    write_csv(
        tmp_path / layouts.PRICES_FILE,
        ["Product SKU", "Quantity", "Unit Code", "Price", "Currency"],
        [["P-1", "1", "item", "10", "USD"]],
    )
    return directory


def products_problems(report_problems: list[str]) -> list[str]:
    return [
        problem
        for problem in report_problems
        if problem.startswith(f"{layouts.PRODUCTS.file_name}:")
    ]


def test_a_staged_orocommerce_products_file_in_unusual_forms_writes_what_rows_do(
    tmp_path, monkeypatch
):
    factories.unit("item")
    factories.unit("set")
    factories.product("OLD-1", name="Old name", unit_code="item", category_name=None)
    factories.product("OLD-2", name="Cordless drill OLD-2", unit_code="set", category_name=None)
    factories.product("OLD-3", name="Cordless drill OLD-3", unit_code="item", precision=2)
    products = [
        product_row("P-1", name="\u00a0Drill\u2003one\u3000"),
        product_row("P-2", category=" drill "),
        product_row("P-3", category="DRILLS"),
        product_row("P-4", category="Dri lls"),
        product_row("P-5", category="drill"),
        product_row("P-6", brand_id="01"),
        product_row("P-7", brand_id="+1"),
        product_row("P-8", brand_id="0"),
        product_row("P-9", precision="03"),
        product_row("P-10", featured=" 1 "),
        product_row("P-11", featured="\t1"),
        product_row("P-12", brand_id="\u00a01"),
        product_row("OLD-2", unit="item"),
        product_row("old-3", precision=""),
        product_row("OLD-1", precision="1", unit="ITEM"),
        product_row("P-13", name="x" * 256),
        product_row("P-14", name=" " + "x" * 255 + " "),
        product_row("P-15", description="line\nbreak\\back"),
        product_row("P-16", price=".5", MSRP="5.", MAP="+1"),
        product_row("P-17", unit=""),
        product_row("P-18", precision="4"),
        product_row("  ", name="Blank SKU"),
    ]
    directory = orocommerce_dir(tmp_path, products)

    rows, staged, in_sql = both_ways(
        monkeypatch, lambda: import_oro_directory(directory), products_state
    )

    assert staged == rows
    # P-1, P-10, P-12, P-14, P-15, old-3 and OLD-1, and the price of the price file; the
    # description of P-15 holds a newline, so the lines after it are one further.
    assert in_sql == 8
    assert rows["counts"]["products"] == (14, 3, 0, 5)
    assert products_problems(rows["problems"]) == [
        "ProductBundle__products.csv:17: column name: is 256 characters long; at most 255 fit",
        "ProductBundle__products.csv:22: column unit: is empty",
        "ProductBundle__products.csv:23: column precision: '4' must be at least 0 and at most 3",
        "ProductBundle__products.csv:24: column sku: is empty",
        "ProductBundle__products.csv:3: column category: 'drill' is taken as the category "
        "'Drills'",
        "ProductBundle__products.csv:4: column category: 'DRILLS' is taken as the category "
        "'Drills'",
        "ProductBundle__products.csv:5: column category: 'Dri lls' is taken as the category "
        "'Drills'",
        "ProductBundle__products.csv:9: column brand_id: '0' must be at least 1",
    ]


@pytest.mark.parametrize(
    "first",
    [
        product_row("\u00a0P-1", name="First"),
        product_row("P-1", name="First", precision="03"),
        product_row("P-1", name="First", brand_id="01"),
        product_row("OLD-2", name="First", unit="item"),
    ],
    ids=["no-break space", "precision 03", "brand 01", "new primary unit"],
)
def test_a_sku_named_again_in_plain_form_is_refused_on_the_later_line(
    tmp_path, monkeypatch, first
):
    factories.unit("item")
    factories.unit("set")
    factories.product("OLD-2", name="Cordless drill OLD-2", unit_code="set", category_name=None)
    sku = first["sku"].strip()
    second = product_row(sku.lower(), name="Second", unit="set" if sku == "OLD-2" else "item")
    directory = orocommerce_dir(tmp_path, [first, second])

    rows, staged, _ = both_ways(
        monkeypatch, lambda: import_oro_directory(directory), products_state
    )

    assert products_problems(rows["problems"]) == [
        f"ProductBundle__products.csv:3: column sku: duplicates SKU '{sku}' on line 2"
    ]
    assert staged == rows


def test_products_of_more_categories_than_staging_resolves_all_go_row_by_row(
    tmp_path, monkeypatch
):
    """``MAX_DISTINCT`` at 1 stands for a large file with more than 10,000 categories."""
    monkeypatch.setattr(product_staging, "MAX_DISTINCT", 1)
    factories.unit("item")
    directory = orocommerce_dir(
        tmp_path, [product_row("P-1", category="Drills"), product_row("P-2", category="Saws")]
    )

    rows, staged, in_sql = both_ways(
        monkeypatch, lambda: import_oro_directory(directory), products_state
    )

    assert staged == rows
    assert rows["counts"]["products"] == (2, 0, 0, 0)


def test_an_orocommerce_row_of_a_sku_with_a_sharp_s_updates_its_product(tmp_path, monkeypatch):
    factories.unit("item")
    factories.product("FS-ß", name="Old name", unit_code="item", category_name=None)
    directory = orocommerce_dir(tmp_path, [product_row("FS-ß", name="New name")])

    rows, staged, _ = both_ways(
        monkeypatch, lambda: import_oro_directory(directory), products_state
    )

    assert staged == rows
    assert [product[:2] for product in rows["state"]] == [("FS-ß", "New name")]
