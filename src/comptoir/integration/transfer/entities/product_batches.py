"""Products written a batch at a time, in a few statements whatever the batch's size.

``check_products`` looks a batch up in one query and refuses the rows that cannot be written;
``write_products`` writes the others: new products with COPY on PostgreSQL, changed ones
through one UPDATE. The SKUs a run has met are kept in the database (``SeenKeys``), not in
memory. The products entity and the OroCommerce import both write through them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, DecimalField
from django.utils import timezone

from comptoir.catalog.models import Product, ProductUnit, Unit, normalize_sku
from comptoir.core.quantities import plain
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
)
from comptoir.integration.transfer.base import ImportRun, Row
from comptoir.integration.transfer.bulk import (
    Rebuilds,
    SeenKeys,
    adapt_datetime,
    as_text,
    fetch_in,
    insert_rows,
    next_ids,
    update_rows,
)

PRODUCT_TABLE = Product._meta.db_table
UNIT_TABLE = ProductUnit._meta.db_table

# The fields a products row may set besides its references, by column.
PRODUCT_FIELDS = {
    "name": "name",
    "description": "description",
    "information": "information",
    "specifications": "specifications",
    "enabled": "is_enabled",
    "featured": "is_featured",
    "new_arrival": "is_new_arrival",
    "weight_kg": "weight_kg",
}


def find_products(keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The id and SKU of each product whose SKU, compared as ``normalize_sku`` does, is one of
    ``keys``."""
    rows = fetch_in(
        f"SELECT UPPER(sku), id, sku FROM {PRODUCT_TABLE} WHERE UPPER(sku) {{in_values}}",
        set(keys),
    )
    return {key: (pk, sku) for key, pk, sku in rows}


def units_by_code(product_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, Decimal]]]:
    """The units of each product as (unit id, conversion rate) by lower-case code, the primary
    unit also under ""."""
    rows = fetch_in(
        f"SELECT pu.product_id, pu.unit_id, unit.code, {as_text('pu.conversion_rate')}, "
        f"pu.is_primary FROM {UNIT_TABLE} AS pu JOIN {Unit._meta.db_table} AS unit "
        "ON unit.id = pu.unit_id WHERE pu.product_id {in_values}",
        set(product_ids),
    )
    units: dict[int, dict[str, tuple[int, Decimal]]] = {}
    for product_id, unit_id, code, rate, is_primary in rows:
        sold = units.setdefault(product_id, {})
        sold[code.lower()] = (unit_id, Decimal(rate))
        if is_primary:
            sold[""] = (unit_id, Decimal(rate))
    return units


def number_text(value: Decimal | None) -> str:
    """A stored number as an export writes it: 12.5 for 12.5000, never in exponent form."""
    return "" if value is None else str(plain(value))


@dataclass
class ProductChange:
    """What a row sets on the product ``sku``: the fields it has (by attribute name, foreign
    keys as ids), and its primary unit and that unit's precision (None: kept as they are; a
    new product needs a unit, and takes the unit's default precision)."""

    sku: str
    values: dict[str, Any]
    unit: Unit | None = None
    precision: int | None = None


@dataclass
class PlannedProduct:
    """A row that ``check_products`` accepted, and what writing it does."""

    row: Row
    change: ProductChange
    key: str
    # None for a product to create, until it is written.
    product_id: int | None = None
    is_new: bool = False
    # The product's values the row changes, with their new values.
    changes: dict[str, Any] = field(default_factory=dict)
    # The product's primary unit as it is: (product unit id, unit id, precision).
    primary: tuple[int, int, int] | None = None
    new_unit: Unit | None = None
    new_precision: int | None = None

    @property
    def status(self) -> UpsertStatus:
        if self.is_new:
            return CREATED
        if self.changes or self.new_unit is not None or self.new_precision is not None:
            return UPDATED
        return UNCHANGED


