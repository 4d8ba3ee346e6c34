"""The catalog steps of the OroCommerce import: units, brands, categories, price lists, price
attributes, products with their prices, and additional units."""

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django.utils.html import strip_tags

from comptoir.catalog.models import Category, Product, Unit, normalize_sku
from comptoir.catalog.services import (
    upsert_brand,
    upsert_category,
    upsert_product_unit,
    upsert_unit,
)
from comptoir.core.errors import DomainError
from comptoir.core.money import round_money
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.csvfiles import Fields, Record, read_column
from comptoir.integration.oro import layouts
from comptoir.integration.oro.run import (
    OroImport,
    Outcomes,
)
from comptoir.integration.report import Problem
from comptoir.integration.rows import RowRefused
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.bulk import SeenKeys
from comptoir.integration.transfer.entities import product_staging
from comptoir.integration.transfer.entities.price_batches import PriceEntry, PriceWriter
from comptoir.integration.transfer.entities.product_batches import (
    PlannedProduct,
    ProductChange,
    check_products,
    write_products,
)
from comptoir.integration.transfer.registry import get_entity
from comptoir.integration.transfer.runner import import_records, layout_of
from comptoir.integration.transfer.staging import StagedFile
from comptoir.pricing.models import PriceAttribute, PriceList, PriceRule
from comptoir.pricing.rules import rebuild_lists
from comptoir.pricing.services import (
    save_price_rule,
    upsert_price_attribute,
    upsert_price_attribute_value,
    upsert_price_list,
)

logger = logging.getLogger(__name__)

# Quantities are stored with 3 decimals, so no unit can take more.
MAX_PRECISION = 3


def import_units(run: OroImport) -> None:
    """OroCommerce's units: the files name them but do not define them."""
    for code, precision in layouts.UNITS.items():
        _, status = upsert_unit(code=code, default_precision=precision)
        run.report.count("units", status)
    run.units = {unit.code.lower(): unit for unit in Unit.objects.all()}


def import_brands(run: OroImport) -> None:
    """Brands, remembered by their place in the file: products name them by that number."""
    for record in run.records(layouts.BRANDS, "brands"):
        fields = Fields(record)
        name = fields.text("name", required=True, max_length=100)
        if fields.problems:
            run.reject("brands", fields.problems)
            continue

        def write(name: str = name, record: Record = record) -> Outcomes:
            brand, status = upsert_brand(name=name)
            run.brands[record.number] = brand
            return [("brands", status)]

        run.save_row("brands", record, write)


def category_key(name: str) -> str:
    """The form two category names are compared in: case, spaces and a trailing "s" ignored."""
    key = re.sub(r"\s+", "", name).lower()
    return key[:-1] if key.endswith("s") else key


def import_categories(run: OroImport) -> None:
    """One top-level category per leaf category the product rows name.

    Names that differ only by case, spaces or a trailing "s" are one category, named by the
    first plural spelling met (the first spelling if none is plural). This pass reads the
    category column only; the products step reports the problems of the product rows.
    """
    spellings: dict[str, tuple[str, int]] = {}
    # Each distinct text once: a catalog of a million products has a few hundred.
    first_lines: dict[str, int] = {}
    path = run.directory / layouts.PRODUCTS.file_name
    for line, text in read_column(path, layouts.PRODUCTS, "category"):
        first_lines.setdefault(text, line)
    for text, line in first_lines.items():
        name = " ".join(text.split())
        if not name or len(name) > 200 or "\x00" in name:
            continue  # the products step reports it
        key = category_key(name)
        kept = spellings.get(key)
        if kept is None or (not _is_plural(kept[0]) and _is_plural(name)):
            spellings[key] = (name, line)

    descriptions = _category_descriptions(run)
    existing = {
        category_key(category.name): category
        for category in Category.objects.filter(parent__isnull=True)
    }
    for key, (spelling, line) in spellings.items():
        name = existing[key].name if key in existing else spelling
        try:
            category, status = upsert_category(name=name, description=descriptions.get(key))
        except DomainError as error:
            run.report.reject(
                "categories",
                [Problem(file=layouts.PRODUCTS.file_name, line=line, message=error.message)],
            )
            continue
        run.categories[key] = category
        run.report.count("categories", status)


def _is_plural(name: str) -> bool:
    return name.rstrip().lower().endswith("s")


