"""Product entities: products, and the units each comes in.

Products go through ``product_batches``: a batch is looked up and written in a few statements.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import FilteredRelation, Q
from django.db.models.functions import Lower

from comptoir.catalog.models import Brand, Category, Product, ProductUnit, Unit, normalize_sku
from comptoir.core.quantities import plain
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.bulk import Rebuilds, SeenKeys, insert_rows, update_rows
from comptoir.integration.transfer.entities.catalog import MAX_PRECISION
from comptoir.integration.transfer.entities.product_batches import (
    PRODUCT_FIELDS,
    ProductChange,
    check_products,
    find_products,
    number_text,
    write_products,
)
from comptoir.integration.transfer.registry import register
from comptoir.taxes.models import ProductTaxCode


@dataclass
class ProductRow:
    change: ProductChange
    # References by what the file writes; None when the file has no such column.
    category: str | None = None
    brand: str | None = None
    tax_code: str | None = None
    unit: str | None = None
    substitute: str | None = None


@register
class Products(Entity):
    name = "products"
    label = "Products"
    key = ("sku",)
    batch_size = 5000
    columns = (
        Column(
            "sku",
            "The product's code, unique ignoring case and surrounding spaces.",
            "FS-1104",
            required=True,
        ),
        Column("name", "The name buyers see; a new product needs one.", "Wood screws 5 x 60 mm"),
        Column("description", "Shown on the product's page.", "Countersunk, for softwood."),
        Column("information", "More about the product, shown under the description.", ""),
        Column("specifications", "Technical data, shown in its own tab.", "Drive: Pozi 2"),
        Column(
            "category",
            "The slug of the product's category (import the categories first); empty for none.",
            "screws-and-bolts",
        ),
        Column(
            "brand",
            "The brand's name; a brand not in the catalog yet is created. Empty for none.",
            "Stoutridge",
        ),
        Column("enabled", "1 when the product is sold, 0 when it is not; empty: 1.", "1"),
        Column("featured", "1 to show it among the featured products; empty: 0.", "0"),
        Column("new_arrival", "1 to show it among the new arrivals; empty: 0.", "0"),
        Column(
            "unit",
            "The code of the unit it is sold and stocked in (its primary unit); a new "
            "product needs one. Other units go in the product units file.",
            "box",
        ),
        Column(
            "precision",
            "How many decimals a quantity of that unit takes, 0 to 3; empty: the unit's "
            "default for a new product, kept for one in the catalog.",
            "0",
        ),
        Column("weight_kg", "The shipping weight of one unit, in kg; empty for none.", "1.2"),
        Column(
            "tax_code",
            "The code of the product's tax code; empty: the default tax code.",
            "",
        ),
        Column(
            "substitute",
            "The SKU of the product offered instead when this one is no longer sold; it is in "
            "the catalog or anywhere in the file. Empty for none.",
            "",
        ),
    )

    def start(self, run: ImportRun) -> None:
        run.state["seen"] = seen = SeenKeys(self.name)
        seen.start()
        run.state["rebuilds"] = Rebuilds()
        run.state["units"] = {unit.code.lower(): unit for unit in Unit.objects.all()}
        run.state["tax_codes"] = {
            code.lower(): pk for code, pk in ProductTaxCode.objects.values_list("code", "pk")
        }
        run.state["categories"] = {}
        # Rows whose substitute comes later in the file: (product id, row), set at the end.
        run.state["substitutes"] = []

    def parse(self, fields: Fields, run: ImportRun) -> ProductRow:
        record = fields.record.values
        sku = fields.text("sku", required=True, max_length=64)
        values: dict[str, Any] = {}
        for column in ("name", "description", "information", "specifications"):
            if column in record:
                max_length = 255 if column == "name" else None
                values[column] = fields.text(
                    column, required=column == "name", max_length=max_length
                )
        for column, default in (("enabled", True), ("featured", False), ("new_arrival", False)):
            if column in record:
                values[PRODUCT_FIELDS[column]] = fields.boolean(column, default=default)
        if "weight_kg" in record:
            values["weight_kg"] = fields.decimal("weight_kg", max_decimals=4, max_digits=12)
        change = ProductChange(sku=sku, values=values)
        if "precision" in record:
            change.precision = fields.integer("precision", maximum=MAX_PRECISION)
        row = ProductRow(change=change)
        if "category" in record:
            row.category = fields.text("category").lower()
        if "brand" in record:
            row.brand = fields.text("brand", max_length=100)
        if "tax_code" in record:
            row.tax_code = fields.text("tax_code").lower()
        if "unit" in record:
            row.unit = fields.text("unit").lower()
        if "substitute" in record:
            row.substitute = fields.text("substitute", max_length=64)
            if sku and normalize_sku(row.substitute) == normalize_sku(sku):
                fields.error(
                    "substitute", "names the product itself; write another SKU, or leave it empty"
                )
        return row

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        seen: SeenKeys = run.state["seen"]
        brands = _brands_named(row.data.brand for row in rows)
        substitutes = find_products(
            normalize_sku(row.data.substitute) for row in rows if row.data.substitute
        )
        items, to_create, later = [], {}, []
        for row in rows:
            data: ProductRow = row.data
            problem = self._resolve(data, run, brands)
            if problem is not None:
                run.refuse(row, problem[1], column=problem[0])
                continue
            if data.brand and data.brand.lower() not in brands:
                to_create[id(row)] = data.brand
            if data.substitute == "":
                data.change.values["substitute_id"] = None
            elif data.substitute is not None:
                found = substitutes.get(normalize_sku(data.substitute))
                if found is None:
                    later.append(row)
                else:
                    data.change.values["substitute_id"] = found[0]
            items.append((row, data.change))

        planned = check_products(run, items, seen=seen)
        for item in planned:
            name = to_create.get(id(item.row))
            if name is not None:
                if name.lower() not in brands:
                    brand = Brand.objects.create(name=name)
                    brands[name.lower()] = brand.pk
                    run.done(item.row, CREATED, entity="brands")
                item.change.values["brand_id"] = brands[name.lower()]
                item.changes["brand_id"] = brands[name.lower()]
        write_products(run, planned, seen=seen, rebuilds=run.state["rebuilds"])
        accepted = {id(item.row): item.product_id for item in planned}
        pending = [row for row in later if id(row) in accepted]
        if pending:
            self._set_substitutes(run, [(accepted[id(row)], row) for row in pending])

    def _resolve(
        self, data: ProductRow, run: ImportRun, brands: dict[str, int]
    ) -> tuple[str, str] | None:
        """Turn the row's references into ids; (column, message) for one that is unknown."""
        values = data.change.values
        if data.category is not None:
            if not data.category:
                values["category_id"] = None
            else:
                category_id = _category_id(run, data.category)
                if category_id is None:
                    return (
                        "category",
                        f"no category has the slug '{data.category}'; write the slug of a "
                        "category in the catalog (import the categories first), or leave it "
                        "empty",
                    )
                values["category_id"] = category_id
        if data.brand is not None:
            values["brand_id"] = brands.get(data.brand.lower()) if data.brand else None
        if data.tax_code is not None:
            tax_codes: dict[str, int] = run.state["tax_codes"]
            if data.tax_code and data.tax_code not in tax_codes:
                known = ", ".join(sorted(tax_codes)) or "none yet"
                return (
                    "tax_code",
                    f"no tax code is '{data.tax_code}'; write one of: {known}, or leave it "
                    "empty for the default",
                )
            values["tax_code_id"] = tax_codes.get(data.tax_code)
        if data.unit is not None:
            units: dict[str, Unit] = run.state["units"]
            if data.unit:
                if data.unit not in units:
                    return (
                        "unit",
                        f"unknown unit '{data.unit}'; write one of: {', '.join(sorted(units))}",
                    )
                data.change.unit = units[data.unit]
        return None

    def _set_substitutes(
        self, run: ImportRun, pending: list[tuple[int, Row]], *, last: bool = False
    ) -> None:
        """Set the substitutes of ``pending`` (product id, row) that are in the catalog now;
        keep the others for the end of the run, or, at the end (``last``), warn of them."""
        found = find_products(normalize_sku(row.data.substitute) for _, row in pending)
        updates = []
        for product_id, row in pending:
            substitute = found.get(normalize_sku(row.data.substitute))
            if substitute is not None:
                updates.append((product_id, substitute[0]))
            elif not last:
                run.state["substitutes"].append((product_id, row))
            else:
                run.warn(
                    row,
                    f"no product has the SKU '{row.data.substitute}', in the catalog or in the "
                    "file: the product was imported without a substitute; correct the SKU and "
                    "import the row again",
                    column="substitute",
                )
        update_rows(Product._meta.db_table, ["substitute_id"], updates, types=["bigint"])

    def finish(self, run: ImportRun) -> None:
        if run.state["substitutes"]:
            self._set_substitutes(run, run.state["substitutes"], last=True)
        run.state["rebuilds"].schedule()
        run.state["seen"].drop()

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        products = (
            Product.objects.annotate(
                primary=FilteredRelation("units", condition=Q(units__is_primary=True))
            )
            .order_by("sku", "pk")
            .values_list(
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
                "primary__unit__code",
                "primary__precision",
                "weight_kg",
                "tax_code__code",
                "substitute__sku",
            )
        )
        for values in products.iterator(chunk_size=2000):
            row = dict(zip((column.name for column in self.columns), values, strict=True))
            for column in ("enabled", "featured", "new_arrival"):
                row[column] = "1" if row[column] else "0"
            row["precision"] = "" if row["precision"] is None else str(row["precision"])
            row["weight_kg"] = number_text(row["weight_kg"])
            yield {name: "" if value is None else value for name, value in row.items()}


