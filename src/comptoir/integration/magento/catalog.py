"""The steps of a Magento products file: categories, attributes and their options, families,
products, their attribute values and translations, product models and their variants, prices
and stock.

Where Magento and Comptoir differ, the import decides so:

- Categories: every path of the categories column opens with the store's root category
  ("Default Category"), which Magento's storefront never shows: its children become top-level
  categories. A category's slug is made of its path ("gear-bags"). A product is in one category
  in Comptoir: the deepest its row names (the first of those).
- Products: simple, virtual and downloadable products are products, sold by the item (one
  already in the catalog keeps its unit); product_online 2 disables one; the weight is
  converted to kilograms from the store's weight unit. Descriptions lose their HTML. A
  configurable product is a product model whose variants are the products its
  configurable_variations name; a variant without a category or descriptions of its own takes
  its configurable product's, as Magento's storefront shows them. Bundle and grouped products
  have no equivalent and are left out; the configurable product's own additional attributes are
  not kept (its variants have theirs).
- Attribute sets are families. The attributes of additional_attributes are made selects when
  configurable products vary by them, multiselects when a value holds several, text otherwise;
  an attribute already in the catalog keeps its name and type. Options are found by their
  label, as Magento writes them.
- A store view row translates the product's name, description and short description into the
  language its store view is given (option store_languages), kept as values of the localizable
  attributes name, description and short_description; its other overrides are not imported.
- The qty goes to one warehouse (option warehouse); a product out of stock (is_in_stock 0) has
  none there.

The file is read once to find its structure (``products.scan_products``), then once more for
its rows, a part at a time: each part's products are written, then their values, translations,
prices and stock; then its configurable rows once more, for the product models
(``product_models``), once every product is in. Between the readings the import holds the
category tree, the attributes with their values and the attribute sets; the configurable
product of each variant, with what the variant takes from it, is kept in the database
(``products.ProductKeys``), so that memory stays flat whatever the size of the file.
Categories, attributes, options, products, values, prices and stock levels go through the
entities of the file imports; families through the catalog's services.
"""

from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from comptoir.catalog.attributes import OPTION_TYPES, Attribute, AttributeType, ProductFamily
from comptoir.catalog.models import Unit, normalize_sku
from comptoir.catalog.services import upsert_unit
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.prices import price_records, product_price_steps
from comptoir.integration.magento.product_models import import_product_models
from comptoir.integration.magento.products import (
    CatalogPlan,
    Part,
    ProductKeys,
    ProductRow,
    product_parts,
    scan_products,
    sold_rows,
    translated_rows,
)
from comptoir.integration.magento.run import MagentoImport, Step, mapped_record
from comptoir.integration.magento.structure import (
    import_attributes,
    import_categories,
    import_families,
)
from comptoir.integration.transfer.base import ImportRun, Row
from comptoir.integration.transfer.entities.product_batches import find_products
from comptoir.integration.transfer.entities.products import Products
from comptoir.integration.transfer.registry import get_entity

PRODUCT_COLUMNS = {
    "name": "name",
    "description": "description",
    "information": "short_description",
    "category": "categories",
    "enabled": "product_online",
    "weight_kg": "weight",
    "tax_code": "tax_class_name",
    "family": "attribute_set_code",
}
STOCK_COLUMNS = {"quantity": "qty", "warehouse": None}
# Magento writes a yes-or-no attribute's value as Yes or No.
BOOLEAN_TEXTS = {"yes": "1", "no": "0"}


def import_products_file(run: MagentoImport, path: Path) -> None:
    """Import the products file at ``path``, step by step in dependency order."""
    with ProductKeys() as keys:
        plan = scan_products(run, path, keys)
        slugs = import_categories(run, plan)
        attributes = import_attributes(run, plan)
        families = import_families(run, plan, attributes)
        import_product_rows(run, path, plan, slugs, attributes, families)
        import_product_models(run, path, plan, attributes, families)