def _category_descriptions(run: OroImport) -> dict[str, str]:
    """Plain-text descriptions by category key, from the optional descriptions file."""
    path = run.directory / layouts.CATEGORY_DESCRIPTIONS
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8-sig") as handle:
            content = yaml.safe_load(handle)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        run.report.warn(
            Problem(
                file=layouts.CATEGORY_DESCRIPTIONS,
                line=None if line is None else line + 1,
                message=f"cannot be read, categories keep their descriptions: {error}",
            )
        )
        return {}
    if not isinstance(content, dict):
        return {}
    descriptions = {}
    for name, texts in content.items():
        if isinstance(texts, dict):
            text = texts.get("long") or texts.get("short") or ""
        else:
            text = texts or ""
        descriptions[category_key(str(name))] = html_to_text(str(text))
    return descriptions


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, a blank line between paragraphs."""
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    markup = re.sub(r"(?i)</p\s*>", "\n\n", markup)
    text = html.unescape(strip_tags(markup))
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text)]
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def import_price_lists(run: OroImport) -> None:
    seen: dict[str, int] = {}
    for record in run.records(layouts.PRICE_LISTS, "price lists"):
        fields = Fields(record)
        name = fields.text("name", required=True, max_length=100)
        fields.unique(seen, name.lower(), "name", f"price list '{name}'")
        if fields.problems:
            run.reject("price lists", fields.problems)
            continue
        run.save_row(
            "price lists",
            record,
            lambda name=name: [
                ("price lists", upsert_price_list(name=name, currency=layouts.CURRENCY)[1])
            ],
        )
    names = {name.lower() for name in PriceList.objects.values_list("name", flat=True)}
    if (run.directory / layouts.PRICES_FILE).is_file() and (
        layouts.DEFAULT_PRICE_LIST.lower() not in names
    ):
        # OroCommerce's price file names no list: its prices go to the Default list.
        _, status = upsert_price_list(name=layouts.DEFAULT_PRICE_LIST, currency=layouts.CURRENCY)
        run.report.count("price lists", status)
    run.price_lists = {
        price_list.name.lower(): price_list for price_list in PriceList.objects.all()
    }


def import_price_attributes(run: OroImport) -> None:
    seen: dict[str, int] = {}
    for record in run.records(layouts.PRICE_ATTRIBUTES, "price attributes"):
        fields = Fields(record)
        name = fields.text("name", required=True, max_length=50)
        field_name = fields.text("fieldName", max_length=50)
        fields.unique(seen, name.lower(), "name", f"price attribute '{name}'")
        if fields.problems:
            run.reject("price attributes", fields.problems)
            continue
        run.save_row(
            "price attributes",
            record,
            lambda name=name, field_name=field_name: [
                ("price attributes", upsert_price_attribute(name=name, field_name=field_name)[1])
            ],
        )
    run.price_attributes = {
        attribute.name.lower(): attribute for attribute in PriceAttribute.objects.all()
    }


def read_unit(run: OroImport, fields: Fields, column: str, *, required: bool = True) -> Unit:
    """The unit a column names, or an error listing the known units."""
    code = fields.text(column, required=required)
    unit = run.units.get(code.lower())
    if unit is None and code:
        fields.error(column, f"unknown unit '{code}'; known units: {', '.join(sorted(run.units))}")
    return unit  # type: ignore[return-value]  # None only with an error noted


def import_products(run: OroImport) -> None:
    """Products with their primary unit, their Default prices and their MSRP and MAP.

    The Default prices are the demo loader's tiers of the ``price`` column, unless the
    directory holds OroCommerce's price file (``import_prices``), which then prices the list.
    """
    for list_name in layouts.PRICED_LISTS:
        if list_name.lower() not in run.price_lists:
            run.report.warn(
                Problem(
                    file=layouts.PRICE_LISTS.file_name,
                    line=None,
                    message=f"has no '{list_name}': the products get no prices on it",
                )
            )
    entity = OroProducts(run)
    import_records(
        ImportRun(entity=entity, file_name=layouts.PRODUCTS.file_name, report=run.report),
        run.records(layouts.PRODUCTS, "products"),
    )


@dataclass
class OroProductRow:
    change: ProductChange
    price: Decimal | None
    msrp: Decimal | None
    map: Decimal | None


class OroProducts(Entity):
    """The rows of OroCommerce's products file, written in batches as the products entity
    writes its own (``check_products`` and ``write_products``), with their prices."""

    name = "products"
    label = "Products (OroCommerce)"
    key = ("sku",)
    batch_size = 5000
    columns = tuple(
        Column(name, "", required=name in layouts.PRODUCTS.required)
        for name in layouts.PRODUCTS.columns
    )

    def __init__(self, oro: OroImport) -> None:
        self.oro = oro
        default = oro.price_lists.get(layouts.DEFAULT_PRICE_LIST.lower())
        has_price_file = (oro.directory / layouts.PRICES_FILE).is_file()
        # The list the demo tiers of the price column go to, if they are used.
        self.tier_list = None if has_price_file else default
        self.spellings_told: set[str] = set()
        # The category of each name the rows write, as the categories step made them.
        self.categories_by_name: dict[str, Category | None] = {}

    def start(self, run: ImportRun) -> None:
        run.state["seen"] = seen = SeenKeys(self.name)
        seen.start()

    def parse(self, fields: Fields, run: ImportRun) -> OroProductRow:
        sku = fields.text("sku", required=True, max_length=64)
        values = {
            "name": fields.text("name", required=True, max_length=255),
            "description": fields.text("description"),
            "information": fields.text("information"),
            "specifications": fields.text("specifications"),
            "category_id": self._category(fields),
        }
        price = fields.decimal("price", max_decimals=4, max_digits=19)
        msrp = fields.decimal("MSRP", max_decimals=4, max_digits=19)
        map_price = fields.decimal("MAP", max_decimals=4, max_digits=19)
        unit = read_unit(self.oro, fields, "unit")
        precision = fields.integer("precision", maximum=MAX_PRECISION)
        # As the demo loader: a product is enabled, in its unit's default precision unless
        # the row gives one.
        values["is_enabled"] = True
        values["is_featured"] = fields.boolean("featured")
        values["is_new_arrival"] = fields.boolean("new_arrival")
        values["brand_id"] = self._brand(fields)
        if precision is None and unit is not None:
            precision = unit.default_precision
        change = ProductChange(sku=sku, values=values, unit=unit, precision=precision)
        return OroProductRow(change=change, price=price, msrp=msrp, map=map_price)

    def category_named(self, name: str) -> Category | None:
        """The category the categories step made for ``name`` (spaces already normalized)."""
        if name not in self.categories_by_name:
            self.categories_by_name[name] = (
                self.oro.categories.get(category_key(name)) if name else None
            )
        return self.categories_by_name[name]

    def _category(self, fields: Fields) -> int | None:
        name = " ".join(fields.text("category", max_length=200).split())
        category = self.category_named(name)
        if category is None:
            return None
        if category.name != name and name not in self.spellings_told:
            # Told once per spelling: a large catalog may write it on thousands of rows.
            self.spellings_told.add(name)
            fields.problems.append(
                fields.warning("category", f"'{name}' is taken as the category '{category.name}'")
            )
        return category.pk

    def _brand(self, fields: Fields) -> int | None:
        number = fields.integer("brand_id", minimum=1)
        if number is None:
            return None
        brand = self.oro.brands.get(number)
        if brand is None:
            fields.error(
                "brand_id",
                f"no brand number {number}: {layouts.BRANDS.file_name} has "
                f"{len(self.oro.brands)} imported brands, numbered by row from 1",
            )
            return None
        return brand.pk

    def stages(self, run: ImportRun) -> bool:
        """Whether a large file can be written in SQL: when a row sets its product and
        primary unit only (the directory prices them with its price file, and has no price
        attributes)."""
        return self.tier_list is None and not self.oro.price_attributes

    def prepare_staged(self, staged: StagedFile, run: ImportRun) -> None:
        product_staging.prepare(self, staged, run)

    def write_staged(self, staged: StagedFile, first: int, last: int, run: ImportRun) -> int:
        return product_staging.write(staged, first, last, run)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        seen: SeenKeys = run.state["seen"]
        planned = check_products(run, [(row, row.data.change) for row in rows], seen=seen)
        prices = PriceWriter(run, rebuilds=None)
        if self.tier_list is not None:
            # Prices of products already in the catalog are checked before anything is
            # written, so a refused row leaves no product behind.
            prices.load(
                entry for item in planned if not item.is_new for entry in self._tiers(item)
            )
            kept = []
            for item in planned:
                refusal = None if item.is_new else _first_refusal(prices, self._tiers(item))
                if refusal is None:
                    kept.append(item)
                else:
                    run.refuse(item.row, refusal, column="price")
            planned = kept
        write_products(run, planned, seen=seen, rebuilds=None)
        if self.tier_list is not None:
            prices.write([(item.row, self._tiers(item)) for item in planned])
        if self.oro.price_attributes:
            products = Product.objects.in_bulk([item.product_id for item in planned])
            for item in planned:
                self._write_attributes(run, item, products[item.product_id])

    def _tiers(self, item: PlannedProduct) -> list[PriceEntry]:
        price = item.row.data.price
        if price is None:
            return []
        return [
            PriceEntry(self.tier_list.pk, item.product_id, item.change.unit.pk, quantity, value)
            for quantity, value in demo_tiers(price)
        ]

    def _write_attributes(self, run: ImportRun, item: PlannedProduct, product: Product) -> None:
        row: OroProductRow = item.row.data
        for attribute_name, value in (("msrp", row.msrp), ("map", row.map)):
            attribute = self.oro.price_attributes.get(attribute_name)
            if attribute is None or value is None:
                continue
            _, status = upsert_price_attribute_value(
                attribute=attribute,
                product=product,
                unit=item.change.unit,
                value=value,
                currency=layouts.CURRENCY,
                rebuild=False,
            )
            run.done(item.row, status, entity="price attribute values")

    def finish(self, run: ImportRun) -> None:
        run.state["seen"].drop()

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        raise DomainError(
            "Products are exported in Comptoir's own columns: export the products entity",
            code="not_exportable",
        )


def _first_refusal(prices: PriceWriter, entries: list[PriceEntry]) -> str | None:
    return next(filter(None, map(prices.refusal, entries)), None)


def import_prices(run: OroImport) -> None:
    """OroCommerce's price file (``Product SKU,Quantity,Unit Code,Price,Currency``), which
    names no list, into the Default list, as the prices entity imports it."""
    path = run.directory / layouts.PRICES_FILE
    if not path.is_file():
        return
    entity = get_entity("prices")
    options = entity.check_options({"price_list": layouts.DEFAULT_PRICE_LIST})
    layout = layout_of(entity, layouts.PRICES_FILE)
    import_records(
        ImportRun(entity=entity, file_name=path.name, options=options, report=run.report),
        run.records(layout, entity.name),
    )


def import_inventory(run: OroImport) -> None:
    """Stock levels (``SKU,Warehouse,Quantity,Unit``), as the inventory entity imports them."""
    path = run.directory / layouts.INVENTORY_FILE
    if not path.is_file():
        return
    entity = get_entity("inventory")
    import_records(
        ImportRun(entity=entity, file_name=path.name, report=run.report),
        run.records(layout_of(entity, layouts.INVENTORY_FILE), entity.name),
    )


def demo_tiers(price: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(tier quantity, unit price) of the Default list for a product whose price is ``price``."""
    tiers = [(Decimal(1), round_money(price, layouts.CURRENCY))]
    for quantity, tier_share in layouts.TIER_SHARES.items():
        tiers.append((quantity, round_money(price * tier_share, layouts.CURRENCY)))
    return tiers