def check_products(
    run: ImportRun, items: list[tuple[Row, ProductChange]], *, seen: SeenKeys
) -> list[PlannedProduct]:
    """Look up the products of a batch and refuse, row by row, those that cannot be written:
    a SKU an accepted row named earlier in the file, a new product without a name or a unit."""
    keys = [normalize_sku(change.sku) for _, change in items]
    loaded = sorted({name for _, change in items for name in change.values})
    existing = _current_products(keys, loaded)
    # A SKU accepted earlier in the run was written: only SKUs in the catalog can be repeats.
    earlier = seen.earlier(key for key in keys if key in existing)
    primaries = {
        product_id: (pk, unit_id, precision)
        for pk, product_id, unit_id, precision in fetch_in(
            f"SELECT id, product_id, unit_id, precision FROM {UNIT_TABLE} "
            "WHERE is_primary AND product_id {in_values}",
            [pk for pk, _ in existing.values()],
        )
    }

    planned: list[PlannedProduct] = []
    in_batch: dict[str, tuple[int, str]] = {}
    for (row, change), key in zip(items, keys, strict=True):
        first = earlier.get(key) or in_batch.get(key)
        if first is not None:
            run.refuse(row, f"duplicates SKU '{first[1]}' on line {first[0]}", column="sku")
            continue
        found = existing.get(key)
        if found is None and not change.values.get("name"):
            run.refuse(row, "a new product needs a name: fill the name column", column="name")
            continue
        if found is None and change.unit is None:
            run.refuse(
                row,
                "a new product needs its unit: write the code of the unit it is sold in",
                column="unit",
            )
            continue
        in_batch[key] = (row.line, change.sku)
        if found is None:
            planned.append(PlannedProduct(row=row, change=change, key=key, is_new=True))
        else:
            planned.append(_planned_change(row, change, key, found, primaries))
    return planned


def _planned_change(
    row: Row,
    change: ProductChange,
    key: str,
    found: tuple[int, dict[str, Any]],
    primaries: dict[int, tuple[int, int, int]],
) -> PlannedProduct:
    """What ``change`` does to the product in the catalog ``found`` (its id and values)."""
    product_id, current = found
    item = PlannedProduct(
        row=row,
        change=change,
        key=key,
        product_id=product_id,
        changes={name: value for name, value in change.values.items() if current[name] != value},
        primary=primaries.get(product_id),
    )
    unit_id = None if item.primary is None else item.primary[1]
    if change.unit is not None and change.unit.pk != unit_id:
        item.new_unit = change.unit
        item.new_precision = (
            change.unit.default_precision if change.precision is None else change.precision
        )
    elif (
        change.precision is not None
        and item.primary is not None
        and item.primary[2] != change.precision
    ):
        item.new_precision = change.precision
    return item


def _current_products(keys: list[str], names: list[str]) -> dict[str, tuple[int, dict]]:
    """The id and the values of fields ``names`` of the products whose SKU keys are ``keys``."""
    fields = [Product._meta.get_field(name) for name in names]
    columns = [
        as_text(f.column) if isinstance(f, DecimalField) else connection.ops.quote_name(f.column)
        for f in fields
    ]
    rows = fetch_in(
        f"SELECT {', '.join(['id', 'UPPER(sku)', *columns])} FROM {PRODUCT_TABLE} "
        "WHERE UPPER(sku) {in_values}",
        keys,
    )
    found = {}
    for pk, key, *values in rows:
        current = {}
        for f, value in zip(fields, values, strict=True):
            if isinstance(f, DecimalField) and value is not None:
                value = Decimal(value)
            elif isinstance(f, BooleanField):
                value = bool(value)
            current[f.attname] = value
        found[key] = (pk, current)
    return found