def _category_id(run: ImportRun, slug: str) -> int | None:
    """The id of the category ``slug``, remembered for the run (imports of products create
    no category, so what is found stays true)."""
    cache: dict[str, int | None] = run.state["categories"]
    if slug not in cache:
        cache[slug] = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return cache[slug]


def _brands_named(names: Iterable[str | None]) -> dict[str, int]:
    """The ids of the brands ``names`` name, by lower-case name."""
    wanted = {name.lower() for name in names if name}
    if not wanted:
        return {}
    return dict(
        Brand.objects.annotate(key=Lower("name")).filter(key__in=wanted).values_list("key", "pk")
    )


# The fields a product units row may set, by column.
PRODUCT_UNIT_FIELDS = {
    "precision": "precision",
    "conversion_rate": "conversion_rate",
    "sellable": "is_sellable",
    "min_quantity": "min_quantity",
    "max_quantity": "max_quantity",
    "quantity_increment": "quantity_increment",
}


@dataclass
class ProductUnitRow:
    sku: str
    unit: str
    # The fields the file sets, by attribute name; a precision of None is the unit's default.
    values: dict[str, Any]


@register
class ProductUnits(Entity):
    name = "product_units"
    label = "Product units"
    key = ("sku", "unit")
    batch_size = 5000
    columns = (
        Column("sku", "The SKU of a product in the catalog.", "FS-1102", required=True),
        Column(
            "unit",
            "A unit code. The product's primary unit (set in the products file) has a row too, "
            "for its precision and quantity rules.",
            "box",
            required=True,
        ),
        Column(
            "precision",
            "How many decimals a quantity of this unit takes, 0 to 3; empty: the unit's default.",
            "0",
        ),
        Column(
            "conversion_rate",
            "How many primary units one of this unit holds (a set of 10: 10); 1 for the primary "
            "unit. A new unit of a product needs it.",
            "50",
        ),
        Column("sellable", "1 when buyers may order in this unit, 0 when not; empty: 1.", "1"),
        Column("min_quantity", "The least a line of this unit may hold; empty: no minimum.", ""),
        Column("max_quantity", "The most a line of this unit may hold; empty: no maximum.", ""),
        Column(
            "quantity_increment",
            "Quantities are multiples of this (a case of 6: 6); empty: any quantity.",
            "",
        ),
    )

    def start(self, run: ImportRun) -> None:
        run.state["seen"] = seen = SeenKeys(self.name)
        seen.start()
        run.state["units"] = {unit.code.lower(): unit for unit in Unit.objects.all()}

    def parse(self, fields: Fields, run: ImportRun) -> ProductUnitRow:
        record = fields.record.values
        values: dict[str, Any] = {}
        if "precision" in record:
            values["precision"] = fields.integer("precision", maximum=MAX_PRECISION)
        if "conversion_rate" in record:
            values["conversion_rate"] = fields.decimal(
                "conversion_rate", positive=True, max_decimals=6, max_digits=14
            )
        if "sellable" in record:
            values["is_sellable"] = fields.boolean("sellable", default=True)
        for column in ("min_quantity", "max_quantity", "quantity_increment"):
            if column in record:
                values[column] = fields.decimal(
                    column,
                    positive=column == "quantity_increment",
                    max_decimals=3,
                    max_digits=14,
                )
        return ProductUnitRow(
            sku=fields.text("sku", required=True, max_length=64),
            unit=fields.text("unit", required=True).lower(),
            values=values,
        )

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        seen: SeenKeys = run.state["seen"]
        units: dict[str, Unit] = run.state["units"]
        products = find_products(normalize_sku(row.data.sku) for row in rows)
        names = ("pk", *PRODUCT_UNIT_FIELDS.values(), "is_primary")
        existing = {
            (product_id, unit_id): dict(zip(names, values, strict=True))
            for product_id, unit_id, *values in ProductUnit.objects.filter(
                product_id__in=[pk for pk, _ in products.values()]
            ).values_list("product_id", "unit_id", *names)
        }
        keys = {id(row): f"{normalize_sku(row.data.sku)}|{row.data.unit}" for row in rows}
        # A unit accepted earlier in the run was written: only units there can be repeats.
        earlier = seen.earlier(
            keys[id(row)]
            for row in rows
            if row.data.unit in units
            and (products.get(normalize_sku(row.data.sku), (None,))[0], units[row.data.unit].pk)
            in existing
        )
        in_batch: dict[str, tuple[int, str]] = {}
        new, changed, accepted = [], {}, []
        for row in rows:
            data: ProductUnitRow = row.data
            product = products.get(normalize_sku(data.sku))
            if product is None:
                run.refuse(
                    row,
                    f"no product has the SKU '{data.sku}'; import it with the products file first",
                    column="sku",
                )
                continue
            unit = units.get(data.unit)
            if unit is None:
                run.refuse(
                    row,
                    f"unknown unit '{data.unit}'; write one of: {', '.join(sorted(units))}",
                    column="unit",
                )
                continue
            key = keys[id(row)]
            first = earlier.get(key) or in_batch.get(key)
            if first is not None:
                run.refuse(
                    row,
                    f"duplicates line {first[0]}, which sets the same unit of the same SKU; keep "
                    "one of the two rows",
                    column="unit",
                )
                continue
            current = existing.get((product[0], unit.pk))
            problem = _unit_problem(data, product[1], unit, current)
            if problem is not None:
                run.refuse(row, problem[1], column=problem[0])
                continue
            in_batch[key] = (row.line, "")
            values = dict(data.values)
            if values.get("precision", 0) is None:
                values["precision"] = unit.default_precision
            if values.get("conversion_rate", 1) is None:
                del values["conversion_rate"]  # the primary unit's, which stays 1
            if current is None:
                new.append({"product_id": product[0], "unit_id": unit.pk, **values})
                accepted.append((row, key, CREATED))
                continue
            changes = {name: value for name, value in values.items() if current[name] != value}
            if changes:
                changed.setdefault(tuple(sorted(values)), []).append((current["pk"], values))
            accepted.append((row, key, UPDATED if changes else UNCHANGED))

        unit_fields = [f for f in ProductUnit._meta.concrete_fields if not f.primary_key]
        defaults = {f.attname: f.get_default() for f in unit_fields}
        defaults.update(is_primary=False, is_sellable=True)
        insert_rows(
            ProductUnit._meta.db_table,
            [f.column for f in unit_fields],
            [tuple({**defaults, **values}[f.attname] for f in unit_fields) for values in new],
        )
        for names, items in changed.items():
            model_fields = [ProductUnit._meta.get_field(name) for name in names]
            update_rows(
                ProductUnit._meta.db_table,
                [f.column for f in model_fields],
                [(pk, *(values[name] for name in names)) for pk, values in items],
                types=[f.db_type(connection) for f in model_fields],
            )
        seen.add([(key, row.line, in_batch[key][1]) for row, key, _ in accepted])
        for row, _, status in accepted:
            run.done(row, status)

    def finish(self, run: ImportRun) -> None:
        run.state["seen"].drop()

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        product_units = ProductUnit.objects.order_by(
            "product__sku", "product_id", "-is_primary", "unit__code"
        ).values_list(
            "product__sku",
            "unit__code",
            "precision",
            "conversion_rate",
            "is_sellable",
            "min_quantity",
            "max_quantity",
            "quantity_increment",
        )
        for (
            sku,
            unit,
            precision,
            rate,
            sellable,
            minimum,
            maximum,
            increment,
        ) in product_units.iterator(chunk_size=2000):
            yield {
                "sku": sku,
                "unit": unit,
                "precision": str(precision),
                "conversion_rate": number_text(rate),
                "sellable": "1" if sellable else "0",
                "min_quantity": number_text(minimum),
                "max_quantity": number_text(maximum),
                "quantity_increment": number_text(increment),
            }