def import_price_rules(run: OroImport) -> None:
    """The Wholesale and Partner C lists as rules over Default, and the prices they give.

    The rules are computed at once (not in the background): the orders imported next are
    priced with them.
    """
    default = run.price_lists.get(layouts.DEFAULT_PRICE_LIST.lower())
    if default is None:
        return
    rebuilt = []
    for list_name, share in layouts.RULE_SHARES.items():
        price_list = run.price_lists.get(list_name.lower())
        if price_list is None:
            continue
        name = f"{share * 100:.0f} % of {default.name}"
        formula = f'pricelist["{default.name}"].price * {share}'
        rule = PriceRule.objects.filter(price_list=price_list, name=name).first()
        if rule is None:
            rule, status = PriceRule(price_list=price_list, name=name), CREATED
        else:
            status = UNCHANGED if rule.formula == formula else UPDATED
        if status != UNCHANGED:
            rule.formula = formula
            save_price_rule(rule, rebuild=False)
        run.report.count("price rules", status)
        rebuilt.append(price_list.pk)
    for report in rebuild_lists(list_ids=rebuilt):
        run.report.count("computed prices", CREATED, report.created)
        run.report.count("computed prices", UPDATED, report.updated + report.removed)
        run.report.count("computed prices", UNCHANGED, report.unchanged)


