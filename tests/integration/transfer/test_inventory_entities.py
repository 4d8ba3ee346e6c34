"""Imports and exports of stock levels, by SKU and warehouse."""

from decimal import Decimal

import pytest

from comptoir.integration.transfer.runner import run_export, run_import
from comptoir.inventory.models import StockLevel, Warehouse
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


def levels() -> list[tuple]:
    return list(
        StockLevel.objects.order_by("product__sku", "warehouse__code").values_list(
            "product__sku", "warehouse__code", "quantity"
        )
    )


@pytest.fixture
def catalog():
    factories.product("FS-1", unit_code="item", extra_units=(("box", 0, Decimal(12), True),))
    factories.product("ΕΛ-2", unit_code="kg", precision=3)
    Warehouse.objects.create(code="MAIN", name="Main warehouse")


# OroCommerce's inventory file, as exported: SKU,Warehouse,Quantity,Unit.
INVENTORY = (
    "SKU,Warehouse,Quantity,Unit\r\nFS-1,MAIN,120,item\r\nfs-1,East,2,box\r\nΕΛ-2,main,-1.5,\r\n"
)


def test_stock_levels_import_in_primary_units_and_export_back(tmp_path, catalog):
    report = run_import(write(tmp_path, "inventory.csv", INVENTORY), entity="inventory")

    assert messages(report) == []
    assert counts(report, "inventory") == (3, 0, 0, 0)
    assert counts(report, "warehouses") == (1, 0, 0, 0)
    assert levels() == [
        ("FS-1", "East", Decimal(24)),
        ("FS-1", "MAIN", Decimal(120)),
        ("ΕΛ-2", "MAIN", Decimal("-1.5")),
    ]
    path = tmp_path / "export.csv"
    run_export(path, entity="inventory")
    assert path.read_bytes().decode("utf-8") == (
        "sku,warehouse,quantity,unit\r\n"
        "FS-1,East,24,item\r\n"
        "FS-1,MAIN,120,item\r\n"
        "ΕΛ-2,MAIN,-1.5,kg\r\n"
    )
    again = run_import(path, entity="inventory")
    assert counts(again, "inventory") == (0, 0, 3, 0)


def test_the_same_file_twice_and_a_changed_level(tmp_path, catalog):
    path = write(tmp_path, "inventory.csv", INVENTORY)
    run_import(path, entity="inventory")

    same = run_import(path, entity="inventory")
    changed = run_import(
        write(tmp_path, "one.csv", "sku;warehouse;quantity\nFS-1;main;119\n"), entity="inventory"
    )

    assert counts(same, "inventory") == (0, 0, 3, 0)
    assert counts(changed, "inventory") == (0, 1, 0, 0)
    assert levels()[1] == ("FS-1", "MAIN", Decimal(119))


def test_stock_rows_that_cannot_be_imported_say_what_to_write(tmp_path, catalog):
    text = (
        "sku,warehouse,quantity,unit\n"
        "FS-1,MAIN,10,\n"
        "FS-9,MAIN,1,\n"
        "FS-1,EAST,1,kg\n"
        "ΕΛ-2,MAIN,1.2345,\n"
        "FS-1,EAST,0.5,box\n"
        "FS-1,Main,11,\n"
        "FS-1,,1,\n"
        'FS-1,WEST,"1,5",\n'
    )

    report = run_import(write(tmp_path, "inventory.csv", text), entity="inventory")

    assert messages(report) == [
        "inventory.csv:5: column quantity: '1.2345' has more than 3 decimals",
        "inventory.csv:8: column warehouse: is empty",
        "inventory.csv:9: column quantity: '1,5' is not a number; write decimals with a point: "
        "1.5",
        "inventory.csv:3: column sku: no product has the SKU 'FS-9'; import it with the products "
        "file first",
        "inventory.csv:4: column unit: SKU 'FS-1' does not come in 'kg'; write one of its units "
        "(box, item), or leave the unit empty for its primary unit",
        "inventory.csv:7: column warehouse: duplicates line 2, which sets the level of the same "
        "SKU in the same warehouse; keep one of the two rows",
    ]
    assert levels() == [("FS-1", "EAST", Decimal(6)), ("FS-1", "MAIN", Decimal(10))]


def test_an_xlsx_file_with_the_levels_and_validate_only(tmp_path, catalog):
    run_import(write(tmp_path, "inventory.csv", INVENTORY), entity="inventory")
    path = tmp_path / "inventory.xlsx"
    run_export(path, entity="inventory")
    before = levels()
    StockLevel.objects.all().delete()

    checked = run_import(path, entity="inventory", validate_only=True)
    assert (counts(checked, "inventory"), StockLevel.objects.count()) == ((3, 0, 0, 0), 0)
    report = run_import(path, entity="inventory")

    assert messages(report) == []
    assert levels() == before