def write_products(
    run: ImportRun, planned: list[PlannedProduct], *, seen: SeenKeys, rebuilds: Rebuilds | None
) -> None:
    """Write the rows ``check_products`` accepted and count each; set their ``product_id``."""
    now = timezone.now()
    new = [item for item in planned if item.is_new]
    if new:
        _insert_new_products(new, now)
    # Rows of one file set the same fields; a row whose substitute comes later sets one less.
    by_fields: dict[tuple[str, ...], list[PlannedProduct]] = {}
    for item in planned:
        if item.changes:
            by_fields.setdefault(tuple(sorted(item.change.values)), []).append(item)
    for names, changed in by_fields.items():
        model_fields = [Product._meta.get_field(name) for name in (*names, "updated_at")]
        update_rows(
            Product._meta.db_table,
            [f.column for f in model_fields],
            [
                (
                    item.product_id,
                    *(item.change.values[name] for name in names),
                    adapt_datetime(now),
                )
                for item in changed
            ],
            types=[f.db_type(connection) for f in model_fields],
        )
    precisions = []
    for item in planned:
        if item.new_unit is not None:
            _replace_primary_unit(item.product_id, item.new_unit, item.new_precision)
        elif item.new_precision is not None:
            precisions.append((item.primary[0], item.new_precision))
    precision_field = ProductUnit._meta.get_field("precision")
    update_rows(
        ProductUnit._meta.db_table,
        ["precision"],
        precisions,
        types=[precision_field.db_type(connection)],
    )

    seen.add([(item.key, item.row.line, item.change.sku) for item in planned])
    if rebuilds is not None:
        rebuilds.product_changed(item.product_id for item in planned if item.status != UNCHANGED)
    for item in planned:
        run.done(item.row, item.status, entity="products")


def _insert_new_products(new: list[PlannedProduct], now: datetime) -> None:
    fields = [f for f in Product._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["created_at"] = defaults["updated_at"] = adapt_datetime(now)
    ids = next_ids(PRODUCT_TABLE, len(new))
    rows = [
        tuple({**defaults, **item.change.values, "sku": item.change.sku}.values()) for item in new
    ]
    if ids is None:
        insert_rows(PRODUCT_TABLE, [f.column for f in fields], rows)
        found = find_products(item.key for item in new)
        ids = [found[item.key][0] for item in new]
    else:
        columns = ["id", *(f.column for f in fields)]
        insert_rows(
            PRODUCT_TABLE, columns, [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        )
    for item, pk in zip(new, ids, strict=True):
        item.product_id = pk
    unit_fields = [f for f in ProductUnit._meta.concrete_fields if not f.primary_key]
    primary = {f.attname: f.get_default() for f in unit_fields}
    primary.update(conversion_rate=Decimal(1), is_primary=True, is_sellable=True)
    insert_rows(
        UNIT_TABLE,
        [f.column for f in unit_fields],
        [
            tuple(
                {
                    **primary,
                    "product_id": item.product_id,
                    "unit_id": item.change.unit.pk,
                    "precision": item.change.unit.default_precision
                    if item.change.precision is None
                    else item.change.precision,
                }.values()
            )
            for item in new
        ],
    )


def _replace_primary_unit(product_id: int, unit: Unit, precision: int) -> None:
    """Make ``unit`` the primary unit of the product, as ``catalog.services.upsert_product``
    does: the old primary unit goes (the other units' rates were relative to it)."""
    units = list(
        ProductUnit.objects.select_for_update().filter(product_id=product_id).order_by("pk")
    )
    primary = next((pu for pu in units if pu.is_primary), None)
    if primary is not None:
        # Deleted before the new one is marked: a product has one primary unit at a time.
        primary.delete()
    wanted = {
        "precision": precision,
        "conversion_rate": Decimal(1),
        "is_primary": True,
        "is_sellable": True,
    }
    existing = next((pu for pu in units if pu.unit_id == unit.pk), None)
    if existing is not None:
        save_changes(existing, assign_changes(existing, wanted))
    else:
        ProductUnit.objects.create(product_id=product_id, unit=unit, **wanted)
