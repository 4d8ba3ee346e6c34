"""Writing stock: levels pushed by the ERP, many at once."""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from comptoir.catalog.models import Product, normalize_sku
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, UpsertStatus
from comptoir.inventory.models import StockLevel, Warehouse

logger = logging.getLogger(__name__)

MAX_QUANTITY = Decimal("1e11")


@dataclass(frozen=True)
class StockRow:
    sku: str
    warehouse: str
    quantity: Decimal


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with the row at ``index`` (counting from 0) and in which field."""

    index: int
    field: str
    message: str


def check_stock_rows(rows: list[StockRow]) -> tuple[dict[str, int], list[RowProblem]]:
    """The product id of each SKU named, and every problem of every row (all rows are read,
    so one answer lists them all)."""
    wanted = {normalize_sku(row.sku).upper() for row in rows}
    products = dict(
        Product.objects.annotate(key=Upper("sku")).filter(key__in=wanted).values_list("key", "pk")
    )
    problems = []
    for index, row in enumerate(rows):
        if normalize_sku(row.sku).upper() not in products:
            problems.append(RowProblem(index, "sku", f"unknown SKU '{row.sku.strip()[:64]}'"))
        code = row.warehouse.strip()
        if not code or len(code) > 30 or "\x00" in code:
            problems.append(
                RowProblem(index, "warehouse", "a warehouse code of 1 to 30 characters")
            )
        if not row.quantity.is_finite() or abs(row.quantity) >= MAX_QUANTITY:
            problems.append(RowProblem(index, "quantity", "a number below 100,000,000,000"))
        elif -row.quantity.normalize().as_tuple().exponent > 3:
            problems.append(RowProblem(index, "quantity", "at most 3 decimals"))
    return products, problems


def set_stock_levels(rows: list[StockRow]) -> dict[UpsertStatus, int]:
    """Set each product's level in each warehouse; unknown warehouse codes are created (the
    ERP names them). Call after ``check_stock_rows`` found no problem. A SKU named twice for
    one warehouse takes its last level."""
    products, problems = check_stock_rows(rows)
    if problems:
        raise ValueError("check_stock_rows found problems: fix them first")
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    with transaction.atomic():
        codes = {row.warehouse.strip() for row in rows}
        warehouses = {w.code.lower(): w for w in Warehouse.objects.all()}
        for code in sorted(codes):
            if code.lower() not in warehouses:
                warehouses[code.lower()] = Warehouse.objects.create(code=code, name=code)
        levels = {}
        for row in rows:
            key = (
                products[normalize_sku(row.sku).upper()],
                warehouses[row.warehouse.strip().lower()].pk,
            )
            levels[key] = row.quantity
        existing = {
            (level.product_id, level.warehouse_id): level
            for level in StockLevel.objects.select_for_update()
            .filter(product_id__in={p for p, _ in levels})
            .order_by("pk")
        }
        new, changed, now = [], [], timezone.now()
        for (product_id, warehouse_id), quantity in levels.items():
            level = existing.get((product_id, warehouse_id))
            if level is None:
                new.append(
                    StockLevel(product_id=product_id, warehouse_id=warehouse_id, quantity=quantity)
                )
            elif level.quantity != quantity:
                level.quantity = quantity
                level.updated_at = now
                changed.append(level)
            else:
                counts[UNCHANGED] += 1
        StockLevel.objects.bulk_create(new, batch_size=2000)
        StockLevel.objects.bulk_update(changed, ["quantity", "updated_at"], batch_size=2000)
        counts[CREATED], counts[UPDATED] = len(new), len(changed)
    logger.info("stock levels set: %s", counts)
    return counts
