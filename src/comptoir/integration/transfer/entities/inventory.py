"""Inventory entities: the stock level of each product in each warehouse, as the ERP counts it.

A level is set, not added to: the file says how much a warehouse holds. A warehouse code not
known yet makes a new warehouse (the ERP names them, as in its stock-level endpoint). Levels are
kept in the product's primary unit; a row in another unit of the product is converted by that
unit's conversion rate.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from comptoir.catalog.models import ProductUnit, normalize_sku
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.bulk import SeenKeys, adapt_datetime, insert_rows, update_rows
from comptoir.integration.transfer.entities.product_batches import (
    find_products,
    number_text,
    units_by_code,
)
from comptoir.integration.transfer.registry import register
from comptoir.inventory.models import StockLevel, Warehouse
from comptoir.inventory.services import MAX_QUANTITY


@dataclass
class StockRow:
    sku: str
    warehouse: str
    quantity: Decimal
    unit: str


@register
class Inventory(Entity):
    name = "inventory"
    label = "Inventory levels"
    key = ("sku", "warehouse")
    batch_size = 10_000
    columns = (
        Column("sku", "The SKU of a product in the catalog.", "FS-1102", required=True),
        Column(
            "warehouse",
            "The warehouse's code; a code not known yet makes a new warehouse.",
            "MAIN",
            required=True,
        ),
        Column(
            "quantity",
            "How much the warehouse holds, in the row's unit; below 0 for a backorder.",
            "120",
            required=True,
        ),
        Column(
            "unit",
            "The unit of the quantity; empty: the product's primary unit, in which levels are "
            "kept (another unit is converted by its conversion rate).",
            "item",
        ),
    )

    def start(self, run: ImportRun) -> None:
        run.state["seen"] = seen = SeenKeys(self.name)
        seen.start()

    def parse(self, fields: Fields, run: ImportRun) -> StockRow:
        return StockRow(
            sku=fields.text("sku", required=True, max_length=64),
            warehouse=fields.text("warehouse", required=True, max_length=30),
            quantity=fields.decimal(
                "quantity", required=True, negative=True, max_decimals=3, max_digits=14
            ),
            unit=fields.text("unit").lower(),
        )

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        seen: SeenKeys = run.state["seen"]
        products = find_products(normalize_sku(row.data.sku) for row in rows)
        units = units_by_code(pk for pk, _ in products.values())
        levels = []
        for row in rows:
            data: StockRow = row.data
            product = products.get(normalize_sku(data.sku))
            if product is None:
                run.refuse(
                    row,
                    f"no product has the SKU '{data.sku}'; import it with the products file first",
                    column="sku",
                )
                continue
            sold = units.get(product[0], {})
            unit = sold.get(data.unit)
            if unit is None:
                run.refuse(
                    row,
                    f"SKU '{product[1]}' does not come in '{data.unit}'; write one of its units "
                    f"({', '.join(sorted(code for code in sold if code))}), or leave the unit "
                    "empty for its primary unit",
                    column="unit",
                )
                continue
            quantity = data.quantity * unit[1]
            if -quantity.normalize().as_tuple().exponent > 3 or abs(quantity) >= MAX_QUANTITY:
                run.refuse(
                    row,
                    f"{number_text(data.quantity)} '{data.unit}' is {quantity.normalize():f} "
                    "in the primary unit, which does not fit 3 decimals below 100,000,000,000; "
                    "write the quantity in the primary unit",
                    column="quantity",
                )
                continue
            key = f"{product[0]}|{data.warehouse.lower()}"
            levels.append((row, product[0], data.warehouse, quantity, key))

        warehouses = _known_warehouses({warehouse for _, _, warehouse, _, _ in levels})
        current = {
            (product_id, warehouse_id): (pk, quantity)
            for pk, product_id, warehouse_id, quantity in StockLevel.objects.select_for_update()
            .filter(product_id__in={product_id for _, product_id, _, _, _ in levels})
            .order_by("pk")
            .values_list("pk", "product_id", "warehouse_id", "quantity")
        }
        # A level accepted earlier in the run was written: only levels there can be repeats.
        earlier = seen.earlier(
            key
            for _, product_id, warehouse, _, key in levels
            if (product_id, warehouses.get(warehouse.lower())) in current
        )
        in_batch: dict[str, tuple[int, str]] = {}
        accepted = []
        for row, product_id, warehouse, quantity, key in levels:
            first = earlier.get(key) or in_batch.get(key)
            if first is not None:
                run.refuse(
                    row,
                    f"duplicates line {first[0]}, which sets the level of the same SKU in the "
                    "same warehouse; keep one of the two rows",
                    column="warehouse",
                )
                continue
            in_batch[key] = (row.line, "")
            accepted.append((row, product_id, warehouse, quantity))

        for row, _, warehouse, _ in accepted:
            if warehouse.lower() not in warehouses:
                warehouses[warehouse.lower()] = Warehouse.objects.create(
                    code=warehouse, name=warehouse
                ).pk
                run.done(row, CREATED, entity="warehouses")
        now = adapt_datetime(timezone.now())
        inserts, updates = [], []
        for row, product_id, warehouse, quantity in accepted:
            warehouse_id = warehouses[warehouse.lower()]
            found = current.get((product_id, warehouse_id))
            if found is None:
                inserts.append((product_id, warehouse_id, quantity, now))
                run.done(row, CREATED)
            elif found[1] != quantity:
                updates.append((found[0], quantity, now))
                run.done(row, UPDATED)
            else:
                run.done(row, UNCHANGED)
        table = StockLevel._meta.db_table
        insert_rows(table, ("product_id", "warehouse_id", "quantity", "updated_at"), inserts)
        update_rows(
            table,
            ("quantity", "updated_at"),
            updates,
            types=[
                StockLevel._meta.get_field(name).db_type(connection)
                for name in ("quantity", "updated_at")
            ],
        )
        seen.add([(key, line, label) for key, (line, label) in in_batch.items()])

    def finish(self, run: ImportRun) -> None:
        run.state["seen"].drop()

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        primary = ProductUnit.objects.filter(product=OuterRef("product_id"), is_primary=True)
        levels = (
            StockLevel.objects.annotate(unit=Subquery(primary.values("unit__code")[:1]))
            .order_by("product__sku", "product_id", "warehouse__code")
            .values_list("product__sku", "warehouse__code", "quantity", "unit")
        )
        for sku, warehouse, quantity, unit in levels.iterator(chunk_size=5000):
            yield {
                "sku": sku,
                "warehouse": warehouse,
                "quantity": number_text(quantity),
                "unit": unit or "",
            }


def _known_warehouses(codes: set[str]) -> dict[str, int]:
    """The ids of the warehouses in the catalog that ``codes`` name, by lower-case code."""
    return dict(
        Warehouse.objects.annotate(key=Lower("code"))
        .filter(key__in={code.lower() for code in codes})
        .values_list("key", "pk")
    )
