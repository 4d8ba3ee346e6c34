"""Large files on PostgreSQL are copied into a staging table and written in SQL
(``transfer.staging``); the records SQL cannot vouch for go row by row. What a file writes,
what is counted and every message must be those of the row-by-row path: each test imports
the same file both ways, each in a transaction undone afterwards, and compares."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from comptoir.catalog.models import Product, Unit
from comptoir.core.models import Event
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.transfer import staging
from comptoir.integration.transfer.bulk import insert_rows
from comptoir.integration.transfer.entities import price_staging
from comptoir.integration.transfer.runner import run_import
from comptoir.pricing.models import Price, PriceChange, PriceList, PriceRule
from comptoir.pricing.services import save_price_rule
from tests import factories
from tests.integration.oro_layout import product_row, write_csv, write_oro_dir

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="files are staged on PostgreSQL only"
    ),
]


class _Undo(Exception):
    pass


def both_ways(monkeypatch, run, snapshot):
    """What ``run`` reports and ``snapshot`` finds after it, row by row then staged; and how
    many records the staged run wrote in SQL."""
    # By staged file: what its last count of the records left over leaves to SQL.
    written_in_sql = {}
    counted = staging.StagedFile.count_left_over

    def count_left_over(staged):
        counted(staged)
        written_in_sql[staged.table] = staged.count - staged.left_over

    monkeypatch.setattr(staging.StagedFile, "count_left_over", count_left_over)
    outcomes = []
    for staged_from in (10**9, 1):
        monkeypatch.setattr(staging, "STAGED_FROM", staged_from)
        try:
            with transaction.atomic():
                report = run()
                outcomes.append(
                    {
                        "problems": sorted(str(problem) for problem in report.problems),
                        "counts": {
                            name: (done.created, done.updated, done.unchanged, done.rejected)
                            for name, done in report.counts.items()
                        },
                        "state": snapshot(),
                    }
                )
                raise _Undo
        except _Undo:
            pass
    return outcomes[0], outcomes[1], sum(written_in_sql.values())


def prices_state():
    changed = sorted(
        (
            event.entity_key,
            price["sku"],
            price["unit"],
            price["quantity"],
            price["value"],
        )
        for event in Event.objects.filter(name="price_changed")
        for price in event.payload.get("prices", ())
    )
    return {
        "prices": sorted(
            Price.objects.values_list(
                "price_list__name", "product__sku", "unit__code", "quantity", "value", "source"
            )
        ),
        "history": sorted(
            PriceChange.objects.values_list(
                "price_list_id", "product_id", "unit_id", "quantity", "value", "source"
            )
        ),
        "events": changed,
    }


@pytest.fixture
def catalog(django_capture_on_commit_callbacks):
    """FS-1 (item, and box of 12), FS-2 (kg), FS-É; Default and Wholesale lists, with a price
    of FS-1 already on Default, and a rule pricing Wholesale from Default."""
    fs1 = factories.product("FS-1", unit_code="item", extra_units=(("box", 0, Decimal(12), True),))
    fs2 = factories.product("FS-2", unit_code="kg", precision=3)
    factories.product("FS-É", unit_code="item")
    pl1 = factories.product("PL-1", unit_code="item", extra_units=(("box", 0, Decimal(12), True),))
    pl2 = factories.product("PL-2", unit_code="kg", precision=3)
    default = factories.price_list("Default", "USD")
    wholesale = factories.price_list("Wholesale", "USD")
    factories.price(default, fs1, "10.00", quantity="100")
    factories.price(default, fs2, "7.00")
    factories.price(default, pl1, "10.00", quantity="100")
    factories.price(default, pl2, "7.00")
    with django_capture_on_commit_callbacks(execute=True):
        save_price_rule(
            PriceRule(
                price_list=wholesale, name="-10 %", formula='pricelist["Default"].price * 0.9'
            )
        )


PRICES = [
    # PL-1 and PL-2 are priced in plain records only: written in SQL.
    ["Default", "PL-1", "item", "1", "10.50", "USD"],
    ["Default", " pl-1 ", "", "10", "9.5", ""],
    ["Default", "PL-1", "box", "1", "110", "USD"],
    ["Default", "PL-1", "item", "100", "10.00", "USD"],
    ["default", "PL-2", "KG", "0.5", "4.1234", "usd"],
    ["Default", "PL-2", "kg", "1", "7.5", "USD"],
    # FS-1 and FS-2 have records in unusual forms too: all go row by row, in order.
    ["Default", "FS-1", "item", "1", "10.50", "USD"],
    ["Default", " fs-1 ", "", "10", "9.5", ""],
    ["Default", "FS-1", "box", "1", "110", "USD"],
    ["Default", "FS-1", "item", "100", "10.00", "USD"],
    ["default", "FS-2", "KG", "0.5", "4.1234", "usd"],
    ["Default", "FS-2", "kg", "2", "1.25000", "USD"],
    ["Default", "FS-2", "kg", "3", "1,5", "USD"],
    ["Default", "NOPE", "item", "1", "1", "USD"],
    ["Default", "FS-1", "item", "1", "11", "USD"],
    ["Default", "FS-1", "pallet", "1", "1", "USD"],
    ["Default", "FS-1", "item", "5", "1", "EUR"],
    ["Nowhere", "FS-1", "item", "1", "1", "USD"],
    ["Default", "fs-é", "item", "1", "3", "USD"],
    ["Default", "FS-1", "item", "3", "2\x00", "USD"],
    ["Default", "\tFS-2", "kg", "7", "3", "USD"],
    ["Wholesale", "FS-2", "kg", "1", "5", "USD"],
    ["Default", "FS-2", "kg", "1", "7.5", "USD"],
    ["Default", "FS-1", "item", "-1", "1", "USD"],
    ["Default", "FS-1", "item", "1.0000", "4", "USD"],
]
PRICE_COLUMNS = ["price_list", "sku", "unit", "quantity", "price", "currency"]


@pytest.mark.parametrize("mode", ["replace", "reset"])
def test_a_staged_price_file_writes_and_reports_what_the_row_by_row_path_does(
    tmp_path, monkeypatch, catalog, mode
):
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, PRICES)

    rows, staged, in_sql = both_ways(
        monkeypatch,
        lambda: run_import(path, entity="prices", options={"mode": mode}),
        prices_state,
    )

    assert staged == rows
    assert in_sql == 6
    assert rows["counts"]["prices"] == (11, 2, 2, 10)
    assert (
        "prices.csv:16: column sku: duplicates line 8, which prices the same SKU in the same "
        "unit from the same quantity on the same list; keep one of the two rows"
        in rows["problems"]
    )
    assert any("computed by the rule '-10 %'" in problem for problem in rows["problems"])


def test_a_reset_by_a_staged_file_removes_what_it_does_not_name(tmp_path, monkeypatch, catalog):
    path = write_csv(
        tmp_path / "prices.csv",
        PRICE_COLUMNS,
        [["Default", "FS-1", "item", "1", "10.50", "USD"], ["Default", "FS-2", "", "", "8", ""]],
    )

    rows, staged, in_sql = both_ways(
        monkeypatch,
        lambda: run_import(path, entity="prices", options={"mode": "reset"}),
        prices_state,
    )

    assert staged == rows
    assert in_sql == 2
    assert [price[:5] for price in rows["state"]["prices"] if price[0] == "Default"] == [
        ("Default", "FS-1", "item", Decimal(1), Decimal("10.5")),
        ("Default", "FS-2", "kg", Decimal(1), Decimal(8)),
    ]


def test_a_staged_file_read_only_for_validation_writes_nothing(tmp_path, monkeypatch, catalog):
    monkeypatch.setattr(staging, "STAGED_FROM", 1)
    before = prices_state()
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, PRICES)

    report = run_import(path, entity="prices", validate_only=True)

    assert report.counts["prices"].created == 11
    assert prices_state() == before


def products_state():
    return sorted(
        (
            product.sku,
            product.name,
            product.description,
            product.category.name if product.category else None,
            product.is_featured,
            product.brand.name if product.brand else None,
            *next(
                (unit.unit.code, unit.precision) for unit in product.units.all() if unit.is_primary
            ),
        )
        for product in Product.objects.select_related("category", "brand").prefetch_related(
            "units__unit"
        )
    )


def test_a_staged_orocommerce_products_file_writes_and_reports_what_rows_do(tmp_path, monkeypatch):
    factories.unit("item")
    factories.unit("set")
    factories.product("OLD-1", name="Old name", unit_code="item", category_name=None)
    factories.product("OLD-2", name="Cordless drill OLD-2", unit_code="set", category_name=None)
    products = [
        product_row("P-1"),
        product_row("P-2", name="Cordless drill P-2\t", category="drill"),
        product_row("P-3", category="Drill", featured="1"),
        product_row("p-1", name="Again"),
        product_row("P-4", unit="pallet"),
        product_row("P-5", precision="5"),
        product_row("P-6", featured="yes"),
        product_row("P-7", brand_id="2"),
        product_row("OLD-1", category=""),
        product_row("OLD-2", unit="item"),
        product_row("P-8", name=" Café  ", description="Ünïcode\u3000"),
        product_row("P-9", precision=""),
        product_row("P-10", brand_id=""),
        product_row("P-11", name=""),
        product_row("P-12", MSRP="abc"),
        product_row("P-13", category="Drills", unit=" ITEM "),
    ]
    directory = write_oro_dir(tmp_path, products)
    write_csv(
        tmp_path / layouts.PRICES_FILE,
        ["Product SKU", "Quantity", "Unit Code", "Price", "Currency"],
        [["P-1", "1", "item", "10", "USD"]],
    )

    rows, staged, in_sql = both_ways(
        monkeypatch, lambda: import_oro_directory(directory), products_state
    )

    assert staged == rows
    # OLD-1, P-8, P-9, P-10 and P-13, and the price of the price file.
    assert in_sql == 6
    assert rows["counts"]["products"] == (7, 2, 0, 7)
    assert (
        "ProductBundle__products.csv:5: column sku: duplicates SKU 'P-1' on line 2"
        in (rows["problems"])
    )
    assert (
        "ProductBundle__products.csv:3: column category: 'drill' is taken as the category "
        "'Drills'" in rows["problems"]
    )
    assert PriceList.objects.count() == 0


def test_a_part_the_database_refuses_goes_row_by_row(tmp_path, monkeypatch, catalog):
    """A part whose statements fail (a rebuild wrote a price meanwhile, say) is undone and
    its records go row by row, where each is written or refused with its own message."""
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, PRICES)
    rows, _, _ = both_ways(monkeypatch, lambda: run_import(path, entity="prices"), prices_state)
    monkeypatch.setattr(staging, "STAGED_FROM", 1)
    monkeypatch.setattr(staging, "PART_SIZE", 4)
    write = price_staging.write
    parts = []

    def failing_first(staged, first, last, run):
        parts.append(first)
        if len(parts) == 1:
            write(staged, first, last, run)
            raise IntegrityError("duplicate key value violates unique constraint")
        return write(staged, first, last, run)

    monkeypatch.setattr(price_staging, "write", failing_first)

    with transaction.atomic():
        report = run_import(path, entity="prices")

        assert parts == [1, 5, 9, 13, 17, 21, 25]
        assert sorted(str(problem) for problem in report.problems) == rows["problems"]
        assert prices_state() == rows["state"]


def test_the_progress_of_a_staged_file_counts_up_to_its_records(tmp_path, monkeypatch, catalog):
    monkeypatch.setattr(staging, "STAGED_FROM", 1)
    monkeypatch.setattr(staging, "PART_SIZE", 4)
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, PRICES)
    progress = []

    run_import(path, entity="prices", on_batch=progress.append)

    assert progress == sorted(progress)
    assert progress[-1] == len(PRICES)
    # Parts written in SQL report as they commit, before the rows that go one by one.
    assert progress[0] < len(PRICES)


def test_a_copy_the_database_refuses_is_raised_as_the_orm_raises_it():
    """So that the runner, which catches the ORM's errors, goes row by row to the row at
    fault instead of stopping the import."""
    factories.unit("item")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Unit._meta.db_table, ["code", "label", "default_precision"], [("item", "", 0)])


def test_a_staged_file_leaves_the_settings_of_the_connection_as_they_were(
    tmp_path, monkeypatch, catalog
):
    monkeypatch.setattr(staging, "STAGED_FROM", 1)
    path = write_csv(tmp_path / "prices.csv", PRICE_COLUMNS, PRICES)

    def settings():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('work_mem'), current_setting('enable_nestloop')"
            )
            return cursor.fetchone()

    before = settings()
    report = run_import(path, entity="prices")

    assert report.counts["prices"].created == 11
    assert settings() == before