def import_additional_units(run: OroImport) -> None:
    """The other units each product is sold (or only counted) in."""
    entity = "additional units"
    seen: dict[tuple[str, str], int] = {}
    for record in run.records(layouts.ADDITIONAL_UNITS, entity):
        fields = Fields(record)
        sku = fields.text("sku", required=True, max_length=64)
        unit = read_unit(run, fields, "unit")
        precision = fields.integer("precision", maximum=MAX_PRECISION)
        rate = fields.decimal(
            "conversion_rate", required=True, positive=True, max_decimals=6, max_digits=14
        )
        sellable = fields.boolean("sell", default=True)
        if sku and unit:
            fields.unique(
                seen, (normalize_sku(sku), unit.code), "unit", f"SKU '{sku}' {unit.code}"
            )
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        def write(sku=sku, unit=unit, precision=precision, rate=rate, sellable=sellable):
            product = Product.objects.filter(sku__iexact=normalize_sku(sku)).first()
            if product is None:
                raise RowRefused(
                    f"SKU '{sku}' is not in the catalog; add it to "
                    f"{layouts.PRODUCTS.file_name} first",
                    column="sku",
                )
            primary = product.units.filter(is_primary=True).order_by("pk").first()
            if primary is not None and primary.unit_id == unit.pk:
                raise RowRefused(
                    f"'{unit.code}' is the primary unit of SKU '{product.sku}'", column="unit"
                )
            _, status = upsert_product_unit(
                product=product,
                unit=unit,
                precision=unit.default_precision if precision is None else precision,
                conversion_rate=rate,
                is_sellable=sellable,
            )
            return [(entity, status)]

        run.save_row(entity, record, write)