class MagentoProducts(Products):
    """The products entity with a ``family`` column (a family's code, empty for none, which
    also makes the product no variant), and giving a new product the unit Magento sells in;
    a product already in the catalog keeps its unit."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    def start(self, run: ImportRun) -> None:
        super().start(run)
        run.state["families"] = {
            code.lower(): pk for pk, code in ProductFamily.objects.values_list("pk", "code")
        }

    def parse(self, fields: Fields, run: ImportRun):
        row = super().parse(fields, run)
        if "family" in fields.record.values:
            code = fields.text("family")
            family_id = run.state["families"].get(code.lower()) if code else None
            if code and family_id is None:
                fields.error("family", f"no family has the code '{code}'")
            row.change.values.update(family_id=family_id, product_model_id=None)
        return row

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        existing = find_products(normalize_sku(row.data.change.sku) for row in rows)
        for row in rows:
            if normalize_sku(row.data.change.sku) not in existing:
                row.data.change.unit = self.unit
        super().apply(rows, run)


def import_product_rows(
    run: MagentoImport,
    path: Path,
    plan: CatalogPlan,
    slugs: dict[tuple[str, ...], str],
    attributes: dict[str, Attribute],
    families: dict[str, str],
) -> None:
    """Simple, virtual and downloadable products, their attribute values, the translations
    of store view rows, prices and stock, a part of the file at a time."""
    name = plan.file_name
    products = Step(
        run,
        MagentoProducts(_sold_unit(run)),
        file_name=name,
        columns=PRODUCT_COLUMNS,
        refusing=True,
    )
    price_steps = product_price_steps(run, plan)
    values = Step(
        run,
        get_entity("product_attribute_values"),
        file_name=name,
        columns={"attribute": "additional_attributes", "value": "additional_attributes"},
    )
    translations = Step(
        run,
        get_entity("product_attribute_values"),
        file_name=name,
        columns={"attribute": "store_view_code", "locale": "store_view_code"},
    )
    stock = Step(run, get_entity("inventory"), file_name=name, columns=STOCK_COLUMNS)
    option_codes = {
        code: {option.label.lower(): option.code for option in attribute.options.all()}
        for code, attribute in attributes.items()
    }

    for part in product_parts(run, path, plan):
        # One commit a part: each batch of it is a savepoint, refused alone.
        with transaction.atomic():
            products.feed(
                mapped_record(record, _product_values(run, record, row, part, slugs, families))
                for record, row in sold_rows(run, part)
            )
            values.feed(_value_records(run, part, attributes, option_codes))
            if plan.translations_line is not None:
                translations.feed(_translation_records(run, plan, part))
            for step, column in price_steps:
                step.feed(price_records(run, part, column))
            stock.feed(_stock_records(run, part))
    for step in (products, values, translations, *(step for step, _ in price_steps), stock):
        step.finish()


def _sold_unit(run: MagentoImport) -> Unit:
    """The unit Magento sells in, made if the catalog has none of that code."""
    unit = Unit.objects.filter(code__iexact=layouts.UNIT).first()
    if unit is None:
        unit, status = upsert_unit(code=layouts.UNIT)
        run.report.count("units", status)
    return unit


def _product_values(
    run: MagentoImport,
    record: Record,
    row: ProductRow,
    part: Part,
    slugs: dict[tuple[str, ...], str],
    families: dict[str, str],
) -> dict[str, str]:
    """A product's row in the columns of the products entity. A variant takes the category
    and the descriptions of its configurable product when its row has none; its family comes
    with its product model."""
    parent = part.parents.get(row.key)
    category = row.category or (parent.category if parent else None)
    values = {
        "sku": row.sku,
        "description": row.description or (parent.description if parent else ""),
        "information": row.short_description or (parent.short_description if parent else ""),
        "category": slugs[category] if category else "",
    }
    if row.name:
        values["name"] = row.name
    if row.online is not None:
        values["enabled"] = "1" if row.online else "0"
    if "weight" in record.values:
        values["weight_kg"] = "" if row.weight_kg is None else str(row.weight_kg)
    tax_code = run.tax_classes.get(row.tax_class.lower()) if row.tax_class else None
    if tax_code is not None:
        values["tax_code"] = tax_code
    if parent is None:
        values["family"] = families.get(row.attribute_set.lower(), "")
    return values


def _value_records(
    run: MagentoImport,
    part: Part,
    attributes: dict[str, Attribute],
    option_codes: dict[str, dict[str, str]],
) -> Iterator[Record]:
    """The values of additional_attributes: a select's or multiselect's by option label."""
    for record, row in sold_rows(run, part):
        for code, values in row.attributes.items():
            attribute = attributes.get(code)
            if attribute is not None:
                value = _value_text(attribute, values, option_codes[code])
                yield mapped_record(
                    record, {"sku": row.sku, "attribute": attribute.code, "value": value}
                )


def _value_text(attribute: Attribute, values: list[str], option_codes: dict[str, str]) -> str:
    """A Magento value as the values entity reads it: option codes for options' labels (by
    lower-case label in ``option_codes``)."""
    if attribute.type in OPTION_TYPES:
        return ",".join(option_codes.get(value.strip().lower(), value.strip()) for value in values)
    text = layouts.MULTI_VALUE_SEPARATOR.join(values)
    if attribute.type == AttributeType.BOOLEAN:
        return BOOLEAN_TEXTS.get(text.lower(), text)
    return text


def _translation_records(run: MagentoImport, plan: CatalogPlan, part: Part) -> Iterator[Record]:
    """The name, description and short description of store view rows, in their store view's
    language, as values of the localizable attributes of those names. A store view row without
    one of them uses the default row's in Magento: the product has no translation of it."""
    for record, row in translated_rows(run, plan, part):
        language = run.languages[row.store_view.lower()]
        texts = {
            "name": row.name,
            "description": row.description,
            "short_description": row.short_description,
        }
        for code, text in texts.items():
            yield mapped_record(
                record,
                {"sku": row.sku, "attribute": code, "locale": language, "value": text},
            )


def _stock_records(run: MagentoImport, part: Part) -> Iterator[Record]:
    """The qty of each product in the warehouse of the option warehouse; a product that is not
    in stock (is_in_stock 0) has none."""
    for record, row in sold_rows(run, part):
        if row.qty is not None:
            yield mapped_record(
                record,
                {
                    "sku": row.sku,
                    "warehouse": run.warehouse,
                    "quantity": str(row.qty) if row.in_stock else "0",
                },
            )