def _unit_problem(
    data: ProductUnitRow, sku: str, unit: Unit, current: dict[str, Any] | None
) -> tuple[str, str] | None:
    """What keeps a product units row from being written, as (column, message), or None."""
    values = data.values
    if current is not None and current["is_primary"]:
        rate = values.get("conversion_rate")
        if rate is not None and rate != 1:
            return (
                "conversion_rate",
                f"'{unit.code}' is the primary unit of SKU '{sku}': its rate is 1; write 1, or "
                "change the product's unit in the products file first",
            )
        if values.get("is_sellable") is False:
            return (
                "sellable",
                f"'{unit.code}' is the primary unit of SKU '{sku}', which is always sellable; "
                "write 1",
            )
    elif values.get("conversion_rate") is None and (
        current is None or "conversion_rate" in values
    ):
        return (
            "conversion_rate",
            f"is empty; write how many primary units of SKU '{sku}' one '{unit.code}' holds",
        )
    minimum = values.get("min_quantity", current and current["min_quantity"])
    maximum = values.get("max_quantity", current and current["max_quantity"])
    if minimum is not None and maximum is not None and minimum > maximum:
        column = "max_quantity" if "max_quantity" in values else "min_quantity"
        return (
            column,
            f"the minimum quantity {plain(minimum)} is more than the maximum {plain(maximum)}; "
            "write a maximum at least as large as the minimum",
        )
    return None
